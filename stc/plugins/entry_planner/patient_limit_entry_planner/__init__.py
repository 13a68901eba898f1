"""Reference plugin patient_limit_entry_planner (see plugin_manifest.yaml and worker.py)."""
