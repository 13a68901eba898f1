"""One streaming pass over a run's market data: everything the report needs from the bars.

The report used to load every bar and rebuild the equity at every close (1.25 GB for a
3M-bar ``stc run``). This pass keeps nothing per bar: each bar updates the mark-to-market
equity, the buy-and-hold line, the month-end equity and two bounded summaries
(:mod:`stc.runtime.report.decimate`), then is dropped. Memory is bounded by the number of
trades open at once and the fixed summary sizes, not by the length of the data.

The equity is the engine's curve rebuilt from ``trades.csv`` (exact up to partial
fills): a trade is open from the bar holding its entry until the bar holding its exit
(the last bar at or before the time), where its net P&L is realised; while open it is
marked at each close and charged the entry half of its fees. Deciding "the bar holding
a time" needs the next bar's time, so each bar is settled one bar late.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from stc.runtime.dtos.market import Bar
from stc.runtime.report.decimate import Candle, CandleDecimator, ExtremeDecimator, Point

_END = float("inf")


def to_float(text: str | None, default: float = 0.0) -> float:
    """A number from trades.csv or metrics, ``default`` when empty or not a number."""
    try:
        return float(text) if text not in (None, "") else default
    except ValueError:
        return default


def _stamp(text: str) -> float | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class OpenTrade:
    """A trade of ``trades.csv`` reduced to what marking it to market needs."""

    entry: float
    exit: float  # +inf while still open at the end of the data
    sign: float
    price: float
    size: float
    entry_fee: float
    pnl: float

    def marked(self, close: float) -> float:
        return self.sign * (close - self.price) * self.size - self.entry_fee


def open_trade(trade: dict[str, str]) -> OpenTrade | None:
    """A row of trades.csv reduced to what marking it needs (None without an entry)."""
    entry = _stamp(trade.get("entry_time", ""))
    if entry is None:
        return None
    exit_ = _stamp(trade.get("exit_time", ""))
    return OpenTrade(
        entry, _END if exit_ is None else exit_,
        -1.0 if trade.get("direction") == "SELL" else 1.0,
        to_float(trade.get("entry_price")), to_float(trade.get("size")),
        to_float(trade.get("fees")) / 2, to_float(trade.get("pnl")) if exit_ else 0.0,
    )  # fmt: skip


@dataclass
class MonthlyReturns:
    """Equity at each month's last bar; returns compound from the first bar's equity."""

    base: float | None = None
    month: tuple[int, int] | None = None
    last: float = 0.0
    ends: list[tuple[int, int, float]] = field(default_factory=list)

    def push(self, when: datetime, equity: float) -> None:
        key = (when.year, when.month)
        if self.base is None:
            self.base = equity
        elif key != self.month and self.month is not None:
            self.ends.append((*self.month, self.last))
        self.month, self.last = key, equity

    def returns(self) -> list[tuple[int, int, float]]:
        """(year, month, return) per calendar month with bars, oldest first."""
        ends = [*self.ends, (*self.month, self.last)] if self.month else []
        out, before = [], self.base
        for year, month, value in ends:
            out.append((year, month, value / before - 1.0 if before else 0.0))
            before = value
        return out


@dataclass
class PriceSummary:
    """What the report draws and computes from the bars, bounded whatever their number."""

    bars: int
    first_time: datetime
    last_time: datetime
    candles: list[Candle]
    candle_width: int
    equity: list[Point]
    buy_hold: list[Point]
    final_equity: float
    buy_hold_return: float
    max_drawdown: float
    monthly: list[tuple[int, int, float]]

    def covers(self, trades: Sequence[OpenTrade]) -> bool:
        """Whether every entry and exit falls within the data."""
        first, last = self.first_time.timestamp(), self.last_time.timestamp()
        return all(
            first <= t.entry <= last and (t.exit == _END or first <= t.exit <= last) for t in trades
        )


class OpenTrades:
    """The trades open on a bar, as the pass meets them: a trade enters when the bar
    holding its entry time settles and is realised when the bar holding its exit does
    (a heap by exit time; marks are summed in the heap's list order, which both passes
    share so that their sums agree to the last bit)."""

    def __init__(self, trades: list[OpenTrade], start: float) -> None:
        self.pending = trades  # sorted by entry
        self.next_entry = 0
        self.active: list[tuple[float, int, OpenTrade]] = []  # heap by exit time
        self.realised = start

    def advance(self, until: float) -> None:
        """Enter every trade entered before ``until``, then realise every exit before it."""
        pending = self.pending
        while self.next_entry < len(pending) and pending[self.next_entry].entry < until:
            trade = pending[self.next_entry]
            heapq.heappush(self.active, (trade.exit, self.next_entry, trade))
            self.next_entry += 1
        while self.active and self.active[0][0] < until:
            self.realised += heapq.heappop(self.active)[2].pnl

    def open(self) -> list[OpenTrade]:
        """The open trades in the heap's list order."""
        return [trade for _, _, trade in self.active]

    def next_change(self) -> float:
        """The earliest entry or exit still to come (+inf for none): :meth:`advance`
        changes nothing until a time past it."""
        entry = self.pending[self.next_entry].entry if self.next_entry < len(self.pending) else _END
        return min(entry, self.active[0][0]) if self.active else entry


@dataclass
class Summaries:
    """The bounded summaries a price pass fills, and the summary made of them."""

    candles: CandleDecimator = field(default_factory=CandleDecimator)
    equity: ExtremeDecimator = field(default_factory=ExtremeDecimator)
    buy_hold: ExtremeDecimator = field(default_factory=ExtremeDecimator)
    monthly: MonthlyReturns = field(default_factory=MonthlyReturns)

    def summary(
        self, first: tuple[datetime, float], last: tuple[datetime, float], start: float
    ) -> PriceSummary:
        """From the first and last bars' (time, close) and the starting capital."""
        equity = self.equity.last
        return PriceSummary(
            self.candles.count, first[0], last[0], self.candles.candles, self.candles.width,
            self.equity.points(), self.buy_hold.points(), equity.value if equity else start,
            last[1] / first[1] - 1.0 if first[1] else 0.0, self.equity.drawdown,
            self.monthly.returns(),
        )  # fmt: skip


class EquityStream:
    """Feeds bars one at a time; settles each bar when the next one's time is known."""

    def __init__(self, trades: list[OpenTrade], start: float) -> None:
        self.trades = OpenTrades(trades, start)
        self.start = start
        self.held: Bar | None = None
        self.sums = Summaries()
        self.first_close = 0.0
        self.first_time: datetime | None = None

    def push(self, bar: Bar) -> None:
        if self.held is not None:
            self._settle(self.held, bar.time.timestamp())
        else:
            self.first_close, self.first_time = bar.close, bar.time
        self.held = bar

    def _settle(self, bar: Bar, next_time: float) -> None:
        """Bar ``bar`` holds every time before ``next_time`` not held by an earlier bar."""
        self.trades.advance(next_time)
        value = self.trades.realised + sum(t.marked(bar.close) for t in self.trades.open())
        stamp = bar.time.timestamp()
        sums = self.sums
        sums.candles.push(stamp, bar.open, bar.high, bar.low, bar.close, bar.volume)
        sums.equity.push(stamp, value)
        held = self.start * bar.close / self.first_close if self.first_close else self.start
        sums.buy_hold.push(stamp, held)
        sums.monthly.push(bar.time, value)

    def finish(self) -> PriceSummary | None:
        if self.held is None or self.first_time is None:
            return None
        self._settle(self.held, _END)
        first = (self.first_time, self.first_close)
        return self.sums.summary(first, (self.held.time, self.held.close), self.start)


def summarise(bars: Iterable[Bar], trades: list[OpenTrade], start: float) -> PriceSummary | None:
    """One pass over ``bars``; None when there are none."""
    stream = EquityStream(trades, start)
    for bar in bars:
        stream.push(bar)
    return stream.finish()
