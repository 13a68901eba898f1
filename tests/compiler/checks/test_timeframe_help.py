"""STC070's help suggests only timeframes that can really be built from the data."""

from __future__ import annotations

import pytest

from stc.compiler.checks.timeframes import _resample_help, can_resample


@pytest.mark.parametrize(
    ("base", "expected"),
    [("1h", "1h → 4h, 1d"), ("1d", "1d → 1w, 1M"), ("15m", "15m → 1h, 4h")],
)
def test_examples_are_buildable_multiples(base: str, expected: str) -> None:
    assert f"(e.g. {expected})" in _resample_help(base)


def test_monthly_data_gets_no_impossible_example() -> None:
    text = _resample_help("1M")
    assert "→" not in text and "`1M`" in text
    assert not can_resample("1M", "4h")
