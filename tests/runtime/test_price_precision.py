"""Issue 27: prices keep their precision. A market quoted near 1e-9 (a meme coin) trades
as the same market quoted near 1 does, every run on prices ≥ 1 is unchanged, and a
price scale a run cannot represent is refused with the reason before the run."""

from __future__ import annotations

import csv
import json
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from stc.commands import cli
from stc.compiler import compile_blueprint
from stc.runtime.api import RunResult, run
from stc.runtime.display import plain, plain_price
from stc.runtime.precision import MAX_PRICE, MIN_PRICE, on_grid, price_decimal, to_places
from stc.runtime.price_scale import PriceScaleError
from tests.conftest import REPO
from tests.runtime.rt_helpers import EURUSD

BARS = 600
"""Bars of the embedded EUR/USD sample the scaled runs use (enough for dozens of trades
of every reference strategy)."""


@contextmanager
def within_budget(seconds: float = 2.0, megabytes: float = 200.0) -> Iterator[None]:
    """The issue's bound: the block ends within ``seconds`` of CPU time (so that other
    processes sharing the machine do not count) and allocates at most ``megabytes`` at
    its peak (tracemalloc: Python allocations; tracing slows the block about 1.5×)."""
    tracemalloc.start()
    start = time.process_time()
    try:
        yield
    finally:
        elapsed = time.process_time() - start
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert elapsed < seconds, f"took {elapsed:.2f} s"
    assert peak < megabytes * 1e6, f"peak {peak / 1e6:.0f} MB"


def scaled_data(folder: Path, factor: float, bars: int = BARS) -> Path:
    """The first ``bars`` rows of the EUR/USD sample with every price × ``factor``."""
    with EURUSD.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))[: bars + 1]
    path = folder / f"eurusd_x{factor:g}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(rows[0])
        for row in rows[1:]:
            writer.writerow([row[0], *(repr(float(x) * factor) for x in row[1:5]), *row[5:]])
    return path


def plan_of(name: str) -> dict[str, Any]:
    compiled = compile_blueprint(REPO / "blueprints" / f"{name}.yaml")
    assert compiled.ok, compiled.rendered_diagnostics()
    plan: dict[str, Any] = yaml.safe_load(compiled.wiring_map)
    return plan


# ------------------------------------------------------------------ the grid rule


@given(st.floats(min_value=1.0, max_value=1e12))
def test_prices_at_or_above_one_keep_their_ten_decimals(value: float) -> None:
    """The constraint that keeps every reference run byte-identical."""
    assert price_decimal(value) == Decimal(repr(round(value, 10)))
    assert str(price_decimal(value)) == repr(round(value, 10))


@given(st.decimals(min_value=1, max_value=10**12, places=12))
def test_planner_grid_at_or_above_one_is_eight_decimals(value: Decimal) -> None:
    eight = Decimal("0.00000001")
    for rounding in (ROUND_FLOOR, ROUND_CEILING):
        assert on_grid(value, value, rounding) == value.quantize(eight, rounding)
    assert on_grid(value * Decimal("0.8"), value) == (value * Decimal("0.8")).quantize(eight)


@given(st.floats(min_value=1.0, max_value=9.999999), st.integers(min_value=1, max_value=12))
def test_a_price_below_one_keeps_the_digits_of_the_same_price_above(
    value: float, shift: int
) -> None:
    """Scaled by 10^-k, a price rounds to the same 11 significant digits (k decimals
    further right) as the unscaled one: ``1.0716`` and ``1.0716e-9`` alike."""
    scaled = value * 10.0**-shift
    assert float(price_decimal(scaled).scaleb(shift)) == pytest.approx(
        float(price_decimal(value)), rel=1e-10
    )
    assert len(price_decimal(scaled).as_tuple().digits) <= 11
    assert price_decimal(1.23456789e-9) == Decimal("1.23456789E-9")  # not 0.0000000012


def test_the_planner_grid_follows_the_market_not_the_value() -> None:
    """A 20 % stop below a price of 1.09 stays on the 8-decimal grid of the price (it
    had 0.87184000 before; a grid of its own would have made it 0.871840000)."""
    assert str(on_grid(Decimal("1.0898") * Decimal("0.8"), Decimal("1.0898"))) == "0.87184000"
    ref = Decimal("1.0898E-9")
    assert on_grid(ref * Decimal("0.99"), ref, ROUND_FLOOR) == Decimal("1.078902E-9")
    assert on_grid(Decimal("1.0898E-9") * Decimal("0.99"), ref) > 0


def test_sizes_beyond_decimal_precision_are_sized_not_refused() -> None:
    """A size of 10^22 lots keeps its 8 decimals (quantize raised InvalidOperation)."""
    assert to_places(Decimal("12345678901234567890123.123456789"), 8) == Decimal(
        "12345678901234567890123.12345679"
    )


def test_trades_csv_shows_prices_with_their_digits() -> None:
    assert plain(Decimal("1.23456789012E-9")) == "0.0000000012"  # money: 10 decimals
    assert plain_price(Decimal("1.23456789012E-9")) == "0.0000000012345678901"  # 11 digits
    assert plain_price(Decimal("1.0904200999999993264")) == plain(Decimal("1.0904200999999993264"))
    assert plain_price(Decimal("0.5")) == "0.5"


# ----------------------------------------------------------- scaled market runs


def compare(plain_run: RunResult, scaled_run: RunResult, factor: float) -> None:
    """Same trades at the same times for the same reasons; prices scaled; money equal."""
    a, b = list(plain_run.trades), list(scaled_run.trades)
    assert len(a) >= 3 and len(a) == len(b)
    assert not plain_run.faults and not scaled_run.faults
    for x, y in zip(a, b, strict=True):
        assert (x.entry_time, x.exit_time, x.exit_reason, x.direction) == (
            y.entry_time, y.exit_time, y.exit_reason, y.direction,
        )  # fmt: skip
        assert float(y.entry_price) == pytest.approx(float(x.entry_price) * factor, rel=1e-8)
        assert float(y.exit_price or 0) == pytest.approx(
            float(x.exit_price or 0) * factor, rel=1e-8
        )
        assert float(y.pnl) == pytest.approx(float(x.pnl), rel=1e-4, abs=1e-6)
    for key in ("total_return", "max_drawdown", "win_rate"):
        assert scaled_run.metrics[key] == pytest.approx(plain_run.metrics[key], rel=1e-5)


@pytest.mark.parametrize("factor", [1e-9, 1e-12])
@pytest.mark.parametrize("name", ["ema_trend", "ict_smc"])
def test_a_market_near_1e_9_trades_like_the_same_market_near_1(
    name: str, factor: float, tmp_path: Path
) -> None:
    """Before: 0 trades (ema_trend) or 19 trades and 82 faults (ict_smc) at 1e-9, where
    the unscaled sample makes 46 and 239; the 10-decimal ledger and the 8-decimal
    planners rounded every stop to 0."""
    plan = plan_of(name)
    base = run(plan, data=scaled_data(tmp_path, 1.0), out_dir=tmp_path / "base")
    with within_budget():
        scaled = run(plan, data=scaled_data(tmp_path, factor), out_dir=tmp_path / "scaled")
    compare(base, scaled, factor)
    rows = (tmp_path / "scaled" / "trades.csv").read_text(encoding="utf-8").splitlines()
    entry = rows[1].split(",")[rows[0].split(",").index("entry_price")]
    assert float(entry) == pytest.approx(float(scaled.trades[0].entry_price), rel=1e-10)


# -------------------------------------------------------- refused price scales


@pytest.mark.parametrize(
    ("factor", "reason"),
    [(1e-13, "below 1e-12, the smallest price"), (1e12, r"above 1e\+12, the largest price")],
)
def test_a_price_scale_a_run_cannot_represent_is_refused(
    factor: float, reason: str, tmp_path: Path
) -> None:
    data = scaled_data(tmp_path, factor, bars=50)
    with within_budget(), pytest.raises(PriceScaleError, match=reason):
        run(plan_of("ema_trend"), data=data, out_dir=tmp_path / "out")
    assert not (tmp_path / "out").exists()  # refused before the run folder is made


def test_a_later_bar_out_of_scale_ends_the_run_with_the_reason(tmp_path: Path) -> None:
    """Past the bars sampled before the run, the stream guard refuses the bar."""
    data = scaled_data(tmp_path, 1.0, bars=2100)
    lines = data.read_text(encoding="utf-8").splitlines()
    when, *_ = lines[2050].split(",")
    lines[2050] = f"{when},1.07,1.08,1e-15,1.07,10"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with within_budget(seconds=4), pytest.raises(PriceScaleError) as caught:
        run(plan_of("ema_trend"), data=data, out_dir=tmp_path / "out", data_name="d.csv")
    assert str(caught.value).startswith("d.csv: the bar of ")
    assert "has low 1e-15, which is below 1e-12" in str(caught.value)


def test_stc_run_refuses_it_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STC_NO_CACHE", "1")
    data = scaled_data(tmp_path, 1e-13, bars=50)
    out = tmp_path / "out"
    with within_budget():
        code = cli.main(["run", str(REPO / "blueprints" / "ema_trend.yaml"), "--data",
                         str(data), "--out", str(out), "--quiet"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2, err
    [line] = err.strip().splitlines()
    assert line.startswith("error: ") and "the smallest price a run represents" in line
    assert not (out / "trades.csv").exists()


def test_bounds_are_the_documented_ones() -> None:
    assert (MIN_PRICE, MAX_PRICE) == (1e-12, 1e12)
    assert json.dumps([MIN_PRICE, MAX_PRICE]) == "[1e-12, 1000000000000.0]"
