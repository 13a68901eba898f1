"""``stc run``: compile a blueprint or operation, then hand the plan to the runtime.

The runtime receives only the wiring map (as data); it never recompiles. The run
directory gets the wiring map too, so every run documents what it executed.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from stc.commands.data_options import add_data_format_options, data_format, resumed_format
from stc.commands.options import DEFAULT_ENGINE, Commands, add_engine, add_inputs, positive
from stc.compiler.pipeline import CompileOutcome, Session, compile_path

if TYPE_CHECKING:
    from stc.runtime.api import CsvFormat, EngineMode, Plan, PriceSpill, RunResult


def add_parser(commands: Commands) -> argparse.ArgumentParser:
    """The ``run`` sub-command's arguments."""
    sub = commands.add_parser("run", help="backtest (or paper-trade) a blueprint or operation")
    add_inputs(sub, many=False, optional=True)
    sub.add_argument(
        "--resume", type=Path, metavar="RUNDIR",
        help="continue an interrupted run from its last complete tick (no FILE needed; "
        "give the --plugins-dir it was started with: the folder's own are not trusted)",
    )  # fmt: skip
    sub.add_argument("--data", type=Path, help="OHLCV CSV/Parquet (default: embedded sample)")
    add_data_format_options(sub)
    sub.add_argument(
        "--env", choices=("backtest", "paper"), default=None,
        help="override the operation's environment (default: the operation's, else backtest)",
    )  # fmt: skip
    sub.add_argument(
        "--out", type=Path, default=Path("runs/latest"), metavar="RUNDIR",
        help="where trades.csv, metrics.json, journal.sqlite and report.html go "
        "(default: runs/latest)",
    )  # fmt: skip
    sub.add_argument("--fail-fast", action="store_true", help="stop at the first plugin fault")
    sub.add_argument(
        "--on-bad-bar", choices=("error", "skip"), default="error",
        help="a bad data row: stop with file:line (error), or drop it, journal it, go on (skip)",
    )  # fmt: skip
    sub.add_argument(
        "--speed", type=positive, default=None, metavar="FACTOR",
        help="paper: how many times faster than real time the bars arrive "
        "(3600 plays an hourly bar every second; default 1 = real time)",
    )  # fmt: skip
    sub.add_argument(
        "--resample", action="store_true",
        help="data finer than the tick timeframe: build tick bars from it (default: error)",
    )  # fmt: skip
    sub.add_argument(
        "--plugin-timeout", type=float, default=60.0, metavar="SECONDS",
        help="a tick's plugin calls running longer are a fault of that flow (default 60; 0: off)",
    )  # fmt: skip
    add_engine(sub)
    sub.add_argument("--quiet", action="store_true", help="no progress output")
    return sub


def run(args: argparse.Namespace) -> int:
    """Compile, report problems, run, print the metrics and where the files are."""
    if args.resume is not None:
        if args.files is not None:
            sys.stderr.write("error: give either FILE or --resume RUNDIR, not both\n")
            return 2
        return resume_command(args)
    if args.files is None:
        sys.stderr.write("error: stc run needs a blueprint or operation FILE (or --resume)\n")
        return 2
    path: Path = args.files
    if not path.is_file():
        sys.stderr.write(f"error: no such file: {path}\n")
        return 2
    from stc.commands.wrong_kind import refuse_wrong_kinds

    if refuse_wrong_kinds([path], "run"):
        return 2
    if _missing_data(args.data):  # before any run directory is touched
        return 2
    session = Session(plugin_dirs=list(args.plugins_dir), platform_file=args.platform)
    outcomes = compile_path(path, str(path), session)
    problems = [d for o in outcomes for d in o.diagnostics]
    if problems:
        from stc.compiler.render import render_human, use_color

        sys.stderr.write(render_human(problems, session.sources, color=use_color(sys.stderr)))
    strategies = [o for o in outcomes if o.wiring_data is not None]
    if any(d.is_error for d in problems) or not strategies:
        return 1
    from stc.commands.run_folder import folder_names, refuse_inputs_among_outputs
    from stc.runtime.api import RunFolderBusy, run_folder_lock

    names = [str(o.wiring_data["strategy"]) for o in strategies if o.wiring_data]
    folders = [args.out / n for n in folder_names(names)] if len(names) > 1 else [args.out]
    inputs = [path, *(o.linked_from for o in strategies if o.linked_from is not None)]
    for outcome, out_dir in zip(strategies, folders, strict=True):
        try:
            refuse_inputs_among_outputs(inputs, out_dir, (*_cli_files(), *_run_files()))
            misfit = _data_misfit(outcome, path, args)  # before the lock creates the folder
            if misfit is not None:
                return misfit
            with run_folder_lock(out_dir):  # held from the wiring map to the report
                code = _run_one(outcome, path, args, out_dir)
        except (RunFolderBusy, ValueError) as exc:
            sys.stderr.write(f"error: {exc}\n")
            return 1 if isinstance(exc, RunFolderBusy) else 2
        except OSError as exc:
            sys.stderr.write(f"error: {_unusable_run_dir(out_dir, exc)}\n")
            return 2
        if code != 0:
            return code
    return 0


def exit_past_plugin_threads(code: int) -> None:
    """End the process now when plugin code left non-daemon threads running: Python
    would otherwise wait for them after "finished" (forever, for a thread that never
    ends). Says so on stderr, runs the exit hooks (the compile cache's write), flushes
    and leaves with ``code``. Called by the console script only (``cli.console``), never
    when ``main`` runs inside another program."""
    threading = sys.modules.get("threading")
    if threading is None:
        return
    main_thread = threading.main_thread()
    left = [t for t in threading.enumerate() if t is not main_thread and not t.daemon]
    if not left:
        return
    import atexit
    import os

    names = ", ".join(sorted(t.name for t in left))
    sys.stderr.write(f"warning: plugin code left {len(left)} thread(s) running ({names}); "
                     "stc exits without waiting for them\n")  # fmt: skip
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


RUN_GC_THRESHOLD = 10_000
"""The collector's first threshold while a run and its report execute (Python's
default: 700). docs/performance.md, "Session 16, wholerun": at 1M bars the default
settings spend ~0.27 s CPU in ~520 collections, most of them walking objects that live
as long as the process (modules, the compiled plan); frozen, and with this threshold,
~0.06 s. Memory: at most ~10k more objects wait for a collection."""


@contextmanager
def run_collector() -> Iterator[None]:
    """The cyclic collector set for a run: what is alive when the run starts (the
    imported modules, the compile's results) is frozen (``gc.freeze``: never walked
    again), and collections are rarer (:data:`RUN_GC_THRESHOLD`). Both are undone when
    the run ends, so a program that calls ``main`` gets its collector back as it was;
    left alone when the collector is off or the caller froze objects itself (unfreezing
    would release theirs). Nothing a run writes depends on when cycles are collected."""
    if not gc.isenabled() or gc.get_freeze_count():
        yield
        return
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(threshold[0], RUN_GC_THRESHOLD), *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def _run_files() -> tuple[str, ...]:
    from stc.runtime.api import OUTPUT_FILES

    return (*OUTPUT_FILES, "journal.sqlite-wal", "journal.sqlite-shm")


def _data_misfit(outcome: CompileOutcome, path: Path, args: argparse.Namespace) -> int | None:
    """Exit 1 with one line when the data does not fit the plan (interval, symbol):
    checked before the run folder exists, so that nothing is written (issue 19)."""
    from stc.runtime.api import DataError, DataFitError, check_plan_data

    assert outcome.wiring_data is not None
    try:
        check_plan_data(outcome.wiring_data, args.data or _operation_data(outcome, path),
                        resample=args.resample, data_format=_format(outcome, args))  # fmt: skip
    except DataFitError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    except DataError:
        return None  # an unreadable file: _run_one says so with its usual exit code
    return None


def _run_one(outcome: CompileOutcome, path: Path, args: argparse.Namespace, out_dir: Path) -> int:
    from stc.runtime.api import DataError, DataFitError, check_plan_data, refuse_data_among_outputs

    plan = outcome.wiring_data
    assert plan is not None
    data = args.data or _operation_data(outcome, path)
    try:
        if data is not None:  # the default data set lives in the package, never in out_dir
            refuse_data_among_outputs(data, out_dir, also=_cli_files())
        check_plan_data(plan, data, resample=args.resample, data_format=_format(outcome, args))
        svg = _prepare_run_dir(outcome, out_dir)
    except DataFitError as exc:  # before the run directory is touched: nothing written
        sys.stderr.write(f"error: {exc}\n")
        return 1
    except DataError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    except OSError as exc:
        sys.stderr.write(f"error: {_unusable_run_dir(out_dir, exc)}\n")
        return 2
    progress = None if args.quiet else Progress(sys.stderr)
    from stc.runtime.api import PriceSpill

    spill = PriceSpill.create()  # the bars as the run reads them, for the report
    try:
        with run_collector():
            return _run_and_report(outcome, args, out_dir, data, svg, progress, spill)
    finally:
        if spill is not None:
            spill.discard()


def _run_and_report(
    outcome: CompileOutcome,
    args: argparse.Namespace,
    out_dir: Path,
    data: Path | None,
    svg: str | None,
    progress: Progress | None,
    spill: PriceSpill | None,
) -> int:
    """Run the plan, then write its report (its price pass over ``spill``)."""
    from stc.runtime.api import run as run_plan

    plan = outcome.wiring_data
    assert plan is not None
    strategy = str(plan["strategy"])
    try:
        result = run_plan(
            plan,
            data=data, out_dir=out_dir, env=args.env, fail_fast=args.fail_fast,
            progress=progress, speed=args.speed, plugin_roots=list(args.plugins_dir),
            on_bad_bar=args.on_bad_bar, resample=args.resample,
            plugin_timeout=args.plugin_timeout, data_format=_format(outcome, args),
            keep_history=False,  # metrics streamed, trades written as they close
            engine=args.engine or DEFAULT_ENGINE, tap=spill,
        )  # fmt: skip
    except Exception as exc:  # a data or plan problem: say it plainly, no traceback
        sys.stderr.write(f"error: {error_text(exc)}\n")
        return 1
    finally:
        if progress is not None:
            progress.finish()
    _warn_skipped(result.metrics)
    # keep_history=False: the result holds neither the per-trade nor the per-bar data,
    # the report reads the files just written (issue 27: memory flat in the data)
    paths = dict(result.paths)
    if svg is not None:
        from stc.runtime.api import WIRING_FILE

        paths["wiring diagram"] = out_dir / WIRING_FILE
    report = _write_report(svg, out_dir, data, spill=spill)
    if report is not None:
        paths["report"] = report
    _print_summary(strategy, result, paths, out_dir)
    return 0


def _format(outcome: CompileOutcome, args: argparse.Namespace) -> CsvFormat | None:
    """The data format: the command line's, else the operation data source's block."""
    from stc.runtime.api import plan_data_format

    given = data_format(args)
    if given is not None or outcome.wiring_data is None:
        return given
    source = outcome.wiring_data.get("data_source")
    return plan_data_format(source if isinstance(source, Mapping) else None)


def _cli_files() -> tuple[str, ...]:
    """What ``stc run`` itself writes into the run directory, besides the runtime's files."""
    from stc.runtime.api import REPORT_FILE, WIRING_FILE

    return ("wiring_map.yaml", REPORT_FILE, WIRING_FILE)


def _missing_data(data: Path | None) -> bool:
    """Say so when ``--data`` names no file (an I/O error, exit 2), before the run
    directory is touched: a mistyped path must not cost an earlier run its report."""
    from stc.runtime.api import not_a_data_file

    what = None if data is None else not_a_data_file(data)
    if what is None:
        return False
    sys.stderr.write(f"error: --data {data}: {what}; give a CSV or Parquet file\n")
    return True


def _prepare_run_dir(outcome: CompileOutcome, out_dir: Path) -> str | None:
    """Create ``out_dir`` and put there what must precede the run: the wiring map (what
    ``--resume`` reloads), no earlier report, this plan's diagram (returned; None
    without ``dot``). OSError when the folder cannot be used."""
    from stc.compiler.emit.wiring_map import render_wiring_map
    from stc.runtime.api import write_atomically

    assert outcome.wiring_data is not None
    out_dir.mkdir(parents=True, exist_ok=True)
    wiring_map = render_wiring_map(outcome.wiring_data)
    write_atomically(out_dir / "wiring_map.yaml", wiring_map)
    _remove_earlier_report(out_dir)
    return _keep_wiring_svg(outcome, out_dir)


def _unusable_run_dir(out_dir: Path, exc: OSError) -> str:
    """Why ``out_dir`` cannot hold the run, for one line on stderr (not a traceback):
    the usual causes are a file in the way or a folder without write permission."""
    blocker = next((p for p in (out_dir, *out_dir.parents) if p.exists()), None)
    if blocker is not None and not blocker.is_dir():
        reason = f"{blocker} is a file, not a directory"
    else:
        reason = f"{exc.strerror or exc}: {exc.filename or out_dir}"
    return f"cannot write the run directory {out_dir} ({reason}); choose another --out"


def _remove_earlier_report(out_dir: Path) -> None:
    """A fresh run's report never shows an earlier run's wiring (``write_report``
    keeps the diagram of the report it replaces, for ``stc report`` rebuilds)."""
    from stc.runtime.api import REPORT_FILE

    (out_dir / REPORT_FILE).unlink(missing_ok=True)


def _keep_wiring_svg(outcome: CompileOutcome, out_dir: Path) -> str | None:
    """Draw the compiled wiring into ``out_dir/wiring.svg`` before the run starts, so
    that the report of a run resumed after a crash shows it too (None without
    ``dot``; a diagram an earlier run left in the folder is removed then)."""
    from stc.commands.report import wiring_svg
    from stc.runtime.api import WIRING_FILE, write_atomically

    target = out_dir / WIRING_FILE
    try:
        svg = wiring_svg(outcome)
    except Exception as exc:  # the diagram is a bonus; the run goes on
        sys.stderr.write(f"warning: no wiring diagram: {type(exc).__name__}: {exc}\n")
        svg = None
    if svg is None:
        target.unlink(missing_ok=True)
    else:
        write_atomically(target, svg)
    return svg


def resume_command(args: argparse.Namespace) -> int:
    """``stc run --resume RUNDIR``: continue an interrupted run with what it recorded
    (its wiring map, data, environment and options; see stc/runtime/resume.py)."""
    from stc.commands.run_folder import refuse_links, verified_sources
    from stc.runtime.api import ResumeError, missing_artefacts, read_meta

    run_dir: Path = args.resume
    plan_file = run_dir / "wiring_map.yaml"
    try:
        refuse_links(run_dir)
        meta = read_meta(run_dir)
        if not plan_file.is_file():
            raise ResumeError(f"{plan_file}: missing; the run directory is incomplete")
    except (ResumeError, OSError, ValueError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    missing = missing_artefacts(run_dir)
    if meta.get("status") == "completed" and not missing:
        sys.stdout.write(f"{run_dir}: the run completed; nothing to resume\n")
        return 0
    try:  # before any import: the folder is input (its meta's plugin_roots are ignored)
        plan, roots = verified_sources(run_dir, list(args.plugins_dir))
    except ValueError as exc:
        sys.stderr.write(f"error: {run_dir}: cannot resume: {exc}\n")
        return 1
    if meta.get("status") == "completed":  # killed while writing its results: replay
        sys.stderr.write(f"note: the run completed; rebuilding {', '.join(missing)}\n")
    try:
        fmt = resumed_format(meta, args)
    except ValueError as exc:
        sys.stderr.write(f"error: {run_dir}: cannot resume: {exc}\n")
        return 1
    data = Path(meta["data"]) if meta.get("data") else None
    progress = None if args.quiet else Progress(sys.stderr)
    with run_collector():
        return _resume_and_report(run_dir, plan, roots, meta, fmt, data, args, progress)


def _resume_and_report(
    run_dir: Path,
    plan: Plan,
    roots: list[Path],
    meta: Mapping[str, str],
    fmt: CsvFormat | None,
    data: Path | None,
    args: argparse.Namespace,
    progress: Progress | None,
) -> int:
    """The resumed run and its report (see :func:`resume_command`)."""
    import json

    from stc.runtime.api import run as run_plan

    try:
        result = run_plan(
            plan, data=data, out_dir=run_dir, env=meta.get("environment"),
            fail_fast=bool(json.loads(meta.get("fail_fast", "false"))),
            progress=progress, speed=args.speed, plugin_roots=roots, resume=True,
            on_bad_bar="skip" if meta.get("on_bad_bar") == "skip" else "error",
            resample=meta.get("resample") == "true",
            plugin_timeout=args.plugin_timeout,
            data_name=meta.get("data_as_given"),  # notes name the file as the run did
            data_format=fmt,  # read as the run read it (its recorded format options)
            keep_history=False,  # metrics streamed, trades written as they close
            engine=args.engine or _recorded_engine(meta),  # either gives the same files
        )  # fmt: skip
    except Exception as exc:  # a changed plan/data, a data problem: say it plainly
        sys.stderr.write(f"error: {type(exc).__name__}: {exc}\n")
        return 1
    finally:
        if progress is not None:
            progress.finish()
    paths = dict(result.paths)
    # the diagram: the folder's wiring.svg; the data named as the interrupted run was
    report = _write_report(None, run_dir, data, meta.get("data_as_given"))
    if report is not None:
        paths["report"] = report
    _print_summary(run_dir.name or "run", result, paths, run_dir)
    return 0


def _recorded_engine(meta: Mapping[str, str]) -> EngineMode:
    """The engine mode the interrupted run recorded (``fast`` for a journal written
    before the switch existed): a resume without ``--engine`` continues in it."""
    return "incremental" if meta.get("engine") == "incremental" else "fast"


def _write_report(
    svg: str | None,
    out_dir: Path,
    data: Path | None,
    data_name: str | None = None,
    spill: PriceSpill | None = None,
) -> Path | None:
    """report.html with the wiring diagram (when there is one); a failure is a warning.
    ``spill``: the bars the run kept, so that the report need not read them again."""
    from stc.runtime.api import write_report

    try:
        return write_report(out_dir, wiring_svg=svg, data=data, data_name=data_name,
                            spill=spill)  # fmt: skip
    except Exception as exc:  # the run's results are written; the report is a bonus
        sys.stderr.write(f"warning: report.html not written: {type(exc).__name__}: {exc}\n")
        return None


def error_text(exc: Exception) -> str:
    """One line for a failed run: a data error already reads ``file:line: problem``;
    anything else is prefixed with its type (``PluginContractError: worker ...``)."""
    from stc.runtime.api import DataError

    return str(exc) if isinstance(exc, DataError) else f"{type(exc).__name__}: {exc}"


def _warn_skipped(metrics: dict[str, object]) -> None:
    """A run that dropped bad rows says so (the rows are notes in the journal)."""
    skipped = metrics.get("bad_bars_skipped")
    if isinstance(skipped, int) and skipped > 0:
        sys.stderr.write(
            f"warning: skipped {skipped} bad bar{'s' if skipped != 1 else ''} "
            "(--on-bad-bar skip); each is a bad_bar_skipped note in journal.sqlite\n"
        )


def _operation_data(outcome: CompileOutcome, path: Path) -> Path | None:
    """The linked data source's file, relative to the operation file."""
    unit = outcome.unit
    if unit is None or unit.data_source is None:
        return None
    return path.parent / unit.data_source.path


def _print_summary(strategy: str, result: RunResult, paths: dict[str, Path], out: Path) -> None:
    environment = result.environment
    what = "backtest" if environment == "backtest" else f"{environment} run"
    metrics = result.metrics
    lines = [f"{strategy}: {what} finished"]
    keys = ("total_return", "cagr", "max_drawdown", "sharpe", "win_rate", "trades", "faults")
    for key in (*keys, "data_gaps"):
        if key in metrics:
            lines.append(f"  {key:<14} {_fmt(metrics[key])}")
    if result.engine_note:
        lines.append(f"  engine         fast: {result.engine_note}")
    lines.append(f"  wiring map     {out / 'wiring_map.yaml'}")
    for name, file in sorted(paths.items()):
        lines.append(f"  {name:<14} {file}")
    sys.stdout.write("\n".join(lines) + "\n")


def _fmt(value: object) -> str:
    return f"{value:.4f}" if isinstance(value, float) else str(value)


class Progress:
    """A progress line: a bar with bars/s and ETA on a TTY, periodic plain lines
    otherwise (CI logs stay readable).

    The rate is measured from the first report on, not from the start of the run: the
    time before the first bar (loading the data, the fast engine's batch part) is not
    bar time, and counting it made a 20 s run's first line say "ETA 188s". The first
    line therefore shows no rate or ETA yet."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.last = 0.0
        self.shown = False
        self.last_done = -1
        self.base: tuple[float, int] | None = None
        """(time, bars done) of the first report: where the rate is measured from."""

    def __call__(self, done: int, total: int) -> None:
        now = time.perf_counter()
        interval = 0.1 if self.tty else 5.0
        if done == self.last_done or (now - self.last < interval and done < total):
            return  # throttled, or this state was already shown
        self.last, self.last_done = now, done
        pace = self._pace(now, done, total)
        if self.tty:
            filled = int(30 * done / max(total, 1))
            bar = "#" * filled + "." * (30 - filled)
            shown = f"  {pace[0] / 1000:.1f}k bars/s  ETA {pace[1]:.0f}s" if pace else ""
            self.stream.write(f"\r[{bar}] {done}/{total} bars{shown}")
        else:
            shown = f", {pace[0]:.0f} bars/s, ETA {pace[1]:.0f}s" if pace else ""
            self.stream.write(f"progress: {done}/{total} bars{shown}\n")
        self.shown = True
        self.stream.flush()

    def _pace(self, now: float, done: int, total: int) -> tuple[float, float] | None:
        """(bars/s, seconds left) since the first report; None on the first report or
        before any time or bar has passed since it."""
        if self.base is None:
            self.base = (now, done)
            return None
        seconds, bars = now - self.base[0], done - self.base[1]
        if seconds <= 0 or bars <= 0:
            return None
        rate = bars / seconds
        return rate, (total - done) / rate

    def finish(self) -> None:
        """End the progress line."""
        if self.tty and self.shown:
            self.stream.write("\n")
