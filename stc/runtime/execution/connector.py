"""The exchange connector interface of the live handler, and an in-process fake.

A real connector talks to an exchange asynchronously; the live handler only needs to
submit orders, cancel them and poll fills. :class:`FakeExchange` implements the same
protocol in memory and is *clocked* by the bar feed (``advance(bar)``), matching its
resting orders with the backtest fill model, so the live handler is testable with no
network.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol, runtime_checkable

from stc.runtime.dtos.market import Bar
from stc.runtime.execution import fill_model as fm


@dataclass(frozen=True)
class OrderRequest:
    """An order as sent to the exchange. ``kind``: MARKET, LIMIT or STOP."""

    client_order_id: str
    symbol: str
    side: str
    kind: str
    size: Decimal
    price: float | None = None


@dataclass(frozen=True)
class ExchangeFill:
    """A fill reported by the exchange."""

    client_order_id: str
    price: float
    size: Decimal
    fee: float
    time: datetime


@runtime_checkable
class ExchangeConnector(Protocol):
    """What the live handler needs from an exchange."""

    def submit(self, order: OrderRequest) -> None:
        """Place an order (idempotent per client order id)."""
        ...

    def cancel(self, client_order_id: str) -> None:
        """Cancel an order if it is still open."""
        ...

    def poll_fills(self) -> list[ExchangeFill]:
        """Fills since the last poll, oldest first."""
        ...


@runtime_checkable
class ClockedConnector(Protocol):
    """A simulated connector that advances with the bar feed."""

    def advance(self, bar: Bar) -> None:
        """Match resting orders against ``bar``."""
        ...


class FakeExchange:
    """In-memory exchange: market orders fill at the next bar's open (± slippage),
    limits and stops by the bar's range, like the backtest fill model."""

    def __init__(self, slippage_pct: float = 0.0, fee_pct: float = 0.0) -> None:
        self.slippage_pct = slippage_pct
        self.fee_pct = fee_pct
        self.open_orders: dict[str, OrderRequest] = {}
        self.submitted: list[OrderRequest] = []
        self.cancelled: list[str] = []
        self._fills: list[ExchangeFill] = []

    def submit(self, order: OrderRequest) -> None:
        """Rest the order until the next bar."""
        if order.client_order_id not in self.open_orders:
            self.open_orders[order.client_order_id] = order
            self.submitted.append(order)

    def cancel(self, client_order_id: str) -> None:
        """Remove a resting order."""
        if self.open_orders.pop(client_order_id, None) is not None:
            self.cancelled.append(client_order_id)

    def poll_fills(self) -> list[ExchangeFill]:
        """Fills since the last poll."""
        out, self._fills = self._fills, []
        return out

    def advance(self, bar: Bar) -> None:
        """Match every resting order against ``bar`` (in submission order)."""
        for cid, order in list(self.open_orders.items()):
            price = self._match(order, bar)
            if price is None:
                continue
            del self.open_orders[cid]
            fee = fm.fee(price, float(order.size), self.fee_pct)
            self._fills.append(ExchangeFill(cid, price, order.size, fee, bar.time))

    def _match(self, order: OrderRequest, bar: Bar) -> float | None:
        if order.kind == "MARKET":
            return fm.market_fill(bar, order.side, self.slippage_pct)
        assert order.price is not None
        if order.kind == "LIMIT":
            return fm.limit_fill(bar, order.side, order.price)
        trigger = fm.stop_trigger(bar, order.side, order.price)
        if trigger is None:
            return None
        return fm.slipped_in_bar(trigger, bar, order.side, self.slippage_pct)
