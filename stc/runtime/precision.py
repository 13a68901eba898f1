"""Prices on a relative grid: a market quoted near 1e-9 trades as the same market
quoted near 1 does (issue 27).

Prices used to be rounded to a fixed number of decimals (10 in the ledger, 8 in the
reference planners): harmless at 1.0842 or 30,000, but a meme coin at 1.23e-9 became
``0.0000000012`` in the ledger and ``0.00000000`` as a planner's stop, so every exit
plan was refused and the run silently made no trade.

The rule keeps *at least* ``places`` decimals and *at least* ``digits`` significant
digits, whichever is finer::

    exponent of the grid = min(-places, adjusted(value) - (digits - 1))

With ``digits = places + 1`` the grid of every price ≥ 1 is exactly the old fixed one
(so every run on prices ≥ 1 stays byte-identical), and a price below 1 keeps as many
significant digits as a price in [1, 10) had: a market in [1, 10) scaled by 10^-k
rounds exactly like the unscaled one, k decimals further right (a market at 95 keeps
11 digits scaled instead of 12: still more than its data's).

Money (cash, fees, P&L, equity) does not scale with the quote and keeps its fixed
decimals; quantities keep their 8-decimal lot grid (a low price means a large size).

The range a run represents is [:data:`MIN_PRICE`, :data:`MAX_PRICE`] = [1e-12, 1e12]:

- below 1e-12, a position of the largest allowed capital (10^12) is more than 10^24
  lots, which with their 8 decimals is more digits than Decimal's 28-digit context
  keeps: products (cash, P&L) would be rounded silently;
- above 1e12, a position of any capital below 10^4 is smaller than one 1e-8 lot (no
  trade at all), and a float64 price's spacing (about 1e-4 at 1e12) is far coarser than
  any grid the ledger reads it with.

:func:`price_scale_problem` says which bound a price is past.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, Decimal, getcontext, localcontext

LEDGER_PLACES = 10
"""Decimals the ledger reads a market float with (prices ≥ 1)."""
LEDGER_DIGITS = LEDGER_PLACES + 1
"""Significant digits the ledger keeps of a price below 1 (those of a price in [1, 10))."""
PLANNER_PLACES = 8
"""Decimals of the reference planners' prices (stops, targets, limit prices) ≥ 1."""
PLANNER_DIGITS = PLANNER_PLACES + 1
"""Significant digits of a planner price below 1."""

MIN_PRICE = 1e-12
"""The smallest price a run represents (see the module docstring)."""
MAX_PRICE = 1e12
"""The largest price a run represents."""


def grid_exponent(value: Decimal, places: int, digits: int) -> int:
    """The exponent of the grid ``value`` is rounded to: at least ``places`` decimals
    and at least ``digits`` significant digits."""
    if not value:
        return -places
    return min(-places, value.adjusted() - (digits - 1))


def on_grid(
    value: Decimal,
    scale: Decimal,
    rounding: str = ROUND_HALF_EVEN,
    places: int = PLANNER_PLACES,
    digits: int = PLANNER_DIGITS,
) -> Decimal:
    """``value`` rounded (``rounding``) to the relative grid of a market quoted at
    ``scale`` (its reference price): the grid is the market's, not the value's, so a
    20 % stop below a price of 1.09 lies on the same 8-decimal grid as the price. For
    ``|scale| ≥ 1`` (with ``digits = places + 1``) this is
    ``value.quantize(Decimal(10) ** -places)``, as it always was."""
    exponent = grid_exponent(scale, places, digits)
    needed = value.adjusted() - exponent + 2
    if needed <= getcontext().prec:  # the common case: the context's precision suffices
        return value.quantize(_unit(exponent), rounding)
    with localcontext() as context:  # a large value on a fine grid may need > 28 digits
        context.prec = needed
        return value.quantize(_unit(exponent), rounding)


def to_places(value: Decimal, places: int, rounding: str = ROUND_HALF_EVEN) -> Decimal:
    """``value.quantize(Decimal(10) ** -places, rounding)`` that also works when the
    result has more digits than the context's 28 (a size of 10^21 lots on the
    8-decimal grid, at a price near 1e-12), where ``quantize`` raises
    InvalidOperation."""
    needed = value.adjusted() + places + 2
    if needed <= getcontext().prec:  # the common case: the context's precision suffices
        return value.quantize(_unit(-places), rounding)
    with localcontext() as context:
        context.prec = needed
        return value.quantize(_unit(-places), rounding)


_UNITS: dict[int, Decimal] = {}


def _unit(exponent: int) -> Decimal:
    """``Decimal(1).scaleb(exponent)`` (exact), made once per exponent: the quantum of
    a grid. Why the two functions above skip ``localcontext`` when they can: it copies
    the context on every call, and with the precision unchanged the copy rounds
    exactly as the current context does (flags aside, which nothing reads)."""
    unit = _UNITS.get(exponent)
    if unit is None:
        unit = Decimal(1).scaleb(exponent)
        if len(_UNITS) < 256:
            _UNITS[exponent] = unit
    return unit


def price_decimal(value: float) -> Decimal:
    """A market float (a price) as a Decimal on the ledger's relative grid,
    deterministically (``repr`` of a correctly rounded float). For ``|value| ≥ 1`` (and
    0) this is ``Decimal(repr(round(value, 10)))`` exactly, as it always was."""
    if value >= 1.0 or value <= -1.0 or value == 0.0 or not math.isfinite(value):
        return Decimal(repr(round(value, LEDGER_PLACES)))
    adjusted = Decimal(repr(value)).adjusted()
    return Decimal(repr(round(value, LEDGER_DIGITS - 1 - adjusted)))


def price_scale_problem(value: float) -> str | None:
    """Why a run cannot represent the price ``value`` (None when it can)."""
    if not math.isfinite(value) or value <= 0:
        return None  # not a price at all: the data reader refuses it as a bad row
    if value < MIN_PRICE:
        return (
            f"is below {MIN_PRICE:g}, the smallest price a run represents "
            "(sizes of such a market need more digits than the ledger's Decimals hold)"
        )
    if value > MAX_PRICE:
        return (
            f"is above {MAX_PRICE:g}, the largest price a run represents "
            "(a position of it is smaller than the 1e-8 lot grid)"
        )
    return None
