"""The risk sizers' arithmetic: money at risk to a position size (see ``sizing``).

A module of functions apart from the sizers' base class (``sizing.RiskSizer``) because
``make native`` compiles it with the runtime, and a worker class must stay an ordinary
Python class: the compiler reads its handlers' signatures, annotations and code
(docs/decisions.md, "Session 13, plugnative").
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from stc.runtime.dtos import StrategyDirective
from stc.runtime.precision import to_places

PLACES = 8
"""Decimals of sizes, values and risks (a lot of 1e-8; a low price means a large size)."""
ZERO = Decimal(0)


def size_for_risk(
    directive: StrategyDirective, risk: Decimal, equity: Decimal, max_leverage: Decimal
) -> tuple[Decimal, Decimal, Decimal] | None:
    """(size, value, risk at the stop) for ``risk`` money at risk, or None when nothing
    can be bought (no equity, no risk, no stop distance)."""
    ref = directive.reference_price
    distance = ref * directive.exit_directive.stop_loss_tolerance
    cap = directive.size_directive.max_risk_amount
    if cap is not None:
        risk = min(risk, cap)
    if risk <= ZERO or distance <= ZERO or equity <= ZERO:
        return None
    size = to_places(min(risk / distance, equity * max_leverage / ref), PLACES, ROUND_DOWN)
    if size <= ZERO:
        return None
    value = to_places(size * ref, PLACES, ROUND_DOWN)
    return size, value, to_places(size * distance, PLACES, ROUND_DOWN)
