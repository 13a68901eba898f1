"""Reference plugin backtest_handler (see plugin_manifest.yaml and worker.py)."""
