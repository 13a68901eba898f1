"""The plan format: ``wiring_map.yaml`` (SPEC §5.3), the contract between compiler and
runtime, defined once.

The compiler builds these objects and writes their dump (field order from the models);
``python -m stc.compiler.schema_export`` derives ``schemas/wiring_map.schema.json`` from
them; :func:`stc.runtime.plan.load_plan` validates a map through them. Every default
of the format is written here and nowhere else. The models live in the runtime because
the runtime loads plans without the compiler.

The attribute names are the engine's (``plan.workers``, ``plan.events``,
``WorkerSpec.triggers`` …); where the file says it differently the field has a
serialization alias (``events`` is written ``event_wirings``, ``class_name`` ``class``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BeforeValidator, Field, PrivateAttr, model_validator

from stc.runtime.plan.base import (
    DtoName,
    EventName,
    StrictModel,
    default_of,
    empty_dict,
    empty_list,
    empty_tuple,
)
from stc.runtime.plan.errors import PlanError

FORMAT_VERSION: Literal[1] = 1

PROVENANCE_FIELDS = frozenset({"compiler_version", "inputs"})
"""Fields that say where a plan came from, not what it runs: a run's fingerprint
(``stc.runtime.resume.plan_sha256``) leaves them out, so recompiling with another stc
version or after a comment edit does not block ``--resume`` of the same plan."""

WorkerType = Literal[
    "context_worker",
    "opportunity_worker",
    "threat_worker",
    "strategy_planner",
    "entry_planner",
    "size_planner",
    "exit_planner",
    "routing_planner",
    "execution_handler",
]

MIN_CAPITAL, MAX_CAPITAL = 1.0, 1e12
"""The documented range of ``starting_capital``: below 1 the ledger's rounding eats
every trade, above 10^12 metrics lose their precision (``.inf`` gave ``total_return
None``, ``1e-300`` −100 % with no trade)."""

StartingCapital = Annotated[float, Field(ge=MIN_CAPITAL, le=MAX_CAPITAL, allow_inf_nan=False)]
"""Money a strategy starts with (the operation format uses the same type)."""

Weight = Annotated[float, Field(ge=0.0, le=1.0)]


class AggregationPolicy(StrictModel):
    """``weighted_average`` (weights per factor, missing weights count 1),
    ``max`` (the strongest factor of each polarity), or ``consensus`` (the share of
    factors of each polarity scoring at least ``consensus_threshold``)."""

    method: Literal["weighted_average", "max", "consensus"] = "weighted_average"
    weights: dict[str, Weight] = Field(default_factory=empty_dict)
    consensus_threshold: float = Field(default=0.5, ge=0.0, le=1.0)


class ExecutionSettings(StrictModel):
    """Default execution parameters the routing plan does not carry (seed, phase 4a)."""

    twap_duration_bars: int = Field(default=4, ge=1, le=1000)
    slippage_pct: float = Field(default=0.0, ge=0.0, le=0.1)
    fee_pct: float = Field(default=0.0, ge=0.0, le=0.1)
    post_only: bool = False
    exchange_preference: list[str] = Field(default_factory=empty_list)


class Capabilities(StrictModel):
    """What the platform injects into the worker at bootstrap."""

    state: bool = False
    events: bool = False
    journaling: bool = False
    ledger: Literal["none", "read"] = "none"

    def get(self, name: str, default: object = None) -> object:
        """The capability ``name`` (``default`` when there is none): the engine reads
        capabilities by name, as it reads them from a manifest's mapping."""
        return getattr(self, name, default) if name in type(self).model_fields else default


FactorName = Annotated[str, Field(pattern=r"^[a-z_][a-z0-9_]*$")]


class FactorDecl(StrictModel):
    """A context factor a worker scores, with its polarity."""

    name: FactorName
    polarity: Literal["strength", "weakness"] = "strength"


def factor_shorthand(value: Any) -> Any:
    """Allow ``[trend_strength]`` as shorthand for ``[{name: trend_strength}]`` (a
    strength factor); the schema states the same through ``json_schema_input_type``."""
    if isinstance(value, list | tuple):
        return [{"name": item} if isinstance(item, str) else item for item in value]
    return value


Factors = Annotated[
    tuple[FactorDecl, ...],
    BeforeValidator(factor_shorthand, json_schema_input_type=list[FactorName | FactorDecl]),
]
"""Factors as a manifest and a plan write them: names or ``{name, polarity}``."""


class PublishDecl(StrictModel):
    """A custom event the plugin publishes, with its payload DTO."""

    event: EventName
    payload: DtoName


class InputFile(StrictModel):
    """One input file by its relative name and content hash."""

    file: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class PluginSource(StrictModel):
    """Where the runtime finds the worker class without the compiler.

    ``origin`` is ``builtin`` (the packaged ``plugins`` package: ``module`` is a dotted
    import path), ``entry_point`` (an installed distribution: ``module`` is dotted), or
    ``root`` (an extra plugin root: ``folder`` is relative to that root and ``module`` is
    relative to the folder).
    """

    origin: Literal["builtin", "entry_point", "root"]
    module: str
    class_name: str = Field(
        validation_alias=AliasChoices("class", "class_name"), serialization_alias="class"
    )
    folder: str = Field(default="", description="the plugin's folder; `root` sources need it")


TriggerRange = tuple[float, float]
"""``[lo, hi]`` of one trigger field (lo ≤ hi)."""


class BatchSpec(StrictModel):
    """The compiler's proof that a worker may run in batch form (issue 23;
    ``stc.compiler.batchable``): its outputs are a pure function of the closed bars of
    its timeframe and of the batch outputs of ``inputs``. The fast engine computes it
    once over the whole data (``stc.runtime.batch``); absent, the worker runs its
    handler tick by tick."""

    inputs: tuple[str, ...] = Field(
        default_factory=empty_tuple,
        description="ids of the batchable context workers whose outputs it reads, besides bars",
    )


class WorkerSpec(StrictModel):
    """A worker instance after resolution: params with defaults, warm-up as a number."""

    id: str
    plugin: str
    version: str
    type: WorkerType
    subtype: str
    source: PluginSource
    params: dict[str, Any] = Field(default_factory=empty_dict)
    params_defaulted: tuple[str, ...] = Field(
        default_factory=empty_tuple,
        description="params the blueprint did not set: their values are the manifest's defaults",
    )
    warmup: int = 0
    timeframe: str
    capabilities: Capabilities = default_of(Capabilities)
    requires: tuple[str, ...] = Field(default_factory=empty_tuple)
    reads_volume: bool = Field(
        default=False,
        description="the worker reads bar volume (its manifest's requires_volume): a run on "
        "data without volume is refused",
    )
    provides: tuple[str, ...] | None = Field(
        default=None,
        description="DTO names the worker returns; absent: the map does not say (the "
        "runtime then only refuses results that are never a context DTO)",
    )
    factors: Factors = Field(default_factory=empty_tuple)
    publishes: tuple[PublishDecl, ...] = Field(default_factory=empty_tuple)
    trigger: str | None = None
    triggers: dict[str, TriggerRange] = Field(default_factory=empty_dict)
    batch: BatchSpec | None = Field(
        default=None,
        description="present when the worker may run in batch form (its outputs depend "
        "on bars only); absent: it runs tick by tick",
    )

    @model_validator(mode="after")
    def _ranges_are_ordered(self) -> WorkerSpec:
        for name, (lo, hi) in self.triggers.items():
            if lo > hi:
                raise ValueError(f"triggers.{name}: lo {lo} exceeds hi {hi}")
        return self


class SubscriberSpec(StrictModel):
    """One subscription: the worker (or platform component) and its handler method."""

    worker: str
    method: str
    adapter: str | None = Field(
        default=None, description="payload conversion, e.g. opportunity_as_directive"
    )


class EventSpec(StrictModel):
    """An event, its payload type, who publishes it and who receives it (in order)."""

    event: str
    payload: str
    publishers: tuple[str, ...] = Field(default_factory=empty_tuple)
    subscribers: tuple[SubscriberSpec, ...] = Field(default_factory=empty_tuple)


class Plan(StrictModel):
    """The whole compiled plan: what ``wiring_map.yaml`` holds and the engine runs."""

    format_version: Literal[1] = FORMAT_VERSION
    compiler_version: str
    strategy: str
    symbol: str
    mode: Literal["swot", "direct", "scheduled"]
    environment: Literal["backtest", "paper", "live"] = "backtest"
    timeframes: tuple[str, ...] = Field(min_length=1)
    inputs: tuple[InputFile, ...]
    starting_capital: StartingCapital = 10_000.0
    data_source: dict[str, Any] | None = None
    execution: ExecutionSettings = default_of(ExecutionSettings)
    aggregation: AggregationPolicy = default_of(AggregationPolicy)
    schedules: dict[str, str] = Field(default_factory=empty_dict)
    workers: tuple[WorkerSpec, ...]
    events: tuple[EventSpec, ...] = Field(
        validation_alias=AliasChoices("event_wirings", "events"),
        serialization_alias="event_wirings",
    )
    _base_dir: Path | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _worker_ids_are_unique(self) -> Plan:
        ids = [w.id for w in self.workers]
        if len(set(ids)) != len(ids):
            twice = sorted({i for i in ids if ids.count(i) > 1})
            raise ValueError(f"duplicate worker ids: {', '.join(twice)}")
        return self

    @property
    def base_dir(self) -> Path | None:
        """The folder of the wiring-map file the plan was loaded from (None for a plan
        built in memory): a relative ``data_source.path`` is tried there first."""
        return self._base_dir

    def worker(self, worker_id: str) -> WorkerSpec:
        """The worker with ``worker_id`` (PlanError when absent)."""
        for spec in self.workers:
            if spec.id == worker_id:
                return spec
        raise PlanError(f"no worker {worker_id!r} in the plan")

    def subscribers(self, event: str) -> tuple[SubscriberSpec, ...]:
        """Subscribers of ``event`` in wiring order (empty when nobody listens)."""
        for spec in self.events:
            if spec.event == event:
                return spec.subscribers
        return ()
