"""The spelling a value was meant to have, for names that follow a fixed pattern.

A timeframe written ``4H``, ``H1`` or ``15min``, an id written ``Regime``, an event
written ``ledger_update``: each has exactly one valid spelling the user meant, so the
diagnostic can offer it as a machine-applicable fix (``stc check --fix``).
"""

from __future__ import annotations

import re

_UNITS = {
    "m": "m", "min": "m", "mins": "m", "minute": "m", "minutes": "m", "t": "m",
    "h": "h", "hr": "h", "hrs": "h", "hour": "h", "hours": "h",
    "d": "d", "day": "d", "days": "d",
    "w": "w", "wk": "w", "week": "w", "weeks": "w",
    "mn": "M", "mo": "M", "mon": "M", "month": "M", "months": "M",
}  # fmt: skip
"""Unit words (lower-cased) and the unit letter stc uses; ``M`` alone stays months."""

_NUMBER_FIRST = re.compile(r"\s*([0-9]+)\s*([A-Za-z]+)\s*")
_UNIT_FIRST = re.compile(r"\s*([A-Za-z]+)\s*([0-9]+)\s*")
"""``4H`` / ``15 min`` (number first) and MetaTrader's ``H1`` / ``M15`` / ``D1``."""

TIMEFRAME = re.compile(r"[1-9][0-9]*(m|h|d|w|M)")


def timeframe(text: str) -> str | None:
    """The stc spelling of a timeframe written another way, or None if none is clear.

    ``4H``→``4h``, ``H1``→``1h``, ``1D``→``1d``, ``15min``→``15m``, ``M15``→``15m``
    (MetaTrader names minutes ``M``), ``MN1``→``1M``. A valid timeframe gives None.
    """
    if TIMEFRAME.fullmatch(text):
        return None
    number_first = _NUMBER_FIRST.fullmatch(text)
    if number_first:
        count, unit = number_first.groups()
        letter = _UNITS.get(unit.lower()) if unit != "M" else "M"
    else:
        unit_first = _UNIT_FIRST.fullmatch(text)
        if unit_first is None:
            return None
        unit, count = unit_first.groups()
        letter = "m" if unit.upper() == "M" else _UNITS.get(unit.lower())
    if letter is None or int(count) == 0:
        return None
    return f"{int(count)}{letter}"


def snake_case(text: str) -> str | None:
    """``Regime``→``regime``, ``fastEMA``→``fast_ema``, ``my-id``→``my_id``; None when
    nothing valid comes out."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", text.strip())
    result = re.sub(r"[^a-z0-9_]+", "_", words.lower()).strip("_")
    return result if re.fullmatch(r"[a-z_][a-z0-9_]*", result) and result != text else None


def upper_case(text: str) -> str | None:
    """``ledger_update``→``LEDGER_UPDATE``, ``ledger-update``→``LEDGER_UPDATE``."""
    result = re.sub(r"[^A-Z0-9_]+", "_", text.strip().upper()).strip("_")
    if text.startswith("_"):
        result = "_" + result
    return result if re.fullmatch(r"_?[A-Z][A-Z0-9_]*", result) and result != text else None


PATTERN_FIXES = {
    r"^[a-z_][a-z0-9_]*$": snake_case,
    r"^_?[A-Z][A-Z0-9_]*$": upper_case,
    r"^[1-9][0-9]*(m|h|d|w|M)$": timeframe,
}
"""The pydantic patterns of ``stc.compiler.model.common`` and the spelling each means."""


_RATIO = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*:\s*([0-9]+(?:\.[0-9]+)?)")
_PERCENT = re.compile(r"([-+]?[0-9]+(?:\.[0-9]+)?)\s*%")
_YES_NO = {"yes": "true", "y": "true", "on": "true", "no": "false", "n": "false", "off": "false"}


def scalar_meant(text: str, wanted: str) -> tuple[str, bool, str] | None:
    """What a string written where a number or boolean is wanted was meant to be.

    Returns (replacement, sure, why) or None. YAML 1.2 reads ``yes``, ``1:2.5``
    and ``5%`` as text (docs/decisions.md); each has a reading the user most
    likely meant. ``sure`` is False where two readings exist (``1:2.5`` as the ratio
    2.5, ``5%`` as the fraction 0.05 when the parameter might take percent).
    """
    raw = text.strip()
    if wanted == "boolean" and raw.lower() in _YES_NO:
        value = _YES_NO[raw.lower()]
        return value, True, f"YAML 1.2 reads `{raw}` as text; a boolean is `true` or `false`"
    if wanted not in ("number", "integer"):
        return None
    ratio = _RATIO.fullmatch(raw)
    if ratio and wanted == "number" and float(ratio.group(1)) > 0:
        value = _short(float(ratio.group(2)) / float(ratio.group(1)))
        why = f"a ratio is one number (`{raw}` would be base 60 in YAML 1.1, text in 1.2)"
        return value, False, why
    percent = _PERCENT.fullmatch(raw)
    if percent and wanted == "number":
        value = _short(float(percent.group(1)) / 100)
        return value, False, f"`{raw}` is text; as a fraction it is {value}"
    return None


def _short(value: float) -> str:
    """``2.5``, ``0.05``, ``1.0``: the shortest text that reads back as ``value``."""
    return repr(round(value, 12))
