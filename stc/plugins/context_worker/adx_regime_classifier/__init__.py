"""The adx_regime_classifier reference plugin (see docs/plugins.md)."""
