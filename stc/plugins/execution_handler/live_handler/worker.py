"""LiveHandler: execution through an ExchangeConnector (no network in tests)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from stc.runtime.dtos.ledger import ExitReason
from stc.runtime.dtos.market import Bar
from stc.runtime.dtos.plans import ExecutionDirective, ExitPlan
from stc.runtime.envelope import DispositionEnvelope
from stc.runtime.execution.connector import (
    ClockedConnector,
    ExchangeConnector,
    ExchangeFill,
    OrderRequest,
)
from stc.runtime.execution.handler import ExecutionServices
from stc.runtime.ledger import OpenTrade
from stc.runtime.workers import ExecutionHandler


@dataclass
class _Pending:
    """What an open exchange order means to the handler."""

    trade_id: str
    purpose: str  # ENTRY | STOP | TARGET | CLOSE
    direction: str
    exe_id: str | None = None
    stop: Decimal | None = None
    target: Decimal | None = None
    risk: Decimal = Decimal(0)


class LiveHandler(ExecutionHandler):
    """Phase 5 against a real (or fake) exchange.

    Injection: ``attach(ExecutionServices)`` must carry a ``connector``. Each directive
    sends one entry order (MARKET, or LIMIT at the entry's limit price; slicing is left
    to the exchange). When the entry fills, the handler places a STOP at the
    stop-loss and a LIMIT at the take-profit; when one fills the other is cancelled.
    Per bar, ``on_bar`` advances a clocked (simulated) connector and books polled fills
    in the ledger. Orders of an aborted flow are never sent (staged until ``commit``).
    """

    def setup(self) -> None:
        """Nothing is usable before ``attach``."""
        self._services: ExecutionServices | None = None
        self._connector: ExchangeConnector | None = None
        self._clock: ClockedConnector | None = None
        self._pending: dict[str, _Pending] = {}
        self._staged: list[tuple[OrderRequest | str, _Pending | None]] = []
        self._in_flow = False
        self._seq = 0

    def attach(self, services: ExecutionServices) -> None:
        """Keep the services; a live run needs a connector."""
        if services.connector is None:
            raise RuntimeError(f"{self.worker_id}: the live handler needs an ExchangeConnector")
        self._services, self._connector = services, services.connector
        connector = services.connector
        self._clock = connector if isinstance(connector, ClockedConnector) else None

    @property
    def connector(self) -> ExchangeConnector:
        """The attached connector."""
        if self._connector is None:
            raise RuntimeError("live handler used before attach()")
        return self._connector

    # --- flow ---------------------------------------------------------------------------
    def begin_flow(self, index: int) -> None:
        """Stage orders from now on."""
        self._in_flow = True

    def commit(self) -> None:
        """Send the staged orders and cancels."""
        staged, self._staged, self._in_flow = self._staged, [], False
        for item, pending in staged:
            self._send(item, pending)

    def rollback(self) -> None:
        """Forget the staged orders."""
        self._staged, self._in_flow = [], False

    def _do(self, item: OrderRequest | str, pending: _Pending | None = None) -> None:
        if self._in_flow:
            self._staged.append((item, pending))
        else:
            self._send(item, pending)

    def _send(self, item: OrderRequest | str, pending: _Pending | None) -> None:
        if isinstance(item, str):
            self.connector.cancel(item)
            self._pending.pop(item, None)
            return
        assert pending is not None
        self._pending[item.client_order_id] = pending
        self.connector.submit(item)

    # --- directives -----------------------------------------------------------------------
    def on_execution_directive(self, directive: ExecutionDirective) -> DispositionEnvelope:
        """Send the entry order; protection follows the entry fill."""
        assert self._services is not None
        entry = directive.entry_plan
        trade_id = self._services.ids.new("TRD", directive.timestamp)
        kind = "MARKET" if entry.order_type == "MARKET" else "LIMIT"
        price = float(entry.limit_price) if entry.limit_price is not None else None
        order = OrderRequest(
            f"{trade_id}-E", entry.symbol, entry.direction, kind,
            directive.size_plan.position_size, price,
        )  # fmt: skip
        pending = _Pending(
            trade_id, "ENTRY", entry.direction, directive.directive_id,
            directive.exit_plan.stop_loss_price, directive.exit_plan.take_profit_price,
            directive.size_plan.risk_amount,
        )  # fmt: skip
        self._do(order, pending)
        return DispositionEnvelope.stop(trade_id=trade_id, orders=1)

    def on_exit_plan_update(self, plan: ExitPlan) -> DispositionEnvelope | None:
        """Move the protective orders of ``plan.trade_id``."""
        if plan.trade_id is None:
            return None
        ledger = self._ledger_open()
        trade = ledger.get(plan.trade_id)
        if trade is not None:
            trade.stop, trade.target = plan.stop_loss_price, plan.take_profit_price
            self._protect(plan.trade_id, trade.direction, trade.size, plan)
        return None

    def close_trades(self, trade_ids: Sequence[str]) -> None:
        """Cancel protection and send market exits."""
        for trade_id in trade_ids:
            trade = self._ledger_open().get(trade_id)
            if trade is None:
                continue
            self._cancel_protection(trade_id)
            side = "SELL" if trade.direction == "BUY" else "BUY"
            order = OrderRequest(f"{trade_id}-C", trade.symbol, side, "MARKET", trade.size)
            self._do(order, _Pending(trade_id, "CLOSE", trade.direction))

    # --- per bar ----------------------------------------------------------------------------
    def on_bar(self, bar: Bar, index: int) -> None:
        """Advance a simulated exchange, then book the fills it reports."""
        if self._clock is not None:
            self._clock.advance(bar)
        for fill in self.connector.poll_fills():
            self._book(fill)

    def finish(self, bar: Bar) -> None:
        """End of the feed: cancel protection, value open trades at the last close."""
        assert self._services is not None
        ledger = self._services.ledger
        for trade_id in list(ledger.open):
            self._cancel_protection(trade_id)
            ledger.exit_fill(trade_id, bar.close, 0.0, bar.time, "END_OF_DATA")
        for cid in list(self._pending):
            self._send(cid, None)

    def _book(self, fill: ExchangeFill) -> None:
        assert self._services is not None
        pending = self._pending.pop(fill.client_order_id, None)
        if pending is None:
            return
        ledger = self._services.ledger
        if pending.purpose == "ENTRY":
            ledger.entry_fill(
                pending.trade_id, pending.direction, fill.price, fill.size, fill.fee, fill.time,
                exe_id=pending.exe_id, stop=pending.stop, target=pending.target,
                risk_amount=pending.risk,
            )  # fmt: skip
            if pending.stop is not None:
                exit_plan = _Exit(pending.stop, pending.target)
                self._protect(pending.trade_id, pending.direction, fill.size, exit_plan)
            return
        self._cancel_protection(pending.trade_id)
        reason: ExitReason = {"STOP": "STOP_LOSS", "TARGET": "TAKE_PROFIT"}.get(
            pending.purpose, "SIGNAL"
        )  # type: ignore[assignment]
        ledger.exit_fill(pending.trade_id, fill.price, fill.fee, fill.time, reason, fill.size)

    def _protect(
        self, trade_id: str, direction: str, size: Decimal, plan: _Exit | ExitPlan
    ) -> None:
        self._cancel_protection(trade_id)
        side = "SELL" if direction == "BUY" else "BUY"
        symbol = self._services.ledger.symbol if self._services else ""
        self._seq += 1
        stop = OrderRequest(
            f"{trade_id}-S{self._seq}", symbol, side, "STOP", size, float(plan.stop_loss_price)
        )
        self._do(stop, _Pending(trade_id, "STOP", direction))
        if plan.take_profit_price is not None:
            target = OrderRequest(
                f"{trade_id}-T{self._seq}", symbol, side, "LIMIT", size,
                float(plan.take_profit_price),
            )  # fmt: skip
            self._do(target, _Pending(trade_id, "TARGET", direction))

    def _cancel_protection(self, trade_id: str) -> None:
        for cid, pending in list(self._pending.items()):
            if pending.trade_id == trade_id and pending.purpose in ("STOP", "TARGET"):
                self._do(cid)

    def _ledger_open(self) -> dict[str, OpenTrade]:
        assert self._services is not None
        return self._services.ledger.open


@dataclass(frozen=True)
class _Exit:
    """Stop/target of a fresh position (the shape ``_protect`` reads)."""

    stop_loss_price: Decimal
    take_profit_price: Decimal | None
