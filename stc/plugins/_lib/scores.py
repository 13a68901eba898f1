"""Score helpers of the reference plugins: floats in 0..1 as deterministic Decimals.

A module of its own (not the package ``__init__``) so that ``make native`` compiles it
with the runtime: a signal's confidence and a threat's severity go through it, and a
package ``__init__`` is never compiled (a stale ``__init__`` extension would shadow its
source; see ``stc.runtime._native.NATIVE_PLUGIN_MODULES``).
"""

from __future__ import annotations

from decimal import Decimal


def clamp01(value: float) -> float:
    """Clamp to 0..1; NaN becomes 0 so a degenerate input never leaks into a DTO."""
    if value != value:  # NaN
        return 0.0
    return 0.0 if value < 0.0 else 1.0 if value > 1.0 else value


def to_score(value: float) -> Decimal:
    """A 0..1 float as a deterministic Decimal score (6 decimals).

    Going through ``str(round(...))`` keeps the Decimal independent of binary float
    noise, so identical runs journal identical confidences and severities.
    """
    return Decimal(str(round(clamp01(value), 6)))
