"""Crash safety of the journal and ``stc run --resume`` (issue 8, items 5 and 7).

The in-process tests cut a finished run's journal back to a random flow (what a kill
leaves: whole flows only, status ``running``) and resume it; the subprocess test kills
real ``stc run`` processes with SIGKILL (the code is tools/kill_resume.py, which also
runs the long experiment recorded in docs/robustness.md).
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from rt_helpers import EURUSD, PLUGIN_ROOTS, REPO, wiring

from stc.runtime.api import run
from stc.runtime.journal import ResumeError
from tools import kill_resume

TABLES = kill_resume.TABLES


def _rows(run_dir: Path, table: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(run_dir / "journal.sqlite") as db:
        return list(db.execute(f"SELECT * FROM {table} ORDER BY 1"))


_cut_after = kill_resume.cut_after


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reference")
    run(wiring("swot"), data=EURUSD, out_dir=out, plugin_roots=PLUGIN_ROOTS)
    return out


def _copy(reference: Path, dest: Path) -> Path:
    shutil.copytree(reference, dest)
    return dest


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_resume_after_a_cut_equals_the_uninterrupted_run(
    reference: Path, tmp_path: Path, seed: int
) -> None:
    flows = len(_rows(reference, "flows"))
    assert flows > 20
    cut = random.Random(seed).randrange(1, flows)
    out = _copy(reference, tmp_path / "run")
    _cut_after(out, cut)
    result = run(wiring("swot"), data=EURUSD, out_dir=out, plugin_roots=PLUGIN_ROOTS, resume=True)
    assert result.paths["trades"].read_bytes() == (reference / "trades.csv").read_bytes()
    assert result.paths["metrics"].read_bytes() == (reference / "metrics.json").read_bytes()
    for table in TABLES:
        assert _rows(out, table) == _rows(reference, table), table
    assert dict(_rows(out, "meta"))["status"] == "completed"


def test_resume_of_an_empty_journal_runs_everything(reference: Path, tmp_path: Path) -> None:
    out = _copy(reference, tmp_path / "run")
    _cut_after(out, 0)
    run(wiring("swot"), data=EURUSD, out_dir=out, plugin_roots=PLUGIN_ROOTS, resume=True)
    for table in TABLES:
        assert _rows(out, table) == _rows(reference, table), table


def test_resume_refuses_other_data(reference: Path, tmp_path: Path) -> None:
    out = _copy(reference, tmp_path / "run")
    _cut_after(out, 5)
    other = tmp_path / "other.csv"
    lines = EURUSD.read_text().splitlines()
    other.write_text("\n".join(lines[:3000]) + "\n")
    with pytest.raises(ResumeError, match="data_sha256 differs"):
        run(wiring("swot"), data=other, out_dir=out, plugin_roots=PLUGIN_ROOTS, resume=True)


def test_resume_refuses_another_plan(reference: Path, tmp_path: Path) -> None:
    out = _copy(reference, tmp_path / "run")
    _cut_after(out, 5)
    with pytest.raises(ResumeError, match="plan_sha256 differs"):
        run(wiring("direct"), data=EURUSD, out_dir=out, plugin_roots=PLUGIN_ROOTS, resume=True)


def test_resume_detects_a_replay_that_diverges(reference: Path, tmp_path: Path) -> None:
    """Plugin code changed since the run started: the replay differs from the journal."""
    out = _copy(reference, tmp_path / "run")
    _cut_after(out, 10)
    with sqlite3.connect(out / "journal.sqlite") as db:
        db.execute("UPDATE flows SET tick_time = '1999-01-01T00:00:00+00:00' WHERE flow_id = 7")
    with pytest.raises(ResumeError, match="diverges at flow 7"):
        run(wiring("swot"), data=EURUSD, out_dir=out, plugin_roots=PLUGIN_ROOTS, resume=True)


def test_resume_refuses_live_runs_and_missing_journals(tmp_path: Path) -> None:
    with pytest.raises(ResumeError, match="no journal"):
        run(wiring("swot"), data=EURUSD, out_dir=tmp_path, plugin_roots=PLUGIN_ROOTS, resume=True)
    live = tmp_path / "live"
    run(wiring("swot"), data=EURUSD, out_dir=live, env="live", plugin_roots=PLUGIN_ROOTS)
    with pytest.raises(ResumeError, match="live run cannot be resumed"):
        run(
            wiring("swot"), data=EURUSD, out_dir=live, env="live", plugin_roots=PLUGIN_ROOTS,
            resume=True,
        )  # fmt: skip


def test_a_fresh_run_removes_stale_results(reference: Path, tmp_path: Path) -> None:
    """A run killed before its end must not leave an earlier run's trades.csv behind."""
    out = _copy(reference, tmp_path / "run")
    with pytest.raises(ResumeError):  # fails after opening the run directory
        run(wiring("direct"), data=EURUSD, out_dir=out, plugin_roots=PLUGIN_ROOTS, resume=True)
    assert not (out / "trades.csv").exists() and not (out / "metrics.json").exists()


def _stc(*args: str, cwd: Path = REPO, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stc.commands.cli", *args],
        cwd=cwd, capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": str(REPO), **env},
    )  # fmt: skip


def test_cli_resume_of_a_completed_run_and_bad_usage(tmp_path: Path) -> None:
    out = tmp_path / "run"
    done = _stc("run", "blueprints/ema_trend.yaml", "--out", str(out), "--quiet")
    assert done.returncode == 0, done.stderr
    again = _stc("run", "--resume", str(out), "--quiet")
    assert again.returncode == 0 and "nothing to resume" in again.stdout
    both = _stc("run", "blueprints/ema_trend.yaml", "--resume", str(out))
    assert both.returncode == 2 and "not both" in both.stderr
    missing = _stc("run", "--resume", str(tmp_path / "nowhere"))
    assert missing.returncode == 1 and "no journal to resume from" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_sigkill_mid_run_leaves_a_whole_journal_and_resume_completes(tmp_path: Path) -> None:
    """Two real kills at seeded random moments (the long run does 50: docs/robustness.md)."""
    data = kill_resume.write_synthetic_csv(tmp_path / "bars.csv", 20_000)
    reference = (tmp_path / "reference", kill_resume.run_to_end(data, tmp_path / "reference"))
    rng = random.Random(11)
    for index in range(2):
        outcome = kill_resume.repetition(tmp_path, data, reference, rng, index)
        assert outcome.flows_recorded > 0
        assert outcome.resumed_identical


def test_runs_are_identical_under_different_hash_seeds(tmp_path: Path) -> None:
    """Trades, metrics and every journal row (ids included) do not depend on
    PYTHONHASHSEED."""
    outs = []
    for seed in ("0", "1"):
        out = tmp_path / f"seed{seed}"
        done = _stc(
            "run", "blueprints/ict_smc.yaml", "--out", str(out), "--quiet", PYTHONHASHSEED=seed
        )
        assert done.returncode == 0, done.stderr
        outs.append(out)
    first = outs[0]
    assert len(_rows(first, "dtos")) > 100
    for other in outs[1:]:
        assert kill_resume.same_results(first, other)


def test_resume_keeps_the_bad_bar_policy(tmp_path: Path) -> None:
    """A run that skipped bad rows resumes skipping them (the policy is recorded)."""
    lines = EURUSD.read_text().splitlines()
    lines[2000] = lines[2000].replace(",", ",-", 1)  # a negative open: a bad row
    data = tmp_path / "bad.csv"
    data.write_text("\n".join(lines) + "\n")
    kw: dict[str, Any] = {"data": data, "plugin_roots": PLUGIN_ROOTS, "on_bad_bar": "skip"}
    ref = run(wiring("swot"), out_dir=tmp_path / "ref", **kw)
    assert ref.metrics["bad_bars_skipped"] == 1
    out = _copy(tmp_path / "ref", tmp_path / "run")
    _cut_after(out, 30)
    with pytest.raises(ResumeError, match="on_bad_bar differs"):
        run(wiring("swot"), out_dir=out, resume=True, data=data, plugin_roots=PLUGIN_ROOTS)
    run(wiring("swot"), out_dir=out, resume=True, **kw)
    for table in TABLES:
        assert _rows(out, table) == _rows(tmp_path / "ref", table), table


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz dot")
def test_the_report_of_a_resumed_run_shows_the_wiring(tmp_path: Path) -> None:
    """`stc run` draws wiring.svg into the run folder before it starts, so a run
    resumed after a kill (which never wrote its report) still gets the diagram."""
    out = tmp_path / "run"
    done = _stc("run", "blueprints/ema_trend.yaml", "--out", str(out), "--quiet")
    assert done.returncode == 0, done.stderr
    drawn = (out / "wiring.svg").read_text(encoding="utf-8")
    assert drawn.lstrip().startswith("<?xml") and "</svg>" in drawn
    assert "wiring diagram" in done.stdout
    _cut_after(out, 1)
    (out / "report.html").unlink()
    resumed = _stc("run", "--resume", str(out), "--quiet")
    assert resumed.returncode == 0, resumed.stderr
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "no wiring diagram" not in report
    svg_open = drawn[drawn.index("<svg") : drawn.index(">", drawn.index("<svg")) + 1]
    assert svg_open in report  # the drawn diagram itself is embedded


def test_a_kill_during_any_artefact_write_leaves_no_prefix_and_resumes_identically(
    tmp_path: Path,
) -> None:
    """Issue 27: a kill while report.html, trades.csv or metrics.json was written left it
    truncated and ``--resume`` said "nothing to resume". Each artefact now appears whole
    or not at all, and ``--resume`` rebuilds it byte-identical to an uninterrupted run,
    in every ``--on-bad-bar`` mode (notes name the data file as it was given)."""
    outcomes = kill_resume.artefact_kills(tmp_path, bars=1500)
    assert [(a, m) for a, m, _ in outcomes] == [
        (a, m) for m in kill_resume.MODES for a in kill_resume.ARTEFACTS
    ]
    assert [differ for _, _, differ in outcomes] == [[]] * 6
