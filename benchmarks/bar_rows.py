"""The seeded synthetic hourly bars every row of the runtime benchmark trades.

Plain ``(time, open, high, low, close, volume)`` tuples, so that the processes timing
other engines (benchmarks/other_engines.py) import nothing of stc; the stc rows wrap
them in ``Bar`` (``runtime_throughput.synthetic_bars``).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

BarRow = tuple[datetime, float, float, float, float, float]


def synthetic_rows(n: int, seed: int = 42) -> Iterator[BarRow]:
    """``n`` hourly bars of a seeded random walk around 1.1 (lazily)."""
    rng = random.Random(seed)
    t = datetime(2020, 1, 1, tzinfo=UTC)
    price = 1.1
    hour = timedelta(hours=1)
    for _ in range(n):
        o = price
        price *= 1.0 + rng.gauss(0.0, 0.0015)
        wiggle = abs(rng.gauss(0.0, 0.0008)) * o
        yield (t, o, max(o, price) + wiggle, min(o, price) - wiggle, price, 100.0)
        t += hour


def rising_rows(n: int) -> Iterator[BarRow]:
    """``n`` hourly bars on the random walk's timestamps whose close rises a little every
    bar: any fast EMA stays above any slower one from the second bar on, so an EMA cross
    strategy sees no signal and never trades. What is left is the per-tick path alone
    (bars, windows, the context chain, the opportunity worker, marking, the journal's
    quiet tick) — the part issue 4 says must not validate, look up or write."""
    t = datetime(2020, 1, 1, tzinfo=UTC)
    hour = timedelta(hours=1)
    for i in range(n):
        o = 1.1 * (1.0 + 1e-5 * i)
        c = 1.1 * (1.0 + 1e-5 * (i + 1))
        yield (t, o, c + 0.0004, o - 0.0004, c, 100.0)
        t += hour
