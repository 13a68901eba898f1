"""Reference plugin trailing_stop_planner (see plugin_manifest.yaml and worker.py)."""
