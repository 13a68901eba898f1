"""What the engine needs from an execution handler, and the simulated-venue base.

Injection: after instantiating the handler worker, the engine calls
``handler.attach(services)`` with an :class:`ExecutionServices` (the ledger, the id
factory, the fill-model settings and, for live runs, the connector). Per bar it calls
``on_bar(bar, index)`` *before* the tick's flow (fills of orders decided earlier),
``begin_flow``/``commit``/``rollback`` around each flow (an aborted flow leaves the
book and ledger untouched), ``close_trades`` for CLOSE_EXISTING directives and
``finish`` at the end of the data.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, runtime_checkable

from stc.runtime.dtos.ids import IdFactory
from stc.runtime.dtos.market import Bar
from stc.runtime.dtos.plans import ExecutionDirective, ExitPlan
from stc.runtime.dtos.trusted import trusted
from stc.runtime.envelope import Disposition, DispositionEnvelope
from stc.runtime.execution.venue import Venue, VenueSettings, build_orders
from stc.runtime.ledger import Ledger
from stc.runtime.workers import ExecutionHandler

if TYPE_CHECKING:  # annotation only: a backtest (and a check) never loads the connector
    from stc.runtime.execution.connector import ExchangeConnector


@dataclass
class ExecutionServices:
    """Capabilities the engine injects into the execution handler."""

    ledger: Ledger
    ids: IdFactory
    settings: VenueSettings
    connector: ExchangeConnector | None = None
    notes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


@runtime_checkable
class ExecutionPort(Protocol):
    """The engine-facing side of an execution handler."""

    def attach(self, services: ExecutionServices) -> None:
        """Receive the injected services (once, at bootstrap)."""
        ...

    def on_bar(self, bar: Bar, index: int) -> None:
        """Process fills for ``bar`` (before the tick's flow)."""
        ...

    def begin_flow(self, index: int) -> None:
        """A flow starts on bar ``index``: stage book changes."""
        ...

    def commit(self) -> None:
        """Apply the staged changes of the finished flow."""
        ...

    def rollback(self) -> None:
        """Drop the staged changes of an aborted flow."""
        ...

    def close_trades(self, trade_ids: Sequence[str]) -> None:
        """Close trades at the next bar's open (CLOSE_EXISTING directive)."""
        ...

    def finish(self, bar: Bar) -> None:
        """End of data: close what is open at ``bar``'s close."""
        ...


class BarHooks(NamedTuple):
    """The handler calls the engine makes every bar, bound once at bootstrap."""

    on_bar: Callable[[Bar, int], None]
    begin_flow: Callable[[int], None]
    commit: Callable[[], None]
    drain_cancelled: Callable[[], list[tuple[str, str]]] | None


class SimulatedExecutionHandler(ExecutionHandler):
    """Execution against the simulated :class:`Venue` (backtest and paper).

    ``params``: ``gtc_bars`` (GTC expiry in bars, 0 = never). Slippage, fees and the
    TWAP duration come from the platform's execution settings via ``attach``.
    """

    def setup(self) -> None:
        """Nothing is usable before ``attach``."""
        self._venue: Venue | None = None
        self._services: ExecutionServices | None = None

    def attach(self, services: ExecutionServices) -> None:
        """Build the venue on the injected ledger and settings."""
        gtc = int(self.params.get("gtc_bars", services.settings.gtc_bars))
        settings = VenueSettings(
            slippage_pct=services.settings.slippage_pct,
            fee_pct=services.settings.fee_pct,
            twap_duration_bars=services.settings.twap_duration_bars,
            gtc_bars=gtc,
        )
        self._services = services
        self._venue = Venue(services.ledger, settings)

    @property
    def venue(self) -> Venue:
        """The attached venue."""
        if self._venue is None:
            raise RuntimeError(f"{self.worker_id}: execution handler used before attach()")
        return self._venue

    def on_execution_directive(self, directive: ExecutionDirective) -> DispositionEnvelope:
        """Register the directive's orders under a new trade id; end the flow."""
        assert self._services is not None
        trade_id = self._services.ids.new("TRD", directive.timestamp)
        orders = build_orders(directive, trade_id, self.venue.index, self.venue.settings)
        self.venue.submit(orders)
        metadata = {"trade_id": trade_id, "orders": len(orders)}  # a STOP needs no event
        return trusted(DispositionEnvelope, disposition=Disposition.STOP, metadata=metadata)

    def on_exit_plan_update(self, plan: ExitPlan) -> DispositionEnvelope | None:
        """Replace the stop/target of ``plan.trade_id``."""
        if plan.trade_id is not None:
            self.venue.update_exit(plan.trade_id, plan.stop_loss_price, plan.take_profit_price)
        return None

    def on_bar(self, bar: Bar, index: int) -> None:
        """Match the book against ``bar``."""
        (self._venue or self.venue).process_bar(bar, index)

    def begin_flow(self, index: int) -> None:
        """Stage venue changes of the coming flow."""
        (self._venue or self.venue).begin_flow(index)

    def commit(self) -> None:
        """Apply the flow's venue changes."""
        (self._venue or self.venue).commit()

    def rollback(self) -> None:
        """Drop the flow's venue changes."""
        self.venue.rollback()

    def close_trades(self, trade_ids: Sequence[str]) -> None:
        """Market-close ``trade_ids`` at the next bar's open."""
        for trade_id in trade_ids:
            self.venue.request_close(trade_id, self.venue.index)

    def finish(self, bar: Bar) -> None:
        """Close everything at the last close."""
        self.venue.close_all(bar)

    def drain_cancelled(self) -> list[tuple[str, str]]:
        """Orders cancelled since the last call (for the journal)."""
        return (self._venue or self.venue).drain_cancelled()

    def bar_hooks(self) -> BarHooks:
        """The per-bar methods, resolved once by the engine: the venue's own when this
        class's were not overridden (saves four Python calls a bar)."""
        venue = self.venue
        cls = type(self)
        base = SimulatedExecutionHandler
        return BarHooks(
            venue.process_bar if cls.on_bar is base.on_bar else self.on_bar,
            venue.begin_flow if cls.begin_flow is base.begin_flow else self.begin_flow,
            venue.commit if cls.commit is base.commit else self.commit,
            venue.drain_cancelled
            if cls.drain_cancelled is base.drain_cancelled
            else self.drain_cancelled,
        )
