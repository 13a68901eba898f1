"""How the runtime writes numbers for people: trades.csv cells and ``stc explain``.

A Decimal computed from other Decimals (the average price of a hundred iceberg fills,
a P&L) carries up to 28 significant digits, and a zero score may print in exponent form
(``0E-10``). People read at most ``PLACES`` decimal places, plain, with no trailing
zeros. The journal and the ledger keep the exact values; only what is shown is rounded
(half to even, so the same value always prints the same way).
"""

from __future__ import annotations

import re
from decimal import MAX_PREC, ROUND_HALF_EVEN, Context, Decimal, DefaultContext
from typing import Any

from stc.runtime.precision import LEDGER_DIGITS, on_grid

PLACES = 10
"""Decimal places shown: the precision the ledger reads market prices with."""

_QUANTUM = Decimal(1).scaleb(-PLACES)
_WIDE = Context(
    prec=MAX_PREC, rounding=ROUND_HALF_EVEN, Emin=DefaultContext.Emin, Emax=DefaultContext.Emax
)
"""The context :func:`plain` rounds in: ``quantize`` gives the same digits under any
precision that holds its result (the precision only decides whether it fails), so one
context wide enough for every value replaces a ``localcontext`` per call (trades.csv
formats ~10 Decimals a trade: the context switch was a third of each)."""
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")


def plain(value: Decimal) -> str:
    """``value`` rounded to ``PLACES`` decimal places, without exponent or trailing zeros
    (``0E-10`` → ``0``, ``0.75000`` → ``0.75``, ``1.0904200999999993264…`` →
    ``1.0904201``)."""
    if not value.is_finite():
        return str(value)
    text = format(value.quantize(_QUANTUM, ROUND_HALF_EVEN, _WIDE), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def plain_price(value: Decimal) -> str:
    """A price for people: like :func:`plain`, but below 1 it keeps the ledger's 11
    significant digits (:mod:`stc.runtime.precision`) instead of 10 decimals, which
    showed a price of 1.23456789e-9 as ``0.0000000012``. Prices ≥ 1 print as
    :func:`plain` prints them."""
    if not value.is_finite() or not value or abs(value) >= 1:
        return plain(value)
    rounded = on_grid(value, value, ROUND_HALF_EVEN, PLACES, LEDGER_DIGITS)
    return format(rounded, "f").rstrip("0").rstrip(".")  # below 1: always a fraction


def shown(value: Any) -> str:
    """A value for a person: a Decimal, or a number the journal stored as a string
    (pydantic writes Decimals as strings), through :func:`plain`; anything else as
    ``str`` (ids, enums, floats, which already print their shortest form)."""
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, str) and _NUMBER.fullmatch(value):
        return plain(Decimal(value))
    return str(value)
