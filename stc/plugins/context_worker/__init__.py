"""Reference context workers (SPEC §7)."""
