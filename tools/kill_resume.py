"""Crash-safety experiment: SIGKILL a running backtest, inspect its journal, resume it.

Each repetition starts ``stc run`` in a subprocess on a seeded synthetic data set,
waits until the journal holds its first flow, sleeps a seeded random delay and
SIGKILLs the process (it must still be running: a finished run proves nothing). Then:

1. the journal opens and ``PRAGMA integrity_check`` says ``ok``;
2. every recorded flow is complete: flow ids are 1..N without holes, every row of
   ``dtos``/``links``/``faults``/``notes`` belongs to a recorded flow, and every
   recorded flow has rows (empty flows are never written);
3. ``explain`` works on every trade the journal holds;
4. ``stc run --resume`` ends with trades.csv, metrics.json and journal rows identical
   to an uninterrupted run of the same inputs.

Usage: ``python tools/kill_resume.py --reps 50 [--bars 40000] [--seed 1]``. The test
suite runs two repetitions of the same code (tests/runtime/test_crash_resume.py).

``--artefacts`` kills instead *during the write of each artefact* (issue 27): the child
``stc run`` SIGKILLs itself when it is about to rename ``trades.csv``, ``metrics.json``
or ``report.html`` into place, its temporary file cut to half (what a kill in the
middle of the write leaves), in every ``--on-bad-bar`` mode (``skip`` on data with bad
rows, named by a relative path). Then: the artefact is absent, never a prefix;
``stc run --resume`` (from another working directory) rebuilds it; and every artefact
(trades.csv, metrics.json, report.html) and journal row is byte-identical to an
uninterrupted run's.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BLUEPRINT = REPO / "blueprints" / "ema_trend.yaml"
TABLES = ("flows", "dtos", "links", "faults", "notes")


@dataclass(frozen=True)
class KillOutcome:
    """What one repetition observed."""

    killed_after_s: float
    flows_recorded: int
    trades_explained: int
    resumed_identical: bool


def write_synthetic_csv(path: Path, bars: int, seed: int = 7) -> Path:
    """``bars`` hourly bars of a seeded random walk as an OHLCV CSV."""
    rng = random.Random(seed)
    when = datetime(2015, 1, 1, tzinfo=UTC)
    price = 1.1
    lines = ["time,open,high,low,close,volume"]
    for _ in range(bars):
        opened = price
        price *= 1.0 + rng.gauss(0.0, 0.0015)
        wiggle = abs(rng.gauss(0.0, 0.0008)) * opened
        high, low = max(opened, price) + wiggle, min(opened, price) - wiggle
        lines.append(f"{when:%Y-%m-%d %H:%M:%S},{opened:.6f},{high:.6f},{low:.6f},{price:.6f},100")
        when += timedelta(hours=1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def stc(*args: str) -> list[str]:
    """The command line of ``stc`` run by this interpreter."""
    return [sys.executable, "-m", "stc.commands.cli", *args]


def run_to_end(data: Path, out: Path, engine: str | None = None) -> float:
    """An uninterrupted run, the reference a resumed run must equal; its wall time."""
    started = time.perf_counter()
    subprocess.run(
        stc("run", str(BLUEPRINT), "--data", str(data), "--out", str(out), "--quiet",
            *_engine(engine)),
        check=True, cwd=REPO, capture_output=True, env=_env(),
    )  # fmt: skip
    return time.perf_counter() - started


def stored_tables(db: sqlite3.Connection) -> list[str]:
    """The journal's tables that hold flow rows, as stored: ``links`` is a view of the
    ``dtos`` rows' links in journal format 2 (a flow with no row keeps its links in
    ``flow_links``), a table before."""
    query = "SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'meta'"
    return [str(row[0]) for row in db.execute(query)]


def cut_after(run_dir: Path, flow_id: int) -> None:
    """Leave ``run_dir``'s journal as a kill after ``flow_id``'s commit would: later
    flows gone, status ``running``, the results not yet written (the in-process
    stand-in for a kill: tests/runtime/test_crash_resume.py, tests/parity/)."""
    with sqlite3.connect(run_dir / "journal.sqlite") as db:
        for table in stored_tables(db):
            db.execute(f"DELETE FROM {table} WHERE flow_id > ?", (flow_id,))
        db.execute("UPDATE meta SET value = 'running' WHERE key = 'status'")
    db.close()
    for name in ("trades.csv", "metrics.json"):
        (run_dir / name).unlink()


def kill_mid_run(
    data: Path, out: Path, rng: random.Random, full_run_s: float, engine: str | None = None
) -> float:
    """Start a run, SIGKILL it at a random moment between its first journaled flow
    and (about) its end; return how long after that flow it was killed."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        stc("run", str(BLUEPRINT), "--data", str(data), "--out", str(out), "--quiet",
            *_engine(engine)),
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env(),
    )  # fmt: skip
    try:
        _wait_for_first_flow(out / "journal.sqlite", proc)
        remaining = full_run_s - (time.perf_counter() - started)
        delay = rng.uniform(0.0, max(remaining, 0.05) * 0.7)
        time.sleep(delay)
        if proc.poll() is not None:
            raise RuntimeError("the run finished before the kill: use more --bars")
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    return delay


def _wait_for_first_flow(journal: Path, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the run ended (exit {proc.returncode}) before its first flow")
        if journal.is_file() and _flow_count(journal) > 0:
            return
        time.sleep(0.01)
    raise RuntimeError("no flow journaled within 60 s")


def _flow_count(journal: Path) -> int:
    try:
        with sqlite3.connect(journal, timeout=1) as db:
            return int(db.execute("SELECT count(*) FROM flows").fetchone()[0])
    except sqlite3.Error:
        return 0  # the schema is being created


def check_journal(journal: Path) -> tuple[int, list[str]]:
    """Assert the crash-safety properties (1–2); return (flows, trade ids)."""
    db = sqlite3.connect(journal)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        ids = [r[0] for r in db.execute("SELECT flow_id FROM flows ORDER BY flow_id")]
        assert ids == list(range(1, len(ids) + 1)), "flow ids have holes"
        with_rows: set[int] = set()
        for table in TABLES[1:]:
            rows = {r[0] for r in db.execute(f"SELECT DISTINCT flow_id FROM {table}")}
            assert rows <= set(ids), f"{table} has rows of an unrecorded flow"
            with_rows |= rows
        assert with_rows == set(ids), "a recorded flow has no rows"
        trades = [
            r[0]
            for r in db.execute(
                "SELECT DISTINCT dto_id FROM dtos WHERE type = 'Trade' ORDER BY dto_id"
            )
        ]
    finally:
        db.close()
    return len(ids), trades


def explain_all(run_dir: Path, trade_ids: list[str]) -> int:
    """Explain every trade (property 3); return how many were explained."""
    from stc.runtime.api import explain

    for trade_id in trade_ids:
        text = explain(run_dir, trade_id)
        assert trade_id in text and "EXE_" in text, text
    return len(trade_ids)


def _engine(engine: str | None) -> list[str]:
    """``--engine MODE`` when one is given (None: the command's default)."""
    return [] if engine is None else ["--engine", engine]


def resume(out: Path, engine: str | None = None) -> None:
    """``stc run --resume`` (property 4 is checked by :func:`same_results`)."""
    done = subprocess.run(
        stc("run", "--resume", str(out), "--quiet", *_engine(engine)),
        cwd=REPO, capture_output=True, text=True, env=_env(),
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"resume of {out} failed (exit {done.returncode}):\n{done.stderr}")


def same_results(a: Path, b: Path) -> bool:
    """trades.csv, metrics.json and every journal row are identical."""
    for name in ("trades.csv", "metrics.json"):
        if (a / name).read_bytes() != (b / name).read_bytes():
            return False
    return all(_rows(a, t) == _rows(b, t) for t in TABLES)


def _rows(run_dir: Path, table: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(run_dir / "journal.sqlite") as db:
        return list(db.execute(f"SELECT * FROM {table} ORDER BY 1"))


def repetition(
    work: Path,
    data: Path,
    reference: tuple[Path, float],
    rng: random.Random,
    index: int,
    engines: tuple[str | None, str | None] = (None, None),
) -> KillOutcome:
    """One kill → check → explain → resume → compare cycle against ``reference``
    (the uninterrupted run's directory and wall time); ``engines``: the mode the killed
    run is started in and the one it is resumed in (issue 23: they may differ)."""
    out = work / f"killed{index}"
    delay = kill_mid_run(data, out, rng, reference[1], engines[0])
    flows, trades = check_journal(out / "journal.sqlite")
    explained = explain_all(out, trades)
    resume(out, engines[1])
    return KillOutcome(delay, flows, explained, same_results(out, reference[0]))


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO)
    return env


ARTEFACTS = ("trades.csv", "metrics.json", "report.html")
MODES = ("error", "skip")

KILL_WHILE_WRITING = """
import os, signal, sys
target, real = sys.argv[1], os.replace
def replace(source, destination):
    if os.path.basename(destination) == target:
        os.truncate(source, os.path.getsize(source) // 2)
        os.kill(os.getpid(), signal.SIGKILL)
    real(source, destination)
os.replace = replace
from stc.commands.cli import main
sys.exit(main(sys.argv[2:]))
"""
"""The child: ``stc`` that dies half-way through writing the artefact named first."""


def write_with_bad_rows(path: Path, bars: int, every: int = 97) -> Path:
    """The synthetic data with every ``every``-th data row made bad (high below low)."""
    lines = write_synthetic_csv(path, bars).read_text(encoding="utf-8").splitlines()
    for index in range(every, len(lines), every):
        fields = lines[index].split(",")
        fields[2], fields[3] = fields[3], fields[2]
        lines[index] = ",".join(fields)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _run_args(data: str, out: Path, mode: str) -> list[str]:
    return ["run", str(BLUEPRINT), "--data", data, "--out", str(out), "--quiet",
            "--on-bad-bar", mode]  # fmt: skip


def kill_while_writing(work: Path, data: str, out: Path, artefact: str, mode: str) -> None:
    """Run until ``artefact`` is half written, killed there; it must not be in place."""
    done = subprocess.run(
        [sys.executable, "-c", KILL_WHILE_WRITING, artefact, *_run_args(data, out, mode)],
        cwd=work, capture_output=True, env=_env(),
    )  # fmt: skip
    if done.returncode != -signal.SIGKILL:
        raise RuntimeError(f"{artefact}/{mode}: not killed (exit {done.returncode})")
    if (out / artefact).exists():
        raise AssertionError(f"{artefact}/{mode}: a half-written {artefact} is in place")
    if not list(out.glob(".stc-*.tmp")):
        raise AssertionError(f"{artefact}/{mode}: the kill left no temporary file")


def identical_artefacts(a: Path, b: Path) -> list[str]:
    """What differs between two run folders: artefacts byte for byte, journal rows."""
    differ = [n for n in ARTEFACTS if (a / n).read_bytes() != (b / n).read_bytes()]
    return differ + [t for t in TABLES if _rows(a, t) != _rows(b, t)]


def artefact_kills(work: Path, bars: int) -> list[tuple[str, str, list[str]]]:
    """(artefact, mode, what differed after the resume) for every artefact and mode."""
    outcomes = []
    for mode in MODES:
        name = f"bars_{mode}.csv"  # relative: notes must name it so after a resume too
        if mode == "skip":
            write_with_bad_rows(work / name, bars)
        else:
            write_synthetic_csv(work / name, bars)
        reference = work / f"reference_{mode}" / "run"
        subprocess.run(
            stc(*_run_args(name, reference, mode)), check=True, cwd=work,
            capture_output=True, env=_env(),
        )  # fmt: skip
        for artefact in ARTEFACTS:
            out = work / f"killed_{artefact}_{mode}" / "run"
            kill_while_writing(work, name, out, artefact, mode)
            resume(out)
            outcomes.append((artefact, mode, identical_artefacts(out, reference)))
    return outcomes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--bars", type=int, default=40_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--artefacts", action="store_true", help="kill during artefact writes")
    parser.add_argument("--engines", default=None, metavar="STARTED,RESUMED",
                        help="start the killed runs in one engine mode, resume them in "
                        "another (fast,incremental); the reference runs in the second")  # fmt: skip
    args = parser.parse_args()
    started_in, _, resumed_in = (args.engines or "").partition(",")
    engines = (started_in or None, resumed_in or None)
    if args.artefacts:
        with tempfile.TemporaryDirectory() as tmp:
            found = artefact_kills(Path(tmp), args.bars)
        for artefact, mode, differ in found:
            print(
                f"{artefact:13} --on-bad-bar {mode:5}: "
                + ("identical after --resume" if not differ else f"DIFFERS: {', '.join(differ)}")
            )
        return 1 if any(differ for _, _, differ in found) else 0
    rng = random.Random(args.seed)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        data = write_synthetic_csv(work / "bars.csv", args.bars)
        reference = (work / "reference", run_to_end(data, work / "reference", engines[1]))
        outcomes = [repetition(work, data, reference, rng, i, engines) for i in range(args.reps)]
    bad = [o for o in outcomes if not o.resumed_identical]
    flows = sorted(o.flows_recorded for o in outcomes)
    print(
        f"{len(outcomes)} kills ({args.bars} bars, seed {args.seed}) in "
        f"{time.perf_counter() - started:.0f} s: journal intact and every flow complete in all; "
        f"flows recorded at the kill: min {flows[0]}, median {flows[len(flows) // 2]}, "
        f"max {flows[-1]}; trades explained: {sum(o.trades_explained for o in outcomes)}; "
        f"resumed runs identical to the uninterrupted run: "
        f"{len(outcomes) - len(bad)}/{len(outcomes)}"
    )
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
