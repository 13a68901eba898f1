"""wiring_map.yaml (SPEC §5.3): the compiled plan, the contract between compiler and
runtime. The runtime loads it with its own copy of this shape (``stc.runtime.plan``) and
never recompiles. Everything here is plain data with a deterministic order.
"""

from typing import Any, Literal

from pydantic import Field

from stc.compiler.model.aggregation import AggregationPolicy
from stc.compiler.model.common import StrictModel, default_of, empty_dict, empty_list
from stc.compiler.model.manifest import Capabilities, FactorDecl, PublishDecl, WorkerType
from stc.compiler.model.platform import ExecutionSettings

FORMAT_VERSION = 1


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
    class_name: str = Field(alias="class")
    folder: str


class ResolvedWorker(StrictModel):
    """A worker instance after resolution: params with defaults, warm-up as a number."""

    id: str
    plugin: str
    version: str
    type: WorkerType
    subtype: str
    source: PluginSource
    params: dict[str, Any] = Field(default_factory=empty_dict)
    params_defaulted: list[str] = Field(
        default_factory=empty_list,
        description="params the blueprint did not set: their values are the manifest's defaults",
    )
    warmup: int = 0
    timeframe: str
    capabilities: Capabilities = default_of(Capabilities)
    requires: list[str] = Field(default_factory=empty_list)
    reads_volume: bool = Field(
        default=False,
        description="the worker reads bar volume (its manifest's requires_volume): a run on "
        "data without volume is refused",
    )
    provides: list[str] = Field(default_factory=empty_list)
    factors: list[FactorDecl] = Field(default_factory=empty_list)
    publishes: list[PublishDecl] = Field(default_factory=empty_list)
    trigger: str | None = None
    triggers: dict[str, list[float]] = Field(default_factory=empty_dict)


class Subscriber(StrictModel):
    """One subscription: the worker (or platform component) and its handler method."""

    worker: str
    method: str
    adapter: str | None = Field(
        default=None, description="payload conversion, e.g. opportunity_as_directive"
    )


class EventWiring(StrictModel):
    """An event, its payload type, who publishes it and who receives it (in order)."""

    event: str
    payload: str
    publishers: list[str] = Field(default_factory=empty_list)
    subscribers: list[Subscriber] = Field(default_factory=empty_list)


class Phase(StrictModel):
    """One step of the phase schedule.

    ``kind``: ``sequential`` (run in the listed order), ``parallel`` (independent;
    run in the listed, deterministic order), ``join`` (waits for ``waits_for`` to be
    complete), ``platform`` (a platform component), ``event`` (runs when ``trigger``
    fires, outside the tick flow).
    """

    phase: str
    name: str
    kind: Literal["sequential", "parallel", "join", "platform", "event"]
    workers: list[str] = Field(default_factory=empty_list)
    groups: dict[str, list[str]] = Field(default_factory=empty_dict)
    waits_for: list[str] = Field(default_factory=empty_list)
    trigger: str | None = None


class WiringMap(StrictModel):
    """The whole compiled plan."""

    format_version: Literal[1] = 1
    compiler_version: str
    strategy: str
    symbol: str
    mode: Literal["swot", "direct", "scheduled"]
    environment: Literal["backtest", "paper", "live"] = "backtest"
    timeframes: list[str]
    inputs: list[InputFile]
    starting_capital: float = 10_000.0
    data_source: dict[str, str] | None = None
    execution: ExecutionSettings = default_of(ExecutionSettings)
    aggregation: AggregationPolicy = default_of(AggregationPolicy)
    schedules: dict[str, str] = Field(default_factory=empty_dict)
    workers: list[ResolvedWorker]
    schedule: list[Phase]
    event_wirings: list[EventWiring]
