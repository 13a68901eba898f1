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

from datetime import datetime
from decimal import Decimal
from typing import Any

from runtime.dtos.ledger import (
    ExitReason,
    Fill,
    LedgerSnapshot,
    PositionUpdate,
    PositionView,
    Trade,
)
from runtime.dtos.market import Bar


def dec(value: float) -> Decimal:
    """A market float as a Decimal, rounded to 10 decimals (deterministic)."""
    return Decimal(repr(round(value, 10)))


class OpenTrade:
    """Mutable state of an open position (internal to the ledger)."""

    __slots__ = (
        "bars_held", "direction", "entry_price", "entry_time", "exe_id", "fees", "filled",
        "high", "low", "realised", "risk_amount", "size", "stop", "symbol", "target",
        "trade_id",
    )  # fmt: skip

    def __init__(self, trade_id: str, symbol: str, direction: str, exe_id: str | None) -> None:
        self.trade_id = trade_id
        self.symbol = symbol
        self.direction = direction
        self.exe_id = exe_id
        self.entry_time: datetime | None = None
        self.entry_price = Decimal(0)
        self.size = Decimal(0)
        self.filled = Decimal(0)
        self.fees = Decimal(0)
        self.realised = Decimal(0)
        self.stop: Decimal | None = None
        self.target: Decimal | None = None
        self.risk_amount = Decimal(0)
        self.high = 0.0
        self.low = 0.0
        self.bars_held = 0

    @property
    def sign(self) -> int:
        """+1 for a long, -1 for a short."""
        return 1 if self.direction == "BUY" else -1

    def unrealised(self, price: float) -> float:
        """Open P&L at ``price`` (float, for the equity curve)."""
        return self.sign * (price - float(self.entry_price)) * float(self.size)


class Ledger:
    """Account state of one run; implements ``runtime.workers.LedgerView``."""

    def __init__(self, starting_capital: float, symbol: str) -> None:
        self.symbol = symbol
        self.starting_capital = dec(starting_capital)
        self.cash = self.starting_capital
        self.peak_equity = self.starting_capital
        self.open: dict[str, OpenTrade] = {}
        self.closed: list[Trade] = []
        self.changes: list[Any] = []
        self.equity_curve: list[float] = []
        self.exposed_bars = 0
        self.last_price: float | None = None
        self.last_time: datetime | None = None
        self._risk: dict[str, Decimal] = {}
        self.realised = Decimal(0)

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
        """Open or grow trade ``trade_id``."""
        trade = self.open.get(trade_id)
        if trade is None:
            trade = OpenTrade(trade_id, self.symbol, direction, exe_id)
            trade.entry_time, trade.stop, trade.target = when, stop, target
            trade.risk_amount, trade.high, trade.low = risk_amount, price, price
            self.open[trade_id] = trade
        p, f = dec(price), dec(fee)
        total = trade.size + size
        trade.entry_price = (trade.entry_price * trade.size + p * size) / total
        trade.size = total
        trade.filled += size
        trade.fees += f
        self.cash += -(p * size) - f if direction == "BUY" else p * size - f
        fill = Fill(trade_id=trade_id, timestamp=when, side=direction, price=p, size=size, fee=f)
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
        trade = self.open.get(trade_id)
        if trade is None:
            return None
        qty = trade.size if size is None or size > trade.size else size
        p, f = dec(price), dec(fee)
        side = "SELL" if trade.direction == "BUY" else "BUY"
        self.cash += p * qty - f if trade.direction == "BUY" else -(p * qty) - f
        pnl = trade.sign * (p - trade.entry_price) * qty
        trade.realised += pnl
        trade.fees += f
        trade.size -= qty
        fill = Fill(
            trade_id=trade_id, timestamp=when, side=side, price=p, size=qty, fee=f, purpose="EXIT"
        )
        self.changes.append(fill)
        if trade.size <= 0:
            self._close(trade, p, when, reason)
        return fill

    def _close(self, trade: OpenTrade, price: Decimal, when: datetime, reason: ExitReason) -> None:
        del self.open[trade.trade_id]
        record = Trade(
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
        self.closed.append(record)
        self.realised += record.pnl
        self.changes.append(record)
        self._risk[trade.trade_id] = trade.risk_amount

    def set_exit(self, trade_id: str, stop: Decimal | None, target: Decimal | None) -> bool:
        """Replace the stop/target of an open trade; False when it is not open."""
        trade = self.open.get(trade_id)
        if trade is None:
            return False
        trade.stop, trade.target = stop, target
        return True

    # --- per bar -----------------------------------------------------------------
    def mark(self, bar: Bar) -> float:
        """Value the book at ``bar``'s close, update the peak and the equity curve."""
        self.last_price, self.last_time = bar.close, bar.time
        equity = float(self.cash)
        if self.open:
            self.exposed_bars += 1
            for trade in self.open.values():
                trade.bars_held += 1
                trade.high = max(trade.high, bar.high)
                trade.low = min(trade.low, bar.low)
                equity += trade.sign * bar.close * float(trade.size)
        if equity > float(self.peak_equity):
            self.peak_equity = dec(equity)
        self.equity_curve.append(equity)
        return equity

    def drain_changes(self) -> list[Any]:
        """Fills and closed trades since the last call (oldest first)."""
        out, self.changes = self.changes, []
        return out

    # --- LedgerView --------------------------------------------------------------
    def snapshot(self) -> LedgerSnapshot:
        """The account as of the last mark."""
        price = self.last_price or 0.0
        positions = tuple(
            PositionView(
                trade_id=t.trade_id,
                symbol=t.symbol,
                direction=t.direction,
                size=t.size,
                entry_price=t.entry_price,
                stop_loss_price=t.stop,
                take_profit_price=t.target,
                unrealised_pnl=dec(t.unrealised(price)),
            )
            for t in self.open.values()
        )
        unrealised = sum((p.unrealised_pnl for p in positions), Decimal(0))
        equity = self.cash + sum(
            (t.sign * dec(price) * t.size for t in self.open.values()), Decimal(0)
        )
        return LedgerSnapshot(
            timestamp=self.last_time or datetime(1970, 1, 1),
            cash=self.cash,
            equity=equity,
            peak_equity=max(self.peak_equity, equity),
            realised_pnl=self.realised,
            unrealised_pnl=unrealised,
            open_positions=positions,
            closed_trades=len(self.closed),
        )

    def closed_trade_returns(self) -> tuple[float, ...]:
        """pnl / risk of each closed trade (pnl / entry notional when risk is 0)."""
        out = []
        for trade in self.closed:
            risk = self._risk.get(trade.trade_id, Decimal(0))
            base = risk if risk > 0 else trade.entry_price * trade.size
            out.append(float(trade.pnl / base) if base > 0 else 0.0)
        return tuple(out)

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
