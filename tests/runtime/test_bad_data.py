"""Bad market data (issue 8 item 6): every kind of bad row gives a diagnostic naming
``file:line`` (or, with ``on_bad_bar="skip"``, is dropped, journaled and counted);
gaps are not errors but are counted; resampling across gaps stays exact."""

from __future__ import annotations

import itertools
import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from rt_helpers import EURUSD, PLUGIN_ROOTS, wiring

from stc.commands.cli import main
from stc.runtime.api import run
from stc.runtime.data import (
    BadBarError,
    DataError,
    GapCounter,
    Resampler,
    SkippedBar,
    count_rows,
    iter_bars,
    load_bars,
)
from stc.runtime.dtos.market import Bar
from tests.conftest import REPO

HEADER = "time,Open,High,Low,Close,Volume\n"
GOOD = "2024-01-01 00:00:00,1,2,0.5,1.5,1\n"


def _csv(tmp_path: Path, body: str, header: str = HEADER) -> Path:
    path = tmp_path / "d.csv"
    path.write_text(header + body)
    return path


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("2024-01-01 00:00:00,1,2,0.5,1.5,1",
         "duplicate timestamp 2024-01-01T00:00:00+00:00"),
        ("2023-12-31 23:00:00,1,2,0.5,1.5,1",
         "unsorted timestamp 2023-12-31T23:00:00+00:00 (after 2024-01-01T00:00:00+00:00)"),
        ("2024-01-01 01:00:00,1,nan,0.5,1.5,1", "NaN or infinite high (nan)"),
        ("2024-01-01 01:00:00,1,2,0.5,inf,1", "NaN or infinite close (inf)"),
        ("2024-01-01 01:00:00,1,2,0.5,1.5,NaN", "NaN or infinite volume (nan)"),
        ("2024-01-01 01:00:00,1,0.4,0.5,1.5,1",
         "high/low do not bracket open/close: high 0.4 < low 0.5"),
        ("2024-01-01 01:00:00,1,2,0.5,2.5,1",
         "high/low do not bracket open/close (o=1.0, h=2.0, l=0.5, c=2.5)"),
        ("2024-01-01 01:00:00,0,2,0.5,1.5,1",
         "prices must be positive and volume non-negative: open=0.0"),
        ("2024-01-01 01:00:00,1,2,-0.5,1.5,1",
         "prices must be positive and volume non-negative: low=-0.5"),
        ("2024-01-01 01:00:00,1,2,0.5,1.5,-1",
         "prices must be positive and volume non-negative: volume=-1.0"),
        ("2024-01-01 01:00:00,1,2,x,1.5,1", "non-numeric low 'x'"),
        ("2024-01-01 01:00:00,1,2,,1.5,1", "empty low field"),
        ("2024-01-01 01:00:00,1,2,0.5,1.5, ", "empty volume field"),
        ("yesterday,1,2,0.5,1.5,1", "bad timestamp 'yesterday'"),
        ("2024-01-01 01:00:00,1,2,0.5", "too few columns"),
    ],
)  # fmt: skip
def test_each_bad_row_names_file_line_and_problem(tmp_path: Path, row: str, message: str) -> None:
    path = _csv(tmp_path, GOOD + row + "\n")
    with pytest.raises(BadBarError) as raised:
        load_bars(path)
    assert str(raised.value) == f"{path}:3: {message}"
    skipped: list[SkippedBar] = []
    assert len(load_bars(path, "skip", skipped)) == 1
    assert skipped == [SkippedBar(str(path), 3, message)]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("time,Open,High,Low,Price,Volume\n",
         "missing column 'close' (have ['time', 'open', 'high', 'low', 'price', 'volume'])"),
        ("time,O,H,L,C,V\n", "missing column 'open' (have ['time', 'o', 'h', 'l', 'c', 'v'])"),
        ("price,Open,High,Low,Close,Volume\n",
         "first column must be the timestamp (unnamed, time, timestamp, date or datetime), "
         "not 'price'"),
    ],
)  # fmt: skip
def test_wrong_column_names_fail_at_once_even_when_skipping(
    tmp_path: Path, header: str, message: str
) -> None:
    path = _csv(tmp_path, GOOD, header)
    for mode in ("error", "skip"):
        with pytest.raises(DataError) as raised:
            iter_bars(path, mode, [])  # type: ignore[arg-type]
        assert str(raised.value) == f"{path}:1: {message}"


def test_skip_needs_a_record_and_a_known_mode(tmp_path: Path) -> None:
    path = _csv(tmp_path, GOOD)
    with pytest.raises(ValueError, match="needs a `skipped` list"):
        iter_bars(path, "skip")
    with pytest.raises(ValueError, match="on_bad_bar must be one of error, skip, not 'drop'"):
        iter_bars(path, "drop", [])  # type: ignore[arg-type]


def test_skipping_every_row_is_still_an_error(tmp_path: Path) -> None:
    path = _csv(tmp_path, "2024-01-01 00:00:00,1,nan,0.5,1.5,1\nnow,1,2,0.5,1.5,1\n")
    with pytest.raises(DataError, match=r"d\.csv: no bars \(all 2 rows were bad and skipped\)"):
        load_bars(path, "skip", [])


def test_skip_checks_order_against_the_last_good_bar(tmp_path: Path) -> None:
    body = (
        "2024-01-01 00:00:00,1,2,0.5,1.5,1\n"
        "2024-01-01 05:00:00,1,0.4,0.5,1.5,1\n"  # bad: dropped, so 01:00 is not "unsorted"
        "2024-01-01 01:00:00,1,2,0.5,1.5,1\n"
        "2024-01-01 01:00:00,1,2,0.5,1.5,1\n"
    )
    skipped: list[SkippedBar] = []
    bars = load_bars(_csv(tmp_path, body), "skip", skipped)
    assert [b.time.hour for b in bars] == [0, 1]
    assert [(s.line, s.reason[:10]) for s in skipped] == [(3, "high/low d"), (5, "duplicate ")]


def _parquet(path: Path, columns: dict[str, list[Any]], row_group_size: int | None = None) -> Path:
    """``columns`` written as a real Parquet file (pyarrow, the ``parquet`` extra)."""
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    pq.write_table(pa.table(columns), path, row_group_size=row_group_size)
    return path


def test_parquet_rows_are_checked_and_skipped_by_row_number(tmp_path: Path) -> None:
    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    path = _parquet(tmp_path / "d.parquet", {
        "timestamp": [t0, t0 + timedelta(hours=1), t0 + timedelta(hours=2)],
        "Open": [1.0, 1.0, 1.0], "High": [2.0, float("nan"), 2.0], "Low": [0.5, 0.5, 0.5],
        "Close": [1.5, 1.5, 1.5], "Volume": [1, 1, 1],
    })  # fmt: skip
    with pytest.raises(BadBarError) as raised:
        load_bars(path)
    assert str(raised.value) == f"{path}:2: NaN or infinite high (nan)"
    skipped: list[SkippedBar] = []
    assert [b.time.hour for b in load_bars(path, "skip", skipped)] == [0, 2]
    assert skipped == [SkippedBar(str(path), 2, "NaN or infinite high (nan)")]
    assert count_rows(path) == 3  # from the metadata: counting must not validate


def test_parquet_streams_across_batches_and_row_groups_like_the_same_csv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows counted across record batches and row groups; bars equal to the CSV's
    (an independent reader: pandas writes the CSV from the same frame)."""
    from stc.runtime import data_parquet

    monkeypatch.setattr(data_parquet, "BATCH_ROWS", 7)  # many batches per row group
    lines = EURUSD.read_text().splitlines()[1:101]
    cells = [line.split(",") for line in lines]
    columns: dict[str, list[Any]] = {"time": [c[0] for c in cells]}
    header = EURUSD.read_text().splitlines()[0].split(",")
    for i, column in enumerate(header[1:6], start=1):
        columns[column] = [float(c[i]) for c in cells]
    columns["Close"][60] = -1.0  # a bad row in the fourth row group, ninth batch
    path = _parquet(tmp_path / "d.pq", columns, row_group_size=20)
    with pytest.raises(BadBarError, match=r"d\.pq:61: prices must be positive"):
        load_bars(path)
    skipped: list[SkippedBar] = []
    bars = load_bars(path, "skip", skipped)
    expected = [b for i, b in enumerate(load_bars(EURUSD)[:100]) if i != 60]
    fields = [(b.time, b.open, b.high, b.low, b.close, b.volume) for b in bars]
    assert fields == [(b.time, b.open, b.high, b.low, b.close, b.volume) for b in expected]
    assert [s.line for s in skipped] == [61]


def test_parquet_errors_are_data_errors(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    path = tmp_path / "x.parquet"
    path.write_bytes(b"PAR1 not really")
    with pytest.raises(DataError, match="not a readable Parquet file"):
        iter_bars(path)
    other = _parquet(tmp_path / "o.parquet", {"when": [1], "open": [1.0]})
    with pytest.raises(DataError, match="first column must be the timestamp"):
        iter_bars(other)


def _eurusd_with_bad_rows(tmp_path: Path) -> tuple[Path, Path]:
    """The first 400 EURUSD bars with three bad rows slipped in, and the clean file."""
    lines = EURUSD.read_text().splitlines(keepends=True)[:401]
    clean = tmp_path / "clean.csv"
    clean.write_text("".join(lines))
    bad = lines[:]
    bad.insert(100, lines[99])  # a duplicate of the row before: file line 101
    bad.insert(201, lines[200].replace(",", ",-", 1))  # a negative open: line 202
    bad.append("2017-05-06 00:00:00,1,nan,1,1,1\n")  # after the last good bar: line 404
    dirty = tmp_path / "dirty.csv"
    dirty.write_text("".join(bad))
    return dirty, clean


def test_run_with_skip_equals_the_cleaned_data_and_journals_each_row(tmp_path: Path) -> None:
    dirty, clean_csv = _eurusd_with_bad_rows(tmp_path)
    with pytest.raises(BadBarError, match=r"dirty\.csv:101: duplicate timestamp"):
        run(wiring("swot"), data=dirty, out_dir=tmp_path / "e", plugin_roots=PLUGIN_ROOTS)
    skipped = run(
        wiring("swot"), data=dirty, out_dir=tmp_path / "s", plugin_roots=PLUGIN_ROOTS,
        on_bad_bar="skip",
    )  # fmt: skip
    clean = run(wiring("swot"), data=clean_csv, out_dir=tmp_path / "c", plugin_roots=PLUGIN_ROOTS)
    assert list(skipped.trades) == list(clean.trades) and clean.trades
    assert list(skipped.equity_curve) == list(clean.equity_curve)
    assert skipped.metrics["bad_bars_skipped"] == 3 and clean.metrics["bad_bars_skipped"] == 0
    bars = load_bars(clean_csv)
    with sqlite3.connect(skipped.paths["journal"]) as db:
        notes = list(
            db.execute("SELECT tick_time, worker, json FROM notes WHERE note = 'bad_bar_skipped'")
        )
    assert [(t, w, json.loads(j)["line"]) for t, w, j in notes] == [
        (bars[99].time.isoformat(), "platform", 101),  # in the flow of the next good bar
        (bars[199].time.isoformat(), "platform", 202),
        (bars[-1].time.isoformat(), "platform", 404),  # after the last bar: the final flow
    ]
    assert json.loads(notes[1][2]) == {
        "file": str(dirty), "line": 202,
        "reason": "prices must be positive and volume non-negative: open=" + str(-bars[199].open),
    }  # fmt: skip


def test_stc_run_prints_data_errors_plainly_and_warns_about_skips(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dirty, _ = _eurusd_with_bad_rows(tmp_path)
    args = ["run", str(REPO / "blueprints" / "ema_trend.yaml"), "--data", str(dirty), "--quiet"]
    assert main([*args, "--out", str(tmp_path / "e")]) == 1
    err = capsys.readouterr().err
    assert err == f"error: {dirty}:101: duplicate timestamp 2017-04-25T11:00:00+00:00\n"
    assert main([*args, "--out", str(tmp_path / "s"), "--on-bad-bar", "skip"]) == 0
    captured = capsys.readouterr()
    assert captured.err.splitlines()[0] == (
        "warning: skipped 3 bad bars (--on-bad-bar skip); each is a bad_bar_skipped note "
        "in journal.sqlite"
    )
    assert "Traceback" not in captured.err
    metrics = json.loads((tmp_path / "s" / "metrics.json").read_text())
    assert metrics["bad_bars_skipped"] == 3


# ------------------------------------------------------------------ gaps
def test_gaps_are_counted_not_errors(tmp_path: Path) -> None:
    lines = EURUSD.read_text().splitlines(keepends=True)[:401]
    path = tmp_path / "d.csv"
    path.write_text("".join(lines[:50] + lines[53:]))  # three more hours missing
    result = run(wiring("swot"), data=path, out_dir=tmp_path / "r", plugin_roots=PLUGIN_ROOTS)
    times = [b.time for b in load_bars(path)]
    deltas = [(b - a, a, b) for a, b in itertools.pairwise(times)]
    gaps = [d for d in deltas if d[0] >= timedelta(hours=1.5)]
    widest = max(gaps, key=lambda d: d[0])  # the first of the widest
    assert len(gaps) > 1  # the weekends of the sample, and the hole made above
    assert result.metrics["data_gaps"] == len(gaps)
    assert result.metrics["largest_gap_bars"] == widest[0] // timedelta(hours=1) - 1
    assert result.metrics["largest_gap_from"] == widest[1].isoformat()
    assert result.metrics["largest_gap_to"] == widest[2].isoformat()
    assert (timedelta(hours=4), times[48], times[49]) in gaps  # 3 bars missing


def test_gap_rule_rounds_whole_bars_and_ignores_dst_shifts() -> None:
    def count(tf: str, stamps: list[datetime]) -> tuple[int, int]:
        gaps = GapCounter(tf)
        for a, b in itertools.pairwise(stamps):
            if b >= gaps.due(a):
                gaps.record(a, b)
        return gaps.count, gaps.largest_bars

    day = datetime(2024, 3, 29, 22, tzinfo=UTC)
    dst = [day, day + timedelta(hours=23), day + timedelta(hours=48)]  # 23 h, then 25 h
    assert count("1d", dst) == (0, 0)
    hours = [datetime(2024, 1, 1, h, tzinfo=UTC) for h in (0, 1, 3, 7)]
    assert count("1h", hours) == (2, 3)
    months = [datetime(2024, m, 1, tzinfo=UTC) for m in (1, 2, 3, 6)]
    assert count("1M", months) == (1, 2)


def test_resampling_across_gaps_releases_exact_bars_without_look_ahead() -> None:
    t0 = datetime(2024, 1, 5, tzinfo=UTC)  # a Friday
    hours = [0, 1, 2, 9, 10, 11, 12, 72]  # 03:00 missing; 04-08 empty; then the weekend
    bars = [Bar(t0 + timedelta(hours=h), 10 + h, 20 + h, 5 + h, 11 + h, 1.0) for h in hours]
    resampler = Resampler("4h", "1h")
    released = [(h, resampler.push(bar)) for h, bar in zip(hours, bars, strict=True)]
    out = {hour: [(b.time.hour, b.open, b.high, b.low, b.close, b.volume) for b in higher]
           for hour, higher in released if higher}  # fmt: skip
    assert out == {
        9: [(0, 10, 22, 5, 13, 3.0)],  # 00-04, incomplete: released when 09:00 shows it over
        11: [(8, 19, 31, 14, 22, 3.0)],  # 08-12: its last hour closes it, no empty 04-08 bar
        72: [(12, 22, 32, 17, 23, 1.0)],  # 12-16 at the next bar, after the weekend
    }


def test_parquet_written_by_pandas_equals_the_csv(tmp_path: Path) -> None:
    """Typed columns (timestamp[us, UTC], doubles, ints) take the fast path with the
    same bars as the CSV; a null cell (NaN in pandas) is named as the old reader named it."""
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    frame = pd.read_csv(EURUSD, nrows=300).rename(columns={"Unnamed: 0": "time"})
    frame["time"] = pd.to_datetime(frame["time"], utc=True).dt.as_unit("us")
    frame["Volume"] = frame["Volume"].astype("int64")
    path = tmp_path / "typed.parquet"
    frame.to_parquet(path, index=False)
    fields = [(b.time, b.open, b.high, b.low, b.close, b.volume) for b in load_bars(path)]
    csv_fields = [(b.time, b.open, b.high, b.low, b.close, b.volume) for b in load_bars(EURUSD)]
    assert fields == csv_fields[:300]
    assert all(type(f[0]) is datetime for f in fields)
    frame.loc[9, "Open"] = None
    frame.to_parquet(path, index=False)
    with pytest.raises(BadBarError, match=r"typed\.parquet:10: non-numeric open 'None'"):
        load_bars(path)
