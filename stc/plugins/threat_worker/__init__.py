"""Reference threat workers (SPEC §7)."""
