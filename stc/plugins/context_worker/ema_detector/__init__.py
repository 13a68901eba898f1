"""The ema_detector reference plugin (see docs/plugins.md)."""
