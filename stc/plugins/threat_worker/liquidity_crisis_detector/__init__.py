"""The liquidity_crisis_detector reference plugin (see docs/plugins.md)."""
