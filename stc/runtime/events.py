"""The platform's event catalogue: every event name and its one payload DTO type.

Shared by the compiler (type checks, base wiring) and the runtime (dispatch).
Scheduled events (``schedules:`` in operation.yaml) carry ``ScheduledTick``; custom
events declare their payload in the publishing plugin's manifest.
"""

from __future__ import annotations

from typing import Final

PLATFORM_EVENTS: Final[dict[str, str]] = {
    "TICK_RECEIVED": "TradingContext",
    "CONTEXT_READY": "TradingContext",
    "CONTEXT_ASSESSMENT_READY": "TradingContext",
    "OPPORTUNITY_DETECTED": "OpportunitySignal",
    "THREAT_DETECTED": "ThreatSignal",
    "STRATEGY_DIRECTIVE_ISSUED": "StrategyDirective",
    "ENTRY_PLAN_CREATED": "EntryPlan",
    "SIZE_PLAN_CREATED": "SizePlan",
    "EXIT_PLAN_CREATED": "ExitPlan",
    "ROUTING_PLANNING_REQUESTED": "RoutingRequest",
    "ROUTING_PLAN_CREATED": "RoutingPlan",
    "EXECUTION_DIRECTIVE_READY": "ExecutionDirective",
    "_flow_stop": "ExecutionDirective",
    "UI_FLOW_TERMINATED": "ExecutionDirective",
    "LEDGER_UPDATE": "LedgerSnapshot",
    "POSITION_UPDATE": "PositionUpdate",
    "EXIT_PLAN_UPDATED": "ExitPlan",
}
"""Event name → payload DTO name.

``EXIT_PLAN_UPDATED`` extends the SPEC's list: a position-management planner (e.g. a
trailing stop) publishes a replacement ExitPlan for an open trade and the execution
handler applies it (SPEC §6 "a trailing-stop worker can publish a new ExitPlan").
"""

PLATFORM_COMPONENTS: Final[tuple[str, ...]] = (
    "platform", "ledger", "context_aggregator", "planning_aggregator", "flow_terminator",
)  # fmt: skip
"""Worker ids reserved for platform components in the wiring map."""

SCHEDULED_EVENT_PAYLOAD: Final = "ScheduledTick"
