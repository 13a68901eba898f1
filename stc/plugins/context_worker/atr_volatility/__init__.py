"""The atr_volatility reference plugin (see docs/plugins.md)."""
