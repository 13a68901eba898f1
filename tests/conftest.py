"""Shared test helpers: the repository root and the reference blueprints."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BLUEPRINTS = REPO / "blueprints"
REFERENCE_STRATEGIES = (
    "blueprints/ema_trend.yaml",
    "blueprints/ict_smc.yaml",
    "blueprints/direct_planning.yaml",
    "blueprints/managed_trend.yaml",
    "blueprints/dca_weekly.operation.yaml",
)
"""What `stc check` must pass cleanly (dca_weekly is compiled through its operation)."""


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run the test from the repository root (paths in messages stay relative)."""
    monkeypatch.chdir(REPO)
    return REPO
