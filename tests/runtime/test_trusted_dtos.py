"""DTOs the platform builds without re-validation (stc.runtime.dtos.trusted, issue 23).

A trusted build must be indistinguishable from a validated one (JSON bytes, field
order, ``model_fields_set``, equality, repr, fresh default factories), must refuse a
wrong field set, and the checks that protect the run must still fire where the
platform assembles a DTO from checked parts (the stop-side rule of an execution
directive, a non-positive reference price).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, PrivateAttr, ValidationError

from stc.runtime.dtos.causality import CausalityChain
from stc.runtime.dtos.directives import EntryDirective, StrategyDirective
from stc.runtime.dtos.ids import IdFactory
from stc.runtime.dtos.ledger import Fill, LedgerSnapshot, PositionView, Trade
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
)
from stc.runtime.dtos.swot import SWOTInputs
from stc.runtime.dtos.trusted import trusted
from stc.runtime.envelope import Disposition, DispositionEnvelope
from stc.runtime.journal import to_json
from stc.runtime.platform.planning_aggregator import PlanningAggregator

NOW = datetime(2024, 1, 1, 9, tzinfo=UTC)
TRD = "TRD_20240101_090000_0000a"


def _same(cls: type[BaseModel], fields: dict[str, Any]) -> None:
    """``trusted(cls, **fields)`` equals ``cls(**fields)`` in every observable way."""
    validated, built = cls(**fields), trusted(cls, **fields)
    assert type(built) is cls
    assert to_json(built) == to_json(validated)
    assert list(built.__dict__) == list(validated.__dict__)
    assert built == validated and repr(built) == repr(validated)
    assert built.model_fields_set == validated.model_fields_set
    assert built.model_dump() == validated.model_dump()
    with pytest.raises(ValidationError):  # frozen like a validated one
        built.__setattr__(next(iter(cls.model_fields)), None)


def _plans(limit: str | None = None, stop: str = "90") -> tuple[EntryPlan, SizePlan, ExitPlan]:
    entry = EntryPlan(
        plan_id="ENT_20240101_090000_00001",
        symbol="X",
        direction="BUY",
        order_type="LIMIT" if limit else "MARKET",
        limit_price=Decimal(limit) if limit else None,
    )
    size = SizePlan(
        plan_id="SIZ_20240101_090000_00002",
        position_size=Decimal("2.5"),
        position_value=Decimal("250"),
        risk_amount=Decimal("25"),
    )
    exit_ = ExitPlan(
        plan_id="EXT_20240101_090000_00003",
        stop_loss_price=Decimal(stop),
        take_profit_price=Decimal("120"),
    )
    return entry, size, exit_


def _routing() -> RoutingPlan:
    return RoutingPlan(
        plan_id="ROU_20240101_090000_00004",
        timing="IMMEDIATE",
        time_in_force="IOC",
        max_slippage_pct=Decimal("0.005"),
    )


def _directive() -> StrategyDirective:
    return StrategyDirective(
        directive_id="STR_20240101_090000_00000",
        timestamp=NOW,
        causality=CausalityChain(tick_time=NOW),
        confidence=Decimal("0.8"),
        reference_price=Decimal("100"),
        entry_directive=EntryDirective(symbol="X", direction="BUY"),
    )


def test_every_platform_dto_built_trusted_equals_its_validated_twin() -> None:
    entry, size, exit_ = _plans()
    factor = {
        "name": "trend",
        "value": Decimal("0.5000000000"),
        "weight": Decimal("1.0000000000"),
        "polarity": "strength",
        "worker_id": "ema",
    }
    _same(FactorContribution, factor)
    assessment = {
        "assessment_id": "CTX_20240101_090000_00005",
        "timestamp": NOW,
        "strength": Decimal("0.5"),
        "weakness": Decimal("0E-10"),
        "method": "weighted_average",
        "contributing_factors": (FactorContribution(**factor),),
    }
    _same(AggregatedContextAssessment, assessment)
    signal = OpportunitySignal(
        signal_id="OPP_20240101_090000_00006",
        timestamp=NOW,
        asset="X",
        direction="BUY",
        signal_type="cross",
        confidence=Decimal("0.9"),
        metadata={"fast": 1.5},
    )
    _same(
        SWOTInputs,
        {
            "timestamp": NOW,
            "symbol": "X",
            "reference_price": Decimal("1.1245183554"),
            "context_assessment": AggregatedContextAssessment(**assessment),
            "opportunity_signals": (signal,),
            "threat_signals": (),
        },
    )
    _same(
        RoutingRequest,
        {"strategy_directive": _directive(), "entry_plan": entry, "size_plan": size,
         "exit_plan": exit_},
    )  # fmt: skip
    _same(
        ExecutionDirective,
        {"directive_id": "EXE_20240101_090000_00007", "timestamp": NOW,
         "causality": CausalityChain(tick_time=NOW), "entry_plan": entry, "size_plan": size,
         "exit_plan": exit_, "routing_plan": _routing()},
    )  # fmt: skip
    _same(
        Fill,
        {"trade_id": TRD, "timestamp": NOW, "side": "SELL", "price": Decimal("1.2"),
         "size": Decimal("3"), "fee": Decimal("0.01"), "purpose": "EXIT"},
    )  # fmt: skip
    _same(Fill, {"trade_id": TRD, "timestamp": NOW, "side": "BUY", "price": Decimal("1.2"),
                 "size": Decimal("3"), "fee": Decimal("0")})  # fmt: skip
    _same(
        Trade,
        {"trade_id": TRD, "symbol": "X", "direction": "BUY", "execution_directive_id": None,
         "entry_time": NOW, "entry_price": Decimal("1.1"), "size": Decimal("3"),
         "stop_loss_price": Decimal("1"), "take_profit_price": None,
         "exit_time": NOW + timedelta(hours=3), "exit_price": Decimal("1.2"),
         "exit_reason": "SIGNAL", "fees": Decimal("0"), "pnl": Decimal("-0.3")},
    )  # fmt: skip
    view = {"trade_id": TRD, "symbol": "X", "direction": "BUY", "size": Decimal("3"),
            "entry_price": Decimal("1.1"), "stop_loss_price": None, "take_profit_price": None,
            "unrealised_pnl": Decimal("0.2")}  # fmt: skip
    _same(PositionView, view)
    _same(
        LedgerSnapshot,
        {"timestamp": NOW, "cash": Decimal("100"), "equity": Decimal("101"),
         "peak_equity": Decimal("102"), "realised_pnl": Decimal("0"),
         "unrealised_pnl": Decimal("1"), "open_positions": (PositionView(**view),),
         "closed_trades": 4},
    )  # fmt: skip
    _same(DispositionEnvelope, {"disposition": Disposition.STOP, "metadata": {"trade_id": TRD}})
    _same(
        DispositionEnvelope,
        {"disposition": Disposition.PUBLISH, "event_name": "EVENT", "payload": entry},
    )


@given(
    price=st.decimals(min_value=Decimal("1e-9"), max_value=Decimal("1e12"), places=10),
    size=st.decimals(min_value=Decimal("1e-8"), max_value=Decimal("1e9"), places=8),
    fee=st.decimals(min_value=Decimal(0), max_value=Decimal("1e6"), places=10),
    hours=st.integers(min_value=0, max_value=400_000),
    side=st.sampled_from(["BUY", "SELL"]),
)
def test_trusted_fill_json_equals_validated_for_any_ledger_numbers(
    price: Decimal, size: Decimal, fee: Decimal, hours: int, side: str
) -> None:
    fields = {"trade_id": TRD, "timestamp": NOW + timedelta(hours=hours), "side": side,
              "price": price, "size": size, "fee": fee}  # fmt: skip
    assert to_json(trusted(Fill, **fields)) == to_json(Fill(**fields))


def test_default_factories_give_each_instance_its_own_value() -> None:
    first = trusted(DispositionEnvelope, disposition=Disposition.STOP)
    second = trusted(DispositionEnvelope, disposition=Disposition.STOP)
    assert first.metadata == {} and first.metadata is not second.metadata
    assert first.model_fields_set == {"disposition"}


def test_a_wrong_field_set_is_a_type_error_naming_the_fields() -> None:
    with pytest.raises(TypeError, match=r"missing fields \['price'"):
        trusted(Fill, trade_id=TRD, timestamp=NOW, side="BUY", size=Decimal(1))
    with pytest.raises(TypeError, match=r"unknown fields \['colour'\]"):
        trusted(
            Fill, trade_id=TRD, timestamp=NOW, side="BUY", price=Decimal(1), size=Decimal(1),
            colour="red",
        )  # fmt: skip


_FILL = {"trade_id": TRD, "timestamp": NOW, "side": "SELL", "price": Decimal("1.5"),
         "size": Decimal("2"), "fee": Decimal("0.1"), "purpose": "EXIT"}  # fmt: skip
_ENVELOPE = {"disposition": Disposition.STOP, "event_name": "X", "payload": None,
             "metadata": {"a": 1}}  # fmt: skip


@given(data=st.data())
def test_any_order_and_subset_of_fields_builds_the_validated_twin(data: st.DataObject) -> None:
    """Session 15: ``trusted`` keeps the caller's dict when it names the first fields in
    field order (all of them, or all but trailing defaults) and merges into the
    template otherwise; every order and subset that holds the required fields gives
    the validated twin (field order of ``__dict__``, ``model_fields_set``, JSON, repr)."""
    for cls, full, required in (
        (Fill, _FILL, ("trade_id", "timestamp", "side", "price", "size")),
        (DispositionEnvelope, _ENVELOPE, ("disposition",)),
    ):
        optional = [name for name in full if name not in required]
        chosen = data.draw(st.lists(st.sampled_from(optional), unique=True))
        names = data.draw(st.permutations([*required, *chosen]))
        fields = {name: full[name] for name in names}
        _same(cls, fields)
        assert fields == {name: full[name] for name in names}  # the caller's dict untouched


def test_a_prefix_build_appends_fresh_defaults_and_refuses_a_missing_required_field() -> None:
    first = trusted(DispositionEnvelope, disposition=Disposition.PUBLISH, event_name="E",
                    payload=None)  # fmt: skip
    second = trusted(DispositionEnvelope, disposition=Disposition.PUBLISH, event_name="E",
                     payload=None)  # fmt: skip
    assert list(first.__dict__) == ["disposition", "event_name", "payload", "metadata"]
    assert first.metadata == {} and first.metadata is not second.metadata
    assert first.model_fields_set == {"disposition", "event_name", "payload"}
    assert first.__dict__ is not second.__dict__
    assert first.model_fields_set is not second.model_fields_set
    entry = trusted(Fill, trade_id=TRD, timestamp=NOW, side="BUY", price=Decimal(1),
                    size=Decimal(1))  # fmt: skip
    assert entry.purpose == "ENTRY" and entry.fee == Decimal(0)
    every = trusted(Fill, **_FILL)
    again = trusted(Fill, **_FILL)
    assert every.model_fields_set == set(_FILL)
    assert every.model_fields_set is not again.model_fields_set
    with pytest.raises(TypeError, match=r"missing fields \['price', 'side', 'size'\]"):
        trusted(Fill, trade_id=TRD, timestamp=NOW)


def test_a_model_with_private_state_is_refused() -> None:
    class Private(BaseModel):
        x: int
        _cache: int = PrivateAttr(default=0)

    with pytest.raises(TypeError, match="private attributes"):
        trusted(Private, x=1)


def _aggregated(entry: EntryPlan, size: SizePlan, exit_: ExitPlan) -> PlanningAggregator:
    aggregator = PlanningAggregator(IdFactory(8))
    aggregator.begin(_directive())
    aggregator.on_entry_plan(entry)
    aggregator.on_size_plan(size)
    aggregator.on_exit_plan(exit_)
    return aggregator


def test_the_execution_directive_keeps_its_stop_side_rule() -> None:
    """A long LIMIT entry at 95 with its stop at 96: the aggregator's trusted build
    still raises the validation error the validated constructor always raised."""
    aggregator = _aggregated(*_plans(limit="95", stop="96"))
    with pytest.raises(ValidationError, match="wrong side of the entry price"):
        aggregator.on_routing_plan(_routing())


def test_the_execution_directive_built_trusted_is_the_validated_one() -> None:
    aggregator = _aggregated(*_plans(limit="95", stop="90"))
    envelope = aggregator.on_routing_plan(_routing())
    built = aggregator.result
    assert built is not None and envelope.payload is built
    assert envelope.disposition is Disposition.PUBLISH
    assert envelope.event_name == "EXECUTION_DIRECTIVE_READY"
    again = ExecutionDirective(**built.__dict__)
    assert to_json(built) == to_json(again)
    assert built.causality.all_ids()[-1] == built.directive_id
