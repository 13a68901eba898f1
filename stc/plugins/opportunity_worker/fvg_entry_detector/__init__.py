"""The fvg_entry_detector reference plugin (see docs/plugins.md)."""
