"""Sizers: risk → size, caps, Kelly on a known record, aggressiveness scaling."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from plugin_harness import FakeLedger, configured

from stc.plugins.size_planner.aggressive_sizer.worker import AggressiveSizer
from stc.plugins.size_planner.fixed_risk_sizer.worker import FixedRiskSizer
from stc.plugins.size_planner.kelly_criterion_sizer.worker import KellyCriterionSizer, kelly
from stc.runtime.dtos import (
    CausalityChain,
    EntryDirective,
    ExitDirective,
    IdFactory,
    PositionView,
    SizeDirective,
    SizePlan,
    StrategyDirective,
)
from stc.runtime.dtos.directives import Scope
from stc.runtime.workers import SizePlanner

T = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
D = Decimal
TRD_A = "TRD_20240301_100000_00001"
TRD_B = "TRD_20240301_100000_00002"


def _directive(
    ref: str = "100",
    tol: str = "0.02",
    pct: str = "0.01",
    max_risk: str | None = None,
    aggressiveness: str = "0.5",
    scope: Scope = "NEW_TRADE",
    targets: tuple[str, ...] = (),
) -> StrategyDirective:
    return StrategyDirective(
        directive_id="STR_20240301_120000_00001",
        timestamp=T,
        causality=CausalityChain(tick_time=T),
        confidence=D("0.7"),
        reference_price=D(ref),
        entry_directive=EntryDirective(symbol="BTCUSDT", direction="BUY"),
        size_directive=SizeDirective(
            aggressiveness=D(aggressiveness),
            max_risk_amount=None if max_risk is None else D(max_risk),
            account_risk_pct=D(pct),
        ),
        exit_directive=ExitDirective(stop_loss_tolerance=D(tol)),
        scope=scope,
        target_trade_ids=targets,
    )


def _plan(sizer: SizePlanner, directive: StrategyDirective, ledger: FakeLedger) -> SizePlan:
    sizer.bind("sizer", IdFactory(), ledger=ledger)
    plan = sizer.on_strategy_directive(directive)
    assert plan is not None
    assert plan.leverage == D(1) and plan.plan_id.startswith("SIZ_20240301_120000_")
    return plan


# --- FixedRiskSizer ------------------------------------------------------------------------


def test_fixed_risk_size_from_stop_distance() -> None:
    plan = _plan(configured(FixedRiskSizer), _directive(), FakeLedger())
    # risk 10000 * 1% = 100; distance 100 * 2% = 2 -> 50 units, 5000 value
    assert (plan.position_size, plan.position_value, plan.risk_amount) == (D(50), D(5000), D(100))
    assert plan.position_size * D(2) == plan.risk_amount


def test_fixed_risk_capped_by_max_risk_amount() -> None:
    plan = _plan(configured(FixedRiskSizer), _directive(max_risk="50"), FakeLedger())
    assert (plan.position_size, plan.risk_amount) == (D(25), D(50))


@pytest.mark.parametrize(("leverage", "size"), [(1, D(100)), (2, D(200))])
def test_fixed_risk_never_exceeds_equity_times_leverage(leverage: int, size: Decimal) -> None:
    # risk 500 at distance 1 would be 500 units = 50000 > equity
    plan = _plan(
        configured(FixedRiskSizer, {"max_leverage": leverage}),
        _directive(pct="0.05", tol="0.01"),
        FakeLedger(),
    )
    assert plan.position_size == size
    assert plan.position_value == size * 100 <= D(10000) * leverage
    assert plan.risk_amount == size  # 1 per unit at the stop


def test_fixed_risk_rounds_down_deterministically() -> None:
    directive = _directive(ref="30000", tol="0.015")
    plan = _plan(configured(FixedRiskSizer), directive, FakeLedger(equity="12345.67"))
    # risk 123.4567 / distance 450 = 0.274348222... -> 0.27434822
    assert plan.position_size == D("0.27434822")
    distance = D(450)
    assert plan.risk_amount == plan.position_size * distance <= D("123.4567")
    assert D("123.4567") - plan.risk_amount < distance * D("1e-8")
    assert plan == _plan(configured(FixedRiskSizer), directive, FakeLedger(equity="12345.67"))


def test_fixed_risk_nothing_to_size() -> None:
    sizer = configured(FixedRiskSizer)
    sizer.bind("sizer", IdFactory(), ledger=FakeLedger(equity="0"))
    assert sizer.on_strategy_directive(_directive()) is None
    sizer.bind("sizer", IdFactory(), ledger=FakeLedger())
    assert sizer.on_strategy_directive(_directive(tol="0")) is None


@pytest.mark.parametrize("cls", [FixedRiskSizer, KellyCriterionSizer, AggressiveSizer])
def test_close_directives_size_the_targeted_positions(cls: type[SizePlanner]) -> None:
    positions = tuple(
        PositionView(trade_id=t, symbol="BTCUSDT", direction="BUY", size=D(s), entry_price=D(90))
        for t, s in ((TRD_A, "1.5"), (TRD_B, "2"))
    )
    directive = _directive(scope="CLOSE_EXISTING", targets=(TRD_A,))
    plan = _plan(configured(cls), directive, FakeLedger(positions=positions))
    assert (plan.position_size, plan.position_value, plan.risk_amount) == (D("1.5"), D(150), D(0))
    sizer = configured(cls)
    sizer.bind("sizer", IdFactory(), ledger=FakeLedger())
    assert sizer.on_strategy_directive(directive) is None


# --- KellyCriterionSizer -------------------------------------------------------------------


def test_kelly_formula_on_known_records() -> None:
    # W = 3/5, R = 2/1 -> 0.6 - 0.4/2 = 0.4
    assert kelly([2.0, 2.0, -1.0, 2.0, -1.0]) == D("0.4")
    # the textbook case: 55% wins at 1.5:1 -> 0.55 - 0.45/1.5 = 0.25
    assert kelly([1.5] * 11 + [-1.0] * 9) == D("0.25")
    assert kelly([1.0, 1.0]) == D(1)  # no losses yet: f = W
    assert kelly([-1.0, 0.0]) == D(0)
    assert kelly([1.0, -1.0, -1.0]) < 0  # 1/3 - (2/3)/1


def test_kelly_sizer_uses_fractional_kelly() -> None:
    ledger = FakeLedger(returns=(2.0, 2.0, -1.0, 2.0, -1.0))
    params = {"min_trades": 5, "max_fraction": 1.0, "kelly_fraction": 0.5}
    # risk 10000 * 0.4 * 0.5 = 2000; distance 100 * 0.5 = 50 -> 40 units
    plan = _plan(configured(KellyCriterionSizer, params), _directive(tol="0.5"), ledger)
    assert (plan.position_size, plan.risk_amount) == (D(40), D(2000))


def test_kelly_sizer_capped_at_max_fraction() -> None:
    ledger = FakeLedger(returns=(2.0, 2.0, -1.0, 2.0, -1.0))
    plan = _plan(configured(KellyCriterionSizer, {"min_trades": 5}), _directive(tol="0.5"), ledger)
    assert plan.risk_amount == D(500)  # 5% cap < 0.2


def test_kelly_sizer_default_until_min_trades() -> None:
    ledger = FakeLedger(returns=(2.0, 2.0, -1.0, 2.0))
    plan = _plan(configured(KellyCriterionSizer, {"min_trades": 5}), _directive(), ledger)
    assert plan.risk_amount == D(100)  # default 1% of 10000


def test_kelly_sizer_no_edge_no_trade() -> None:
    sizer = configured(KellyCriterionSizer, {"min_trades": 3})
    sizer.bind("sizer", IdFactory(), ledger=FakeLedger(returns=(1.0, -1.0, -1.0)))
    assert sizer.on_strategy_directive(_directive()) is None


# --- AggressiveSizer -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("aggressiveness", "risk"), [("0", D(100)), ("0.5", D(150)), ("1", D(200))]
)
def test_aggressive_risk_scales_with_aggressiveness(aggressiveness: str, risk: Decimal) -> None:
    plan = _plan(
        configured(AggressiveSizer), _directive(aggressiveness=aggressiveness), FakeLedger()
    )
    assert plan.risk_amount == risk
    assert plan.position_size == risk / 2  # distance 2


def test_aggressive_respects_the_hard_caps() -> None:
    capped = _plan(
        configured(AggressiveSizer), _directive(aggressiveness="1", max_risk="80"), FakeLedger()
    )
    assert capped.risk_amount == D(80)
    wide = _plan(
        configured(AggressiveSizer), _directive(aggressiveness="1", tol="0.001"), FakeLedger()
    )
    assert wide.position_value == D(10000)  # 200 / 0.1 = 2000 units would be 200000
