"""The cross-field rules of the plans and directives plugins build per trade, each
field now read once (session 14, thinworkers): the same accept/reject and the same
error text as the rules as first written (kept here as the reference), on every
combination of order type, prices and layers, and of scope and targets."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from stc.runtime.dtos import (
    CausalityChain,
    EntryDirective,
    EntryPlan,
    StrategyDirective,
)

WHEN = datetime(2024, 3, 1, 12, tzinfo=UTC)
PRICES = st.none() | st.sampled_from([Decimal("1.5"), Decimal("0.0001"), Decimal("250")])


def reference_entry_error(plan: dict[str, Any]) -> str | None:
    """``EntryPlan._prices_fit_type`` as written before session 14."""
    order_type, layers = plan["order_type"], plan["layers"]
    limit, stop = plan["limit_price"], plan["stop_price"]
    if order_type == "MARKET" and (limit or stop or layers):
        return "a MARKET entry has no limit_price, stop_price or layers"
    if order_type in ("LIMIT", "STOP_LIMIT") and limit is None:
        return f"a {order_type} entry needs a limit_price"
    if order_type == "STOP_LIMIT" and stop is None:
        return "a STOP_LIMIT entry needs a stop_price"
    if order_type != "LIMIT" and layers:
        return "only LIMIT entries can be layered"
    return None


def reference_scope_error(scope: str, targets: tuple[str, ...]) -> str | None:
    """``StrategyDirective._scope_rules`` as written before session 14."""
    if scope == "NEW_TRADE" and targets:
        return "a NEW_TRADE directive must not name target_trade_ids"
    if scope != "NEW_TRADE" and not targets:
        return f"a {scope} directive must name at least one target trade id"
    return None


def _error_of(build: Any) -> str | None:
    """The message of the one value error ``build()`` raises, or None if it builds."""
    try:
        build()
    except ValidationError as error:
        (detail,) = error.errors()
        assert detail["type"] == "value_error" and detail["loc"] == ()
        return str(detail["ctx"]["error"])
    return None


@given(
    order_type=st.sampled_from(["MARKET", "LIMIT", "STOP_LIMIT"]),
    limit=PRICES,
    stop=PRICES,
    layers=st.lists(st.sampled_from([Decimal("1.4"), Decimal("1.3")]), max_size=2),
)
def test_entry_plan_rules_are_the_reference(
    order_type: str, limit: Decimal | None, stop: Decimal | None, layers: list[Decimal]
) -> None:
    plan = {
        "plan_id": "ENT_20240301_120000_00001", "symbol": "EURUSD", "direction": "BUY",
        "order_type": order_type, "limit_price": limit, "stop_price": stop,
        "layers": tuple(layers),
    }  # fmt: skip
    assert _error_of(lambda: EntryPlan(**plan)) == reference_entry_error(plan)


@pytest.mark.parametrize("scope", ["NEW_TRADE", "MODIFY_EXISTING", "CLOSE_EXISTING"])
@pytest.mark.parametrize("targets", [(), ("TRD_20240301_120000_00002",)])
def test_strategy_directive_scope_rules_are_the_reference(
    scope: str, targets: tuple[str, ...]
) -> None:
    def build() -> StrategyDirective:
        return StrategyDirective(
            directive_id="STR_20240301_120000_00003",
            timestamp=WHEN,
            causality=CausalityChain(tick_time=WHEN),
            confidence=Decimal("0.9"),
            reference_price=Decimal("1.1"),
            entry_directive=EntryDirective(symbol="EURUSD", direction="BUY"),
            scope=scope,
            target_trade_ids=targets,
        )

    assert _error_of(build) == reference_scope_error(scope, targets)
