"""The runtime's entry points: ``run`` a compiled plan, ``explain`` a trade."""

from __future__ import annotations

import csv
import importlib
import io
import json
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from stc.runtime.artefacts import atomic_open, write_atomically
from stc.runtime.batch import BarArrays
from stc.runtime.data import (
    DataError,
    OnBadBar,
    SkippedBar,
    count_rows,
    timeframe_seconds,
)
from stc.runtime.data_blocks import BarTap, run_bars
from stc.runtime.data_columns import bars_from_arrays
from stc.runtime.data_fit import (
    DataFit,
    check_data_fit,
    check_symbol,
    check_volume,
    resampled,
    volume_readers,
)
from stc.runtime.data_formats import CsvFormat, format_record, plan_data_format
from stc.runtime.display import plain, plain_price
from stc.runtime.dtos.ledger import Trade
from stc.runtime.dtos.market import Bar
from stc.runtime.engine import Engine, Fault
from stc.runtime.execution.connector import ExchangeConnector, FakeExchange
from stc.runtime.fast_fallback import run_with_hand_over
from stc.runtime.guard import DEFAULT_PLUGIN_TIMEOUT
from stc.runtime.journal import explain as _explain
from stc.runtime.plan import Plan, PlanError, PluginSource, load_plan
from stc.runtime.resources import DEFAULT_DATA_FILE, default_data_path
from stc.runtime.resume import open_journal, paced_after, run_fingerprint
from stc.runtime.run_lock import run_folder_lock
from stc.runtime.run_result import EngineMode
from stc.runtime.tick_blocks import BlockBars, fast_columns

TRADE_COLUMNS = (
    "trade_id", "symbol", "direction", "entry_time", "entry_price", "size", "exit_time",
    "exit_price", "exit_reason", "stop_loss_price", "take_profit_price", "fees", "pnl",
    "execution_directive_id",
)  # fmt: skip

ENVIRONMENTS = ("backtest", "paper", "live")
"""What ``env`` may name; each has a reference execution handler."""

HANDLER_ENTRY_POINTS = "stc.execution_handlers"
"""The entry point group that names each environment's reference execution handler
(``backtest = "package.module:Class"``, in stc's pyproject.toml): the runtime names no
plugin module itself."""


@dataclass(frozen=True)
class RunResult:
    """What ``run`` produced: trades, metrics, faults and the files it wrote."""

    trades: Sequence[Trade]  # a stc.runtime.ledger.TradeLog
    metrics: dict[str, Any]
    faults: tuple[Fault, ...]
    paths: dict[str, Path]
    equity_curve: Sequence[float] = ()  # an array('d') from a run: one float per bar
    environment: str = "backtest"  # the one the run used (``env`` or the plan's)
    engine_note: str = ""
    """With ``engine="fast"``: how many bars it skipped, or why every bar ran."""


def run(
    plan: Plan | Path | Mapping[str, Any],
    *,
    data: Path | None = None,
    out_dir: Path,
    env: str | None = None,
    plugin_roots: Sequence[Path] = (),
    fail_fast: bool = False,
    progress: Callable[[int, int], None] | None = None,
    speed: float | None = None,
    connector: ExchangeConnector | None = None,
    resume: bool = False,
    on_bad_bar: OnBadBar = "error",
    resample: bool = False,
    plugin_timeout: float | None = DEFAULT_PLUGIN_TIMEOUT,
    data_name: str | None = None,
    data_format: CsvFormat | None = None,
    keep_history: bool = True,
    engine: EngineMode = "incremental",
    tap: BarTap | None = None,
) -> RunResult:
    """Run ``plan`` over ``data`` and write trades.csv, metrics.json, journal.sqlite.

    ``env`` overrides the plan's environment and swaps in the matching reference
    handler when the plan's handler is for another one. Paper runs pace the bars in
    wall-clock time divided by ``speed`` (default 1 = real time). Live runs use
    ``connector`` (default: an in-process FakeExchange clocked by the data).
    ``resume`` continues an interrupted run in ``out_dir`` (see :mod:`stc.runtime.resume`):
    the same plan, data and options, ending with the same files as if it had never
    stopped. ``on_bad_bar="skip"`` drops bad data rows instead of failing: each is
    journaled as a ``bad_bar_skipped`` note and counted in ``bad_bars_skipped``.
    Data that does not fit the plan (bar interval, data source symbol) raises a
    DataFitError before anything is written; ``resample=True`` builds the tick bars
    from finer data instead (:mod:`stc.runtime.data_fit`).
    ``plugin_timeout`` (seconds; None or 0: none) makes a tick whose plugin calls run
    longer a fault of its flow (see :mod:`stc.runtime.guard`).
    ``data_name`` is how notes and errors name the data file (default: its path as
    given; a resume passes the name the interrupted run was given).
    ``keep_history=False`` (what ``stc run`` passes) keeps neither the per-bar equity
    curve nor the trades in memory: the metrics are accumulated bar by bar, each trade
    is written to trades.csv as it closes, and the result's ``trades`` and
    ``equity_curve`` are empty (the same files either way; issue 27).
    ``engine`` picks the engine: ``incremental`` (the default: every worker on
    every bar, the reference) or ``fast`` (batch forms and event skipping); both write
    the same files (issue 23), the journal's ``meta`` records which one ran.
    """
    loaded = plan if isinstance(plan, Plan) else load_plan(plan)
    environment = env or loaded.environment
    if environment not in ENVIRONMENTS:
        raise PlanError(f"unknown environment {environment!r}: backtest, paper or live")
    loaded = _with_handler(loaded, environment)
    data_path = _data_path(loaded, data)
    out = Path(out_dir)
    refuse_data_among_outputs(data_path, out)
    check_symbol(loaded.symbol, loaded.data_source)
    data_format = data_format or plan_data_format(loaded.data_source)
    check_volume(volume_readers(loaded), data_path, data_format)
    fit = check_data_fit(data_path, loaded.timeframes[0], resample=resample,
                         data_format=data_format)  # fmt: skip
    with run_folder_lock(out):  # one run per folder: a second one is refused here
        return _run_locked(
            loaded, data_path, out, environment, plugin_roots, fail_fast, progress, speed,
            connector, resume, on_bad_bar, plugin_timeout, fit, data_name, data_format,
            keep_history, engine, tap,
        )  # fmt: skip


def _run_locked(
    loaded: Plan,
    data_path: Path,
    out: Path,
    environment: str,
    plugin_roots: Sequence[Path],
    fail_fast: bool,
    progress: Callable[[int, int], None] | None,
    speed: float | None,
    connector: ExchangeConnector | None,
    resume: bool,
    on_bad_bar: OnBadBar,
    plugin_timeout: float | None,
    fit: DataFit,
    data_name: str | None,
    data_format: CsvFormat | None,
    keep_history: bool,
    mode: EngineMode,
    tap: BarTap | None = None,
) -> RunResult:
    """``run`` once the run directory is this process's (and the data fits the plan)."""
    skipped: list[SkippedBar] = []  # filled by the stream, drained by the engine
    data, total = _market_data(
        loaded,
        data_path,
        on_bad_bar,
        skipped,
        data_name,
        data_format,
        columnar=mode == "fast",
        tap=tap,
        counted=progress is not None,
    )
    columns = data if isinstance(data, BarArrays) else None
    bars = bars_from_arrays(data) if isinstance(data, BarArrays) else data
    if fit.resample_from is not None:
        columns = None
        bars = resampled(bars, loaded.timeframes[0], fit.resample_from)
        total = int(total * (fit.interval_seconds or 1) / timeframe_seconds(loaded.timeframes[0]))
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "trades": out / "trades.csv",
        "metrics": out / "metrics.json",
        "journal": out / "journal.sqlite",
    }
    for stale in (paths["trades"], paths["metrics"]):  # never leave a previous run's results
        stale.unlink(missing_ok=True)
    fingerprint = run_fingerprint(
        loaded, data_path, environment, fail_fast, plugin_roots, on_bad_bar
    ) | {"data_as_given": data_name or str(data_path), "engine": mode}
    if fit.resample_from is not None:  # recorded when used: a resume resamples the same way
        fingerprint["resample"] = "true"
    if data_format is not None:  # recorded when given: a resume reads the data the same way
        fingerprint["data_format"] = format_record(data_format)
    journal, replayed_to = open_journal(
        paths["journal"], fingerprint, resume=resume, durable=environment != "backtest"
    )
    feed: Iterable[Bar] | BarArrays = bars
    if environment == "paper":
        feed = paced_after(bars, replayed_to, loaded.timeframes[0], speed or 1.0)
    elif mode == "fast" and columns is not None:  # the data known ahead: the fast loop
        feed = columns
    if environment == "live" and connector is None:
        execution = loaded.execution
        connector = FakeExchange(execution.slippage_pct, execution.fee_pct)
    try:
        with atomic_open(paths["trades"], newline="") as trades_file:  # all or nothing

            def engine_in(engine_mode: EngineMode, rows: TradeRows) -> Engine:
                """An engine writing to ``rows`` and the journal (the new one after a
                hand-over: ``journal`` is read when this is called)."""
                return Engine(
                    loaded, feed, journal=journal, plugin_roots=plugin_roots,
                    fail_fast=fail_fast, connector=connector, total_bars=total,
                    skipped=skipped, plugin_timeout=plugin_timeout,
                    keep_history=keep_history, trade_sink=rows.write, engine=engine_mode,
                )  # fmt: skip

            def again() -> Engine:
                """The incremental engine takes the run over, from the first bar, into
                an empty trades.csv and a new journal: every row the incremental run's."""
                nonlocal journal
                trades_file.seek(0)
                trades_file.truncate()
                journal.close()
                journal, _ = open_journal(paths["journal"], fingerprint, resume=False,
                                          durable=environment != "backtest")  # fmt: skip
                return engine_in("incremental", TradeRows(trades_file))

            engine = engine_in(mode, TradeRows(trades_file))
            result, handed_over = run_with_hand_over(engine, again, progress)
            if handed_over is not None:
                note = handed_over
            else:
                note = fast_engine_note(engine) if mode == "fast" else ""
            journal.check_replayed()
        assert result.metrics is not None  # an Engine's result always carries them
        metrics = result.metrics.metrics(
            result.times, result.exposed_bars, len(result.faults), gaps=result.gaps,
            bad_bars_skipped=result.bad_bars_skipped,
        )  # fmt: skip
        text = json.dumps(metrics, indent=2, sort_keys=True, allow_nan=False) + "\n"
        write_atomically(paths["metrics"], text)  # all or nothing: a kill leaves no prefix
        journal.set_meta({"status": "completed"})
    finally:
        journal.close()
    return RunResult(
        result.trades, metrics, result.faults, paths, result.equity_curve, environment, note
    )


def fast_engine_note(engine: Engine) -> str:
    """What the fast engine did, for a user who asked for speed: the bars it skipped,
    or the first reason it had to run every bar (``Skipper.why_not``)."""
    loop = engine.fast
    if loop is None:
        return (
            "every bar ran in the incremental loop: the data streamed (bad rows, "
            "--resample, paper pacing or a format only the row reader takes)"
        )
    why = loop.skipper.why_not()
    if why is not None:
        return f"every bar ran: {why}"
    if loop.fell_back is not None:  # busy data: the incremental loop ran (session 16)
        return str(loop.fell_back)
    return (
        f"{loop.skipped_bars:,} of {loop.bar_count:,} bars skipped (nothing could happen on them)"
    )


def _market_data(
    plan: Plan,
    data_path: Path,
    on_bad_bar: OnBadBar,
    skipped: list[SkippedBar],
    data_name: str | None,
    data_format: CsvFormat | None,
    *,
    columnar: bool,
    tap: BarTap | None = None,
    counted: bool = True,
) -> tuple[Iterable[Bar] | BarArrays | BlockBars, int]:
    """The run's bars (columns when the file is clean) and their number (for progress).

    The columnar fast path (:func:`stc.runtime.data_columns.read_bar_arrays`) reads a
    file whose every row is a good bar into numpy columns at once; for any other file
    (or without numpy) the row reader streams it, validating as it reads and explaining
    a bad row with its ``file:line``. Both give the same bars, bit for bit. Columns are
    read only for the fast engine (``columnar``): the incremental engine streams rows,
    so its memory stays flat in the length of the data (84 MB at 1M bars against
    185 MB through columns; docs/performance.md, "Issue 23 merged"); a standard CSV's
    rows are parsed a block of columns at a time (:mod:`stc.runtime.data_blocks`), and
    so is its columns' read for the fast engine (:mod:`stc.runtime.tick_blocks`).
    ``tap`` is shown every bar: the columns at once, or the rows as they stream.
    The number of a stream's rows is counted only when ``counted`` (it feeds the
    progress line alone; 0 otherwise: a byte scan of the file, 0.04 s at 1M rows).
    """
    if tap is not None:
        tap.start(data_path)
    arrays = fast_columns(data_path, data_format, plan.timeframes, tap) if columnar else None
    if arrays is not None:  # a standard CSV a block at a time (tick_blocks), else whole
        return arrays, len(arrays)
    name = data_name or str(data_path)
    rows = run_bars(data_path, on_bad_bar, skipped, name, data_format, tap)
    return rows, count_rows(data_path) if counted else 0


OUTPUT_FILES = ("trades.csv", "metrics.json", "journal.sqlite")
"""What ``run`` writes into ``out_dir``, replacing (first deleting) earlier copies."""


def refuse_data_among_outputs(data: Path, out_dir: Path, also: Sequence[str] = ()) -> None:
    """DataError when ``data`` is a file the run replaces (one of ``OUTPUT_FILES``, the
    journal's ``-wal``/``-shm``, or ``also``): deleting the stale results first would
    delete the data — ``--data runs/x/trades.csv --out runs/x`` must not lose it."""
    names = (*OUTPUT_FILES, "journal.sqlite-wal", "journal.sqlite-shm", *also)
    if Path(data).resolve() in {(Path(out_dir) / name).resolve() for name in names}:
        raise DataError(
            f"{data}: the data file has the name of a file the run writes into {out_dir}, "
            "which would replace it; move or rename it, or choose another output directory"
        )


def _with_handler(plan: Plan, environment: str) -> Plan:
    """Swap the plan's execution handler for the reference one of ``environment``."""
    workers = []
    for spec in plan.workers:
        if spec.type == "execution_handler" and spec.subtype != environment:
            source = _handler_source(environment)
            params = {k: v for k, v in spec.params.items() if k == "gtc_bars"}
            if environment == "live":
                params = {}
            spec = spec.model_copy(
                update={"source": source, "subtype": environment, "params": params}
            )
        workers.append(spec)
    return plan.model_copy(update={"workers": tuple(workers), "environment": environment})


def _handler_source(environment: str) -> PluginSource:
    """The reference execution handler of ``environment``, as stc's package registers it
    in the ``stc.execution_handlers`` entry points (loaded only when a run swaps it in)."""
    from importlib.metadata import entry_points

    named = {point.name: point.value for point in entry_points(group=HANDLER_ENTRY_POINTS)}
    if environment not in named:
        raise PlanError(
            f"no execution handler registered for {environment!r} (entry point group "
            f"{HANDLER_ENTRY_POINTS}); reinstall stc"
        )
    module, _, class_name = named[environment].partition(":")
    return PluginSource(origin="builtin", module=module, class_name=class_name, folder="")


def _data_path(plan: Plan, data: Path | None) -> Path:
    """``data``, else the plan's ``data_source.path``, else the bundled data set.

    A relative ``data_source.path`` is tried next to the wiring map, then from the
    working directory; a path naming the bundled file falls back to the bundled copy
    (a compiled map may be written far from the operation file it came from).
    """
    if data is not None:
        return Path(data)
    source = plan.data_source or {}
    named = source.get("path") or source.get("file")
    if not named:
        return default_data_path()
    path = Path(named)
    candidates = [path] if path.is_absolute() else [Path.cwd() / path]
    if not path.is_absolute() and plan.base_dir is not None:
        candidates.insert(0, plan.base_dir / path)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    if path.name == DEFAULT_DATA_FILE:
        return default_data_path()
    return candidates[0]


def write_trades(path: Path, trades: Sequence[Trade]) -> None:
    """trades.csv: one row per closed trade, ``trade_id`` first."""
    with atomic_open(path, newline="") as handle:  # all or nothing: see stc.runtime.artefacts
        _write_trade_rows(handle, trades)


def trades_csv_text(trades: Sequence[Trade]) -> str:
    """What ``write_trades`` writes, as text (a sweep hashes it instead of a file)."""
    buffer = io.StringIO()
    _write_trade_rows(buffer, trades)
    return buffer.getvalue()


def _write_trade_rows(handle: IO[str], trades: Sequence[Trade]) -> None:
    rows = TradeRows(handle)
    for trade in trades:
        rows.write(trade)


class TradeRows:
    """trades.csv being written: the header at once, then one row per :meth:`write`
    (a run calls it as each trade closes, so the trades are never all in memory)."""

    def __init__(self, handle: IO[str]) -> None:
        self._writer = csv.writer(handle, lineterminator="\n")
        self._writer.writerow(TRADE_COLUMNS)

    def write(self, trade: Trade) -> None:
        """Append ``trade``'s row: the fields read in one ``attrgetter`` call, each cell
        formatted by its column's function (:data:`_CELL_FORMATS`)."""
        values = _TRADE_FIELDS(trade)
        self._writer.writerow([cell(v) for cell, v in zip(_CELL_FORMATS, values, strict=True)])


PRICE_COLUMNS = frozenset({"entry_price", "stop_loss_price", "take_profit_price", "exit_price"})
"""trades.csv columns holding prices: shown with their relative precision
(:func:`stc.runtime.display.plain_price`); money columns keep 10 decimals."""


def _value_cell(value: Any) -> str:
    """A cell: empty for None, a Decimal through :func:`plain`, a time in ISO form,
    anything else (ids, enums) as ``str``. The exact types a Trade holds are tried
    first (a subclass, e.g. an enum, takes the general path below)."""
    if value is None:
        return ""
    kind = type(value)
    if kind is str:
        return value  # type: ignore[no-any-return]
    if kind is datetime:
        return value.isoformat()  # type: ignore[no-any-return]
    if isinstance(value, Decimal):
        return plain(value)
    iso = getattr(value, "isoformat", None)
    return str(iso()) if iso is not None else str(value)


def _price_cell(value: Any) -> str:
    """A price column's cell: a Decimal through :func:`plain_price`."""
    return plain_price(value) if isinstance(value, Decimal) else _value_cell(value)


_TRADE_FIELDS = operator.attrgetter(*TRADE_COLUMNS)
_CELL_FORMATS = tuple(
    _price_cell if name in PRICE_COLUMNS else _value_cell for name in TRADE_COLUMNS
)
"""Each trades.csv column's formatter, chosen once rather than per cell (10k trades
are 140k cells)."""


def explain(run_dir: Path, trade_id: str) -> str:
    """The causality chain of ``trade_id`` from ``run_dir``'s journal."""
    return _explain(Path(run_dir) / "journal.sqlite", trade_id)


# ------------------------------------------------------------------ the commands' facade
# The command room (stc.commands) reaches the runtime only through this module (an
# import-linter contract in pyproject.toml). What the runner above does not already
# import is loaded on first use, so that a command pays only for what it touches.

if TYPE_CHECKING:
    from stc.runtime.artefacts import missing_artefacts as missing_artefacts
    from stc.runtime.data import not_a_data_file as not_a_data_file
    from stc.runtime.data_fit import DataFitError as DataFitError
    from stc.runtime.data_fit import check_plan_data as check_plan_data
    from stc.runtime.data_formats import format_from_record as format_from_record
    from stc.runtime.data_formats import make_format as make_format
    from stc.runtime.data_formats import parse_columns as parse_columns
    from stc.runtime.data_formats import parse_delimiter as parse_delimiter
    from stc.runtime.journal import JournalError as JournalError
    from stc.runtime.journal import ResumeError as ResumeError
    from stc.runtime.journal import UnknownTradeError as UnknownTradeError
    from stc.runtime.report import REPORT_FILE as REPORT_FILE
    from stc.runtime.report import WIRING_FILE as WIRING_FILE
    from stc.runtime.report import write_report as write_report
    from stc.runtime.report.spill import PriceSpill as PriceSpill
    from stc.runtime.resume import read_meta as read_meta
    from stc.runtime.run_lock import RunFolderBusy as RunFolderBusy
    from stc.runtime.sweep.executors import ExecutorError as ExecutorError
    from stc.runtime.sweep.executors import make_executor as make_executor
    from stc.runtime.sweep.report import ranked as ranked
    from stc.runtime.sweep.report import write_sweep_report as write_sweep_report
    from stc.runtime.sweep.results import RESULTS_FILE as RESULTS_FILE
    from stc.runtime.sweep.results import write_results as write_results
    from stc.runtime.sweep.study import STUDY_FILE as STUDY_FILE
    from stc.runtime.sweep.study import Study as Study
    from stc.runtime.sweep.task import VariantResult as VariantResult
    from stc.runtime.sweep.task import VariantTask as VariantTask
    from stc.runtime.sweep.task import sweep_bars as sweep_bars

_LAZY = {
    "missing_artefacts": "stc.runtime.artefacts",
    "not_a_data_file": "stc.runtime.data",
    "DataFitError": "stc.runtime.data_fit",
    "check_plan_data": "stc.runtime.data_fit",
    "format_from_record": "stc.runtime.data_formats",
    "make_format": "stc.runtime.data_formats",
    "parse_columns": "stc.runtime.data_formats",
    "parse_delimiter": "stc.runtime.data_formats",
    "JournalError": "stc.runtime.journal",
    "ResumeError": "stc.runtime.journal",
    "UnknownTradeError": "stc.runtime.journal",
    "REPORT_FILE": "stc.runtime.report",
    "WIRING_FILE": "stc.runtime.report",
    "write_report": "stc.runtime.report",
    "PriceSpill": "stc.runtime.report.spill",
    "read_meta": "stc.runtime.resume",
    "RunFolderBusy": "stc.runtime.run_lock",
    "ExecutorError": "stc.runtime.sweep.executors",
    "make_executor": "stc.runtime.sweep.executors",
    "ranked": "stc.runtime.sweep.report",
    "write_sweep_report": "stc.runtime.sweep.report",
    "RESULTS_FILE": "stc.runtime.sweep.results",
    "write_results": "stc.runtime.sweep.results",
    "STUDY_FILE": "stc.runtime.sweep.study",
    "Study": "stc.runtime.sweep.study",
    "VariantResult": "stc.runtime.sweep.task",
    "VariantTask": "stc.runtime.sweep.task",
    "sweep_bars": "stc.runtime.sweep.task",
}
"""Facade names loaded on first use, and the module each comes from."""

__all__ = [
    "OUTPUT_FILES", "TRADE_COLUMNS", "CsvFormat", "DataError", "EngineMode", "Plan", "PlanError",
    "PluginSource", "RunResult", "default_data_path", "explain", "format_record", "load_plan",
    "plan_data_format", "refuse_data_among_outputs", "run", "run_folder_lock",
    "trades_csv_text", "write_atomically", "write_trades", *_LAZY,
]  # fmt: skip


def __getattr__(name: str) -> object:
    """Load a facade name of ``_LAZY`` on first use (PEP 562)."""
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value
