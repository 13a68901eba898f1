"""Shared test helpers: the repository root and the reference blueprints."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

settings.register_profile("deterministic", derandomize=True, database=None, print_blob=True)
settings.register_profile("explore", derandomize=False, max_examples=2000, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "deterministic"))
"""`make test` is deterministic (the same examples every run); set
HYPOTHESIS_PROFILE=explore to search new examples for longer."""

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
