"""Ledger-side DTOs: fills, trades, snapshots and position updates."""

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import Field

from stc.runtime.dtos.common import Direction, FrozenDTO, NonNegative, PositivePrice
from stc.runtime.dtos.ids import TrdId

ExitReason = Literal["STOP_LOSS", "TAKE_PROFIT", "SIGNAL", "END_OF_DATA", "MANUAL"]


class Fill(FrozenDTO):
    """One execution of (part of) an order."""

    trade_id: TrdId
    timestamp: datetime
    side: Direction
    price: PositivePrice
    size: Decimal = Field(gt=Decimal(0))
    fee: NonNegative = Decimal(0)
    purpose: Literal["ENTRY", "EXIT"] = "ENTRY"


class Trade(FrozenDTO):
    """A round trip (or an open position) as the ledger records it."""

    trade_id: TrdId
    symbol: str
    direction: Direction
    execution_directive_id: str | None
    entry_time: datetime
    entry_price: PositivePrice
    size: Decimal = Field(gt=Decimal(0))
    stop_loss_price: PositivePrice | None = None
    take_profit_price: PositivePrice | None = None
    exit_time: datetime | None = None
    exit_price: PositivePrice | None = None
    exit_reason: ExitReason | None = None
    fees: NonNegative = Decimal(0)
    pnl: Decimal = Decimal(0)

    @property
    def is_open(self) -> bool:
        """True while the position has not been closed."""
        return self.exit_time is None


class PositionView(FrozenDTO):
    """An open position as seen in a ledger snapshot."""

    trade_id: TrdId
    symbol: str
    direction: Direction
    size: Decimal
    entry_price: Decimal
    stop_loss_price: Decimal | None = None
    take_profit_price: Decimal | None = None
    unrealised_pnl: Decimal = Decimal(0)


class LedgerSnapshot(FrozenDTO):
    """Payload of ``LEDGER_UPDATE``: the account after a change."""

    timestamp: datetime
    cash: Decimal
    equity: Decimal
    peak_equity: Decimal
    realised_pnl: Decimal
    unrealised_pnl: Decimal
    open_positions: tuple[PositionView, ...] = ()
    closed_trades: int = 0

    @property
    def drawdown(self) -> Decimal:
        """Fractional drawdown from the equity peak (0 when at the peak)."""
        if self.peak_equity <= 0:
            return Decimal(0)
        return max(Decimal(0), (self.peak_equity - self.equity) / self.peak_equity)


class PositionUpdate(FrozenDTO):
    """Payload of ``POSITION_UPDATE``: one open position after a bar or a fill."""

    timestamp: datetime
    trade_id: str
    symbol: str
    direction: Direction
    size: Decimal
    entry_price: PositivePrice
    current_price: PositivePrice
    high_since_entry: PositivePrice
    low_since_entry: PositivePrice
    stop_loss_price: PositivePrice | None = None
    take_profit_price: PositivePrice | None = None
    bars_held: int = 0


class ScheduledTick(FrozenDTO):
    """Payload of a scheduled event (e.g. ``WEEKLY_DCA_TICK``)."""

    event: str
    timestamp: datetime
    reference_price: PositivePrice
    symbol: str
