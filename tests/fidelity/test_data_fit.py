"""Data must fit the blueprint before the first bar (issue 19): the bar interval is
inferred robustly, coarser data and (without --resample) finer data stop ``stc run``
with one line and exit 1 before anything is written, and an operation's data source
must be of the blueprint's symbol."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from stc.commands.cli import main
from stc.runtime.data import load_bars
from stc.runtime.data_fit import DataFitError, check_data_fit, describe_interval, infer_interval
from stc.runtime.dtos.market import Bar
from tests.conftest import REPO

EURUSD = REPO / "data" / "EURUSD_1h.csv"
GOOG = REPO / "data" / "GOOG_1d.csv"
EMA_TREND = REPO / "blueprints" / "ema_trend.yaml"


def _stc(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def _hourly(n: int, drop: float, seed: int) -> list[Bar]:
    rng = random.Random(seed)
    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    bars = []
    for i in range(n):
        when = t0 + timedelta(hours=i)
        if when.weekday() >= 5 or rng.random() < drop:  # weekends and deleted rows
            continue
        bars.append(Bar(when, 1.0, 1.0, 1.0, 1.0, 1.0))
    return bars


@pytest.mark.parametrize("seed", range(5))
def test_interval_is_robust_to_weekends_and_deleted_rows(seed: int) -> None:
    assert infer_interval(_hourly(2000, drop=0.3, seed=seed)) == 3600


def test_interval_of_the_real_data_sets() -> None:
    assert describe_interval(infer_interval(load_bars(EURUSD)) or 0) == "1h"
    assert describe_interval(infer_interval(load_bars(GOOG)) or 0) == "1d"
    assert infer_interval([]) is None


def test_daily_data_under_an_hourly_blueprint_stops_before_writing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run"
    code, stdout, err = _stc(capsys, "run", str(EMA_TREND), "--data", str(GOOG), "--out", str(out))
    assert code == 1
    assert err.count("\n") == 1 and "error:" in err
    assert "1d apart" in err and "tick timeframe 1h" in err
    assert not out.exists() and stdout == ""


def _blueprint_on(tmp_path: Path, timeframe: str) -> Path:
    text = EMA_TREND.read_text(encoding="utf-8").replace(
        "timeframes: [1h]", f"timeframes: [{timeframe}]"
    )
    assert f"timeframes: [{timeframe}]" in text
    path = tmp_path / f"ema_{timeframe}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_hourly_data_under_a_30m_blueprint_stops(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run"
    blueprint = _blueprint_on(tmp_path, "30m")
    code, stdout, err = _stc(
        capsys, "run", str(blueprint), "--data", str(EURUSD), "--out", str(out)
    )
    assert (code, stdout) == (1, "")
    assert (
        err.count("\n") == 1 and "1h apart, coarser than the blueprint's tick timeframe 30m" in err
    )
    assert not out.exists()


def _split_to_30m(source: Path, target: Path, rows: int) -> None:
    """Each hourly bar as two 30m bars whose 1h resample is the hourly bar again."""
    lines = source.read_text(encoding="utf-8").splitlines()
    out = [lines[0]]
    for line in lines[1 : rows + 1]:
        stamp, o, h, low, c, v = line.split(",")
        when = datetime.fromisoformat(stamp)
        out.append(f"{stamp},{o},{h},{low},{c},{v}")
        half = (when + timedelta(minutes=30)).isoformat()
        out.append(f"{half},{c},{c},{c},{c},0")
    target.write_text("\n".join(out) + "\n", encoding="utf-8")


def test_finer_data_is_an_error_unless_resampled(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fine = tmp_path / "EURUSD_30m.csv"
    _split_to_30m(EURUSD, fine, 1500)
    coarse = tmp_path / "EURUSD_1h_head.csv"
    coarse.write_text(
        "\n".join(EURUSD.read_text(encoding="utf-8").splitlines()[:1501]) + "\n", encoding="utf-8"
    )
    code, _, err = _stc(
        capsys, "run", str(EMA_TREND), "--data", str(fine), "--out", str(tmp_path / "a")
    )
    assert code == 1 and "30m apart, finer than" in err and "--resample" in err
    assert not (tmp_path / "a").exists()
    assert _stc(capsys, "run", str(EMA_TREND), "--data", str(fine), "--resample", "--quiet",
                "--out", str(tmp_path / "b"))[0] == 0  # fmt: skip
    assert _stc(capsys, "run", str(EMA_TREND), "--data", str(coarse), "--quiet",
                "--out", str(tmp_path / "c"))[0] == 0  # fmt: skip
    resampled = (tmp_path / "b" / "trades.csv").read_text(encoding="utf-8")
    assert resampled == (tmp_path / "c" / "trades.csv").read_text(encoding="utf-8")
    assert resampled.count("\n") > 3  # there are trades to compare


def test_a_tick_timeframe_the_data_does_not_divide_cannot_be_resampled(tmp_path: Path) -> None:
    fine = tmp_path / "EURUSD_30m.csv"
    _split_to_30m(EURUSD, fine, 50)
    with pytest.raises(DataFitError, match="cannot resample 30m bars to 45m"):
        check_data_fit(fine, "45m", resample=True)


def test_an_operation_on_another_symbol_stops(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    operation = REPO / "tests" / "fixtures" / "stc071_data_symbol.operation.yaml"
    out = tmp_path / "run"
    code, stdout, err = _stc(capsys, "run", str(operation), "--out", str(out))
    assert (code, stdout) == (1, "")
    assert err.startswith("error[STC071]: data source `cable_1h` is GBPUSD")
    assert not out.exists()


def test_a_deliberate_symbol_override_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = REPO / "tests" / "fixtures"
    blueprint = (folder / "stc071_data_symbol.blueprint.yaml").read_text(encoding="utf-8")
    (tmp_path / "stc071_data_symbol.blueprint.yaml").write_text(blueprint, encoding="utf-8")
    text = (folder / "stc071_data_symbol.operation.yaml").read_text(encoding="utf-8")
    text = text.replace("../../data/EURUSD_1h.csv", str(EURUSD)).replace(
        "data_source: cable_1h}", "data_source: cable_1h, allow_symbol_mismatch: true}"
    )
    operation = tmp_path / "override.operation.yaml"
    operation.write_text(text, encoding="utf-8")
    code, _, err = _stc(capsys, "run", str(operation), "--quiet", "--out", str(tmp_path / "r"))
    assert code == 0, err
    assert (tmp_path / "r" / "trades.csv").is_file()


def test_the_runtime_refuses_a_plan_whose_data_source_is_another_symbol(tmp_path: Path) -> None:
    """A compiled map edited by hand (or compiled elsewhere) is checked by the runtime
    too: nothing is written."""
    import yaml

    from stc.compiler import compile_blueprint
    from stc.runtime.api import run

    compiled = compile_blueprint(EMA_TREND)
    plan = yaml.safe_load(compiled.wiring_map)
    plan["data_source"] = {"name": "cable", "path": str(EURUSD), "format": "csv",
                           "symbol": "GBPUSD", "timeframe": "1h"}  # fmt: skip
    with pytest.raises(DataFitError, match="'cable' is GBPUSD, the blueprint trades EURUSD"):
        run(plan, out_dir=tmp_path / "r")
    assert not (tmp_path / "r").exists()
    plan["data_source"]["allow_symbol_mismatch"] = "true"
    assert run(plan, out_dir=tmp_path / "r").trades
