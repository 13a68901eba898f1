"""Issue 26: one run per folder, one folder per run.

A second ``stc run`` into a folder another run is writing is refused naming the holder;
an operation whose links share a strategy name keeps every result; an input the run
would overwrite is refused before anything is written.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rt_helpers import stc

from stc.runtime.run_lock import RunFolderBusy, run_folder_lock

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bars(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("data") / "bars.csv"
    lines = (REPO / "data" / "EURUSD_1h.csv").read_text().splitlines(keepends=True)[:301]
    path.write_text("".join(lines))
    return path


def test_a_second_run_into_a_busy_folder_is_refused(bars: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    with run_folder_lock(out):  # this process is "the first run"
        done = stc("run", "blueprints/ema_trend.yaml", "--data", str(bars), "--out", str(out))
        assert done.returncode == 1
        assert done.stderr == (
            f"error: {out.resolve()} is being written by another stc run (pid {os.getpid()} "
            f"on {os.uname().nodename}, since " + done.stderr.split(", since ", 1)[1]
        )
        assert "wait for it to finish or choose another --out" in done.stderr
        assert sorted(p.name for p in out.iterdir()) == [".stc-run.lock"]  # nothing written
    done = stc("run", "blueprints/ema_trend.yaml", "--data", str(bars), "--out", str(out),
                "--quiet")  # fmt: skip
    assert done.returncode == 0, done.stderr  # released: the folder is usable again


def test_the_lock_is_reentrant_in_a_process_and_exclusive_across_processes(
    tmp_path: Path,
) -> None:
    with run_folder_lock(tmp_path), run_folder_lock(tmp_path):
        code = (
            "import sys; from pathlib import Path; from stc.runtime.run_lock import *\n"
            "try:\n    run_folder_lock(Path(sys.argv[1])).__enter__()\n"
            "except RunFolderBusy as e: print('busy')\n"
        )
        done = subprocess.run([sys.executable, "-c", code, str(tmp_path)], cwd=REPO,
                              capture_output=True, text=True)  # fmt: skip
        assert done.stdout.strip() == "busy", done.stderr
    with run_folder_lock(tmp_path):  # released by the outer exit
        pass
    assert RunFolderBusy.__mro__[1] is RuntimeError


def test_an_operation_keeps_both_results_of_same_named_strategies(
    bars: Path, tmp_path: Path
) -> None:
    blueprint = (REPO / "blueprints" / "ema_trend.yaml").read_text()
    (tmp_path / "a.yaml").write_text(blueprint)
    (tmp_path / "b.yaml").write_text(blueprint.replace("fast: 9", "fast: 7"))
    (tmp_path / "op.operation.yaml").write_text(
        "operation_version: 1\nenvironment: backtest\n"
        f"data_sources:\n  bars: {{path: {bars}, symbol: EURUSD, timeframe: 1h}}\n"
        "strategy_links:\n"
        "  - {blueprint: a.yaml, data_source: bars}\n"
        "  - {blueprint: b.yaml, data_source: bars}\n"
    )
    out = tmp_path / "out"
    done = stc("run", str(tmp_path / "op.operation.yaml"), "--out", str(out), "--quiet")
    assert done.returncode == 0, done.stderr
    folders = sorted(p.name for p in out.iterdir())
    assert folders == ["ema_trend-1", "ema_trend-2"]
    for name in folders:
        assert (out / name / "trades.csv").is_file() and (out / name / "metrics.json").is_file()


def test_a_run_that_would_overwrite_its_input_is_refused(bars: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = stc("run", "blueprints/ema_trend.yaml", "--data", str(bars), "--out", str(out),
                "--quiet")  # fmt: skip
    assert done.returncode == 0, done.stderr
    # a blueprint kept under the name the run writes its wiring map to
    (out / "wiring_map.yaml").write_text((REPO / "blueprints" / "ema_trend.yaml").read_text())
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    done = stc("run", str(out / "wiring_map.yaml"), "--data", str(bars), "--out", str(out))
    assert done.returncode == 2
    assert done.stderr == (
        f"error: {out / 'wiring_map.yaml'}: the input has the name of a file the run writes "
        f"into {out}, which would replace it; choose another --out\n"
    )
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
