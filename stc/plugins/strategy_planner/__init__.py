"""Reference strategy planners (SPEC §7): SWOT, scheduled and position management."""
