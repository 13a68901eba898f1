"""Timeframe check (STC070): every timeframe a worker reads must be one the data
can supply — listed in the blueprint and obtainable by resampling the data source's
bars (a higher timeframe must be a whole multiple of the source's).
"""

from __future__ import annotations

import re

from stc.compiler.diagnostics import Diagnostic, Severity
from stc.compiler.rules import Rule
from stc.compiler.unit import CompileUnit

_UNIT_MINUTES = {"m": 1, "h": 60, "d": 1440, "w": 10080}
_PATTERN = re.compile(r"^([1-9][0-9]*)(m|h|d|w|M)$")


def minutes(timeframe: str) -> int | None:
    """Length in minutes; None for calendar months (``M``), which vary."""
    match = _PATTERN.match(timeframe)
    if match is None or match.group(2) == "M":
        return None
    return int(match.group(1)) * _UNIT_MINUTES[match.group(2)]


def can_resample(source: str, target: str) -> bool:
    """True when bars of ``target`` can be built from closed bars of ``source``."""
    if source == target:
        return True
    src, dst = minutes(source), minutes(target)
    if dst is None:  # months are whole days: any source up to a day works
        return src is not None and 1440 % src == 0
    if src is None:
        return False
    return dst > src and dst % src == 0


def _finer(target: str, source: str) -> bool:
    a, b = minutes(target), minutes(source)
    return a is not None and b is not None and a < b


STC070 = Rule(
    "STC070",
    Severity.ERROR,
    "timeframe the data source cannot supply",
    """A worker needs a timeframe the data source cannot supply.

    Why it is bad: the worker's window would stay empty, or would need bars finer than
    the data (which cannot be invented). Example: ``timeframes: [15m]`` with 1h data, or
    a worker with ``timeframe: 4h`` in a blueprint whose ``timeframes`` lack 4h. Fix:
    list the timeframe in ``timeframes`` and use data at least as fine as the tick
    timeframe, whose multiples the higher timeframes are.""",
    bad="timeframes: [15m, 1h]  # the data source has 1h bars",
    fixed="timeframes: [1h, 4h]",
)


COMMON_TIMEFRAMES = ("5m", "15m", "1h", "4h", "1d", "1w", "1M")
"""Candidates for the help's examples, finest first."""


def _resample_help(base: str) -> str:
    """The help of STC070 for a timeframe finer than (or no multiple of) ``base``:
    examples only of timeframes that really can be built from ``base`` (monthly data
    has none coarser that stc builds, so it says so instead of suggesting 4h)."""
    coarser = [tf for tf in COMMON_TIMEFRAMES if tf != base and can_resample(base, tf)]
    if not coarser:
        return f"bars cannot be invented: with {base} data use `{base}` itself, or finer data"
    examples = ", ".join(coarser[:2])
    return (
        "bars cannot be invented: use the data's bar length or whole multiples "
        f"of it (e.g. {base} → {examples}), or finer data"
    )


def check_timeframes(unit: CompileUnit) -> list[Diagnostic]:
    """Report STC070 (the rule above says why)."""
    problems = []
    timeframes = unit.blueprint.timeframes
    tick = unit.blueprint.tick_timeframe
    source = unit.data_source.timeframe if unit.data_source else None
    for i, timeframe in enumerate(timeframes):
        base = source or tick
        if not can_resample(base, timeframe):
            origin = f"the data source's {source}" if source else f"the tick timeframe {tick}"
            problems.append(
                unit.diag(
                    STC070,
                    f"timeframe `{timeframe}` cannot be built from {origin} bars"
                    + (" (it is finer than the data)" if _finer(timeframe, base) else ""),
                    ("timeframes", i),
                    _resample_help(base),
                )
            )
    for worker in unit.resolved():
        if worker.ref.timeframe and worker.ref.timeframe not in timeframes:
            problems.append(
                unit.diag(
                    STC070,
                    f"{worker.label} reads `{worker.ref.timeframe}`, which is not in the "
                    f"blueprint's timeframes [{', '.join(timeframes)}]",
                    (*worker.loc, "timeframe"),
                    f"add `{worker.ref.timeframe}` to `timeframes:`",
                    subjects=(worker.id,),
                )
            )
    return problems


CHECKS = (check_timeframes,)
