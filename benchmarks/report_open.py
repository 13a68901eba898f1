"""How long ``report.html`` of a long, busy run takes to open in headless Chromium.

Issue 23 item 5: the report of a 1M-bar, 10k-trade run stays under 5 MB and opens in
under 2 s. This builds such a run folder from synthetic files (a seeded random walk and
evenly spread round trips: ``tests/runtime/report/synthetic_run.py``; no backtest), writes its
report, and loads it ``--repeat`` times in headless Chromium (selenium and the Debian
``chromium-driver``, as the browser tests), printing the navigation's ``loadEventEnd``
(the page's script draws the charts and the first trades page before it) and the load
average beside it: wall time on a shared machine is only indicative.

    python benchmarks/report_open.py                      # 1M bars, 10k trades
    python benchmarks/report_open.py --bars 100000 --screenshot /tmp/report.png
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from stc.runtime.report import write_report  # noqa: E402
from tests.runtime.report.synthetic_run import write_run  # noqa: E402


def open_times(page: Path, repeat: int, screenshot: Path | None) -> list[float]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="stc-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000",
                 f"--user-data-dir={profile}"):  # fmt: skip
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver")))
    times = []
    try:
        driver.get(page.as_uri())  # a cold first load warms the browser
        for _ in range(repeat):
            driver.get(page.as_uri())
            times.append(
                float(
                    driver.execute_script(
                        "var n=performance.getEntriesByType('navigation')[0];"
                        "return n.loadEventEnd-n.startTime;"
                    )
                )
            )
        if screenshot is not None:
            driver.save_screenshot(str(screenshot))
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bars", type=int, default=1_000_000)
    parser.add_argument("--trades", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--screenshot", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="stc-report-open-") as tmp:
        run_dir, data = write_run(Path(tmp) / "run", args.bars, args.trades)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        start = time.perf_counter()
        page = write_report(run_dir, data=data)
        built = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        times = open_times(page, args.repeat, args.screenshot)
        print(
            f"{args.bars:,} bars, {args.trades:,} trades: report.html "
            f"{page.stat().st_size / 1e6:.2f} MB, written in {built:.1f} s "
            f"(peak RSS {before:.0f} -> {peak:.0f} MB); opens in "
            f"{statistics.median(times):,.0f} ms median of {len(times)} "
            f"(min {min(times):,.0f}, max {max(times):,.0f}); "
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
        )


if __name__ == "__main__":
    main()
