"""The CompileUnit: everything the passes share about one strategy being compiled.

Passes read the unit and return diagnostics; only the pipeline (``stc.compiler.pipeline``)
fills it in, in pass order. Positions are kept as paths (``loc``) into the loaded
documents so that any pass can point at the exact YAML node.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, Literal

from stc.compiler.diagnostics import Diagnostic, Related, Suggestion
from stc.compiler.digraph import WiringGraph
from stc.compiler.model.aggregation import AggregationPolicy
from stc.compiler.model.blueprint import StrategyBlueprint, WorkerRef
from stc.compiler.model.common import default_of
from stc.compiler.model.platform import Platform, default_platform
from stc.compiler.registry import PluginRecord, PluginRegistry
from stc.compiler.rules import Rule
from stc.compiler.sources import Loaded, Mark, locate

if TYPE_CHECKING:  # the operation format's models load only to check an operation
    from stc.compiler.model.operation import DataSource, Operation

Loc = tuple[str | int, ...]
Slot = Literal[
    "context_workers", "opportunity_workers", "threat_workers", "strategy_planner",
    "entry", "size", "exit", "routing", "execution",
]  # fmt: skip

SLOT_TYPES: dict[str, str] = {
    "context_workers": "context_worker",
    "opportunity_workers": "opportunity_worker",
    "threat_workers": "threat_worker",
    "strategy_planner": "strategy_planner",
    "entry": "entry_planner",
    "size": "size_planner",
    "exit": "exit_planner",
    "routing": "routing_planner",
    "execution": "execution_handler",
}
"""Blueprint slot → the worker type whose plugins may sit in it."""


class CodeChecks(Enum):
    """Whether the checks against plugin code (they read the worker classes) ran on a
    unit: ``cls is None`` alone cannot tell a class that failed to import (STC080) from
    one that was never imported."""

    PENDING = "pending"
    """The classes are not loaded yet."""
    RAN = "ran"
    """The classes were imported and the checks ran (a worker whose ``cls`` is still
    None failed to import: STC080 says why)."""
    CACHED_CLEAN = "cached clean"
    """Skipped: the on-disk cache knows they pass for exactly these inputs
    (``stc.compiler.code_verdict``); no class was imported."""


@dataclass
class WorkerInstance:
    """One worker of the blueprint, as resolved so far."""

    id: str
    ref: WorkerRef
    slot: Slot
    loc: Loc
    order: int
    record: PluginRecord | None = None
    params: dict[str, Any] = field(default_factory=dict)
    warmup: int = 0
    timeframe: str = ""
    trigger: str | None = None
    triggers: dict[str, list[float]] = field(default_factory=dict)
    cls: type | None = None

    @property
    def worker_type(self) -> str:
        """The type id of the slot (and, once resolved, of the plugin)."""
        return SLOT_TYPES[self.slot]

    @property
    def plugin(self) -> str:
        """The plugin name as the blueprint wrote it."""
        return self.ref.plugin

    @property
    def is_swot_planner(self) -> bool:
        """A strategy planner without a trigger joins the SWOT inputs."""
        return self.slot == "strategy_planner" and self.trigger is None

    @property
    def label(self) -> str:
        """How messages name the worker: its id and plugin."""
        return f"`{self.id}` ({self.plugin})"


@dataclass
class Subscription:
    """One expanded wiring: ``worker.method`` receives ``event``."""

    event: str
    worker: str
    method: str
    adapter: str | None = None
    origin: Literal["base", "blueprint"] = "base"
    loc: Loc | None = None


@dataclass
class CompileUnit:
    """The shared state of one compilation (one blueprint, maybe from an operation)."""

    blueprint_file: str
    blueprint_loaded: Loaded
    blueprint: StrategyBlueprint
    registry: PluginRegistry
    platform: Platform = field(default_factory=default_platform)
    operation: Operation | None = None
    operation_file: str | None = None
    operation_loaded: Loaded | None = None
    link_index: int | None = None
    environment: Literal["backtest", "paper", "live"] = "backtest"
    data_source: DataSource | None = None
    data_source_name: str | None = None
    starting_capital: float = 10_000.0
    aggregation: AggregationPolicy = field(default_factory=lambda: default_of(AggregationPolicy))
    """Replaced by the layers (``pipeline._apply_layers``); ``AggregationPolicy()`` here
    would build that model's validator on every check, for nothing."""
    aggregation_from_blueprint: bool = False
    platform_file: str | None = None
    platform_loaded: Loaded | None = None
    """The platform.yaml the defaults came from: a problem in its values points there."""
    workers: list[WorkerInstance] = field(default_factory=list)
    subscriptions: list[Subscription] = field(default_factory=list)
    publishers: dict[str, list[str]] = field(default_factory=dict)
    event_payloads: dict[str, str] = field(default_factory=dict)
    graph: WiringGraph = field(default_factory=WiringGraph)
    mode: Literal["swot", "direct", "scheduled"] = "swot"
    code_checks: CodeChecks = CodeChecks.PENDING
    batch_offers: frozenset[str] | None = None
    """Ids of the workers whose class offers a batch form, as the compile cache
    remembered them when it skipped importing the classes (``CACHED_CLEAN``)."""
    batch_id_draws: dict[str, str] = field(default_factory=dict)
    """With ``batch_offers``: context worker id → the function of its class whose code
    draws ids from its handler (``stc.compiler.id_draws``), as the cache remembered it."""
    _index: dict[str, WorkerInstance] = field(default_factory=dict, repr=False)
    _indexed: int = field(default=-1, repr=False)

    @property
    def schedules(self) -> dict[str, str]:
        """Scheduled events of the operation: name → period."""
        if self.operation is None:
            return {}
        return {name: s.every for name, s in sorted(self.operation.schedules.items())}

    def worker(self, worker_id: str) -> WorkerInstance | None:
        """The (first) worker with ``worker_id``; None for platform components.

        Indexed by id and re-indexed when workers were added: checks call this per
        subscription, so a scan would make them quadratic in the number of workers.
        """
        return self.workers_by_id().get(worker_id)

    def workers_by_id(self) -> dict[str, WorkerInstance]:
        """Id → the first worker with that id (what ``worker`` looks up): a loop over
        every subscription reads this dict instead of calling ``worker`` each time."""
        if self._indexed != len(self.workers):
            index: dict[str, WorkerInstance] = {}
            for instance in self.workers:
                index.setdefault(instance.id, instance)
            self._index, self._indexed = index, len(self.workers)
        return self._index

    def resolved(self) -> list[WorkerInstance]:
        """Workers whose plugin was found and fits its slot."""
        return [w for w in self.workers if w.record is not None]

    def mark(self, loc: Sequence[str | int], *, key: bool = False) -> Mark | None:
        """Position of a blueprint node."""
        return locate(self.blueprint_loaded.data, tuple(loc), key=key)

    def diag(
        self,
        rule: Rule,
        message: str,
        loc: Sequence[str | int] | None,
        help: str | None,
        *,
        key: bool = False,
        related: tuple[Related, ...] = (),
        subjects: tuple[str, ...] = (),
        suggestions: tuple[Suggestion, ...] = (),
    ) -> Diagnostic:
        """A diagnostic of ``rule`` pointing at a node of the blueprint."""
        mark = self.mark(loc, key=key) if loc is not None else None
        return rule.at(
            message, self.blueprint_file, mark, help,
            related=related, subjects=subjects, suggestions=suggestions,
        )  # fmt: skip

    def rename(
        self, loc: Sequence[str | int], word: str, candidates: Iterable[str], *, key: bool = False
    ) -> tuple[str | None, tuple[Suggestion, ...]]:
        """Did-you-mean help and its fix for a misspelt name at a blueprint node."""
        from stc.compiler.suggest import rename

        mark = self.mark(loc, key=key)
        return rename(word, candidates, self.blueprint_file, mark, self.blueprint_loaded.source)

    def related(self, message: str, loc: Sequence[str | int], *, key: bool = False) -> Related:
        """A related note at a blueprint node."""
        mark = self.mark(loc, key=key)
        return Related(
            message=message,
            file=self.blueprint_file,
            line=mark.line if mark else None,
            column=mark.column if mark else None,
        )
