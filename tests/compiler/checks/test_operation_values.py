"""Issue 27: an operation's values are checked for meaning — starting capital finite
and in [1, 10^12], no schedule finer than the data, no live trading against a file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from stc.commands.cli import main
from tests.conftest import REPO

OPERATION = (REPO / "blueprints" / "dca_weekly.operation.yaml").read_text(encoding="utf-8")
DATA = REPO / "data" / "EURUSD_1h.csv"


def _check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str
) -> list[dict[str, Any]]:
    shutil.copy(REPO / "blueprints" / "dca_weekly.yaml", tmp_path / "dca_weekly.yaml")
    text = OPERATION.replace("../data/EURUSD_1h.csv", str(DATA))
    assert old in text
    (tmp_path / "op.yaml").write_text(text.replace(old, new), encoding="utf-8")
    capsys.readouterr()
    main(["check", str(tmp_path / "op.yaml"), "--format", "json"])
    items: list[dict[str, Any]] = json.loads(capsys.readouterr().out)
    return items


@pytest.mark.parametrize("capital", [".inf", "-.inf", ".nan", "1e-300", "0.5", "1e13"])
def test_starting_capital_in_range(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], capital: str
) -> None:
    """``.inf`` passed (total_return None), ``1e-300`` reported −100 % with no trade."""
    [found] = _check(tmp_path, capsys, "starting_capital: 10000", f"starting_capital: {capital}")
    assert found["code"] == "STC002" and "starting_capital" in found["message"]
    assert found["line"] == 14


def test_starting_capital_bounds_are_accepted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _check(tmp_path, capsys, "starting_capital: 10000", "starting_capital: 1e12") == []
    assert _check(tmp_path, capsys, "starting_capital: 10000", "starting_capital: 1") == []


@pytest.mark.parametrize("every", ["1m", "30m", "59m"])
def test_schedule_finer_than_the_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], every: str
) -> None:
    """A 1m schedule on hourly data made a 5,000-bar run take 75 s and more."""
    [found] = _check(tmp_path, capsys, "every: 1w", f"every: {every}")
    assert found["code"] == "STC070" and f"fires every {every}" in found["message"]
    assert (found["line"], found["column"]) == (10, 28)
    assert _check(tmp_path, capsys, "every: 1w", "every: 1h") == []


def test_live_refuses_a_csv_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``environment: live`` with a CSV source "finished a live run"."""
    found = _check(tmp_path, capsys, "environment: backtest", "environment: live")
    assert [(f["code"], f["line"]) for f in found] == [("STC002", 6), ("STC002", 13)]
    assert "needs a connector" in found[0]["message"]
    assert "cannot trade data source `eurusd_1h`" in found[1]["message"]


def test_an_operation_discovers_plugins_once_for_all_its_links(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An operation linking many strategies took ~34 s: discovery ran once per link."""
    from benchmarks.operation_scaling import operation_text
    from stc.compiler import pipeline

    calls: list[int] = []
    real = pipeline.discover

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "discover", counted)
    shutil.copy(REPO / "blueprints" / "ema_trend.yaml", tmp_path / "bp.yaml")
    shutil.copy(DATA, tmp_path / "data.csv")
    (tmp_path / "op.yaml").write_text(operation_text(40), encoding="utf-8")
    assert main(["check", str(tmp_path / "op.yaml")]) == 0
    assert len(calls) == 1
