"""Reference plugin fixed_risk_sizer (see plugin_manifest.yaml and worker.py)."""
