"""Issue 19's fill-model properties on the reference strategies with the embedded
EUR/USD data: every fill lies inside its bar, fees are charged on the real fill
price, and a stop touched after the bar of a trade's first fill closes it — with the
defaults and with 0.05 % slippage and 0.1 % fees."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from stc.compiler import compile_blueprint
from stc.runtime.api import run
from stc.runtime.resources import default_data_path
from tests.conftest import REPO
from tests.fidelity.checks import (
    bars_of,
    fills,
    fills_outside_their_bar,
    unprotected_stop_touches,
)

COSTS = {"defaults": (None, None), "costs": (0.0005, 0.001)}


def _plan(name: str, slippage: float | None, fee: float | None) -> dict[str, Any]:
    compiled = compile_blueprint(REPO / "blueprints" / f"{name}.yaml")
    assert compiled.ok, compiled.rendered_diagnostics()
    plan: dict[str, Any] = yaml.safe_load(compiled.wiring_map)
    if slippage is not None:
        plan["execution"]["slippage_pct"] = slippage
    if fee is not None:
        plan["execution"]["fee_pct"] = fee
    return plan


@pytest.fixture(scope="module")
def bars() -> list[Any]:
    return bars_of(default_data_path())


@pytest.mark.parametrize("costs", sorted(COSTS))
@pytest.mark.parametrize("name", ["ict_smc", "managed_trend"])
def test_fills_in_bar_and_stops_always_apply(
    name: str, costs: str, bars: list[Any], tmp_path: Path
) -> None:
    slippage, fee = COSTS[costs]
    result = run(_plan(name, slippage, fee), out_dir=tmp_path)
    assert not result.faults
    assert len(result.trades) >= 10  # the properties are checked on real trading
    assert fills_outside_their_bar(tmp_path, bars) == []
    assert unprotected_stop_touches(tmp_path, bars) == []
    rate = fee or 0.0
    for fill in fills(tmp_path):  # the fee is on the real (clamped) fill price
        assert fill.fee == pytest.approx(rate * fill.price * fill.size, rel=1e-9, abs=1e-12)
