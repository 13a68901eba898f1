"""``benchmarks/dto_json.py`` must see every DTO class a round-trip trade journals (its
child process spies on the recorder's encoder: if the spy misses, the table is empty
and the per-trade figure means nothing). Small sizes: behaviour, not speed."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"

JOURNALED = (
    "AggregatedContextAssessment", "OpportunitySignal", "StrategyDirective", "EntryPlan",
    "SizePlan", "ExitPlan", "RoutingPlan", "Fill", "Trade",
)  # fmt: skip


def test_every_journaled_class_is_timed_per_trade() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "dto_json.py"), "--bars", "3000", "--repeat", "1"],
        capture_output=True, text=True, check=True, timeout=600,
    )  # fmt: skip
    trades = int(re.search(r"(\d+) trades", done.stdout).group(1))  # type: ignore[union-attr]
    assert trades > 10
    rows = {line.split("|")[1].strip(): line.split("|")[2:] for line in done.stdout.splitlines()
            if line.startswith("| ") and not line.startswith("| DTO")}  # fmt: skip
    for name in JOURNALED:
        per_trade, size, cost = (float(cell) for cell in rows[name][:3])
        assert per_trade >= 1.0 and size > 50 and cost > 0
    assert float(rows["**all**"][3].strip(" *")) > 0
