"""Fixtures of the plugin tests; helpers live in ``plugin_harness``."""

from __future__ import annotations

import pytest
from plugin_harness import load_bars

from stc.runtime.dtos.market import Bar


@pytest.fixture(scope="session")
def eurusd() -> list[Bar]:
    """All EURUSD 1h bars (5000), loaded once."""
    return load_bars()
