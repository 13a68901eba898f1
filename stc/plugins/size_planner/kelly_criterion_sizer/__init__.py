"""Reference plugin kelly_criterion_sizer (see plugin_manifest.yaml and worker.py)."""
