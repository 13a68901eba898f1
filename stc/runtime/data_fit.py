"""Does the data fit the blueprint? Checked before the first bar is used (issue 19).

A backtest on bars of the wrong length runs "fine" and is quietly wrong: daily bars
under a 1h blueprint each play an hourly bar (and a 4h bar a day late). So the run
infers the data's bar interval from its first bars and compares it with the plan's
tick timeframe:

- the interval is the most common spacing between consecutive timestamps (weekends,
  holidays and deleted rows are rarer than the regular step, so they do not move it);
  a tie goes to the shorter spacing;
- equal (within 10 %, so that DST-shifted daily bars and calendar months fit) → run;
- coarser → :class:`DataFitError` naming both;
- finer → :class:`DataFitError`, unless ``resample`` is asked for (``stc run
  --resample``), in which case :func:`resampled` builds tick bars from the data with
  the same aligned, no-look-ahead :class:`~stc.runtime.data.Resampler` as the higher
  timeframes (the tick timeframe must then be a whole multiple of the interval).

The symbol of the plan's data source (an operation's ``data_sources``) must be the
plan's symbol unless the link set ``allow_symbol_mismatch: true``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from stc.runtime.data import DataError, Resampler, iter_bars, timeframe_seconds
from stc.runtime.data_formats import lacks_volume
from stc.runtime.dtos.market import Bar
from stc.runtime.plan.model import Plan
from stc.runtime.price_scale import PriceScaleError, within_price_scale

SAMPLE_BARS = 2000
"""Bars read to infer the interval (a few weeks of hourly data; the read streams)."""
_TOLERANCE = 0.1
_UNITS = (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60))


class DataFitError(DataError):
    """The data does not fit the blueprint (bar interval or symbol)."""


@dataclass(frozen=True)
class DataFit:
    """What the check found: the data's interval and whether to resample it."""

    interval_seconds: float | None  # None: fewer than two bars, nothing to compare
    resample_from: str | None = None  # the data's interval as a timeframe, when resampling


def infer_interval(bars: Iterable[Bar]) -> float | None:
    """The most common positive spacing (seconds) of ``bars``' timestamps; ties go to
    the shorter one. None with fewer than two bars."""
    spacings: Counter[float] = Counter()
    previous = None
    for bar in bars:
        if previous is not None:
            step = (bar.time - previous).total_seconds()
            if step > 0:
                spacings[step] += 1
        previous = bar.time
    if not spacings:
        return None
    return min(spacings, key=lambda step: (-spacings[step], step))


def sampled_interval(path: Path, data_format: Any = None) -> float | None:
    """The interval of the first ``SAMPLE_BARS`` good bars of ``path``; None when it
    has fewer than two or none at all (bad rows are the run's to report, with their
    ``file:line``; they are skipped here). A price of the sample the run cannot
    represent raises PriceScaleError (:mod:`stc.runtime.price_scale`)."""
    try:
        bars = within_price_scale(iter_bars(path, "skip", [], fmt=data_format), str(path))
        return infer_interval(islice(bars, SAMPLE_BARS))
    except PriceScaleError:
        raise
    except DataError:  # no usable bar at all: the run says why, as it always did
        return None


def describe_interval(seconds: float) -> str:
    """``3600`` → ``1h``; a spacing no unit divides reads in seconds (``90s``)."""
    for unit, size in _UNITS:
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def check_data_fit(
    path: Path,
    tick_timeframe: str,
    *,
    resample: bool = False,
    data_format: Any = None,
) -> DataFit:
    """Compare the bar interval of ``path`` with ``tick_timeframe``; DataFitError when
    they do not fit (see the module docstring). Reads at most ``SAMPLE_BARS`` bars."""
    interval = sampled_interval(path, data_format)
    if interval is None:
        return DataFit(None)
    tick = timeframe_seconds(tick_timeframe)
    ratio = interval / tick
    have = describe_interval(interval)
    if ratio > 1 + _TOLERANCE:
        raise DataFitError(
            f"{path}: the data's bars are {have} apart, coarser than the blueprint's tick "
            f"timeframe {tick_timeframe}; use {tick_timeframe} data (or finer, with "
            f"--resample), or set the blueprint's first timeframe to {have}"
        )
    if ratio >= 1 - _TOLERANCE:
        return DataFit(interval)
    if not resample:
        raise DataFitError(
            f"{path}: the data's bars are {have} apart, finer than the blueprint's tick "
            f"timeframe {tick_timeframe}; pass --resample to build {tick_timeframe} bars "
            f"from them, or use {tick_timeframe} data"
        )
    if interval % 60 or tick % interval or have.endswith("s"):
        raise DataFitError(
            f"{path}: cannot resample {have} bars to {tick_timeframe} ({tick_timeframe} is "
            f"not a whole multiple of {have}); use {tick_timeframe} data"
        )
    return DataFit(interval, resample_from=have)


def check_symbol(plan_symbol: str, data_source: Mapping[str, str] | None) -> None:
    """DataFitError when the plan's data source is for another symbol (an operation
    linking EURUSD's blueprint to GBPUSD data) and the link did not allow it."""
    if not data_source:
        return
    symbol = data_source.get("symbol")
    if not symbol or symbol == plan_symbol:
        return
    if str(data_source.get("allow_symbol_mismatch", "")).lower() == "true":
        return
    name = data_source.get("name") or data_source.get("path") or "?"
    raise DataFitError(
        f"data source {name!r} is {symbol}, the blueprint trades {plan_symbol}; link data "
        f"of {plan_symbol}, or set `allow_symbol_mismatch: true` on the strategy link"
    )


def resampled(bars: Iterable[Bar], tick_timeframe: str, data_interval: str) -> Iterator[Bar]:
    """Tick bars of ``tick_timeframe`` built from finer ``bars`` (``--resample``): each
    is yielded when closed, as the higher timeframes are (docs/runtime.md, Data)."""
    resampler = Resampler(tick_timeframe, data_interval)
    for bar in bars:
        yield from resampler.push(bar)
    # A last period the data ends inside never closed: it is dropped, not invented.


def volume_readers(plan: Plan) -> list[str]:
    """The workers of a loaded plan that read bar volume (``reads_volume: true``),
    named ``id (plugin)`` as :func:`check_volume`'s message shows them."""
    return [f"{w.id} ({w.plugin})" for w in plan.workers if w.reads_volume]


def check_volume(readers: list[str], path: Path, data_format: Any) -> None:
    """DataFitError when one of ``readers`` (workers that read volume, named
    ``id (plugin)``) would run on ``path``, read with ``data_format``, which has no
    volume (``--volume optional`` on a file without a volume column): its volume would
    be 0 on every bar, a silently wrong run."""
    if not readers or not lacks_volume(path, data_format):
        return
    which = ", ".join(f"`{r}`" for r in readers)
    verb = "reads" if len(readers) == 1 else "read"
    raise DataFitError(
        f"{path}: no volume column (--volume optional reads volume as 0), but worker "
        f"{which} {verb} bar volume; use data with a volume column, or a blueprint "
        "without that worker"
    )


def check_plan_data(
    plan: Plan | Mapping[str, Any],
    data: Path | None,
    *,
    resample: bool = False,
    data_format: Any = None,
) -> DataFit:
    """Both checks for a plan (loaded, or a compiled wiring map, loaded here once) and
    its data file (None: the bundled data set): what ``stc run`` calls before it
    writes anything."""
    from stc.runtime.plan import load_plan
    from stc.runtime.resources import default_data_path

    loaded = plan if isinstance(plan, Plan) else load_plan(plan)
    check_symbol(loaded.symbol, loaded.data_source)
    path = data if data is not None else default_data_path()
    check_volume(volume_readers(loaded), path, data_format)
    return check_data_fit(path, loaded.timeframes[0], resample=resample, data_format=data_format)
