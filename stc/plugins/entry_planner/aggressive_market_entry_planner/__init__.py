"""Reference plugin aggressive_market_entry_planner (see plugin_manifest.yaml and worker.py)."""
