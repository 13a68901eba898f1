"""Base classes that plugins derive from, one per worker type (SPEC §3.1).

The handler method names are normative: the compiler's base wiring subscribes each
worker type with them, and STC032 reports a subscribed method the class lacks.
Handlers the base wiring may or may not use (threat workers: ``on_tick``,
``on_ledger_update``, ``on_event``; strategy planners: ``on_swot``, ``on_schedule``,
``on_position_update``) are deliberately *not* defined here, so a missing one is a
compile-time error rather than a silent no-op.

Capabilities (manifest ``capabilities:``) are injected by the platform at bootstrap
through :meth:`Worker.bind`; a worker only sees what its manifest asked for.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, ClassVar, Protocol

from stc.runtime.dtos.directives import StrategyDirective
from stc.runtime.dtos.ids import IdFactory
from stc.runtime.dtos.ledger import LedgerSnapshot
from stc.runtime.dtos.market import TradingContext
from stc.runtime.dtos.plans import (
    EntryPlan,
    ExecutionDirective,
    ExitPlan,
    RoutingPlan,
    RoutingRequest,
    SizePlan,
)
from stc.runtime.envelope import DispositionEnvelope


class LedgerView(Protocol):
    """Read-only ledger access, injected when the manifest says ``ledger: read``."""

    def snapshot(self) -> LedgerSnapshot:
        """The account as of the last change."""
        ...

    def closed_trade_returns(self) -> tuple[float, ...]:
        """Realised return (pnl / risk) of every closed trade, oldest first."""
        ...


JournalNote = Callable[[str, Mapping[str, Any]], None]


class CapabilityError(RuntimeError):
    """A worker used a capability its manifest did not declare."""


class Worker(ABC):  # noqa: B024 - abstract by intent; handlers live in subclasses
    """Common base: params, identity and injected capabilities.

    Subclasses receive their validated ``params`` (defaults applied by the compiler)
    and read them in ``__init__`` or ``setup``. Workers must be deterministic: the same
    inputs in the same order must give the same outputs.
    """

    worker_type: ClassVar[str] = ""

    def __init__(self, params: Mapping[str, Any] | None = None) -> None:
        self.params: dict[str, Any] = dict(params or {})
        self.worker_id: str = ""
        self.context: TradingContext | None = None
        self._ids: IdFactory | None = None
        self._state: dict[str, Any] | None = None
        self._ledger: LedgerView | None = None
        self._journal: JournalNote | None = None
        self.setup()

    def setup(self) -> None:  # noqa: B027 - optional hook, empty by design
        """Hook for subclasses: read ``self.params`` and initialise indicator state."""

    def bind(
        self,
        worker_id: str,
        ids: IdFactory,
        context: TradingContext | None = None,
        state: dict[str, Any] | None = None,
        ledger: LedgerView | None = None,
        journal: JournalNote | None = None,
    ) -> None:
        """Inject identity and capabilities (called once by the platform at bootstrap)."""
        self.worker_id = worker_id
        self._ids = ids
        self.context = context
        self._state = state
        self._ledger = ledger
        self._journal = journal

    def new_id(self, prefix: str, when: datetime | None = None) -> str:
        """A deterministic ID stamped with the current tick's time (or ``when``)."""
        if self._ids is None:
            self._ids = IdFactory()
        stamp = when or (self.context.timestamp if self.context else None)
        if stamp is None:
            raise RuntimeError("new_id needs a tick time: pass `when` outside a tick")
        return self._ids.new(prefix, stamp)

    @property
    def state(self) -> dict[str, Any]:
        """Persistent per-worker state (capability ``state: true``)."""
        if self._state is None:
            raise CapabilityError(f"{self.worker_id or type(self).__name__}: state not declared")
        return self._state

    @property
    def ledger(self) -> LedgerView:
        """Read-only ledger (capability ``ledger: read``)."""
        if self._ledger is None:
            raise CapabilityError(f"{self.worker_id or type(self).__name__}: ledger not declared")
        return self._ledger

    def journal(self, note: str, **fields: Any) -> None:
        """Write a note into the run's journal (capability ``journaling: true``)."""
        if self._journal is None:
            raise CapabilityError(
                f"{self.worker_id or type(self).__name__}: journaling not declared"
            )
        self._journal(note, fields)


class ContextWorker(Worker):
    """Phase 1a: enriches the TradingContext; runs in blueprint order.

    ``on_tick`` returns the worker's DTO (recorded under its class name for the workers
    after it) or None while warming up; it may score factors with ``context.score``.
    """

    worker_type: ClassVar[str] = "context_worker"

    @abstractmethod
    def on_tick(self, context: TradingContext) -> object | None:
        """Compute this tick's contribution from ``context``."""


class OpportunityWorker(Worker):
    """Phase 2a: detects trade ideas; independent of the other opportunity workers."""

    worker_type: ClassVar[str] = "opportunity_worker"

    @abstractmethod
    def on_context_assessment(self, context: TradingContext) -> object | None:
        """Return an OpportunitySignal (or an envelope, or None) for this tick."""


class ThreatWorker(Worker):
    """Phase 2b: raises ThreatSignals. Defines ``on_tick``, ``on_ledger_update`` or
    ``on_event`` depending on the trigger it is wired to."""

    worker_type: ClassVar[str] = "threat_worker"


class StrategyPlanner(Worker):
    """Phase 3: defines ``on_swot`` (SWOT join), ``on_schedule`` (scheduled event) or
    ``on_position_update`` (position management) and returns a StrategyDirective."""

    worker_type: ClassVar[str] = "strategy_planner"


class EntryPlanner(Worker):
    """Phase 4a: turns a matched directive into an EntryPlan."""

    worker_type: ClassVar[str] = "entry_planner"

    @abstractmethod
    def on_strategy_directive(self, directive: StrategyDirective) -> EntryPlan | None:
        """Plan the entry for ``directive`` (a StrategyDirective)."""


class SizePlanner(Worker):
    """Phase 4a: turns a matched directive into a SizePlan."""

    worker_type: ClassVar[str] = "size_planner"

    @abstractmethod
    def on_strategy_directive(self, directive: StrategyDirective) -> SizePlan | None:
        """Plan the size for ``directive`` (a StrategyDirective)."""


class ExitPlanner(Worker):
    """Phase 4a: turns a matched directive into an ExitPlan."""

    worker_type: ClassVar[str] = "exit_planner"

    @abstractmethod
    def on_strategy_directive(self, directive: StrategyDirective) -> ExitPlan | None:
        """Plan the exit for ``directive`` (a StrategyDirective)."""


class RoutingPlanner(Worker):
    """Phase 4a (sequential): decides HOW/WHEN from entry + size + exit."""

    worker_type: ClassVar[str] = "routing_planner"

    @abstractmethod
    def on_routing_request(self, request: RoutingRequest) -> RoutingPlan | None:
        """Plan the routing for the three parallel plans in ``request``."""


class ExecutionHandler(Worker):
    """Phase 5: executes an ExecutionDirective and ends the flow (STOP)."""

    worker_type: ClassVar[str] = "execution_handler"

    @abstractmethod
    def on_execution_directive(self, directive: ExecutionDirective) -> DispositionEnvelope:
        """Register the directive's orders; return a STOP envelope."""


BASE_CLASSES: dict[str, type[Worker]] = {
    cls.worker_type: cls
    for cls in (
        ContextWorker,
        OpportunityWorker,
        ThreatWorker,
        StrategyPlanner,
        EntryPlanner,
        SizePlanner,
        ExitPlanner,
        RoutingPlanner,
        ExecutionHandler,
    )
}
"""Worker type id (manifest ``identification.type``) → the base class plugins extend."""
