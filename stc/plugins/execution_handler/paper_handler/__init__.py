"""Reference plugin paper_handler (see plugin_manifest.yaml and worker.py)."""
