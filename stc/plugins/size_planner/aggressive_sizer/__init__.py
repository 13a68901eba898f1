"""Reference plugin aggressive_sizer (see plugin_manifest.yaml and worker.py)."""
