"""The report's price pass over columns gives what the per-bar stream gives, bit for bit
(issue 23): the decimators' ``push_many`` against ``push``, :class:`ColumnPass` against
:class:`EquityStream` on generated bars and trades, and whole ``report.html`` files
written both ways (the reference run, real data, seeded random walks with gaps, flat
stretches, overlapping trades, trades open at the end, no trades, blocks of a few rows,
a bad row that sends the file back to the row reader)."""

from __future__ import annotations

import csv
import itertools
import json
import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stc.runtime.data import load_bars
from stc.runtime.dtos.market import Bar
from stc.runtime.report import columns as price_columns
from stc.runtime.report import load, write_report
from stc.runtime.report.columns import ColumnPass, summarise_columns
from stc.runtime.report.decimate import CandleDecimator, ExtremeDecimator
from stc.runtime.report.prices import EquityStream, OpenTrade, PriceSummary, Summaries
from tests.runtime.report.synthetic_run import TRADE_COLUMNS

REPO = Path(__file__).resolve().parents[3]
_START = datetime(2019, 11, 28, tzinfo=UTC)


def _pieces(n: int, cuts: list[int]) -> Iterator[slice]:
    """``range(n)`` cut at ``cuts`` (positions in 1..n-1, any order, repeats allowed)."""
    edges = [0, *sorted({c for c in cuts if 0 < c < n}), n]
    return (slice(a, b) for a, b in itertools.pairwise(edges))


values = st.lists(
    st.one_of(
        st.sampled_from([1.0, 1.0, 2.0, -1.0, 0.5]),
        st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
    ),
    min_size=1,
    max_size=400,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values, st.integers(2, 9), st.lists(st.integers(1, 399), max_size=6))
def test_extreme_push_many_is_push_of_each(
    series: list[float], limit: int, cuts: list[int]
) -> None:
    """Buckets, halvings, first and last points, peak and drawdown pair all equal."""
    time = np.arange(len(series), dtype=np.float64) * 60.0
    value = np.array(series)
    one, many = ExtremeDecimator(limit), ExtremeDecimator(limit)
    for when, number in zip(time.tolist(), series, strict=True):
        one.push(when, number)
    for part in _pieces(len(series), cuts):
        many.push_many(time[part], value[part])
    assert repr(vars(many)) == repr(vars(one))
    assert many.points() == one.points()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values, st.integers(2, 9), st.lists(st.integers(1, 399), max_size=6))
def test_candle_push_many_is_push_of_each(series: list[float], limit: int, cuts: list[int]) -> None:
    """Candles equal field for field: the volume summed in the stream's order."""
    rng = random.Random(len(series))
    time = np.arange(len(series), dtype=np.float64) * 60.0
    close = np.abs(np.array(series)) + 1.0
    volume = np.array([rng.random() * 10 ** rng.randint(-3, 6) for _ in series])
    columns = (time, close * 1.001, close * 1.01, close * 0.99, close, volume)
    one, many = CandleDecimator(limit), CandleDecimator(limit)
    for row in zip(*(a.tolist() for a in columns), strict=True):
        one.push(*row)
    for part in _pieces(len(series), cuts):
        many.push_many(*(a[part] for a in columns))
    assert repr(vars(many)) == repr(vars(one))


# --- ColumnPass against EquityStream --------------------------------------------------


def _bars(rng: random.Random, n: int) -> list[Bar]:
    """An hourly-ish random walk with gaps (hours to months), flat stretches and
    fractional volumes."""
    when, price, out = _START, 1.1, []
    for i in range(n):
        flat = (i // 7) % 3 == 1
        opened = price
        price = price if flat else price * (1.0 + rng.gauss(0.0, 0.01))
        wiggle = 0.0 if flat else abs(rng.gauss(0.0, 0.004)) * opened
        high, low = max(opened, price) + wiggle, min(opened, price) - wiggle
        out.append(Bar(when, opened, high, low, price, round(rng.random() * 50, 3)))
        when += timedelta(hours=rng.choice([1, 1, 1, 2, 5, 24 * 9, 24 * 40]))
    return out


def _trades(rng: random.Random, bars: list[Bar], count: int) -> list[OpenTrade]:
    """Overlapping trades entered and exited at bar times or between them; some open
    at the end, some entered and exited within one bar."""
    first, last = bars[0].time.timestamp(), bars[-1].time.timestamp()
    out = []
    for _ in range(count):
        entry = rng.choice([rng.choice(bars).time.timestamp(), rng.uniform(first, last)])
        exit_ = rng.choice([float("inf"), entry, rng.uniform(entry, last), last])
        sign = rng.choice([1.0, -1.0])
        price = rng.choice(bars).close
        size, fee = rng.choice([1.0, 1000.0, 0.37]), rng.choice([0.0, 0.02, 1.3])
        pnl = 0.0 if exit_ == float("inf") else rng.gauss(0.0, 30.0)
        out.append(OpenTrade(entry, exit_, sign, price, size, fee, pnl))
    return sorted(out, key=lambda t: t.entry)


def _columns(bars: list[Bar]) -> tuple[Any, ...]:
    stamps = [round(b.time.timestamp()) * 1_000_000_000 for b in bars]
    prices = (np.array([getattr(b, k) for b in bars]) for k in ("open", "high", "low", "close"))
    return np.array(stamps, dtype=np.int64), *prices, np.array([b.volume for b in bars])


def _both(
    bars: list[Bar], trades: list[OpenTrade], cuts: list[int], limits: tuple[int, int]
) -> tuple[PriceSummary | None, PriceSummary | None]:
    stream = EquityStream(list(trades), 10_000.0)
    blocks = ColumnPass(np, list(trades), 10_000.0)
    for summary in (stream, blocks):
        summary.sums = Summaries(
            CandleDecimator(limits[0]), ExtremeDecimator(limits[1]), ExtremeDecimator(limits[1])
        )
    for bar in bars:
        stream.push(bar)
    columns = _columns(bars)
    for part in _pieces(len(bars), cuts):
        blocks.push(*(a[part] for a in columns))
    return stream.finish(), blocks.finish()


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(0, 2**32),
    st.integers(1, 300),
    st.integers(0, 25),
    st.lists(st.integers(1, 299), max_size=5),
    st.tuples(st.integers(2, 12), st.integers(2, 12)),
)
def test_column_pass_is_the_stream_bit_for_bit(
    seed: int, n: int, count: int, cuts: list[int], limits: tuple[int, int]
) -> None:
    rng = random.Random(seed)
    bars = _bars(rng, n)
    stream, blocks = _both(bars, _trades(rng, bars, count), cuts, limits)
    assert repr(blocks) == repr(stream)


def test_many_trades_open_at_once_sum_in_the_heap_order() -> None:
    """Twelve trades open together: the marks are summed in the stream's heap order
    (a different order differs in the last bit on these numbers)."""
    rng = random.Random(7)
    bars = _bars(rng, 400)
    trades = _trades(rng, bars, 60)
    stream, blocks = _both(bars, trades, [50, 51, 200], (40, 30))
    assert stream is not None and repr(blocks) == repr(stream)
    assert len(stream.monthly) > 3 and len(stream.candles) < 400


# --- whole reports, written through both paths ----------------------------------------


def _write_walk(folder: Path, seed: int, bars: int, trades: int, bad_row: int = -1) -> Path:
    """A run folder over a random walk CSV (see :func:`_bars`); ``trades.csv`` holds
    ``trades`` trades with times and prices as stc writes them."""
    rng = random.Random(seed)
    walk = _bars(rng, bars)
    folder.mkdir(parents=True)
    data = folder / "bars.csv"
    with data.open("w", encoding="utf-8") as out:
        out.write("time,open,high,low,close,volume\n")
        for i, b in enumerate(walk):
            low = b.high * 2 if i == bad_row else b.low  # low above high: a bad row
            out.write(f"{b.time:%Y-%m-%d %H:%M:%S},{b.open!r},{b.high!r},{low!r},")
            out.write(f"{b.close!r},{b.volume!r}\n")
    _write_trades(folder, _trades(rng, walk, trades))
    return data


def _write_trades(folder: Path, opened: list[OpenTrade]) -> None:
    """``trades.csv`` (times and numbers as stc writes them) and ``metrics.json``."""
    with (folder / "trades.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(TRADE_COLUMNS)
        for k, t in enumerate(opened):
            closed = t.exit != float("inf")
            writer.writerow([
                f"T{k}", "EURUSD", "SELL" if t.sign < 0 else "BUY", _iso(t.entry), repr(t.price),
                repr(t.size), _iso(t.exit) if closed else "", repr(t.price) if closed else "",
                "target" if closed else "", repr(t.entry_fee * 2), repr(t.pnl) if closed else "",
                f"E{k}",
            ])  # fmt: skip
    metrics = {"starting_capital": 10_000.0, "trades": len(opened)}
    (folder / "metrics.json").write_text(json.dumps(metrics), encoding="utf-8")


def _iso(stamp: float) -> str:
    return datetime.fromtimestamp(stamp, UTC).isoformat()


def _reports(
    run_dir: Path, data: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[bytes, bytes, list[bool]]:
    """report.html over columns, then over rows only; whether the columns gave prices."""
    used: list[bool] = []

    def spy(*args: Any) -> Any:
        summary = summarise_columns(*args)
        used.append(summary is not None)
        return summary

    rows_only: Callable[..., None] = lambda *args: None  # noqa: E731
    with monkeypatch.context() as patch:
        patch.setattr(load, "summarise_columns", spy)
        columns = write_report(run_dir, data=data).read_bytes()
    with monkeypatch.context() as patch:
        patch.setattr(load, "summarise_columns", rows_only)
        rows = write_report(run_dir, data=data).read_bytes()
    return columns, rows, used


def test_reference_run_report_is_unchanged(
    reference_run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``stc run blueprints/ema_trend.yaml`` on the bundled EURUSD: the same bytes."""
    run_dir = tmp_path / reference_run.name  # the footer names the folder
    run_dir.mkdir()
    for name in ("metrics.json", "trades.csv", "journal.sqlite", "wiring_map.yaml", "report.html"):
        (run_dir / name).write_bytes((reference_run / name).read_bytes())
    written = (reference_run / "report.html").read_bytes()
    columns, rows, used = _reports(run_dir, REPO / "data" / "EURUSD_1h.csv", monkeypatch)
    assert used == [True]
    assert columns == rows == written


@pytest.mark.parametrize("name", ["EURUSD_1h.csv", "GOOG_1d.csv", "BTCUSD_1M.csv"])
def test_real_data_reports_are_equal(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Trades drawn over each real data set (its own prices, gaps and volumes)."""
    data = REPO / "data" / name
    rng = random.Random(name)
    bars = load_bars(data)
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    _write_trades(run_dir, _trades(rng, bars, 40))
    columns, rows_only, used = _reports(run_dir, data, monkeypatch)
    assert used == [True]
    assert columns == rows_only


@pytest.mark.parametrize(
    ("seed", "bars", "trades", "block"),
    [(1, 2_000, 30, 0), (2, 12_000, 200, 4096), (3, 900, 0, 0), (4, 1, 0, 0), (5, 6_000, 5, 700)],
)
def test_random_walk_reports_are_equal(
    seed: int, bars: int, trades: int, block: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Gaps, flat stretches, overlapping trades and trades open at the end; small
    blocks (``block`` bytes) cut the file into many; one bar and no trades."""
    if block:
        monkeypatch.setattr(price_columns, "BLOCK_BYTES", block)
    data = _write_walk(tmp_path / "run", seed, bars, trades)
    columns, rows, used = _reports(tmp_path / "run", data, monkeypatch)
    assert used == [True]
    assert columns == rows


def test_a_bad_row_in_a_later_block_falls_back_to_the_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The columns stop part way; the row reader skips the bad row, as before."""
    monkeypatch.setattr(price_columns, "BLOCK_BYTES", 4096)
    data = _write_walk(tmp_path / "run", 9, 3_000, 20, bad_row=2_500)
    columns, rows, used = _reports(tmp_path / "run", data, monkeypatch)
    assert used == [False]
    assert columns == rows
    assert b"2,999 bars" in columns


def test_parquet_reports_are_equal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Parquet file's columns come whole and are settled in blocks of rows."""
    pa = pytest.importorskip("pyarrow")
    parquet = pytest.importorskip("pyarrow.parquet")
    monkeypatch.setattr(price_columns, "BLOCK_ROWS", 999)
    csv_data = _write_walk(tmp_path / "run", 11, 5_000, 40)
    bars = load_bars(csv_data)
    table = pa.table({
        "time": pa.array([b.time for b in bars], pa.timestamp("us", tz="UTC")),
        **{k: pa.array([getattr(b, k) for b in bars]) for k in ("open", "high", "low", "close")},
        "volume": pa.array([b.volume for b in bars]),
    })  # fmt: skip
    data = tmp_path / "bars.parquet"
    parquet.write_table(table, data)
    columns, rows, used = _reports(tmp_path / "run", data, monkeypatch)
    assert used == [True]
    assert columns == rows


def test_gzip_takes_the_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file the columnar reader does not take (gzip) is read as rows, as before."""
    import gzip

    csv_data = _write_walk(tmp_path / "run", 12, 500, 5)
    data = tmp_path / "bars.csv.gz"
    data.write_bytes(gzip.compress(csv_data.read_bytes()))
    columns, rows, used = _reports(tmp_path / "run", data, monkeypatch)
    assert used == [False]
    assert columns == rows
    assert b"500 bars" in columns
