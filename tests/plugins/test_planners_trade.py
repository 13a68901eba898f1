"""Entry and exit planners: prices on both sides, scopes and the stop-side rule."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from plugin_harness import configured

from stc.plugins.dtos import MarketStructure
from stc.plugins.entry_planner.aggressive_market_entry_planner.worker import (
    AggressiveMarketEntryPlanner,
)
from stc.plugins.entry_planner.layered_entry_planner.worker import LayeredEntryPlanner
from stc.plugins.entry_planner.patient_limit_entry_planner.worker import PatientLimitEntryPlanner
from stc.plugins.exit_planner.aggressive_exit_planner.worker import AggressiveExitPlanner
from stc.plugins.exit_planner.fixed_rr_exit_planner.worker import FixedRRExitPlanner
from stc.plugins.exit_planner.structure_based_exit.worker import StructureBasedExit
from stc.runtime.dtos import (
    Bar,
    CausalityChain,
    EntryDirective,
    ExecutionDirective,
    ExitDirective,
    IdFactory,
    PriceZone,
    RoutingPlan,
    SizePlan,
    StrategyDirective,
    TradingContext,
)
from stc.runtime.dtos.common import Direction
from stc.runtime.dtos.directives import Scope

T = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
D = Decimal
TRD = "TRD_20240301_100000_00001"


def _directive(
    direction: Direction = "BUY",
    tol: str = "0.02",
    rr: str = "2",
    scope: Scope = "NEW_TRADE",
    zone: tuple[str, str] | None = None,
    ref: str = "100",
) -> StrategyDirective:
    return StrategyDirective(
        directive_id="STR_20240301_120000_00001",
        timestamp=T,
        causality=CausalityChain(tick_time=T),
        confidence=D("0.7"),
        reference_price=D(ref),
        entry_directive=EntryDirective(
            symbol="BTCUSDT",
            direction=direction,
            preferred_price_zone=None
            if zone is None
            else PriceZone(low=D(zone[0]), high=D(zone[1])),
        ),
        exit_directive=ExitDirective(risk_reward_ratio=D(rr), stop_loss_tolerance=D(tol)),
        scope=scope,
        target_trade_ids=() if scope == "NEW_TRADE" else (TRD,),
    )


def _structure(high: float | None, low: float | None) -> TradingContext:
    ctx = TradingContext("BTCUSDT", {})
    ctx.begin_tick(Bar(T, 100.0, 101.0, 99.0, 100.0, 1.0))
    ctx.provide(MarketStructure("up", high, low, None, None, False, False, "none", None))
    return ctx


# --- entries -------------------------------------------------------------------------------


def test_aggressive_market_entry() -> None:
    plan = configured(AggressiveMarketEntryPlanner).on_strategy_directive(_directive("SELL"))
    assert plan is not None
    assert (plan.order_type, plan.direction, plan.symbol) == ("MARKET", "SELL", "BTCUSDT")
    assert plan.limit_price is None and plan.plan_id.startswith("ENT_20240301_120000_")


@pytest.mark.parametrize(("direction", "expected"), [("BUY", D("99.5")), ("SELL", D("100.5"))])
def test_patient_limit_offset(direction: Direction, expected: Decimal) -> None:
    plan = configured(PatientLimitEntryPlanner).on_strategy_directive(_directive(direction))
    assert plan is not None
    assert (plan.order_type, plan.limit_price) == ("LIMIT", expected)


@pytest.mark.parametrize(
    ("zone", "expected"),
    [(("95", "99"), D("99")), (("99.6", "99.9"), D("99.6")), (("90", "100"), D("99.5"))],
)
def test_patient_limit_clamped_into_zone(zone: tuple[str, str], expected: Decimal) -> None:
    plan = configured(PatientLimitEntryPlanner).on_strategy_directive(_directive(zone=zone))
    assert plan is not None and plan.limit_price == expected


def test_patient_limit_stays_inside_the_stop_tolerance() -> None:
    planner = configured(PatientLimitEntryPlanner, {"offset_pct": 0.03})
    buy = planner.on_strategy_directive(_directive("BUY", tol="0.02"))
    sell = planner.on_strategy_directive(_directive("SELL", tol="0.02"))
    assert buy is not None and buy.limit_price == D("99")  # half the 2% tolerance
    assert sell is not None and sell.limit_price == D("101")


def test_layered_ladder_both_sides() -> None:
    planner = configured(LayeredEntryPlanner, {"n_layers": 3, "step_pct": 0.005})
    buy = planner.on_strategy_directive(_directive("BUY"))
    sell = planner.on_strategy_directive(_directive("SELL"))
    assert buy is not None and sell is not None
    assert (buy.limit_price, buy.layers) == (D("99.5"), (D("99"), D("98.5")))
    assert (sell.limit_price, sell.layers) == (D("100.5"), (D("101"), D("101.5")))


def test_layered_ladder_stays_inside_the_zone() -> None:
    planner = configured(LayeredEntryPlanner, {"n_layers": 3, "step_pct": 0.005})
    buy = planner.on_strategy_directive(_directive("BUY", zone=("99", "100")))
    sell = planner.on_strategy_directive(_directive("SELL", zone=("100", "101")))
    assert buy is not None and sell is not None  # depth 1% -> step 0.25%
    assert (buy.limit_price, buy.layers) == (D("99.75"), (D("99.5"), D("99.25")))
    assert (sell.limit_price, sell.layers) == (D("100.25"), (D("100.5"), D("100.75")))


def test_layered_ladder_shrinks_to_fit_the_tolerance() -> None:
    planner = configured(LayeredEntryPlanner, {"n_layers": 3, "step_pct": 0.01})
    plan = planner.on_strategy_directive(_directive("BUY", tol="0.02"))
    assert plan is not None  # step 0.02 / 4 = 0.005
    assert (plan.limit_price, plan.layers) == (D("99.5"), (D("99"), D("98.5")))
    single = configured(LayeredEntryPlanner, {"n_layers": 1}).on_strategy_directive(_directive())
    assert single is not None and single.layers == ()


@pytest.mark.parametrize(
    "planner",
    [
        configured(AggressiveMarketEntryPlanner),
        configured(PatientLimitEntryPlanner),
        configured(LayeredEntryPlanner),
    ],
)
def test_entries_close_at_market_and_skip_modifications(planner: object) -> None:
    handler = planner.on_strategy_directive  # type: ignore[attr-defined]
    plan = handler(_directive("SELL", scope="CLOSE_EXISTING"))
    assert plan is not None
    assert (plan.order_type, plan.direction, plan.layers) == ("MARKET", "SELL", ())
    assert handler(_directive(scope="MODIFY_EXISTING")) is None


# --- exits ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("direction", "stop", "target"), [("BUY", D("98"), D("104")), ("SELL", D("102"), D("96"))]
)
def test_fixed_rr_both_sides(direction: Direction, stop: Decimal, target: Decimal) -> None:
    plan = configured(FixedRRExitPlanner).on_strategy_directive(_directive(direction))
    assert plan is not None
    assert (plan.stop_loss_price, plan.take_profit_price) == (stop, target)
    assert plan.trade_id is None and plan.plan_id.startswith("EXT_")


def test_fixed_rr_uses_its_own_ratio_and_rejects_zero_tolerance() -> None:
    plan = configured(FixedRRExitPlanner, {"risk_reward": 3.0}).on_strategy_directive(
        _directive(rr="5")
    )
    assert plan is not None and plan.take_profit_price == D("106")
    assert configured(FixedRRExitPlanner).on_strategy_directive(_directive(tol="0")) is None


def test_fixed_rr_drops_an_impossible_short_target() -> None:
    plan = configured(FixedRRExitPlanner, {"risk_reward": 3.0}).on_strategy_directive(
        _directive("SELL", tol="0.5")
    )
    assert plan is not None and plan.stop_loss_price == D("150")
    assert plan.take_profit_price is None  # 100 - 3 * 50 < 0


@pytest.mark.parametrize(
    ("direction", "stop", "target"), [("BUY", D("99"), D("103")), ("SELL", D("101"), D("97"))]
)
def test_aggressive_exit_is_tighter_and_3_to_1(
    direction: Direction, stop: Decimal, target: Decimal
) -> None:
    plan = configured(AggressiveExitPlanner).on_strategy_directive(_directive(direction))
    assert plan is not None
    assert (plan.stop_loss_price, plan.take_profit_price) == (stop, target)


def _structure_exit(
    ctx: TradingContext | None, cap: bool = True, **kwargs: float
) -> StructureBasedExit:
    planner = configured(StructureBasedExit, {"cap_at_tolerance": cap, **kwargs})
    planner.bind("sbe", IdFactory(), context=ctx)
    return planner


def test_structure_exit_buy_stop_below_swing_low_target_at_swing_high() -> None:
    planner = _structure_exit(_structure(high=106.0, low=97.0))
    plan = planner.on_strategy_directive(_directive("BUY", tol="0.05"))
    assert plan is not None
    assert plan.stop_loss_price == D("96.903")  # 97 * (1 - 0.001)
    assert plan.take_profit_price == D("106.0")  # reward 6 >= risk 3.097


def test_structure_exit_sell_mirrors() -> None:
    planner = _structure_exit(_structure(high=103.0, low=94.0))
    plan = planner.on_strategy_directive(_directive("SELL", tol="0.05"))
    assert plan is not None
    assert plan.stop_loss_price == D("103.103")
    assert plan.take_profit_price == D("94.0")


def test_structure_stop_capped_at_the_tolerance_unless_disabled() -> None:
    ctx = _structure(high=106.0, low=97.0)
    capped = _structure_exit(ctx).on_strategy_directive(_directive("BUY", tol="0.02"))
    assert capped is not None and capped.stop_loss_price == D("98")
    free = _structure_exit(ctx, cap=False).on_strategy_directive(_directive("BUY", tol="0.02"))
    assert free is not None and free.stop_loss_price == D("96.903")


def test_structure_target_falls_back_to_rr_when_the_swing_pays_too_little() -> None:
    planner = _structure_exit(_structure(high=102.0, low=97.0))
    plan = planner.on_strategy_directive(_directive("BUY", tol="0.05", rr="2"))
    assert plan is not None  # reward 2 < risk 3.097 -> 100 + 2 * 3.097
    assert plan.take_profit_price == D("106.194")


@pytest.mark.parametrize(
    "ctx",
    [None, _structure(high=None, low=None), _structure(high=99.0, low=101.0)],
    ids=["no-context", "no-swings", "wrong-side"],
)
def test_structure_exit_falls_back_to_tolerance(ctx: TradingContext | None) -> None:
    buy = _structure_exit(ctx).on_strategy_directive(_directive("BUY", tol="0.05"))
    sell = _structure_exit(ctx).on_strategy_directive(_directive("SELL", tol="0.05"))
    assert buy is not None and sell is not None
    assert (buy.stop_loss_price, buy.take_profit_price) == (D("95"), D("110"))
    assert (sell.stop_loss_price, sell.take_profit_price) == (D("105"), D("90"))


@pytest.mark.parametrize("direction", ["BUY", "SELL"])
def test_exits_plan_modifications_like_new_trades(direction: Direction) -> None:
    """MODIFY_EXISTING: the plan a new trade at the directive's reference price would
    get (the runtime hands it to the targeted trades)."""
    for planner in (
        configured(FixedRRExitPlanner),
        configured(AggressiveExitPlanner),
        _structure_exit(None),
    ):
        new = planner.on_strategy_directive(_directive(direction, ref="120"))
        modify = planner.on_strategy_directive(
            _directive(direction, ref="120", scope="MODIFY_EXISTING")
        )
        assert new is not None and modify is not None
        assert (modify.stop_loss_price, modify.take_profit_price) == (
            new.stop_loss_price,
            new.take_profit_price,
        )
        assert modify.trade_id is None
        below = modify.stop_loss_price < D(120)
        assert below if direction == "BUY" else not below


@pytest.mark.parametrize("direction", ["BUY", "SELL"])
@pytest.mark.parametrize("tol", ["0.001", "0.02", "0.3"])
def test_entry_and_exit_compose_into_a_valid_execution_directive(
    direction: Direction, tol: str
) -> None:
    """Stops land strictly on the right side of every entry the planners produce."""
    # the zone the SWOT planner derives from the same MarketStructure
    zone = ("29900.0", "30123.45678") if direction == "BUY" else ("30123.45678", "30500.0")
    directive = _directive(direction, tol=tol, ref="30123.45678", zone=zone)
    entries = [
        configured(PatientLimitEntryPlanner, {"offset_pct": 0.01}).on_strategy_directive(directive),
        configured(LayeredEntryPlanner, {"n_layers": 5, "step_pct": 0.01}).on_strategy_directive(
            directive
        ),
        configured(AggressiveMarketEntryPlanner).on_strategy_directive(directive),
    ]
    exits = [
        configured(FixedRRExitPlanner).on_strategy_directive(directive),
        _structure_exit(_structure(high=30500.0, low=29900.0)).on_strategy_directive(directive),
    ]
    size = SizePlan(
        plan_id="SIZ_20240301_120000_00002",
        position_size=D(1),
        position_value=D(1),
        risk_amount=D(1),
    )
    routing = RoutingPlan(
        plan_id="ROU_20240301_120000_00003",
        timing="IMMEDIATE",
        time_in_force="IOC",
        max_slippage_pct=D("0.01"),
    )
    for entry in entries:
        for exit_plan in exits:
            assert entry is not None and exit_plan is not None
            ExecutionDirective(
                directive_id="EXE_20240301_120000_00004",
                timestamp=T,
                causality=directive.causality,
                entry_plan=entry,
                size_plan=size,
                exit_plan=exit_plan,
                routing_plan=routing,
            )
            deepest = entry.layers[-1] if entry.layers else entry.limit_price
            if deepest is not None:
                if direction == "BUY":
                    assert exit_plan.stop_loss_price < deepest
                else:
                    assert exit_plan.stop_loss_price > deepest
