"""The correlation_breach_detector reference plugin (see docs/plugins.md)."""
