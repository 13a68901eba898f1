"""stc sweep on the local executor: checked before dispatch, resumable after SIGKILL,
and each row reproduced by an independent full ``stc run`` of the variant."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from stc.commands.cli import main
from stc.compiler.pipeline import Session, compile_path
from stc.compiler.sweep_compile import compile_variants, variant_document
from stc.compiler.sweep_space import command_line_space, expand, parse_values
from tests.sweep.helpers import BLUEPRINT, REPO, TWELVE, small_data, sweep


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return small_data(tmp_path_factory.mktemp("data"))


def rows(out: Path) -> list[dict[str, str]]:
    with (out / "results.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_ranges_are_inclusive_and_typed() -> None:
    assert parse_values("50:200:50") == ((50, 100, 150, 200), None)
    assert parse_values("0.1:0.3:0.1") == ((0.1, 0.2, 0.3), None)
    assert parse_values("[10,50],[20,100]") == (([10, 50], [20, 100]), None)
    assert parse_values("true,false") == ((True, False), None)
    values, problem = parse_values("200:50:50")
    assert values == () and problem is not None and "empty" in problem[0]


def test_patched_plan_equals_the_full_compile_of_the_edited_blueprint(tmp_path: Path) -> None:
    """What param-only variants share (one compiled structure, params patched) is
    exactly what compiling the variant's own blueprint gives (bar the input hashes)."""
    space, _, problems = command_line_space(
        ["ema_cross_detector.fast=7,30", "ema_detector.periods=[10,40]",
         "ema_cross_detector.slow=90"],
        ["liq:threat_workers+=LiquidityCrisisDetector"],
    )  # fmt: skip
    assert problems == []
    variants = expand(space)
    compiled = compile_variants(Path(BLUEPRINT), BLUEPRINT, variants, Session())
    assert not compiled.invalid and len(compiled.plans) == 4
    for variant in variants:
        target = tmp_path / f"{variant.key}.yaml"
        import yaml

        target.write_text(yaml.safe_dump(variant_document(compiled.document, variant)))
        full = compile_path(target, str(target), Session())[0]
        assert full.ok and full.wiring_data is not None
        expected = {k: v for k, v in full.wiring_data.items() if k != "inputs"}
        patched = {k: v for k, v in compiled.plans[variant.key].items() if k != "inputs"}
        assert patched == expected, variant.label()
    warmups = {w["id"]: w["warmup"] for w in compiled.plans[variants[0].key]["workers"]}
    assert warmups["ema_detector"] == 40  # re-evaluated: max(params.periods)


def test_a_value_too_costly_to_check_is_stc092_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Sweep values go through the compiler's bounded schema evaluation (the same
    cached validator as every worker's params): past its step budget the variant is
    invalid with STC092, the valid one still compiles."""
    from stc.compiler import memo, schema_guard

    space, _, problems = command_line_space(["ema_cross_detector.fast=0,10"], [])
    assert problems == []
    variants = expand(space)
    monkeypatch.setattr(memo, "_known_valid", lambda schema, instance: instance.get("fast") != 0)
    monkeypatch.setattr(schema_guard, "MAX_STEPS", 0)
    compiled = compile_variants(Path(BLUEPRINT), BLUEPRINT, variants, Session())
    assert [d.code for d in compiled.diagnostics] == ["STC092"]
    assert "takes too many steps" in compiled.diagnostics[0].message
    assert len(compiled.invalid) == 1 and len(compiled.plans) == 1


def test_each_row_is_what_a_full_stc_run_of_the_variant_gives(data: Path, tmp_path: Path) -> None:
    """The sweep's fast path (shared bars, no journal) against ``stc run`` of the
    variant's blueprint written by the sweep: same trades (sha256), same metrics."""
    out = tmp_path / "sweep"
    assert sweep(out, data, "--workers", "1") == 0
    found = rows(out)
    report = (out / "report.html").read_text(encoding="utf-8")
    for part in ("Top variants", "Heatmap of sharpe", "Distribution of sharpe", "sortable"):
        assert part in report
    assert "src=" not in report and "<link" not in report  # self-contained
    checked = 0
    for row in found[:3]:
        variant = out / "variants" / f"{row['key']}.yaml"
        if not variant.is_file():
            continue
        run_dir = tmp_path / row["key"]
        assert f"stc run {variant} --data {data.resolve()}" in report
        assert (
            main(["run", str(variant), "--data", str(data), "--out", str(run_dir), "--quiet"]) == 0
        )
        digest = hashlib.sha256((run_dir / "trades.csv").read_bytes()).hexdigest()
        assert digest == row["trades_sha256"]
        metrics = json.loads((run_dir / "metrics.json").read_text())
        assert json.dumps(metrics["sharpe"]) == row["sharpe"]
        assert str(metrics["trades"]) == row["trades"]
        checked += 1
    assert checked >= 1


def test_invalid_variant_is_reported_at_its_argument_and_skipped(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main([
        "sweep", BLUEPRINT, "--param", "ema_cross_detector.fast=0,10",
        "--param", "ema_cross_detector.slow=40", "--data", str(data), "--out", str(tmp_path),
        "--workers", "1", "--quiet",
    ])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1  # not everything asked for ran
    assert "error[STC092]" in err and "--> command line:1:33" in err
    assert "0 is less than the minimum of 1" in err
    statuses = {r["ema_cross_detector.fast"]: r["status"] for r in rows(tmp_path)}
    assert statuses == {"0": "invalid", "10": "ok"}


def test_failing_variant_is_recorded_and_does_not_stop_the_sweep(tmp_path: Path) -> None:
    """Bad data (a row with high < low) fails the variants that read it; the sweep
    records the error per variant and still writes results and report."""
    lines = (REPO / "data" / "EURUSD_1h.csv").read_text().splitlines()[:200]
    lines[150] = "2017-04-25 14:00:00,1.0,0.9,1.1,1.0,10"
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n")
    code = main(["sweep", BLUEPRINT, "--param", "ema_cross_detector.fast=5,10", "--data",
                 str(bad), "--out", str(tmp_path / "out"), "--workers", "1",
                 "--quiet"])  # fmt: skip
    assert code == 0
    found = rows(tmp_path / "out")
    assert [r["status"] for r in found] == ["error", "error"]
    assert all("bad.csv:151" in r["error"] for r in found)
    assert (tmp_path / "out" / "report.html").is_file()


def _study_done(study: Path) -> int:
    try:
        with sqlite3.connect(study) as db:
            return int(
                db.execute("SELECT count(*) FROM variants WHERE result IS NOT NULL").fetchone()[0]
            )
    except sqlite3.Error:
        return 0


def test_sigkilled_sweep_resumes_to_the_same_results(tmp_path: Path) -> None:
    # all the embedded bars: each variant must take long enough that a 50 ms poller sees
    # the study part-way (results are committed every 0.25 s; with 2,500 bars an idle
    # machine finished all 12 between two polls)
    data = small_data(tmp_path, bars=100_000)
    whole, killed = tmp_path / "whole", tmp_path / "killed"
    assert sweep(whole, data, "--workers", "1") == 0
    entry = "from stc.commands.cli import console; raise SystemExit(console())"
    command = [sys.executable, "-c", entry,
               "sweep", BLUEPRINT, *TWELVE, "--data", str(data), "--out", str(killed),
               "--workers", "1", "--quiet"]  # fmt: skip
    process = subprocess.Popen(command, cwd=REPO, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while _study_done(killed / "study.sqlite") < 1 and time.monotonic() < deadline:
            assert process.poll() is None, "the sweep ended before it could be killed"
            time.sleep(0.05)
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # the sweep and its pool, mid-way
        process.wait()
    finished = _study_done(killed / "study.sqlite")
    assert 1 <= finished < 12
    assert not (killed / "results.csv").exists()
    assert main(["sweep", "--resume", str(killed), "--quiet"]) == 0
    assert (killed / "results.csv").read_bytes() == (whole / "results.csv").read_bytes()


def test_resume_of_a_finished_sweep_runs_nothing(data: Path, tmp_path: Path) -> None:
    assert sweep(tmp_path, data, "--workers", "1") == 0
    first = (tmp_path / "results.csv").read_bytes()
    # an executor that cannot exist: resuming a finished sweep must dispatch nothing
    assert main(["sweep", "--resume", str(tmp_path), "--executor", "nowhere://x", "--quiet"]) == 0
    assert (tmp_path / "results.csv").read_bytes() == first


def test_missing_extra_is_one_line(data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed
    code = main(["sweep", BLUEPRINT, "--param", "ema_cross_detector.fast=5", "--data", str(data),
                 "--out", str(tmp_path), "--executor", "dask://127.0.0.1:1",
                 "--quiet"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip().splitlines() == [
        "error: --executor dask needs the `dask` extra (distributed is not installed): "
        "pip install 's1mpletrader[dask]'"
    ]


def test_walkforward_stitches_out_of_sample(tmp_path: Path) -> None:
    data = small_data(tmp_path, bars=1200)
    out = tmp_path / "wf"
    code = main(["walkforward", BLUEPRINT, "--param", "ema_cross_detector.fast=5,10",
                 "--param", "ema_cross_detector.slow=30,60", "--in-sample", "400",
                 "--out-of-sample", "200", "--data", str(data), "--out", str(out),
                 "--workers", "1", "--quiet"])  # fmt: skip
    assert code == 0
    with (out / "windows.csv").open() as handle:
        windows = list(csv.DictReader(handle))
    assert [w["window"] for w in windows] == ["0", "1", "2", "3"]  # (1200 - 400) / 200
    compounded = 1.0
    for window in windows:
        compounded *= 1 + float(window["oos_return"])
    with (out / "oos_equity.csv").open() as handle:
        equity = list(csv.DictReader(handle))
    assert float(equity[-1]["equity"]) == pytest.approx(10_000 * compounded, rel=1e-9)
    assert equity[0]["time"] >= windows[0]["out_of_sample"].split(" ")[0]
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "in-sample vs out-of-sample" in report and "Stitched out-of-sample equity" in report
    before = {n: (out / n).read_bytes() for n in ("windows.csv", "oos_equity.csv", "results.csv")}
    assert main(["walkforward", "--resume", str(out), "--executor", "nowhere://x", "--quiet"]) == 0
    assert {n: (out / n).read_bytes() for n in before} == before


def test_keep_runs_writes_full_runs_with_the_same_results(data: Path, tmp_path: Path) -> None:
    """--keep-runs goes through stc.runtime.api.run (journal included): same rows."""
    space = ["--param", "ema_cross_detector.fast=5,10", "--workers", "1", "--quiet"]
    lean, kept = tmp_path / "lean", tmp_path / "kept"
    base = ["sweep", BLUEPRINT, "--data", str(data)]
    assert main([*base, "--out", str(lean), *space]) == 0
    assert main([*base, "--out", str(kept), "--keep-runs", *space]) == 0
    assert (kept / "results.csv").read_bytes() == (lean / "results.csv").read_bytes()
    for row in rows(kept):
        run_dir = kept / "runs" / row["key"]
        assert (run_dir / "journal.sqlite").is_file()
        digest = hashlib.sha256((run_dir / "trades.csv").read_bytes()).hexdigest()
        assert digest == row["trades_sha256"]
    assert not (lean / "runs").exists()


def test_walkforward_windows_rolling_and_anchored() -> None:
    from stc.commands.walkforward import windows

    rolling = [(w.is_start, w.is_end, w.oos_end) for w in windows(1000, 400, 200, 200, False)]
    assert rolling == [(0, 400, 600), (200, 600, 800), (400, 800, 1000)]
    anchored = [(w.is_start, w.is_end, w.oos_end) for w in windows(1000, 400, 200, 100, True)]
    assert anchored == [(0, 400, 600), (0, 500, 700), (0, 600, 800), (0, 700, 900), (0, 800, 1000)]
    assert windows(500, 400, 200, 200, False) == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["blueprints/dca_weekly.operation.yaml"], "this is an operation; sweep the blueprint"),
        (["--resume", "no/such/sweep"], "no study file; is this the --out of a sweep?"),
        (["blueprints/ema_trend.yaml", "--data", "no/such.csv"], "--data no/such.csv: no such"),
    ],
)
def test_usage_errors_are_one_line(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:  # fmt: skip
    monkeypatch.chdir(REPO)
    assert main(["sweep", *argv, "--out", str(tmp_path), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and message in err


def test_optuna_search_is_seeded_and_resumable(data: Path, tmp_path: Path) -> None:
    """The TPE search proposes the same variants with 1 and 2 processes (rounds of a
    fixed batch, told in ask order), and a resume replays it without running anything."""
    pytest.importorskip("optuna")
    sweep_file = tmp_path / "search.sweep.yaml"
    sweep_file.write_text(
        f"sweep_version: 1\nblueprint: {BLUEPRINT}\nmethod: optuna\nsamples: 8\nbatch: 4\n"
        "seed: 3\nparams:\n  ema_cross_detector.fast: '5:40:5'\n"
        "  ema_cross_detector.slow: '50:190:20'\n"
    )
    outs = [tmp_path / "one", tmp_path / "two"]
    for out, workers in zip(outs, ("1", "2"), strict=True):
        argv = ["sweep", str(sweep_file), "--data", str(data), "--out", str(out)]
        assert main([*argv, "--workers", workers, "--quiet"]) == 0
    first = (outs[0] / "results.csv").read_bytes()
    assert first == (outs[1] / "results.csv").read_bytes()
    assert 1 < len(rows(outs[0])) <= 8  # a search: not the 64-point grid
    assert main(["sweep", "--resume", str(outs[0]), "--executor", "nowhere://x", "--quiet"]) == 0
    assert (outs[0] / "results.csv").read_bytes() == first
