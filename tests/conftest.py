"""Shared test helpers: the repository root and the reference blueprints."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

_CACHE_HOME = tempfile.mkdtemp(prefix="stc-test-cache-")
os.environ["XDG_CACHE_HOME"] = _CACHE_HOME
os.environ["XDG_STATE_HOME"] = _CACHE_HOME  # the cache's HMAC key (stc.compiler.cache.key_path)
atexit.register(shutil.rmtree, _CACHE_HOME, True)  # registered first, so it runs last
"""The compiler's on-disk cache (``stc.compiler.cache``) of this test session, subprocesses
included: tests never write into the user's ``~/.cache``, and they run against a
cache that fills and hits as the session goes (it must never change a result)."""

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


@pytest.fixture(scope="session")
def reference_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``stc run blueprints/ema_trend.yaml --out DIR --quiet`` (writes report.html)."""
    from stc.commands.cli import main  # here, so collecting tests never imports stc early

    out = tmp_path_factory.mktemp("ema_trend_run")
    code = main(
        ["run", str(REPO / "blueprints/ema_trend.yaml"), "--out", str(out), "--quiet",
         "--data", str(REPO / "data/EURUSD_1h.csv")]
    )  # fmt: skip
    assert code == 0
    return out
