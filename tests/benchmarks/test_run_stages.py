"""``benchmarks/run_stages.py`` times the stages of a real ``stc run``: every stage it
wraps exists where it says (a renamed function would otherwise drop out of the table
silently), and one small run fills the table. Small sizes: behaviour, not speed."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

from conftest import BENCHMARKS, import_benchmark

ROOT = BENCHMARKS.parent


def test_every_wrapped_stage_exists() -> None:
    stages = import_benchmark("run_stages")
    for module, attribute, _, _ in stages.STAGES:
        owner: object = importlib.import_module(module)
        for part in attribute.split("."):
            owner = getattr(owner, part)
        assert callable(owner), (module, attribute)


def test_a_small_run_fills_the_table(tmp_path: Path) -> None:
    rows = (ROOT / "data" / "EURUSD_1h.csv").read_text(encoding="utf-8").splitlines()
    data = tmp_path / "bars.csv"
    data.write_text("\n".join(rows[:1500]) + "\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "run_stages.py"), str(data)],
        capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    table = {
        cells[1].strip(): cells[2].strip()
        for line in done.stdout.splitlines()
        if (cells := line.split("|")) and len(cells) == 4
    }
    for label in ("compile (cache hit)", "engine loop (data stream included)",
                  "report", "process total (user + sys)"):  # fmt: skip
        shown = next(v for k, v in table.items() if k.endswith(label))
        assert float(shown) > 0, label
    assert float(table["process total (user + sys)"]) >= float(table["stc run (cli.main)"])
