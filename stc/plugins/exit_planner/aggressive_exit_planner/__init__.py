"""Reference plugin aggressive_exit_planner (see plugin_manifest.yaml and worker.py)."""
