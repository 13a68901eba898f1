"""strategy_blueprint.yaml (SPEC §4.2): which workers take part, with which params."""

import re
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from stc.compiler.model.aggregation import AggregationPolicy
from stc.compiler.model.common import (
    EventName,
    Identifier,
    PluginName,
    StrictModel,
    Timeframe,
    default_of,
    empty_dict,
    empty_list,
)

TriggerRange = Annotated[list[float], Field(min_length=2, max_length=2)]
"""``[lo, hi]``: lo ≤ x < hi, except hi = 1.0 which includes 1.0."""


def snake_case(name: str) -> str:
    """``EMADetector`` → ``ema_detector``; the default worker id of a plugin."""
    step = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    step = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", step)
    return step.replace("-", "_").lower()


class WorkerRef(StrictModel):
    """One worker instance: a plugin by manifest name, an optional id and params."""

    id: Identifier | None = None
    plugin: PluginName
    params: dict[str, Any] = Field(default_factory=empty_dict)
    timeframe: Timeframe | None = Field(
        default=None, description="the timeframe the worker reads; default: the tick timeframe"
    )

    @property
    def worker_id(self) -> str:
        """The explicit id, or the plugin name in snake_case."""
        return self.id or snake_case(self.plugin)


class ThreatRef(WorkerRef):
    """A threat worker and the event that triggers it."""

    trigger: EventName = "TICK_RECEIVED"


class StrategyPlannerRef(WorkerRef):
    """A strategy planner: SWOT (no trigger) or triggered by a schedule/POSITION_UPDATE."""

    trigger: EventName | None = None


class PlannerRef(WorkerRef):
    """A trade planner with the trigger ranges its PlannerMatcher filters on."""

    triggers: dict[Annotated[str, Field(pattern=r"^[a-z_][a-z0-9_]*$")], TriggerRange] = Field(
        default_factory=empty_dict
    )

    @field_validator("triggers")
    @classmethod
    def _ranges(cls, value: dict[str, list[float]]) -> dict[str, list[float]]:
        for key, (lo, hi) in value.items():
            if not (0.0 <= lo < hi <= 1.0):
                raise ValueError(
                    f"trigger {key}: [lo, hi] needs 0 <= lo < hi <= 1, got [{lo}, {hi}]"
                )
        return value


class PlanningWorkers(StrictModel):
    """Phase-4 planners by kind."""

    entry: list[PlannerRef] = Field(default_factory=empty_list)
    size: list[PlannerRef] = Field(default_factory=empty_list)
    exit: list[PlannerRef] = Field(default_factory=empty_list)
    routing: list[PlannerRef] = Field(default_factory=empty_list)


class Workforce(StrictModel):
    """All workers of the strategy, by slot."""

    context_workers: list[WorkerRef] = Field(default_factory=empty_list)
    opportunity_workers: list[WorkerRef] = Field(default_factory=empty_list)
    threat_workers: list[ThreatRef] = Field(default_factory=empty_list)
    strategy_planner: StrategyPlannerRef | list[StrategyPlannerRef] | None = None
    planning_workers: PlanningWorkers = default_of(PlanningWorkers)

    @property
    def strategy_planners(self) -> list[StrategyPlannerRef]:
        """The strategy planner slot as a list (one mapping or a list in YAML)."""
        planner = self.strategy_planner
        if planner is None:
            return []
        return list(planner) if isinstance(planner, list) else [planner]


class WiringEntry(StrictModel):
    """An extra event connection beyond the base wiring."""

    event: EventName
    worker: Identifier
    method: Annotated[str, Field(pattern=r"^[a-z_][a-z0-9_]*$")]


class StrategyBlueprint(StrictModel):
    """The whole ``strategy_blueprint.yaml``."""

    blueprint_version: Literal[1]
    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$", max_length=128)]
    description: str = Field(default="", max_length=4000)
    symbol: Annotated[str, Field(min_length=1, max_length=64)]
    timeframes: list[Timeframe] = Field(min_length=1)
    workforce: Workforce
    aggregation: AggregationPolicy | None = None
    wiring: list[WiringEntry] = Field(default_factory=empty_list)

    @model_validator(mode="after")
    def _unique_timeframes(self) -> "StrategyBlueprint":
        if len(set(self.timeframes)) != len(self.timeframes):
            raise ValueError("timeframes must not repeat")
        return self

    @property
    def tick_timeframe(self) -> str:
        """The first timeframe: ticks are its closed bars."""
        return self.timeframes[0]
