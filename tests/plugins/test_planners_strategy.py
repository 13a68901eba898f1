"""Strategy planners: the SWOT formula, DCA directives and the trailing stop."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from plugin_harness import FakeLedger, configured

from stc.plugins.dtos import MarketStructure
from stc.plugins.size_planner.fixed_risk_sizer.worker import FixedRiskSizer
from stc.plugins.strategy_planner.adaptive_momentum_planner.worker import AdaptiveMomentumPlanner
from stc.plugins.strategy_planner.dca_planner.worker import DCAPlanner
from stc.plugins.strategy_planner.trailing_stop_planner.worker import TrailingStopPlanner
from stc.runtime.dtos import (
    AggregatedContextAssessment,
    Bar,
    ExitPlan,
    IdFactory,
    OpportunitySignal,
    PositionUpdate,
    PositionView,
    ScheduledTick,
    SWOTInputs,
    ThreatSignal,
    TradingContext,
)
from stc.runtime.dtos.common import Direction
from stc.runtime.envelope import Disposition

T = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
D = Decimal
TRD_A = "TRD_20240301_100000_00001"
TRD_B = "TRD_20240301_100000_00002"
TRD_C = "TRD_20240301_100000_00003"


def _context() -> TradingContext:
    ctx = TradingContext("BTCUSDT", {})
    ctx.begin_tick(Bar(T, 100.0, 101.0, 99.0, 100.0, 10.0))
    return ctx


def _opp(n: int, direction: Direction, confidence: str, **metadata: Any) -> OpportunitySignal:
    return OpportunitySignal(
        signal_id=f"OPP_20240301_120000_0000{n}",
        timestamp=T,
        asset="BTCUSDT",
        direction=direction,
        signal_type="test",
        confidence=D(confidence),
        metadata=metadata,
    )


def _threat(n: int, severity: str) -> ThreatSignal:
    return ThreatSignal(
        threat_id=f"THR_20240301_120000_0001{n}",
        timestamp=T,
        threat_type="test",
        severity=D(severity),
    )


def _swot(
    opps: tuple[OpportunitySignal, ...],
    threats: tuple[ThreatSignal, ...] = (),
    strength: str = "0.6",
    weakness: str = "0.2",
) -> SWOTInputs:
    return SWOTInputs(
        timestamp=T,
        symbol="BTCUSDT",
        reference_price=D("100"),
        context_assessment=AggregatedContextAssessment(
            assessment_id="CTX_20240301_120000_000aa",
            timestamp=T,
            strength=D(strength),
            weakness=D(weakness),
        ),
        opportunity_signals=opps,
        threat_signals=threats,
    )


def _planner(
    params: dict[str, Any] | None = None,
    ledger: FakeLedger | None = None,
    ctx: TradingContext | None = None,
) -> AdaptiveMomentumPlanner:
    planner = configured(AdaptiveMomentumPlanner, params)
    planner.bind("amp", IdFactory(), context=ctx or _context(), ledger=ledger or FakeLedger())
    return planner


def _position(trade_id: str, direction: Direction, symbol: str = "BTCUSDT") -> PositionView:
    return PositionView(
        trade_id=trade_id, symbol=symbol, direction=direction, size=D(1), entry_price=D(90)
    )


# --- AdaptiveMomentumPlanner -------------------------------------------------------------


def test_swot_formula_and_sub_directives() -> None:
    # 0.6*0.3 + 0.8*0.5 - max(0.5, 0.3)*0.2 = 0.18 + 0.40 - 0.10 = 0.48
    swot = _swot((_opp(1, "BUY", "0.8"),), (_threat(1, "0.5"), _threat(2, "0.3")))
    directive = _planner().on_swot(swot)
    assert directive is not None
    assert directive.confidence == D("0.48")
    assert directive.scope == "NEW_TRADE" and directive.target_trade_ids == ()
    assert directive.reference_price == D("100")
    entry = directive.entry_directive
    assert (entry.symbol, entry.direction, entry.timing_preference) == ("BTCUSDT", "BUY", D("0.48"))
    assert directive.size_directive.aggressiveness == D("0.384")
    assert directive.size_directive.account_risk_pct == D("0.01")
    assert directive.size_directive.max_risk_amount is None
    assert directive.exit_directive.risk_reward_ratio == D("2.0")
    assert directive.exit_directive.stop_loss_tolerance == D("0.02")
    assert directive.routing_directive.execution_urgency == D("0.48")
    assert directive.routing_directive.max_total_slippage_pct == D("0.005")
    chain = directive.causality
    assert chain.context_assessment_id == "CTX_20240301_120000_000aa"
    assert chain.opportunity_ids == ("OPP_20240301_120000_00001",)
    assert chain.threat_ids == ("THR_20240301_120000_00011", "THR_20240301_120000_00012")
    assert chain.strategy_directive_id == directive.directive_id
    assert directive.directive_id.startswith("STR_20240301_120000_")


def test_weights_are_configurable_including_weakness() -> None:
    params = {
        "strength_weight": 0.4,
        "opportunity_weight": 0.4,
        "threat_weight": 0.1,
        "weakness_weight": 0.5,
        "max_risk_amount": 250,
        "account_risk_pct": 0.02,
    }
    # 0.6*0.4 + 0.8*0.4 - 0.5*0.1 - 0.2*0.5 = 0.24 + 0.32 - 0.05 - 0.10 = 0.41
    swot = _swot((_opp(1, "BUY", "0.8"),), (_threat(1, "0.5"),))
    directive = _planner(params).on_swot(swot)
    assert directive is not None and directive.confidence == D("0.41")
    assert directive.size_directive.max_risk_amount == D("250")
    assert directive.size_directive.account_risk_pct == D("0.02")


def test_no_opportunity_no_directive() -> None:
    assert _planner().on_swot(_swot((), (_threat(1, "0.1"),))) is None


def test_confidence_is_clamped() -> None:
    high = {"strength_weight": 1, "opportunity_weight": 1, "threat_weight": 0}
    directive = _planner(high).on_swot(_swot((_opp(1, "BUY", "0.9"),), strength="0.9"))
    assert directive is not None and directive.confidence == D(1)
    crushing = {"threat_weight": 1}
    assert _planner(crushing).on_swot(_swot((_opp(1, "BUY", "0.5"),), (_threat(1, "1"),))) is None


def test_min_confidence_gate() -> None:
    swot = _swot((_opp(1, "BUY", "0.8"),), (_threat(1, "0.5"),))  # 0.48
    assert _planner({"min_confidence": 0.5}).on_swot(swot) is None
    assert _planner({"min_confidence": 0.48}).on_swot(swot) is not None


def test_highest_confidence_wins_across_directions() -> None:
    swot = _swot((_opp(1, "BUY", "0.7"), _opp(2, "SELL", "0.9"), _opp(3, "BUY", "0.2")))
    directive = _planner().on_swot(swot)
    assert directive is not None
    assert directive.entry_directive.direction == "SELL"
    assert directive.confidence == D("0.63")  # 0.6*0.3 + 0.9*0.5
    assert len(directive.causality.opportunity_ids) == 3


def test_opposite_tie_is_ambiguous() -> None:
    assert _planner().on_swot(_swot((_opp(1, "BUY", "0.7"), _opp(2, "SELL", "0.7")))) is None
    same = _planner().on_swot(_swot((_opp(1, "BUY", "0.7"), _opp(2, "BUY", "0.7"))))
    assert same is not None and same.entry_directive.direction == "BUY"


def test_close_signal_targets_opposite_open_trades() -> None:
    ledger = FakeLedger(
        positions=(
            _position(TRD_A, "BUY"),
            _position(TRD_B, "SELL"),
            _position(TRD_C, "BUY", "ETHUSDT"),
        )
    )
    swot = _swot((_opp(1, "SELL", "0.6", action="close"), _opp(2, "BUY", "0.9")))
    directive = _planner(ledger=ledger).on_swot(swot)
    assert directive is not None
    assert directive.scope == "CLOSE_EXISTING"
    assert directive.target_trade_ids == (TRD_A,)
    assert directive.entry_directive.direction == "SELL"
    assert directive.confidence == D("0.48")  # 0.6*0.3 + 0.6*0.5


def test_close_signal_is_not_gated_by_min_confidence() -> None:
    ledger = FakeLedger(positions=(_position(TRD_A, "BUY"),))
    swot = _swot((_opp(1, "SELL", "0.1", action="close"),), (_threat(1, "1"),))
    directive = _planner({"min_confidence": 0.9}, ledger=ledger).on_swot(swot)
    assert directive is not None and directive.scope == "CLOSE_EXISTING"


def test_close_signal_without_open_trades_never_opens() -> None:
    assert _planner().on_swot(_swot((_opp(1, "SELL", "0.9", action="close"),))) is None
    with_entry = _swot((_opp(1, "SELL", "0.9", action="close"), _opp(2, "BUY", "0.5")))
    directive = _planner().on_swot(with_entry)
    assert directive is not None
    assert (directive.scope, directive.entry_directive.direction) == ("NEW_TRADE", "BUY")


def test_price_zone_from_market_structure_when_present() -> None:
    ctx = _context()
    ctx.provide(MarketStructure("up", 108.0, 95.5, None, None, False, False, "none", None))
    buy = _planner(ctx=ctx).on_swot(_swot((_opp(1, "BUY", "0.8"),)))
    assert buy is not None and buy.entry_directive.preferred_price_zone is not None
    zone = buy.entry_directive.preferred_price_zone
    assert (zone.low, zone.high) == (D("95.5"), D("100"))
    sell = _planner(ctx=ctx).on_swot(_swot((_opp(1, "SELL", "0.8"),)))
    assert sell is not None and sell.entry_directive.preferred_price_zone is not None
    assert sell.entry_directive.preferred_price_zone.high == D("108.0")
    plain = _planner().on_swot(_swot((_opp(1, "BUY", "0.8"),)))
    assert plain is not None and plain.entry_directive.preferred_price_zone is None


def test_deterministic_ids() -> None:
    swot = _swot((_opp(1, "BUY", "0.8"),))
    first, second = _planner().on_swot(swot), _planner().on_swot(swot)
    assert first == second


# --- DCAPlanner ----------------------------------------------------------------------------


def _tick(price: str = "50") -> ScheduledTick:
    return ScheduledTick(
        event="WEEKLY_DCA_TICK", timestamp=T, reference_price=D(price), symbol="BTCUSDT"
    )


def test_dca_directive() -> None:
    planner = configured(DCAPlanner, {"amount": 200, "confidence": 0.4})
    directive = planner.on_schedule(_tick())
    assert directive is not None
    assert directive.scope == "NEW_TRADE"
    assert directive.confidence == D("0.4")
    assert directive.entry_directive.direction == "BUY"
    assert directive.entry_directive.symbol == "BTCUSDT"
    assert directive.reference_price == D("50")
    assert directive.size_directive.max_risk_amount == D("100.0")  # 200 * 0.5
    assert directive.size_directive.account_risk_pct == D(1)
    assert directive.exit_directive.stop_loss_tolerance == D("0.5")
    assert directive.causality.tick_time == T


def test_dca_amount_buys_that_much_with_a_risk_sizer() -> None:
    directive = configured(DCAPlanner, {"amount": 200}).on_schedule(_tick("50"))
    assert directive is not None
    sizer = configured(FixedRiskSizer)
    sizer.bind("sizer", IdFactory(), ledger=FakeLedger(equity="10000"))
    plan = sizer.on_strategy_directive(directive)
    assert plan is not None
    assert plan.position_size == D(4) and plan.position_value == D(200)


def test_dca_rejects_bad_params() -> None:
    with pytest.raises(ValueError):
        configured(DCAPlanner, {"amount": 0})


# --- TrailingStopPlanner -------------------------------------------------------------------


def _update(
    direction: Direction,
    current: str,
    high: str,
    low: str,
    stop: str | None,
    when: datetime = T,
) -> PositionUpdate:
    return PositionUpdate(
        timestamp=when,
        trade_id=TRD_A,
        symbol="BTCUSDT",
        direction=direction,
        size=D(1),
        entry_price=D(100),
        current_price=D(current),
        high_since_entry=D(high),
        low_since_entry=D(low),
        stop_loss_price=None if stop is None else D(stop),
        take_profit_price=D("130") if direction == "BUY" else D("70"),
    )


def _trail(update: PositionUpdate, trail_pct: float = 0.05) -> ExitPlan | None:
    envelope = configured(TrailingStopPlanner, {"trail_pct": trail_pct}).on_position_update(update)
    if envelope is None:
        return None
    assert envelope.disposition is Disposition.PUBLISH
    assert envelope.event_name == "EXIT_PLAN_UPDATED"
    assert isinstance(envelope.payload, ExitPlan)
    return envelope.payload


def test_long_stop_trails_the_high() -> None:
    plan = _trail(_update("BUY", current="118", high="120", low="99", stop="95"))
    assert plan is not None
    assert plan.stop_loss_price == D("114")  # 120 - 0.05 * 120
    assert plan.take_profit_price == D("130") and plan.trade_id == TRD_A
    assert plan.plan_id.startswith("EXT_20240301_120000_")


def test_long_stop_never_loosens_nor_crosses_the_price() -> None:
    assert _trail(_update("BUY", current="118", high="120", low="99", stop="115")) is None
    assert _trail(_update("BUY", current="113", high="120", low="99", stop="95")) is None
    assert _trail(_update("BUY", current="99", high="100", low="97", stop="95")) is None


def test_short_stop_trails_the_low() -> None:
    plan = _trail(_update("SELL", current="82", high="101", low="80", stop="105"))
    assert plan is not None and plan.stop_loss_price == D("84")  # 80 + 0.05 * 80
    assert _trail(_update("SELL", current="82", high="101", low="80", stop="83")) is None
    assert _trail(_update("SELL", current="85", high="101", low="80", stop="105")) is None
    assert _trail(_update("SELL", current="101", high="102", low="100", stop=None)) is None


def test_first_stop_is_set_when_none_exists() -> None:
    plan = _trail(_update("BUY", current="105", high="110", low="99", stop=None), 0.1)
    assert plan is not None and plan.stop_loss_price == D("99")


def test_stop_only_tightens_over_a_path() -> None:
    stop = "90"
    high = Decimal(100)
    stops: list[Decimal] = []
    for step, price in enumerate(["104", "110", "107", "103", "115", "112"]):
        high = max(high, D(price))
        when = T + timedelta(hours=step)
        update = _update("BUY", current=price, high=str(high), low="99", stop=stop, when=when)
        plan = _trail(update)
        if plan is not None:
            stop = str(plan.stop_loss_price)
        stops.append(D(stop))
    assert stops == sorted(stops)
    assert stops[-1] == D("109.25")  # 115 * 0.95
