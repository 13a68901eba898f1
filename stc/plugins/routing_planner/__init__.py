"""Reference routing planners (SPEC §7): market, TWAP and iceberg routing."""
