"""The divergence_scanner reference plugin (see docs/plugins.md)."""
