"""Session 17 (flowcut): the bus's result handling and ``trusted``'s key check, each
cheaper form compared with the form it replaced (written out here).

- ``bus.is_envelope`` is ``isinstance(result, DispositionEnvelope)`` for every kind of
  result (exact platform DTOs, envelopes, subclasses of either, plain values);
- a contract fault names the handler whether the bus hands over its name or the
  handler itself (the bus now passes the handler, named only on a fault or a first
  check), with the same message as before;
- ``trusted._is_prefix`` is ``tuple(values) == names[:len(values)]``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rt_helpers import wiring

from stc.runtime.bus import DEFAULT_EVENT, is_envelope
from stc.runtime.contracts import Contracts, PluginContractError, method_name
from stc.runtime.dtos.plans import ExitPlan
from stc.runtime.dtos.trusted import _is_prefix
from stc.runtime.envelope import Disposition, DispositionEnvelope
from stc.runtime.plan import load_plan

_EXIT = ExitPlan(plan_id="EXT_20240101_000000_00001", stop_loss_price=Decimal("1.05"))


class _MyEnvelope(DispositionEnvelope):
    """A plugin's own envelope class (not in DEFAULT_EVENT)."""


class _MyExit(ExitPlan):
    """A plugin's own ExitPlan subclass."""


def _results() -> list[Any]:
    envelope = DispositionEnvelope(disposition=Disposition.STOP)
    mine = _MyEnvelope(disposition=Disposition.STOP)
    mine_exit = _MyExit(plan_id="EXT_20240101_000000_00002", stop_loss_price=Decimal(1))
    return [envelope, mine, _EXIT, mine_exit, None, "x", 1.5, {"a": 1}, object(), ExitPlan]


@pytest.mark.parametrize("result", _results())
def test_is_envelope_is_isinstance(result: Any) -> None:
    assert is_envelope(result) == isinstance(result, DispositionEnvelope)


def test_no_default_event_type_is_an_envelope_or_an_exit_plan_subclass() -> None:
    """What ``is_envelope`` and ``EventBus.checked`` rely on to skip ``isinstance`` for
    an exact DEFAULT_EVENT type."""
    for cls in DEFAULT_EVENT:
        assert not issubclass(cls, DispositionEnvelope)
        assert cls is ExitPlan or not issubclass(cls, ExitPlan)


def on_position_update(payload: object) -> None:
    """A handler the fault below names."""


@pytest.mark.parametrize("method", ["on_position_update", on_position_update])
def test_a_contract_fault_names_the_handler_given_by_name_or_itself(method: Any) -> None:
    contracts = Contracts(load_plan(wiring("swot")))
    update = _EXIT.model_copy(
        update={"trade_id": "TRD_20240101_000000_00009", "stop_loss_price": Decimal("NaN")}
    )
    with pytest.raises(PluginContractError) as raised:
        contracts.check_publish("trail", method, "EXIT_PLAN_UPDATED", update, False)
    assert str(raised.value) == (
        "worker 'trail' (on_position_update) returned an ExitPlan whose "
        "stop_loss_price=NaN is not a finite number"
    )
    with pytest.raises(PluginContractError, match=r"\(on_position_update\) published"):
        contracts.check_publish("cross", method, "OPPORTUNITY_DETECTED", {"x": 1}, True)


def test_method_name_is_the_old_rule_for_a_handler() -> None:
    assert method_name(on_position_update) == "on_position_update"
    assert method_name(None) == "?"
    assert method_name(object()) == "?"  # no __name__
    assert method_name("given") == "given"


@given(
    st.lists(st.sampled_from("abcdefg"), unique=True, max_size=7),
    st.lists(st.sampled_from("abcdefg"), unique=True, min_size=0, max_size=7),
)
def test_is_prefix_is_the_tuple_comparison(keys: list[str], names: list[str]) -> None:
    if len(keys) > len(names):
        return
    values = dict.fromkeys(keys, 0)
    assert _is_prefix(values, tuple(names)) == (tuple(values) == tuple(names)[: len(values)])
