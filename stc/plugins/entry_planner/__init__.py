"""Reference entry planners (SPEC §7): market, patient limit and layered entries."""
