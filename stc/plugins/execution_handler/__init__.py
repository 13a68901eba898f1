"""Reference execution handlers (SPEC §7): backtest, paper and live."""
