"""The strategy ledger: cash, positions, trades, equity (SPEC §6).

Money is Decimal (fills, cash, P&L); the per-bar equity curve is kept as floats for
the metrics. A trade is one position with a TRD id: entry fills grow it (TWAP slices,
layers), exit fills shrink it; it is recorded as a closed ``Trade`` when flat.

Cash accounting: a long entry pays ``price × size + fee``; a short entry receives
``price × size − fee`` and owes the buy-back. Equity = cash + Σ long value − Σ short
value at the last close. Every change is appended to ``changes`` (Fill and Trade DTOs)
for the engine to journal and to publish ``LEDGER_UPDATE``.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, overload

from stc.runtime.dtos.ledger import (
    ExitReason,
    Fill,
    LedgerSnapshot,
    PositionUpdate,
    PositionView,
    Trade,
)
from stc.runtime.dtos.market import Bar
from stc.runtime.dtos.trusted import trusted
from stc.runtime.metrics import MetricsStream
from stc.runtime.precision import LEDGER_DIGITS, price_decimal

_TRADE_FIELDS = tuple(Trade.model_fields)


class TradeLog(Sequence[Trade]):
    """The closed trades of a run, kept compactly (a tuple of field values per trade,
    Decimals as their exact strings: about a third of a ``Trade`` model's memory).

    Reading an item validates a fresh, equal ``Trade`` from its row; a run with a
    hundred thousand trades therefore does not hold a hundred thousand models.
    """

    __slots__ = ("_rows",)

    def __init__(self, trades: Iterable[Trade] = ()) -> None:
        self._rows: list[tuple[Any, ...]] = []
        for trade in trades:
            self.append(trade)

    def append(self, trade: Trade) -> None:
        """Record one closed trade."""
        values = (getattr(trade, name) for name in _TRADE_FIELDS)
        self._rows.append(tuple(str(v) if type(v) is Decimal else v for v in values))

    @staticmethod
    def _build(row: tuple[Any, ...]) -> Trade:
        return Trade.model_validate(dict(zip(_TRADE_FIELDS, row, strict=True)))

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> Trade: ...

    @overload
    def __getitem__(self, index: slice) -> list[Trade]: ...

    def __getitem__(self, index: int | slice) -> Trade | list[Trade]:
        if isinstance(index, slice):
            return [self._build(row) for row in self._rows[index]]
        return self._build(self._rows[index])

    def __iter__(self) -> Iterator[Trade]:
        for row in self._rows:
            yield self._build(row)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, TradeLog) and self._rows == other._rows:
            return True
        if isinstance(other, Sequence) and not isinstance(other, str):
            pairs = zip(self, other, strict=False)
            return len(self) == len(other) and all(a == b for a, b in pairs)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"TradeLog({len(self._rows)} trades)"


def _trade_return(trade: Trade, risk: Decimal) -> float:
    """pnl / risk of a closed trade (pnl / entry notional when risk is 0)."""
    base = risk if risk > 0 else trade.entry_price * trade.size
    return float(trade.pnl / base) if base > 0 else 0.0


def _bookable(trade_id: str, price: Decimal, size: Decimal) -> None:
    """ValueError when ``price × size`` is not a finite number a float can hold."""
    if type(size) is not Decimal or not math.isfinite(float(price * size)):
        raise ValueError(f"fill of {trade_id}: price {price} × size {size} cannot be booked")


def dec(value: float) -> Decimal:
    """A market price (float) as a Decimal on the relative grid of
    :mod:`stc.runtime.precision`: 10 decimals at ≥ 1 (as always), 11 significant digits
    below, so a market quoted near 1e-9 keeps its precision (deterministic). The
    common case is inlined: this runs for every open position on every bar."""
    if value >= 1.0 or value <= -1.0:
        return ten_places(value)
    size = -value if value < 0.0 else value
    if size >= _POWERS[0]:  # as price_decimal, with its exponent from a table
        return Decimal(repr(round(value, LEDGER_DIGITS - 1 - _decimal_exponent(size))))
    return price_decimal(value)  # 0, NaN, and below 1e-300


_POWERS: tuple[float, ...] = tuple(float(f"1e{k}") for k in range(-300, 1))
"""``_POWERS[k + 300]`` is the float nearest to 10^k, for k in -300..0."""


def _decimal_exponent(size: float) -> int:
    """``Decimal(repr(size)).adjusted()`` for ``1e-300 <= size < 1`` without building
    the Decimal (``price_decimal`` does, and that was most of its cost): the exponent
    ``e`` with ``_POWERS[e] <= size < _POWERS[e + 1]``. Why it is the same number:
    ``repr`` and float rounding are both monotone, and ``repr`` of the float nearest
    to 10^e is ``1e{e}``, so ``repr(size) >= 10^e`` exactly when ``size`` is at least
    that float. ``log10`` gives the candidate, the table corrects its last-bit
    error near a power of ten."""
    index = math.floor(math.log10(size)) + 300
    if index < 0:
        index = 0
    if index < 300 and size >= _POWERS[index + 1]:
        index += 1
    elif index > 0 and size < _POWERS[index]:
        index -= 1
    return index - 300


def money(value: float) -> Decimal:
    """An amount of money (float) as a Decimal, rounded to 10 decimals (deterministic).
    Money does not scale with the quote, so its grid stays fixed."""
    return ten_places(value)


def ten_places(value: float) -> Decimal:
    """``Decimal(repr(round(value, 10)))`` (the ledger's grid of money and of prices
    ≥ 1), the same digits and exponent, with one float-to-decimal conversion instead of
    three where that is provably the same number.

    Why it is the same: ``round(value, 10)`` is the float nearest to ``D``, the
    correctly rounded 10-decimal expansion of ``value`` (dtoa mode 3, round half even),
    and ``format(value, ".10f")`` is ``D`` itself. Below 1e5 in size ``D`` has at most
    15 significant digits, and decimals of at most 15 significant digits map to
    distinct floats, so the shortest string that reads back as that float (``repr``)
    is ``D`` without its trailing zeros ("1.0" for a whole number, as ``repr`` writes
    it). Larger values, infinities and NaN take the original path. A ledger fill or a
    snapshot makes up to four of these; each was three conversions
    (tests/runtime/test_flow_lazy.py compares both on hypothesis floats, a seeded
    sweep of every magnitude and the edges)."""
    if -1e5 < value < 1e5:
        text = f"{value:.10f}".rstrip("0")
        if text[-1] == ".":
            text += "0"
        return Decimal(text)
    return Decimal(repr(round(value, 10)))


class OpenTrade:
    """Mutable state of an open position (internal to the ledger).

    ``size``, ``stop`` and ``target`` are Decimals; setting one also refreshes its
    float mirror (``size_f``, ``stop_f``, ``target_f``), which the per-bar path
    (marking, protective exits) reads instead of converting on every bar.
    """

    __slots__ = (
        "_size", "_stop", "_target", "bars_held", "direction", "entry_price", "entry_time",
        "exe_id", "fees", "filled", "high", "low", "realised", "risk_amount", "sign",
        "size_f", "stop_f", "symbol", "target_f", "trade_id",
    )  # fmt: skip

    def __init__(self, trade_id: str, symbol: str, direction: str, exe_id: str | None) -> None:
        self.trade_id = trade_id
        self.symbol = symbol
        self.direction = direction
        self.sign = 1 if direction == "BUY" else -1  # +1 for a long, -1 for a short
        self.exe_id = exe_id
        self.entry_time: datetime | None = None
        self.entry_price = Decimal(0)
        self.size = Decimal(0)
        self.filled = Decimal(0)
        self.fees = Decimal(0)
        self.realised = Decimal(0)
        self.stop = None
        self.target = None
        self.risk_amount = Decimal(0)
        self.high = 0.0
        self.low = 0.0
        self.bars_held = 0

    @property
    def size(self) -> Decimal:
        """Open size (Decimal)."""
        return self._size

    @size.setter
    def size(self, value: Decimal) -> None:
        self._size = value
        self.size_f = float(value)

    @property
    def stop(self) -> Decimal | None:
        """Stop-loss price, if any."""
        return self._stop

    @stop.setter
    def stop(self, value: Decimal | None) -> None:
        self._stop = value
        self.stop_f = float(value) if value is not None else None

    @property
    def target(self) -> Decimal | None:
        """Take-profit price, if any."""
        return self._target

    @target.setter
    def target(self, value: Decimal | None) -> None:
        self._target = value
        self.target_f = float(value) if value is not None else None

    def unrealised(self, price: float) -> float:
        """Open P&L at ``price`` (float, for the equity curve)."""
        return self.sign * (price - float(self.entry_price)) * self.size_f


class Ledger:
    """Account state of one run; implements ``stc.runtime.workers.LedgerView``.

    Every mark and every closed trade feeds ``metrics`` (a :class:`MetricsStream`).
    ``keep_history`` (the default) also keeps the per-bar ``equity_curve`` and the
    ``closed`` trades for callers that want them (the Python API, sweeps, tests);
    without it both stay empty, each closed trade goes to ``trade_sink`` (``stc run``
    writes it to trades.csv) and the ledger's memory does not grow with the bars.
    """

    def __init__(
        self,
        starting_capital: float,
        symbol: str,
        *,
        keep_history: bool = True,
        trade_sink: Callable[[Trade], None] | None = None,
    ) -> None:
        self.symbol = symbol
        self.starting_capital = money(starting_capital)
        self.cash = self.starting_capital
        self.peak_equity = self.starting_capital
        self._peak_f = float(self.peak_equity)
        self.open: dict[str, OpenTrade] = {}
        self.closed = TradeLog()
        self.closed_count = 0
        self.changes: list[Any] = []
        self.equity_curve = array("d")  # one float per bar, 8 bytes each (kept history)
        self.marks = 0
        self.metrics = MetricsStream(starting_capital)
        self.keep_history = keep_history
        self._trade_sink = trade_sink
        self.exposed_bars = 0
        self.last_price: float | None = None
        self.last_time: datetime | None = None
        self._trade_returns = array("d")  # pnl / risk per closed trade (sizers read it)
        self.realised = Decimal(0)
        self._snapshot: LedgerSnapshot | None = None  # until the next change or mark

    @property
    def cash(self) -> Decimal:
        """Cash (Decimal); its float mirror ``cash_f`` is what marking reads."""
        return self._cash

    @cash.setter
    def cash(self, value: Decimal) -> None:
        self._cash = value
        self.cash_f = float(value)
        self._snapshot = None

    # --- fills -----------------------------------------------------------------
    def entry_fill(
        self,
        trade_id: str,
        direction: str,
        price: float,
        size: Decimal,
        fee: float,
        when: datetime,
        *,
        exe_id: str | None = None,
        stop: Decimal | None = None,
        target: Decimal | None = None,
        risk_amount: Decimal = Decimal(0),
    ) -> Fill:
        """Open or grow trade ``trade_id``; ValueError, with nothing changed, when the
        fill's numbers cannot be booked (a cost beyond the float range the ledger marks
        in; the engine makes that a fault of the tick's flow)."""
        p, f = dec(price), money(fee)
        _bookable(trade_id, p, size)
        self._snapshot = None
        trade = self.open.get(trade_id)
        if trade is None:
            trade = OpenTrade(trade_id, self.symbol, direction, exe_id)
            trade.entry_time, trade.stop, trade.target = when, stop, target
            trade.risk_amount, trade.high, trade.low = risk_amount, price, price
            self.open[trade_id] = trade
        total = trade.size + size
        trade.entry_price = (trade.entry_price * trade.size + p * size) / total
        trade.size = total
        trade.filled += size
        trade.fees += f
        self.cash += -(p * size) - f if direction == "BUY" else p * size - f
        # trusted (flows): the ledger's own numbers, from a bar's price and a checked size
        fill = trusted(Fill, trade_id=trade_id, timestamp=when, side=direction, price=p,
                       size=size, fee=f)  # fmt: skip
        self.changes.append(fill)
        return fill

    def exit_fill(
        self,
        trade_id: str,
        price: float,
        fee: float,
        when: datetime,
        reason: ExitReason,
        size: Decimal | None = None,
    ) -> Fill | None:
        """Reduce (default: close) trade ``trade_id``; None when it is not open."""
        self._snapshot = None
        trade = self.open.get(trade_id)
        if trade is None:
            return None
        qty = trade.size if size is None or size > trade.size else size
        p, f = dec(price), money(fee)
        side = "SELL" if trade.direction == "BUY" else "BUY"
        self.cash += p * qty - f if trade.direction == "BUY" else -(p * qty) - f
        pnl = trade.sign * (p - trade.entry_price) * qty
        trade.realised += pnl
        trade.fees += f
        trade.size -= qty
        fill = trusted(
            Fill, trade_id=trade_id, timestamp=when, side=side, price=p, size=qty, fee=f,
            purpose="EXIT",
        )  # fmt: skip
        self.changes.append(fill)
        if trade.size <= 0:
            self._close(trade, p, when, reason)
        return fill

    def _close(self, trade: OpenTrade, price: Decimal, when: datetime, reason: ExitReason) -> None:
        del self.open[trade.trade_id]
        record = trusted(
            Trade,
            trade_id=trade.trade_id,
            symbol=trade.symbol,
            direction=trade.direction,
            execution_directive_id=trade.exe_id,
            entry_time=trade.entry_time or when,
            entry_price=trade.entry_price,
            size=trade.filled,
            stop_loss_price=trade.stop,
            take_profit_price=trade.target,
            exit_time=when,
            exit_price=price,
            exit_reason=reason,
            fees=trade.fees,
            pnl=trade.realised - trade.fees,
        )
        if self.keep_history:
            self.closed.append(record)
        if self._trade_sink is not None:
            self._trade_sink(record)
        self.closed_count += 1
        self.metrics.add_trade(float(record.pnl))
        self._trade_returns.append(_trade_return(record, trade.risk_amount))
        self.realised += record.pnl
        self.changes.append(record)

    def set_exit(self, trade_id: str, stop: Decimal | None, target: Decimal | None) -> bool:
        """Replace the stop/target of an open trade; False when it is not open."""
        self._snapshot = None
        trade = self.open.get(trade_id)
        if trade is None:
            return False
        trade.stop, trade.target = stop, target
        return True

    # --- per bar -----------------------------------------------------------------
    def mark(self, bar: Bar) -> float:
        """Value the book at ``bar``'s close, update the peak and the equity curve."""
        self._snapshot = None
        close = bar.close
        self.last_price, self.last_time = close, bar.time
        if self.open:
            self.exposed_bars += 1
            high, low = bar.high, bar.low
            for trade in self.open.values():
                trade.bars_held += 1
                if high > trade.high:
                    trade.high = high
                if low < trade.low:
                    trade.low = low
        equity = self.equity_at(close)
        self.raise_peak(equity)
        self.marks += 1
        self.metrics.add_equity(equity)
        if self.keep_history:
            self.equity_curve.append(equity)
        return equity

    def equity_at(self, close: float) -> float:
        """The book's equity at ``close``: cash plus each open trade's signed value, summed
        in the book's order. The one formula every mark uses (:meth:`mark`,
        ``quiet_bars.mark_closes``); ``bulk_marks.equities`` is its numpy twin with the
        same float operations in the same order, so a bar marked any way weighs the same."""
        equity = self.cash_f
        for trade in self.open.values():
            equity += trade.sign * close * trade.size_f
        return equity

    def mark_quiet(
        self, last: Bar, count: int, high: float, low: float, equities: Sequence[float]
    ) -> None:
        """What ``count`` calls of :meth:`mark` on a quiet stretch (no fill, no open
        trade's stop or target touched) leave behind, given the stretch's highest high,
        lowest low and the equity of each bar (``stc.runtime.bulk_marks`` computes them
        with the float operations :meth:`mark` uses). The peak and the metrics are fed
        by the caller (:meth:`raise_peak`, ``MetricsStream.add_stretch``)."""
        self._snapshot = None
        self.last_price, self.last_time = last.close, last.time
        if self.open:
            self.exposed_bars += count
            for trade in self.open.values():
                trade.bars_held += count
                if high > trade.high:
                    trade.high = high
                if low < trade.low:
                    trade.low = low
        self.marks += count
        if self.keep_history:
            self.equity_curve.extend(equities)

    @property
    def peak_f(self) -> float:
        """The peak equity as :meth:`mark` compares it (the rounded money's float)."""
        return self._peak_f

    def raise_peak(self, equity: float) -> None:
        """The peak rule for one bar's ``equity``: :meth:`mark`'s, and the skipped
        stretches' (``bulk_marks``, ``quiet_bars``)."""
        if equity > self._peak_f:
            self.peak_equity = money(equity)
            self._peak_f = float(self.peak_equity)

    def drain_changes(self) -> list[Any]:
        """Fills and closed trades since the last call (oldest first)."""
        out, self.changes = self.changes, []
        return out

    # --- LedgerView --------------------------------------------------------------
    def snapshot(self) -> LedgerSnapshot:
        """The account as of the last mark (built once per ledger state: a sizer and a
        planner of the same flow share it; it is immutable)."""
        if self._snapshot is None:
            self._snapshot = self._build_snapshot()
        return self._snapshot

    def _build_snapshot(self) -> LedgerSnapshot:
        """One pass over the open trades; the close's Decimal is made once, not once
        per open trade (the sums are the same: Decimal addition from 0 in that order)."""
        price = self.last_price or 0.0
        held = unrealised = Decimal(0)
        positions: list[PositionView] = []
        if self.open:
            close = dec(price)
            for t in self.open.values():
                pnl = money(t.unrealised(price))
                positions.append(
                    trusted(
                        PositionView,
                        trade_id=t.trade_id,
                        symbol=t.symbol,
                        direction=t.direction,
                        size=t.size,
                        entry_price=t.entry_price,
                        stop_loss_price=t.stop,
                        take_profit_price=t.target,
                        unrealised_pnl=pnl,
                    )
                )
                unrealised += pnl
                held += t.sign * close * t.size
        equity = self.cash + held
        return trusted(
            LedgerSnapshot,
            timestamp=self.last_time or datetime(1970, 1, 1),
            cash=self.cash,
            equity=equity,
            peak_equity=max(self.peak_equity, equity),
            realised_pnl=self.realised,
            unrealised_pnl=unrealised,
            open_positions=tuple(positions),
            closed_trades=self.closed_count,
        )

    def closed_trade_returns(self) -> tuple[float, ...]:
        """pnl / risk of each closed trade (pnl / entry notional when risk is 0)."""
        return tuple(self._trade_returns)

    def position_updates(self, bar: Bar) -> list[PositionUpdate]:
        """One PositionUpdate per open trade at ``bar``'s close."""
        return [
            PositionUpdate(
                timestamp=bar.time,
                trade_id=t.trade_id,
                symbol=t.symbol,
                direction=t.direction,
                size=t.size,
                entry_price=t.entry_price,
                current_price=dec(bar.close),
                high_since_entry=dec(t.high),
                low_since_entry=dec(t.low),
                stop_loss_price=t.stop,
                take_profit_price=t.target,
                bars_held=t.bars_held,
            )
            for t in self.open.values()
        ]
