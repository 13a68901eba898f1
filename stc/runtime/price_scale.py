"""Refuse a market whose prices a run cannot represent (issue 27).

The ledger and the planners keep prices on a relative grid (:mod:`stc.runtime.precision`),
so a market quoted at 1e-9 trades as one quoted at 1. Outside
[:data:`~stc.runtime.precision.MIN_PRICE`, :data:`~stc.runtime.precision.MAX_PRICE`]
that promise cannot be kept, and a run there would be silently wrong (sizes rounded
away, no trade at all), so it is refused with the reason instead:

- before the run, on the bars ``check_data_fit`` samples anyway (the first
  ``SAMPLE_BARS``): one ``error:`` line and nothing written;
- during the run, by :func:`within_price_scale` on the bar stream, for a later bar
  (one comparison of the bar's low and high; ends the run like a bad bar does).

A price that is not positive or not finite is not a scale problem: the data reader
already refuses it as a bad row.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from stc.runtime.data import DataError
from stc.runtime.dtos.market import Bar
from stc.runtime.precision import MAX_PRICE, MIN_PRICE, price_scale_problem


class PriceScaleError(DataError):
    """A bar's price is outside the range a run represents."""


def check_bar_scale(bar: Bar, where: str) -> None:
    """PriceScaleError naming ``where``, the bar and the reason when a price of ``bar``
    is outside [MIN_PRICE, MAX_PRICE]."""
    if bar.low >= MIN_PRICE and bar.high <= MAX_PRICE:
        return
    for column in ("low", "high", "open", "close"):
        value: float = getattr(bar, column)
        problem = price_scale_problem(value)
        if problem is not None:
            raise PriceScaleError(
                f"{where}: the bar of {bar.time.isoformat()} has {column} {value!r}, which "
                f"{problem}; quote the market in a larger or smaller unit (e.g. per 10^6 "
                "tokens) so that its prices lie within "
                f"[{MIN_PRICE:g}, {MAX_PRICE:g}]"
            )


def within_price_scale(bars: Iterable[Bar], where: str) -> Iterator[Bar]:
    """``bars``, each checked by :func:`check_bar_scale` as it passes."""
    for bar in bars:
        if not (bar.low >= MIN_PRICE and bar.high <= MAX_PRICE):  # inlined: every bar
            check_bar_scale(bar, where)
        yield bar
