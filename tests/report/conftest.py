"""Shared fixtures: one reference run (ema_trend on the bundled EURUSD 1h data)."""

from __future__ import annotations

from pathlib import Path

import pytest

from stc.commands.cli import main

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


@pytest.fixture(scope="session")
def reference_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``stc run blueprints/ema_trend.yaml --out DIR --quiet`` (writes report.html)."""
    out = tmp_path_factory.mktemp("ema_trend_run")
    code = main(
        ["run", str(REPO / "blueprints/ema_trend.yaml"), "--out", str(out), "--quiet",
         "--data", str(REPO / "data/EURUSD_1h.csv")]
    )  # fmt: skip
    assert code == 0
    return out


@pytest.fixture(scope="session")
def report_html(reference_run: Path) -> str:
    return (reference_run / "report.html").read_text(encoding="utf-8")
