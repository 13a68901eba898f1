"""plugin_manifest.yaml (SPEC §4.1): what a plugin is, needs and provides."""

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, ValidationInfo, field_validator

from stc.compiler.model.common import (
    DtoName,
    Identifier,
    PluginName,
    StrictModel,
    default_of,
    empty_list,
)
from stc.runtime.plan.model import Capabilities as Capabilities
from stc.runtime.plan.model import FactorDecl as FactorDecl
from stc.runtime.plan.model import FactorName as FactorName
from stc.runtime.plan.model import PublishDecl as PublishDecl
from stc.runtime.plan.model import WorkerType as WorkerType
from stc.runtime.plan.model import factor_shorthand

SUBTYPES: dict[str, tuple[str, ...]] = {
    "context_worker": (
        "regime_classification", "structural_analysis", "indicator_calculation",
        "microstructure_analysis", "temporal_context", "sentiment_enrichment",
        "fundamental_enrichment",
    ),
    "opportunity_worker": (
        "breakout_detection", "pullback_detection", "reversal_detection",
        "continuation_detection", "arbitrage_detection", "statistical_edge",
        "sentiment_extreme",
    ),
    "threat_worker": (
        "risk_limit_monitoring", "drawdown_monitoring", "volatility_monitoring",
        "correlation_monitoring", "systemic_risk_detection",
    ),
    "strategy_planner": (
        "swot_entry", "position_management", "risk_control", "scheduled_operation",
    ),
    "entry_planner": ("market_entry", "limit_entry", "layered_entry"),
    "size_planner": ("fixed_risk", "kelly", "aggressive"),
    "exit_planner": ("fixed_risk_reward", "structure_based", "aggressive"),
    "routing_planner": ("market", "twap", "iceberg"),
    "execution_handler": ("backtest", "paper", "live"),
}  # fmt: skip
"""Subtypes per worker type. Context, opportunity and threat subtypes are the SPEC's;
the others are documentation values used in the diagram legend (see docs/formats.md)."""

SemVer = Annotated[str, Field(pattern=r"^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$")]
Entrypoint = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*$",
        description="module:Class, the module relative to the manifest's folder "
        "(dots name submodules inside that folder; never a path)",
    ),
]


class Identification(StrictModel):
    """Who the plugin is."""

    name: PluginName
    version: SemVer
    type: WorkerType
    subtype: str
    description: str = Field(default="", max_length=2000)

    @field_validator("subtype")
    @classmethod
    def _subtype_fits_type(cls, value: str, info: ValidationInfo) -> str:
        worker_type = info.data.get("type")
        allowed = SUBTYPES.get(worker_type or "", ())
        if worker_type and value not in allowed:
            raise ValueError(
                f"subtype {value!r} is not a subtype of {worker_type}; "
                f"expected one of: {', '.join(allowed)}"
            )
        return value


class Dependencies(StrictModel):
    """The data contract: DTOs in and out, factors scored, events published."""

    requires_dtos: list[DtoName] = Field(default_factory=empty_list)
    provides_dtos: list[DtoName] = Field(default_factory=empty_list)
    provides_factors: Annotated[
        list[FactorDecl],
        BeforeValidator(factor_shorthand, json_schema_input_type=list[FactorName | FactorDecl]),
    ] = Field(default_factory=empty_list)
    publishes: list[PublishDecl] = Field(default_factory=empty_list)
    requires_volume: bool | dict[Identifier, list[str | int | float | bool]] = Field(
        default=False,
        description=(
            "whether the worker reads bar volume: true, or the param values that make it "
            "read volume ({reference: [volume]}); a run on data without volume is refused"
        ),
    )


class Warmup(StrictModel):
    """Bars needed before the worker's output is valid: an integer or an expression
    over ``params`` (``max(params.periods)``, ``params.period * 2 + 1``)."""

    bars: int | Annotated[str, Field(max_length=200)] = 0

    @field_validator("bars")
    @classmethod
    def _non_negative(cls, value: int | str) -> int | str:
        if isinstance(value, int) and value < 0:
            raise ValueError("warm-up bars must be >= 0")
        return value


class ParamRule(StrictModel):
    """A rule between params that JSON Schema cannot state (``stc.compiler.constraints``)."""

    rule: Annotated[str, Field(min_length=1, max_length=200)]
    message: Annotated[str, Field(min_length=1, max_length=300)]

    @field_validator("rule")
    @classmethod
    def _allowed_form(cls, value: str) -> str:
        from stc.compiler.constraints import parse_rule

        parse_rule(value)  # a RuleError is a ValueError: pydantic reports it at the rule
        return value


class PluginManifest(StrictModel):
    """The whole ``plugin_manifest.yaml``."""

    manifest_version: Literal[1]
    identification: Identification
    entrypoint: Entrypoint
    capabilities: Capabilities = default_of(Capabilities)
    dependencies: Dependencies = default_of(Dependencies)
    warmup: Warmup = default_of(Warmup)
    batch: bool = Field(
        default=False,
        description="the worker class also offers a batch form (`batch` and `result_at`, "
        "stc.runtime.batch): its outputs over a whole array of closed bars, equal to the "
        "handler's bar for bar; used when its inputs are bars and batchable outputs only",
    )
    config_schema: dict[str, Any] = Field(
        default_factory=lambda: {"type": "object", "additionalProperties": False},
        description="JSON Schema (draft 2020-12) for the blueprint's params",
    )
    constraints: list[ParamRule] = Field(
        default_factory=empty_list,
        description="rules between params, e.g. `fast < slow` (checked by `stc check`)",
    )
