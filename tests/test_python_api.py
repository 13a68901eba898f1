"""The notebook API (``stc.compile_blueprint``, ``stc.run``): paths or text in,
DataFrames out; the same trades whether the bars come from the CSV or a DataFrame."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

import stc
from stc.compiler.api import CompileError

REPO = Path(__file__).resolve().parents[1]
BLUEPRINT = REPO / "blueprints" / "ema_trend.yaml"
DATA = REPO / "data" / "EURUSD_1h.csv"


def _frame(rows: int = 1500) -> pd.DataFrame:
    frame = pd.read_csv(DATA, index_col=0, parse_dates=True).head(rows)
    return frame.rename(columns=str.lower)


def test_a_dataframe_gives_the_trades_of_the_same_bars_as_a_file(tmp_path: Path) -> None:
    frame = _frame()
    csv = tmp_path / "bars.csv"
    frame.rename(columns=str.capitalize).to_csv(csv)
    from_file = stc.run(stc.compile_blueprint(BLUEPRINT), data=csv, out=tmp_path / "a")
    from_frame = stc.run(stc.compile_blueprint(BLUEPRINT), data=frame, out=tmp_path / "b")
    assert len(from_frame.trades) > 0
    pd.testing.assert_frame_equal(from_file.trades, from_frame.trades)
    assert from_file.metrics == from_frame.metrics
    assert list(from_frame.equity.columns) == ["equity"]
    assert from_frame.equity.index[0] == frame.index[0]
    assert "sharpe" in from_frame._repr_html_()


def test_text_compiles_like_the_file_and_a_time_column_works(tmp_path: Path) -> None:
    text = BLUEPRINT.read_text("utf-8")
    from_text = yaml.safe_load(stc.compile_blueprint(text).wiring_map)
    from_file = yaml.safe_load(stc.compile_blueprint(BLUEPRINT).wiring_map)
    assert from_text.pop("inputs") != from_file.pop("inputs")  # the file's name differs
    assert from_text == from_file
    frame = _frame(800).reset_index(names="Timestamp")
    done = stc.run(text, data=frame, out=tmp_path / "run")
    assert (tmp_path / "run" / "journal.sqlite").is_file()
    assert set(done.metrics) >= {"total_return", "sharpe", "trades"}


def test_a_broken_blueprint_raises_with_its_diagnostics(tmp_path: Path) -> None:
    text = BLUEPRINT.read_text("utf-8").replace("EMACrossDetector", "EMACrosDetector")
    with pytest.raises(CompileError, match="STC003"):
        stc.run(text, data=_frame(100), out=tmp_path / "run")
    assert not (tmp_path / "run" / "trades.csv").exists()


def test_a_dataframe_without_prices_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="close"):
        stc.run(BLUEPRINT, data=_frame(50).drop(columns=["close"]), out=tmp_path / "r")
