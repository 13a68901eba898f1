"""Reference plugin fixed_rr_exit_planner (see plugin_manifest.yaml and worker.py)."""
