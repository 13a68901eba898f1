"""The market_structure_detector reference plugin (see docs/plugins.md)."""
