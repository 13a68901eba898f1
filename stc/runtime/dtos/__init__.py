"""The platform's DTOs (SPEC §3.3). Import them from here."""

from __future__ import annotations

from stc.runtime.dtos.causality import CausalityChain
from stc.runtime.dtos.common import Direction, FrozenDTO, Score
from stc.runtime.dtos.directives import (
    EntryDirective,
    ExitDirective,
    PriceZone,
    RoutingDirective,
    SizeDirective,
    StrategyDirective,
)
from stc.runtime.dtos.ids import ID_PATTERN, ID_PREFIXES, IdFactory, format_id
from stc.runtime.dtos.ledger import (
    Fill,
    LedgerSnapshot,
    PositionUpdate,
    PositionView,
    ScheduledTick,
    Trade,
)
from stc.runtime.dtos.market import Bar, OHLCVWindow, TradingContext
from stc.runtime.dtos.plans import (
    EntryPlan,
    ExecutionDirective,
    ExitPlan,
    RoutingPlan,
    RoutingRequest,
    SizePlan,
)
from stc.runtime.dtos.signals import (
    AggregatedContextAssessment,
    FactorContribution,
    OpportunitySignal,
    ThreatSignal,
)
from stc.runtime.dtos.swot import SWOTInputs

PLATFORM_DTOS: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        TradingContext, AggregatedContextAssessment, OpportunitySignal, ThreatSignal,
        SWOTInputs, StrategyDirective, EntryPlan, SizePlan, ExitPlan, RoutingRequest,
        RoutingPlan, ExecutionDirective, CausalityChain, LedgerSnapshot, PositionUpdate,
        ScheduledTick, Trade, Fill, Bar, OHLCVWindow,
    )
}  # fmt: skip
"""Platform DTO classes by name: the compiler resolves event payload types here."""

__all__ = [
    "ID_PATTERN", "ID_PREFIXES", "PLATFORM_DTOS", "AggregatedContextAssessment", "Bar",
    "CausalityChain", "Direction", "EntryDirective", "EntryPlan", "ExecutionDirective",
    "ExitDirective", "ExitPlan", "FactorContribution", "Fill", "FrozenDTO", "IdFactory",
    "LedgerSnapshot", "OHLCVWindow", "OpportunitySignal", "PositionUpdate", "PositionView",
    "PriceZone", "RoutingDirective", "RoutingPlan", "RoutingRequest", "SWOTInputs",
    "ScheduledTick", "Score", "SizeDirective", "SizePlan", "StrategyDirective", "ThreatSignal",
    "Trade", "TradingContext", "format_id",
]  # fmt: skip
