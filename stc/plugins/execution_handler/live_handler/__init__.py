"""Reference plugin live_handler (see plugin_manifest.yaml and worker.py)."""
