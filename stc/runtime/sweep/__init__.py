"""Parameter sweeps and walk-forward analysis: the runtime half.

Pure tasks (a compiled variant in, one result row out), the executor seam (a local
process pool, Dask, Ray), the study file that makes a sweep resumable, results.csv
and the sweep report. Nothing here imports the compiler: variants arrive compiled.
"""
