"""Reference plugin structure_based_exit (see plugin_manifest.yaml and worker.py)."""
