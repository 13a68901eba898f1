"""Fuzz the compiler: random hostile inputs through ``stc check``, checked case by case.

    .venv/bin/python tools/fuzz_compiler.py --cases 10000 --seed 1
    .venv/bin/python tools/fuzz_compiler.py --seed 1 --case 4711     # replay one case

Each case (see ``tools/fuzz_inputs.py`` for the generators) is written to a fresh
folder and checked in-process through ``stc.commands.cli.main`` — the code path of the
``stc`` console script — three times, with ``--format json``, ``human`` and
``sarif``. Properties of every case:

- no uncaught exception (``main`` returns), exit code 0 or 1, the same for all formats,
  and 1 exactly when an error is reported;
- every diagnostic is well-formed: a code from ``stc.compiler.codes.CODES``, a file, a
  1-based line and column inside that file, a non-empty message; the human text has a
  header per diagnostic and the summary line, the SARIF log one result per diagnostic;
- caps per input: time of the human run (untraced; over the cap in wall-clock *and*
  CPU time, as the machine is shared — a run still going after 10× the cap is
  interrupted and fails) and peak memory of the JSON run (``tracemalloc``);
- no ``!!python/...`` payload ran (the marker file ``PWNED`` never appears).

Cases run in two worker processes; case ``i`` is generated from ``(seed, i)`` alone,
so a run is reproducible and any case can be replayed with ``--case``. A failing
case is saved under ``tools/fuzz_failures/`` with its files, the command and the
failure. The exit status is 1 when any case failed.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import multiprocessing
import os
import re
import shutil
import signal
import sys
import tempfile
import time
import traceback
import tracemalloc
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: make `tools.*` importable
    sys.path.insert(0, str(REPO))

from stc.compiler.codes import CODES  # noqa: E402
from stc.compiler.render import _visible as visible  # noqa: E402  (what a terminal is shown)
from stc.compiler.sources import split_lines  # noqa: E402
from tools.fuzz_inputs import SCHEDULE, Case, Domain, build_case, case_rng  # noqa: E402

FAILURES = REPO / "tools" / "fuzz_failures"
FORMATS = ("json", "human", "sarif")
JSON_KEYS = {"code", "severity", "message", "file", "line", "column", "help"}
WHOLE_FILE = ("the file is ", "cannot read ", "is not a regular file")
"""STC009 refusals of a whole file before it is read (too big, unreadable, a folder):
the only diagnostics about a file that have no line and column."""
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""Characters that must never reach a terminal (escape sequences, CR, backspace)."""
HARD_TIMEOUT_FACTOR = 10
"""A run is interrupted after this many time caps (it has already failed by then);
the traced run gets this factor again, as ``tracemalloc`` slows Python down ~7×."""


@dataclass(frozen=True)
class Caps:
    """Per-input resource ceilings."""

    seconds: float = 2.0
    """Wall time per input (the best of three runs when over), plus as much again per MB
    of input read: the 2 MB file limit admits 700,000 YAML nodes, linear work of ~4 s."""
    megabytes: float = 200.0

    def seconds_for(self, case: Case) -> float:
        """The time cap of ``case``: a file named on the command line is read once more
        (a manifest case also finds its manifest through ``--plugins-dir``)."""
        size = sum(len(data) * (1 + (name in case.argv)) for name, data in case.files.items())
        return self.seconds * (1 + size / 1_000_000)


@dataclass
class Run:
    """One ``stc check`` invocation: exit code (None if it raised) and its output."""

    code: int | None
    stdout: str
    stderr: str
    seconds: float
    cpu_seconds: float
    peak_bytes: int = 0
    error: str | None = None


@dataclass
class Result:
    """The verdict on one case."""

    index: int
    generator: str
    exit_code: int | None
    problems: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    peak_bytes: int = 0
    busy: bool = False
    """Over the wall-time cap but not in CPU time: the machine was busy (not a failure)."""


class _HardTimeout(BaseException):
    """Raised by SIGALRM inside a run that exceeded the hard timeout."""


# --------------------------------------------------------------------------- running


def invoke(argv: list[str], *, trace: bool, hard_timeout: float) -> Run:
    """``stc ARGV`` in-process with captured output; never raises."""
    from stc.commands import cli

    out, err = io.StringIO(), io.StringIO()
    error = None
    code: int | None = None
    if trace:
        tracemalloc.start()
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, hard_timeout)
    start, cpu = time.perf_counter(), time.process_time()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main(argv)
    except _HardTimeout:
        error = f"hard timeout: still running after {hard_timeout:.0f} s"
    except BaseException:  # SystemExit and KeyboardInterrupt included: main must return
        error = traceback.format_exc()
    finally:
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        signal.setitimer(signal.ITIMER_REAL, 0)
        peak = tracemalloc.get_traced_memory()[1] if trace else 0
        if trace:
            tracemalloc.stop()
    return Run(code, out.getvalue(), err.getvalue(), seconds, cpu, peak, error)


def check_case(case: Case, folder: Path, caps: Caps, *, trace: bool = True) -> Result:
    """Write ``case`` into ``folder`` (empty), run it from there, judge the runs
    (``trace=False``: no memory measurement, for quick checks in the test suite)."""
    if case.command != "check":
        return _check_command(case, folder, caps, trace=trace)
    write_case(case, folder)
    previous = os.getcwd()
    os.chdir(folder)
    try:
        seconds = caps.seconds_for(case)
        hard = seconds * HARD_TIMEOUT_FACTOR
        runs = {
            fmt: invoke(["check", *case.argv, "--format", fmt], trace=trace and fmt == "json",
                        hard_timeout=hard * (HARD_TIMEOUT_FACTOR if fmt == "json" else 1))
            for fmt in FORMATS
        }  # fmt: skip
        for _ in range(2):  # on shared CPUs a breach must reproduce: the best of three
            if runs["human"].seconds <= seconds:
                break
            again = invoke(["check", *case.argv], trace=False, hard_timeout=hard)
            runs["human"].seconds = min(runs["human"].seconds, again.seconds)
            runs["human"].cpu_seconds = min(runs["human"].cpu_seconds, again.cpu_seconds)
        pwned = (folder / "PWNED").exists()
    finally:
        os.chdir(previous)
        _forget(folder)
    result = Result(-1, case.generator, runs["json"].code)
    result.seconds, result.peak_bytes = runs["human"].seconds, runs["json"].peak_bytes
    result.busy = runs["human"].seconds > caps.seconds_for(case) >= runs["human"].cpu_seconds
    result.problems = judge(case, runs, caps)
    if pwned:
        result.problems.append("a YAML payload was executed: the marker file PWNED exists")
    result.codes = _codes(runs["json"].stdout)
    return result


def write_case(case: Case, folder: Path) -> None:
    """The case's files (and special paths) under ``folder``."""
    for name, data in case.files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    for name, kind in case.specials.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if kind == "dir":
            path.mkdir(exist_ok=True)
        elif kind == "fifo":
            os.mkfifo(path)
        else:
            target = {"loop": path.name, "dangling": "nothing_here", "devzero": "/dev/zero"}
            path.symlink_to(target[kind])


def _check_command(case: Case, folder: Path, caps: Caps, *, trace: bool) -> Result:
    """``stc COMMAND ARGV`` (compile, graph, report) once: it returns 0, 1 or 2, and
    exit 2 comes with exactly one ``error:`` line (the README's promise)."""
    write_case(case, folder)
    previous = os.getcwd()
    os.chdir(folder)
    try:
        seconds = caps.seconds_for(case)
        run = invoke([case.command, *case.argv], trace=trace,
                     hard_timeout=seconds * HARD_TIMEOUT_FACTOR ** 2)  # fmt: skip
    finally:
        os.chdir(previous)
        _forget(folder)
    result = Result(-1, case.generator, run.code)
    result.seconds, result.peak_bytes = run.seconds, run.peak_bytes
    result.busy = run.seconds > seconds >= run.cpu_seconds
    if run.error:
        result.problems.append(f"uncaught exception\n{run.error}")
        return result
    if run.code not in (0, 1, 2):
        result.problems.append(f"exit code {run.code}: expected 0, 1 or 2")
    errors = [line for line in run.stderr.splitlines() if line.startswith("error: ")]
    if run.code == 2 and len(errors) != 1:
        result.problems.append(f"exit 2 with {len(errors)} error lines: {run.stderr[-400:]!r}")
    if CONTROL.search(run.stderr) or "Traceback" in run.stderr:
        result.problems.append(f"stderr is not clean: {run.stderr[-400:]!r}")
    if run.seconds > seconds and run.cpu_seconds > seconds:
        result.problems.append(f"took {run.seconds:.2f} s (CPU {run.cpu_seconds:.2f} s)")
    if run.peak_bytes > caps.megabytes * 1e6:
        result.problems.append(f"peak memory {run.peak_bytes / 1e6:.0f} MB")
    return result


def _forget(folder: Path) -> None:
    """Drop what the compiler cached about this case's files (modules of copied
    plugins, parsed manifests) so memory does not grow over thousands of cases."""
    from stc.compiler import memo

    prefix = str(folder.resolve())
    for name, module in list(sys.modules.items()):
        if str(getattr(module, "__file__", "") or "").startswith(prefix):
            del sys.modules[name]
    for key in [k for k in memo._MANIFESTS if k[0].startswith(prefix)]:
        del memo._MANIFESTS[key]
    for check in [k for k in memo._SCHEMA_CHECKS if not k[0].startswith("stc/plugins/")]:
        del memo._SCHEMA_CHECKS[check]
    if len(memo._VALIDATORS) > 256:
        memo._VALIDATORS.clear()
        memo._VALID.clear()


def _codes(stdout: str) -> list[str]:
    try:
        return sorted({str(item["code"]) for item in json.loads(stdout)})
    except (ValueError, TypeError, KeyError):
        return []


# --------------------------------------------------------------------------- properties


def judge(case: Case, runs: dict[str, Run], caps: Caps) -> list[str]:
    """Every property the case breaks (empty: the case passed)."""
    problems = [f"{fmt}: uncaught exception\n{run.error}" for fmt, run in runs.items() if run.error]
    if problems:
        return problems
    codes = {fmt: run.code for fmt, run in runs.items()}
    if case.generator == "io" and set(codes.values()) == {2}:  # a path `check` cannot read
        return [
            f"{fmt}: exit 2 without exactly one error line: {run.stderr[-300:]!r}"
            for fmt, run in runs.items()
            if sum(line.startswith("error: ") for line in run.stderr.splitlines()) != 1
        ]
    if any(code not in (0, 1) for code in codes.values()):
        problems.append(f"exit codes {codes}: expected 0 or 1")
    if len(set(codes.values())) > 1:
        problems.append(f"exit codes differ between formats: {codes}")
    items = _json_items(runs["json"].stdout, problems)
    has_error = any(item.get("severity") == "error" for item in items)
    if runs["json"].code in (0, 1) and has_error != (runs["json"].code == 1):
        problems.append(f"exit code {runs['json'].code} but errors reported: {has_error}")
    for item in items:
        problems.extend(_item_problems(case, item))
    problems.extend(_human_problems(runs["human"].stderr, items))
    problems.extend(_sarif_problems(runs["sarif"].stdout, items))
    cap, run = caps.seconds_for(case), runs["human"]
    if run.seconds > cap and run.cpu_seconds > cap:  # under it in CPU: a busy machine
        problems.append(
            f"took {run.seconds:.2f} s (CPU {run.cpu_seconds:.2f} s); the cap is {cap:.1f} s"
        )
    if runs["json"].peak_bytes > caps.megabytes * 1e6:
        problems.append(f"peak memory {runs['json'].peak_bytes / 1e6:.0f} MB; the cap is "
                        f"{caps.megabytes:.0f} MB")  # fmt: skip
    return problems


def _json_items(stdout: str, problems: list[str]) -> list[dict[str, Any]]:
    try:
        items = json.loads(stdout)
    except ValueError as exc:
        problems.append(f"--format json is not JSON: {exc}: {stdout[:200]!r}")
        return []
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        problems.append("--format json is not an array of objects")
        return []
    return items


def _item_problems(case: Case, item: dict[str, Any]) -> list[str]:
    """One JSON diagnostic against SPEC §5.2 and the file it points into."""
    label = f"{item.get('code')} {item.get('file')}:{item.get('line')}:{item.get('column')}"
    found: list[str] = []
    if set(item) - {"suggestions"} != JSON_KEYS:  # suggestions: only with literal fixes
        found.append(f"{label}: keys {sorted(item)}")
    if item.get("code") not in CODES:
        found.append(f"{label}: unknown code")
    if not isinstance(item.get("message"), str) or not item["message"].strip():
        found.append(f"{label}: empty message")
    if item.get("help") is not None and not str(item["help"]).strip():
        found.append(f"{label}: empty help")
    if not isinstance(item.get("file"), str) or not item["file"]:
        found.append(f"{label}: no file: {item.get('message')}")
        return found
    line, column = item.get("line"), item.get("column")
    if line is None and column is None and any(w in str(item.get("message")) for w in WHOLE_FILE):
        return found
    if not (isinstance(line, int) and line >= 1 and isinstance(column, int) and column >= 1):
        found.append(f"{label}: no 1-based position: {item.get('message')}")
        return found
    text = _file_text(case, item["file"])
    if text is not None:
        rows = split_lines(text)
        row = rows[line - 1] if line <= len(rows) else ""
        if line > len(rows) + 1 or column > len(row) + 2:
            found.append(f"{label}: position outside the file ({len(rows)} lines)")
    return found


def _file_text(case: Case, name: str) -> str | None:
    """The text a diagnostic's file names: a case file, or a packaged manifest."""
    data = case.files.get(name)
    if data is None and (REPO / name).is_file() and not Path(name).is_absolute():
        data = (REPO / name).read_bytes()
    if data is None:
        return None
    return data.decode("utf-8", errors="replace").removeprefix("\ufeff")


def _human_problems(stderr: str, items: list[dict[str, Any]]) -> list[str]:
    found = []
    if "Traceback (most recent call last)" in stderr:
        found.append("human output contains a traceback")
    control = CONTROL.search(stderr)
    if control:
        at = control.start()
        found.append(f"human output contains {control.group()!r}: {stderr[at - 60 : at + 20]!r}")
    last = stderr.rstrip("\n").rsplit("\n", 1)[-1]
    if not last.startswith(("error: aborting due to", "warning: ", "ok: no problems found")):
        found.append(f"human output does not end with the summary line: {last[:120]!r}")
    for item in items:
        header = visible(f"{item.get('severity')}[{item.get('code')}]: {item.get('message')}")
        if header not in stderr:
            found.append(f"human output lacks the header {header[:120]!r}")
    return found


def _sarif_problems(stdout: str, items: list[dict[str, Any]]) -> list[str]:
    try:
        log = json.loads(stdout)
        results = log["runs"][0]["results"]
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        return [f"--format sarif is not a SARIF log: {exc!r}"]
    if log.get("version") != "2.1.0" or len(results) != len(items):
        return [f"SARIF: version {log.get('version')}, {len(results)} results for {len(items)}"]
    return []


# --------------------------------------------------------------------------- workers

_DOMAIN: Domain | None = None
_SEED = 0
_CAPS = Caps()
_BASE: Path | None = None


def _init_worker(seed: int, caps: Caps, scratch: Path) -> None:
    """Per process: the domain, a scratch folder, and a warm compiler (lazy imports and
    plugin discovery happen once here, not inside the first timed case)."""
    global _DOMAIN, _SEED, _CAPS, _BASE
    _no_cache()
    _SEED, _CAPS = seed, caps
    _DOMAIN = Domain.load()
    _BASE = Path(tempfile.mkdtemp(prefix="worker-", dir=scratch))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    invoke(["check", str(REPO / "blueprints" / "ict_smc.yaml"), "--format", "json"],
           trace=False, hard_timeout=600)  # fmt: skip


def _no_cache() -> None:
    """Every case is judged by the real passes, not by what earlier runs left in the
    user's on-disk cache (and the plugin copies of thousands of cases never land in it)."""
    os.environ["STC_NO_CACHE"] = "1"


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    raise _HardTimeout


def generator_of(index: int) -> str:
    """The generator case ``index`` uses."""
    return SCHEDULE[index % len(SCHEDULE)]


def make_case(domain: Domain, seed: int, index: int) -> Case:
    """Case ``index`` of the run with ``seed``."""
    return build_case(generator_of(index), case_rng(seed, index), domain)


def _timed_case(domain: Domain, seed: int, index: int, seconds: float) -> Case:
    """Case ``index``, interrupted after ``seconds`` (a generator bug once built a 30 GB
    file and held a worker for half an hour)."""
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return make_case(domain, seed, index)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def run_one(index: int) -> Result:
    """Generate, write, check and delete case ``index`` (in a worker process)."""
    assert _DOMAIN is not None and _BASE is not None
    folder = _BASE / f"case_{index}"
    folder.mkdir()
    try:
        case = _timed_case(_DOMAIN, _SEED, index, _CAPS.seconds * HARD_TIMEOUT_FACTOR)
        result = check_case(case, folder, _CAPS)
    except (Exception, _HardTimeout):  # a harness bug must be visible, not kill the pool
        result = Result(index, generator_of(index), None, [f"harness: {traceback.format_exc()}"])
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    result.index = index
    return result


# --------------------------------------------------------------------------- reporting


def save_failure(domain: Domain, seed: int, result: Result) -> Path:
    """The case's files, the command and the failure under ``tools/fuzz_failures/``."""
    folder = FAILURES / f"seed{seed}_case{result.index}_{result.generator}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    try:
        case = _timed_case(domain, seed, result.index, 60)
    except (Exception, _HardTimeout):  # the generator failed: the traceback is the reproducer
        case = Case(result.generator, {}, ["(the generator raised)"])
    write_case(case, folder)
    command = f"cd {os.path.relpath(folder, REPO)} && stc check {' '.join(case.argv)}\n"
    replay = f"python tools/fuzz_compiler.py --seed {seed} --case {result.index}\n"
    (folder / "FAILURE.txt").write_text(
        f"{command}{replay}\n" + "\n\n".join(result.problems) + "\n", encoding="utf-8"
    )
    return folder


@dataclass
class Summary:
    """Counts of a run, printed at the end."""

    per_generator: Counter[str] = field(default_factory=Counter)
    exit_codes: Counter[tuple[str, int | None]] = field(default_factory=Counter)
    codes: Counter[str] = field(default_factory=Counter)
    failures: list[Result] = field(default_factory=list)
    slowest: tuple[float, int] = (0.0, -1)
    busy: list[int] = field(default_factory=list)
    largest: tuple[int, int] = (0, -1)

    def add(self, result: Result) -> None:
        """Count one case."""
        self.per_generator[result.generator] += 1
        self.exit_codes[(result.generator, result.exit_code)] += 1
        self.codes.update(result.codes)
        self.slowest = max(self.slowest, (result.seconds, result.index))
        if result.busy:
            self.busy.append(result.index)
        self.largest = max(self.largest, (result.peak_bytes, result.index))
        if result.problems:
            self.failures.append(result)

    def lines(self, seed: int, seconds: float) -> Iterator[str]:
        """The human summary."""
        total = sum(self.per_generator.values())
        yield f"stc fuzz: {total} cases, seed {seed}, {seconds:.0f} s"
        for name, count in sorted(self.per_generator.items()):
            exits = {code: n for (g, code), n in sorted(self.exit_codes.items(),
                     key=lambda kv: str(kv[0])) if g == name}  # fmt: skip
            yield f"  {name:<17} {count:>6} cases  exit codes {exits}"
        yield "  diagnostic codes seen: " + ", ".join(
            f"{c}×{n}" for c, n in sorted(self.codes.items())
        )
        yield f"  slowest case: {self.slowest[0]:.2f} s (case {self.slowest[1]})"
        yield f"  over the time cap in wall time only (busy machine): {sorted(self.busy)}"
        yield f"  largest peak: {self.largest[0] / 1e6:.1f} MB (case {self.largest[1]})"
        yield f"  failures: {len(self.failures)}"


def run_many(seed: int, cases: int, start: int, workers: int, caps: Caps) -> int:
    """Run cases ``start .. start+cases-1`` in ``workers`` processes; print a summary."""
    _no_cache()
    domain = Domain.load()
    summary = Summary()
    began = time.perf_counter()
    context = multiprocessing.get_context("fork")
    scratch = Path(tempfile.mkdtemp(prefix="stc-fuzz-"))
    pool = context.Pool(workers, initializer=_init_worker, initargs=(seed, caps, scratch))
    try:
        indices = range(start, start + cases)
        for done, result in enumerate(pool.imap_unordered(run_one, indices, chunksize=4), 1):
            summary.add(result)
            if result.problems:
                where = save_failure(domain, seed, result)
                first = result.problems[0].splitlines()[0]
                print(f"FAIL case {result.index} ({result.generator}): {first}\n  -> {where}")
            if done % 500 == 0:
                print(f"  {done}/{cases} cases, {time.perf_counter() - began:.0f} s", flush=True)
    finally:
        pool.terminate()
        shutil.rmtree(scratch, ignore_errors=True)
    for line in summary.lines(seed, time.perf_counter() - began):
        print(line)
    return 1 if summary.failures else 0


def replay(seed: int, index: int, caps: Caps) -> int:
    """Run one case in this process and print everything about it."""
    scratch = Path(tempfile.mkdtemp(prefix="stc-fuzz-"))
    try:
        return _replay(seed, index, caps, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _replay(seed: int, index: int, caps: Caps, scratch: Path) -> int:
    _init_worker(seed, caps, scratch)
    assert _DOMAIN is not None and _BASE is not None
    case = make_case(_DOMAIN, seed, index)
    print(f"case {index} ({case.generator}): stc check {' '.join(case.argv)}")
    for name, data in case.files.items():
        print(f"--- {name} ({len(data)} bytes)\n{data[:1500].decode('utf-8', 'replace')}")
    folder = _BASE / f"case_{index}"
    folder.mkdir()
    result = check_case(case, folder, caps)
    print(f"exit {result.exit_code}, codes {result.codes}, {result.seconds:.2f} s, "
          f"peak {result.peak_bytes / 1e6:.1f} MB")  # fmt: skip
    for problem in result.problems:
        print("PROBLEM:", problem)
    return 1 if result.problems else 0


def main(argv: list[str] | None = None) -> int:
    """Command line: ``--cases N --seed S`` (or ``--case I`` to replay one)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--start", type=int, default=0, help="first case index")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--time-cap", type=float, default=Caps.seconds, metavar="SECONDS")
    parser.add_argument("--mem-cap", type=float, default=Caps.megabytes, metavar="MB")
    parser.add_argument("--case", type=int, help="replay one case in-process, verbosely")
    args = parser.parse_args(argv)
    caps = Caps(args.time_cap, args.mem_cap)
    if args.case is not None:
        return replay(args.seed, args.case, caps)
    return run_many(args.seed, args.cases, args.start, args.workers, caps)


if __name__ == "__main__":
    sys.exit(main())
