"""The ema_cross_detector reference plugin (see docs/plugins.md)."""
