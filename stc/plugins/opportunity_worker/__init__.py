"""Reference opportunity workers (SPEC §7)."""
