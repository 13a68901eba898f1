"""Timeframe units and data length (STC073, STC074): checks of what a timeframe *means*
against the data, not only of whether it can be built.

``15M`` is a valid timeframe — fifteen months — so the shape check accepts it; on
hourly data it is almost always ``15m`` mistyped, and a worker on it never warms up
(the run makes no trade and says nothing). A warm-up longer than the whole data file
has the same silent outcome.
"""

from __future__ import annotations

import os
from pathlib import Path

from stc.compiler.checks.timeframes import can_resample, minutes
from stc.compiler.diagnostics import Applicability, Diagnostic, Severity
from stc.compiler.rules import Rule
from stc.compiler.suggest import replace_at
from stc.compiler.unit import CompileUnit, Loc, WorkerInstance

MONTH_MINUTES = 43_830
"""An average month (365.25 / 12 days) in minutes: for comparing lengths only."""

_DAY = 1440


def length_minutes(timeframe: str) -> int | None:
    """A bar's length in minutes, months counted as average months."""
    if timeframe.endswith("M") and timeframe[:-1].isdigit():
        return int(timeframe[:-1]) * MONTH_MINUTES
    return minutes(timeframe)


def _span(total: float) -> str:
    """A duration in words with its unit: ``125 days``, ``36 hours``, ``5.2 years``."""
    days = total / _DAY
    if days >= 730:
        return f"{days / 365.25:.1f} years"
    if days >= 2:
        return f"{days:,.0f} days"
    return f"{total / 60:,.0f} hours"


STC073 = Rule(
    "STC073",
    Severity.WARNING,
    "timeframe in months (capital M) on intraday data",
    """A timeframe in months (capital ``M``) where the data is intraday.

    Why it is bad: ``15M`` is fifteen *months*; a worker on it needs years of data
    before its first value, so the run makes no trade and says nothing. Example:
    ``timeframe: 15M`` on 1h data. Fix: write minutes with a small ``m`` (``15m``); the
    help offers it as a fix (maybe-incorrect: months may be meant).""",
    bad="timeframes: [1h, 15M]  # on 1h data",
    fixed="timeframes: [1h, 15m]",
)


def check_month_units(unit: CompileUnit) -> list[Diagnostic]:
    """Report STC073 (the rule above says why)."""
    base = _data_timeframe(unit)
    base_minutes = minutes(base) if base else None
    if base is None or base_minutes is None or base_minutes >= _DAY:
        return []
    problems = []
    places: list[tuple[str, Loc, WorkerInstance | None]] = [
        (tf, ("timeframes", i), None) for i, tf in enumerate(unit.blueprint.timeframes)
    ]
    places += [(w.ref.timeframe, (*w.loc, "timeframe"), w) for w in unit.workers if w.ref.timeframe]
    for timeframe, loc, worker in places:
        if not timeframe.endswith("M"):
            continue
        count = timeframe[:-1]
        meant = f"{count}m"
        who = f"{worker.label} reads" if worker else "the blueprint lists"
        buildable = can_resample(base, meant)
        fixes = (
            replace_at(
                unit.blueprint_file,
                unit.mark(loc),
                unit.blueprint_loaded.source,
                meant,
                f"write `{meant}` (minutes)",
                Applicability.MAYBE_INCORRECT,
            )
            if buildable
            else ()
        )
        help = (
            f"did you mean `{meant}` ({count} minutes)? `M` is months, `m` minutes"
            if buildable
            else f"`M` is months; write a multiple of the data's {base} (e.g. `4h`, `1d`)"
        )
        problems.append(
            unit.diag(
                STC073,
                f"{who} `{timeframe}`: {count} month{'s' * (count != '1')} "
                f"(about {_span(int(count) * MONTH_MINUTES)}), but the data is {base} bars",
                loc,
                help,
                subjects=(worker.id,) if worker else (),
                suggestions=fixes,
            )
        )
    return problems


STC074 = Rule(
    "STC074",
    Severity.WARNING,
    "warm-up longer than the data",
    """A worker's warm-up is longer than the operation's data.

    Why it is bad: the worker never produces a value, so nothing downstream of it ever
    fires: a run of zero trades with no error. Example: ``ADXRegimeClassifier`` with
    ``period: 14`` on ``timeframe: 1M`` (28 months of warm-up) over 4 months of 1h bars.
    Fix: a shorter period or timeframe, or more data; the message gives both lengths.""",
    bad=(
        "# 4 months of 1h data\n"
        "- plugin: ADXRegimeClassifier\n"
        "  timeframe: 1M\n"
        "  params: {period: 14}"
    ),
    fixed=("- plugin: ADXRegimeClassifier\n  timeframe: 1d\n  params: {period: 14}"),
)


def check_warmup_length(unit: CompileUnit) -> list[Diagnostic]:
    """Report STC074 (the rule above says why)."""
    data = _data_length(unit)
    if data is None:
        return []
    bars, base = data
    base_minutes = length_minutes(base)
    if base_minutes is None:
        return []
    available = bars * base_minutes
    problems = []
    for worker in unit.resolved():
        needed = _warmup_minutes(worker)
        if needed is None or needed <= available:
            continue
        problems.append(
            unit.diag(
                STC074,
                f"{worker.label} needs {worker.warmup:,} bars of {worker.timeframe} "
                f"(about {_span(needed)}) to warm up, but the data holds {bars:,} bars of "
                f"{base} (about {_span(available)})",
                (*worker.loc, "plugin"),
                "use a shorter period or timeframe, or a longer data file",
                subjects=(worker.id,),
            )
        )
    return problems


def _warmup_minutes(worker: WorkerInstance) -> int | None:
    length = length_minutes(worker.timeframe) if worker.timeframe else None
    return None if length is None or worker.warmup <= 0 else worker.warmup * length


def _data_timeframe(unit: CompileUnit) -> str | None:
    """The bar length of the data: the data source's, else the tick timeframe when a
    finer worker timeframe shows the tick is the data's bar."""
    if unit.data_source is not None:
        return unit.data_source.timeframe
    tick = unit.blueprint.tick_timeframe
    return tick if not tick.endswith("M") else None


def _data_length(unit: CompileUnit) -> tuple[int, str] | None:
    """(bars, timeframe) of the operation's CSV data file; None when there is none.

    Rows are counted as lines after the header (no parsing): a check must stay fast,
    and a bar more or less does not change the verdict.
    """
    source = unit.data_source
    if source is None or unit.operation_file is None or source.format != "csv":
        return None
    path = Path(unit.operation_file).parent / source.path
    if not os.path.isfile(path):
        return None  # reported by the operation's own check (STC009)
    with open(path, "rb") as handle:
        lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
    if lines <= 1:
        return None  # no bars at all: the runtime's data check says so, with the file
    return lines - 1, source.timeframe


CHECKS = (check_month_units, check_warmup_length)
