"""Shared fixtures: the reference run's report page (the run itself, ``reference_run``, is in
``tests/conftest.py``: the report command's tests in ``tests/commands/`` use it too)."""

from __future__ import annotations

from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


@pytest.fixture(scope="session")
def report_html(reference_run: Path) -> str:
    return (reference_run / "report.html").read_text(encoding="utf-8")
