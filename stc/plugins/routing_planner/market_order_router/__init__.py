"""Reference plugin market_order_router (see plugin_manifest.yaml and worker.py)."""
