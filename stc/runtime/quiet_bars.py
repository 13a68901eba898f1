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
  first bar that may fill (the skipper's range search);
* :func:`orders_due` is the skipper's walk over the venue's book (session 16): the
  first bar an order surely needs the venue, and the resting limits whose prices the
  range search must watch. ict_smc keeps ~28 orders in the book on a busy tick; in
  interpreted Python the walk was the largest part of ``Skipper.next_busy``.

numpy-free on purpose: mypyc compiles a loop over ``list[float]`` to C.
"""

from __future__ import annotations

from stc.runtime.dtos.market import Bar
from stc.runtime.execution.venue import Order
from stc.runtime.ledger import Ledger, OpenTrade

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


def orders_due(
    orders: list[Order],
    start: int,
    end: int,
    open_trades: dict[str, OpenTrade],
    gtc_bars: int,
    limits: list[Limit],
) -> int:
    """The first bar in ``start..end`` where an order of the book surely needs the venue
    (``end`` if none), appending to ``limits`` each resting limit order's price and
    side (it needs the venue where its price is touched: the range search).

    Per order (``Venue._match_orders``): an exit of a closed trade is cancelled, a
    market order or an untriggered stop-limit fills (or may trigger: kept
    conservative), an IOC/FOK or limit-less order fills or expires, each at its first
    eligible bar. A resting limit is watched by its price and, when GTC orders expire
    (``gtc_bars`` > 0), is also due at its expiry."""
    for order in orders:
        eligible = order.active_from if order.active_from > start else start
        limit = order.limit
        if (
            (order.purpose == "EXIT" and order.trade_id not in open_trades)
            or order.kind == "MARKET"
            or (order.kind == "STOP_LIMIT" and not order.triggered)
            or order.tif == "IOC"
            or order.tif == "FOK"
            or limit is None
        ):
            if eligible < end:
                end = eligible
            continue
        limits.append((limit, order.side == "BUY"))
        if gtc_bars > 0:
            expiry = order.active_from + gtc_bars - 1  # ``_expired``: index - from + 1 >= gtc
            due = expiry if expiry > eligible else eligible
            if due < end:
                end = due
    return end
