"""The max_drawdown_monitor reference plugin (see docs/plugins.md)."""
