"""Reference plugin twap_router (see plugin_manifest.yaml and worker.py)."""
