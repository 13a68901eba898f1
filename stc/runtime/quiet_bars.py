"""The fast engine's per-stretch work in plain typed Python, compiled by mypyc with
the rest of the per-bar path (issue 23, session 12).

A quiet stretch of ema_trend with trades is ~85 bars long; numpy's fixed cost per call
(~1-2 µs, about twenty calls to mark a stretch and eight a chunk to search one) made
the fast engine slower there than the incremental engine's compiled bar loop. These
two loops run over Python lists of the stretch's prices (one ``tolist`` a column)
and call the ledger's own per-bar rules, natively:

* :func:`mark_closes` is :meth:`Ledger.mark` for each bar of a stretch, written out
  with the same float operations in the same order (so equal bit for bit), without a
  :class:`Bar` a bar;
* :func:`first_touch` is ``fill_model.exit_check``'s four tests and
  ``limit_fill``'s two, each widened to the bar's range, bar by bar, stopping at the
  first bar that may fill (the skipper's range search).

numpy-free on purpose: mypyc compiles a loop over ``list[float]`` to C.
"""

from __future__ import annotations

from stc.runtime.dtos.market import Bar
from stc.runtime.ledger import Ledger

Exit = tuple[float, float, bool]
"""An open trade's stop and target (NaN: none) and whether it is long."""

Limit = tuple[float, bool]
"""A resting limit order's price and whether it buys."""


def mark_closes(
    ledger: Ledger, closes: list[float], highs: list[float], lows: list[float], last: Bar
) -> None:
    """``Ledger.mark`` of each bar of a quiet stretch (``last`` is its last bar): the
    equity of each close, the ledger's peak, the metrics, the curve and the trades'
    extremes, as that many calls of ``mark`` leave them."""
    count = len(closes)
    if count == 0:
        return
    equities: list[float] = [0.0] * count
    metrics = ledger.metrics
    for k in range(count):
        equity = ledger.equity_at(closes[k])
        equities[k] = equity
        ledger.raise_peak(equity)
        metrics.add_equity(equity)
    high = highs[0]
    low = lows[0]
    for k in range(1, count):
        if highs[k] > high:
            high = highs[k]
        if lows[k] < low:
            low = lows[k]
    ledger.mark_quiet(last, count, high, low, equities)


def first_touch(
    opens: list[float],
    highs: list[float],
    lows: list[float],
    exits: list[Exit],
    limits: list[Limit],
) -> int:
    """The first bar (an index into the lists) whose range or open reaches a stop, a
    target or a limit price (``fill_model``'s tests, widened to the bar's range:
    long stops and short targets below, the others above, and the open either
    side for a gap), else -1."""
    for k in range(len(opens)):
        open_, high, low = opens[k], highs[k], lows[k]
        for stop, target, long in exits:
            if long:
                if low <= stop or open_ <= stop or high >= target or open_ >= target:
                    return k
            elif high >= stop or open_ >= stop or low <= target or open_ <= target:
                return k
        for price, buy in limits:
            if buy:
                if low <= price or open_ <= price:
                    return k
            elif high >= price or open_ >= price:
                return k
    return -1
