"""The HTML report of a run (SPEC §6 "Report"): ``write_report(run_dir)``.

See ``docs/report.md``. Reads only the run directory (and the market data when it
can be found); never imports the compiler — the wiring diagram is passed in as SVG.
"""

from stc.runtime.report.load import Chain, RunData, Step, load_run
from stc.runtime.report.page import REPORT_FILE, WIRING_FILE, build_report, render, write_report

__all__ = [
    "REPORT_FILE", "WIRING_FILE", "Chain", "RunData", "Step", "build_report", "load_run", "render",
    "write_report",
]  # fmt: skip
