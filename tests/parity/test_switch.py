"""The engine switch: ``--engine`` on every command that runs the engine, what the
journal records, and resuming or sweeping in either mode."""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
import sqlite3
from pathlib import Path
from typing import get_args

import pytest

from stc.commands.cli import build_parser, main
from stc.commands.options import ENGINE_MODES
from stc.runtime.api import STUDY_FILE, EngineMode, Study, run
from stc.runtime.sweep.task import VariantTask, run_variant
from tests.parity.cases import BLUEPRINTS, compiled, real_data
from tools.engine_parity import MODES, compare_cli_runs, read_outputs
from tools.engine_parity import assert_same_results as assert_same
from tools.kill_resume import cut_after

EMA_TREND = BLUEPRINTS / "ema_trend.yaml"


def _meta(folder: Path) -> dict[str, str]:
    with contextlib.closing(sqlite3.connect(folder / "journal.sqlite")) as db:
        return dict(db.execute("SELECT key, value FROM meta"))


def _stc(*argv: str) -> int:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return main(list(argv))


def test_the_command_line_modes_are_the_runtime_modes() -> None:
    assert ENGINE_MODES == get_args(EngineMode) == MODES


@pytest.mark.parametrize("command", ["run", "sweep", "walkforward"])
def test_every_command_that_runs_the_engine_takes_the_switch(command: str) -> None:
    parser = build_parser()
    args = parser.parse_args([command, "--engine", "incremental", str(EMA_TREND)])
    assert args.engine == "incremental"
    assert parser.parse_args([command, str(EMA_TREND)]).engine is None  # a resume's own
    with pytest.raises(SystemExit), contextlib.redirect_stderr(io.StringIO()):
        parser.parse_args([command, "--engine", "vectorised", str(EMA_TREND)])


def test_stc_run_in_both_modes_writes_the_same_files_and_records_its_mode(
    tmp_path: Path,
) -> None:
    """Through the command line, with the operation (one folder per strategy)."""
    data = real_data("EURUSD_1h.csv", tmp_path, 1500)
    operation = BLUEPRINTS / "dca_weekly.operation.yaml"
    assert compare_cli_runs(operation, ["--data", str(data)], tmp_path / "runs") == []
    for mode in MODES:
        assert _meta(tmp_path / "runs" / mode)["engine"] == mode


@pytest.mark.parametrize(("started", "resumed"), [("fast", "incremental"), ("incremental", "fast")])
def test_a_run_resumed_in_the_other_mode_ends_as_if_uninterrupted(
    tmp_path: Path, started: EngineMode, resumed: EngineMode
) -> None:
    data = real_data("EURUSD_1h.csv", tmp_path, 2000)
    plan = compiled(EMA_TREND)
    reference = run(plan, data=data, out_dir=tmp_path / "reference", engine=started)
    flows = len(read_outputs(tmp_path / "reference", started).journal["flows"][1])
    assert flows > 10 and reference.trades
    shutil.copytree(tmp_path / "reference", tmp_path / "cut")
    cut_after(tmp_path / "cut", flows // 2)
    run(plan, data=data, out_dir=tmp_path / "cut", resume=True, engine=resumed)
    assert_same(read_outputs(tmp_path / "reference", "uninterrupted"),
                read_outputs(tmp_path / "cut", "resumed"))  # fmt: skip
    assert _meta(tmp_path / "cut")["engine"] == resumed  # who wrote the journal's end


def test_stc_run_resume_continues_in_the_recorded_mode_unless_told(tmp_path: Path) -> None:
    data = real_data("EURUSD_1h.csv", tmp_path, 1500)
    out = tmp_path / "run"
    assert _stc("run", str(EMA_TREND), "--data", str(data), "--out", str(out), "--quiet",
                "--engine", "incremental") == 0  # fmt: skip
    finished = read_outputs(out, "uninterrupted")
    flows = len(finished.journal["flows"][1])
    cut_after(out, flows // 2)
    assert _stc("run", "--resume", str(out), "--quiet") == 0
    assert _meta(out)["engine"] == "incremental"
    assert_same(finished, read_outputs(out, "resumed"))
    cut_after(out, flows // 3)
    assert _stc("run", "--resume", str(out), "--quiet", "--engine", "fast") == 0
    assert _meta(out)["engine"] == "fast"
    assert_same(finished, read_outputs(out, "resumed in fast mode"))


def test_a_sweep_variant_gives_the_same_row_in_both_modes(tmp_path: Path) -> None:
    data = real_data("EURUSD_1h.csv", tmp_path, 1500)
    plan = compiled(EMA_TREND)
    rows = [run_variant(VariantTask("v", plan, str(data), engine=m, curve=True)) for m in MODES]
    assert rows[0].status == "ok" and rows[0].trades_csv.count("\n") > 1
    assert rows[0] == rows[1]
    kept = [run_variant(VariantTask("v", plan, str(data), keep_dir=str(tmp_path / m), engine=m))
            for m in MODES]  # fmt: skip
    assert kept[0] == kept[1] and kept[0].trades_sha256 == rows[0].trades_sha256
    assert [_meta(tmp_path / m)["engine"] for m in MODES] == list(MODES)


def test_stc_sweep_records_the_mode_and_its_resume_keeps_it(tmp_path: Path) -> None:
    data = real_data("EURUSD_1h.csv", tmp_path, 600)
    out = tmp_path / "sweep"
    assert _stc("sweep", str(EMA_TREND), "--param", "ema_cross_detector.fast=5,10",
                "--data", str(data), "--out", str(out), "--workers", "1", "--quiet",
                "--engine", "incremental") == 0  # fmt: skip
    study = Study.open_existing(out / STUDY_FILE)
    try:
        assert json.loads(study.meta()["arguments"])["engine"] == "incremental"
    finally:
        study.close()
    results = (out / "results.csv").read_bytes()
    assert _stc("sweep", "--resume", str(out), "--quiet") == 0
    assert (out / "results.csv").read_bytes() == results


@pytest.mark.parametrize(
    ("blueprint", "expected"),
    [
        ("ema_trend.yaml", r"engine         fast: [0-9,]+ of 1,500 bars skipped"),
        ("managed_trend.yaml", r"engine         fast: [0-9,]+ of 1,500 bars skipped"),
        (
            "../tests/parity/blueprints/unbatched_threat.yaml",
            r"engine         fast: every bar ran: signal worker `correlation_breach_detector` "
            "runs",
        ),
        (
            "../tests/parity/blueprints/htf_trend.yaml",
            r"engine         fast: [0-9,]+ of 1,500 bars skipped",
        ),
    ],
)
def test_stc_run_says_what_the_fast_engine_did(
    tmp_path: Path, blueprint: str, expected: str
) -> None:
    """A user who asked for speed sees the bars skipped, or why every bar ran; the
    default (incremental) run prints no engine line."""
    import re

    data = real_data("EURUSD_1h.csv", tmp_path, 1500)
    printed = {}
    for mode in ("fast", "incremental"):
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            argv = ["run", str(BLUEPRINTS / blueprint), "--data", str(data)]
            assert main([*argv, "--out", str(tmp_path / mode), "--engine", mode]) == 0
        printed[mode] = out.getvalue()
    assert re.search(expected, printed["fast"]), printed["fast"]
    assert "engine " not in printed["incremental"]


def test_a_streamed_fast_run_says_it_ran_every_bar() -> None:
    """A stream (bad rows, resampled data, paper pacing) cannot be skipped through: the
    fast engine runs the incremental loop and says so."""
    from stc.runtime.api import fast_engine_note
    from stc.runtime.engine import Engine
    from stc.runtime.plan import load_plan

    engine = Engine(load_plan(compiled(EMA_TREND)), iter(()), engine="fast")
    engine.run()
    assert engine.fast is None
    assert fast_engine_note(engine).startswith("every bar ran in the incremental loop")


def test_blank_lines_in_the_csv_keep_the_fast_engines_skipping(tmp_path: Path) -> None:
    """A CSV with blank lines (``echo >> bars.csv``, an editor's trailing line) is read
    as columns: the fast run still skips bars, with the incremental run's outputs."""
    lines = real_data("EURUSD_1h.csv", tmp_path, 1500).read_text(encoding="utf-8").splitlines()
    data = tmp_path / "blank_lines.csv"
    data.write_text("\n".join([*lines[:700], "", *lines[700:]]) + "\n\n", encoding="utf-8")
    printed = {}
    for mode in ("fast", "incremental"):
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            argv = ["run", str(EMA_TREND), "--data", str(data), "--engine", mode]
            assert main([*argv, "--out", str(tmp_path / mode)]) == 0
        printed[mode] = out.getvalue()
    assert re.search(r"engine         fast: [1-9][0-9,]* of 1,500 bars skipped", printed["fast"])
    for name in ("trades.csv", "metrics.json"):
        assert (tmp_path / "fast" / name).read_bytes() == (
            tmp_path / "incremental" / name
        ).read_bytes()
