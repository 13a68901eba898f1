"""Reference plugin adaptive_momentum_planner (see plugin_manifest.yaml and worker.py)."""
