"""Reference plugin iceberg_router (see plugin_manifest.yaml and worker.py)."""
