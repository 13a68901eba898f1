"""Reference plugin layered_entry_planner (see plugin_manifest.yaml and worker.py)."""
