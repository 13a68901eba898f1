"""Reference plugin dca_planner (see plugin_manifest.yaml and worker.py)."""
