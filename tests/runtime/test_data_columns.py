"""The columnar fast path (stc.runtime.data_columns, issue 23) reads exactly what the
row reader reads, or nothing.

Parity is checked bit for bit (every float's bytes, every timestamp in epoch ns)
against the row reader (``load_bars``) on the real data sets, on hypothesis-generated
files (float formats, time formats, header variants, line ends) and on Parquet files
of every column type; and against an independent reader, pandas ``read_csv`` with
Python's own float parser. A file with any bad row gives None (the row reader then
explains it), never a guess.
"""

from __future__ import annotations

import gzip
import math
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stc.runtime import data_columns, data_csv_columns
from stc.runtime.batch import BarArrays
from stc.runtime.data import BadBarError, DataError, load_bars
from stc.runtime.data_columns import bars_from_arrays, read_bar_arrays
from stc.runtime.data_formats import CsvFormat
from stc.runtime.precision import MAX_PRICE, MIN_PRICE

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
REPO_DATA = Path(__file__).resolve().parents[2] / "data"
REAL = sorted({p.name: p for p in [*REPO_DATA.glob("*.csv"), *SHARED.glob("*.csv")]}.values())
COLUMNS = ("time", "open", "high", "low", "close", "volume")


def row_arrays(path: Path) -> BarArrays:
    """What the row reader reads, as columns."""
    return BarArrays.from_bars(load_bars(path))


def assert_same(got: BarArrays | None, want: BarArrays) -> None:
    assert got is not None, "the fast path refused a file the row reader reads"
    for column in COLUMNS:
        a, b = getattr(got, column), getattr(want, column)
        assert a.dtype == b.dtype, column
        assert a.tobytes() == b.tobytes(), (column, a[a != b][:5], b[a != b][:5])


def row_reader_result(path: Path) -> BarArrays | None:
    """The row reader's columns, or None when it refuses a row."""
    try:
        return row_arrays(path)
    except DataError:
        return None


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_real_files_equal_the_row_reader(path: Path) -> None:
    assert_same(read_bar_arrays(path), row_arrays(path))


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_real_files_equal_pandas(path: Path) -> None:
    """An independent reference: pandas' C tokenizer with Python's float parser."""
    frame = pd.read_csv(path, index_col=0)
    arrays = read_bar_arrays(path)
    assert arrays is not None
    stamps = pd.to_datetime(frame.index, utc=True).as_unit("ns").asi8
    assert stamps.tobytes() == arrays.time.tobytes()
    for column in COLUMNS[1:]:
        values = frame[column.capitalize()].to_numpy(dtype=np.float64)
        assert values.tobytes() == getattr(arrays, column).tobytes(), column


def test_bars_from_arrays_are_the_row_readers_bars() -> None:
    path = REAL[0]
    arrays = read_bar_arrays(path)
    assert arrays is not None
    got = [(b.time, b.time.utcoffset(), b.open, b.high, b.low, b.close, b.volume)
           for b in bars_from_arrays(arrays, chunk=100)]  # fmt: skip
    want = [(b.time, b.time.utcoffset(), b.open, b.high, b.low, b.close, b.volume)
            for b in load_bars(path)]  # fmt: skip
    assert got == want


# --- generated files -------------------------------------------------------------------

T0 = datetime(2021, 3, 1, tzinfo=UTC)


FLOAT_FORMATS: dict[str, Any] = {
    "repr": repr,
    "fixed": lambda x, n: f"{x:.{n}f}",
    "exponent": lambda x, n: f"{x:.{n}e}",
    "upper exponent": lambda x, n: f"{x:.{n}E}",
    "plus": lambda x, n: f"+{x:.{n}f}",
    "leading dot": lambda x, n: f"{x:.{n}f}".lstrip("0") or "0",
    "trailing dot": lambda x, n: f"{round(x)}.",
    "integer": lambda x, n: f"{round(x)}",
    "many digits": lambda x, n: f"{x:.{12 + n}f}",
    "padded": lambda x, n: f" {x:.{n}f} ",
    "underscore": lambda x, n: f"{round(x):_}.5",
    "zeros": lambda x, n: f"000{x:.{n}f}000",
}


def _number(x: float, style: str, digits: int) -> str:
    fmt = FLOAT_FORMATS[style]
    return fmt(x) if style == "repr" else fmt(x, digits)


TIME_FORMATS: dict[str, Any] = {
    "space": lambda t: t.strftime("%Y-%m-%d %H:%M:%S"),
    "T": lambda t: t.strftime("%Y-%m-%dT%H:%M:%S"),
    "Z": lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ"),
    "offset": lambda t: t.astimezone(timezone(timedelta(hours=5, minutes=30))).isoformat(),
    "negative offset": lambda t: t.astimezone(timezone(-timedelta(hours=3))).isoformat(),
    "date": lambda t: t.strftime("%Y-%m-%d"),
    "epoch": lambda t: str(int(t.timestamp())),
    "fraction": lambda t: t.strftime("%Y-%m-%d %H:%M:%S.%f"),
}
SUPPORTED_TIMES = {"space", "T", "Z", "offset", "negative offset", "date"}

_bar = st.tuples(
    st.floats(1e-6, 1e6, allow_nan=False, allow_infinity=False),  # a reference price
    st.floats(0.0, 0.05),
    st.floats(0.0, 0.05),  # up and down wiggles
    st.floats(0.0, 1.0),
    st.floats(0.0, 1.0),  # where open and close lie in the range
    st.floats(0.0, 1e9),  # volume
)


def _file(
    tmp_path: Path,
    bars: list[tuple[float, ...]],
    styles: list[tuple[str, int]],
    time_style: str,
    header: str = "time,open,high,low,close,volume",
    ending: str = "\n",
    final_newline: bool = True,
    name: str = "bars.csv",
) -> Path:
    step = timedelta(days=1) if time_style == "date" else timedelta(minutes=37)
    lines = [header]
    for i, (ref, up, down, fo, fc, volume) in enumerate(bars):
        high, low = ref * (1 + up), ref * (1 - down)
        values = [low + fo * (high - low), high, low, low + fc * (high - low), volume]
        cells = [_number(v, *styles[(i * 5 + k) % len(styles)]) for k, v in enumerate(values)]
        lines.append(",".join([TIME_FORMATS[time_style](T0 + i * step), *cells]))
    path = tmp_path / name
    path.write_bytes((ending.join(lines) + (ending if final_newline else "")).encode())
    return path


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    bars=st.lists(_bar, min_size=1, max_size=30),
    styles=st.lists(
        st.tuples(st.sampled_from(sorted(FLOAT_FORMATS)), st.integers(0, 9)), min_size=1, max_size=5
    ),
    time_style=st.sampled_from(sorted(TIME_FORMATS)),
    ending=st.sampled_from(["\n", "\r\n"]),
    final_newline=st.booleans(),
)
def test_generated_files_equal_the_row_reader(
    tmp_path: Path,
    bars: list[tuple[float, ...]],
    styles: list[tuple[str, int]],
    time_style: str,
    ending: str,
    final_newline: bool,
) -> None:
    path = _file(tmp_path, bars, styles, time_style, ending=ending, final_newline=final_newline)
    want = row_reader_result(path)
    got = read_bar_arrays(path)
    if want is None:  # a bad row (rounding broke high >= open, say): never guessed
        assert got is None
    elif time_style in SUPPORTED_TIMES or got is not None:  # others may take the row reader
        assert_same(got, want)


@pytest.mark.parametrize(
    "header",
    [
        "time,open,high,low,close,volume",
        ",Open,High,Low,Close,Volume",
        "Date,Open,High,Low,Close,Volume",
        "timestamp,close,open,volume,low,high",
        "datetime, OPEN , High,Low,Close,Volume,extra",
        "Unnamed: 0,Open,High,Low,Close,Volume",
    ],
)
def test_header_variants(tmp_path: Path, header: str) -> None:
    names = [h.strip().lower() for h in header.split(",")]
    lines = [header]
    for i in range(50):
        row = {"open": 1.5 + i, "high": 2.0 + i, "low": 1.0 + i, "close": 1.75 + i, "volume": i}
        when = (T0 + timedelta(hours=i)).strftime("%Y-%m-%d %H:%M:%S")
        cells = [when] + [str(row.get(n, "x")) for n in names[1:]]
        lines.append(",".join(cells))
    path = tmp_path / "bars.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert_same(read_bar_arrays(path), row_arrays(path))


def test_a_bom_and_crlf_are_read(tmp_path: Path) -> None:
    path = tmp_path / "bars.csv"
    text = "time,open,high,low,close,volume\r\n2020-01-01 00:00:00,1,2,0.5,1.5,1\r\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert_same(read_bar_arrays(path), row_arrays(path))


def test_many_blocks_equal_the_row_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks cut at line ends: a small block size makes every boundary case happen."""
    monkeypatch.setattr(data_csv_columns, "BLOCK_BYTES", 97)
    path = REAL[0]
    assert_same(read_bar_arrays(path), row_arrays(path))
    short = tmp_path / "short.csv"
    short.write_bytes(path.read_bytes()[:5000].rsplit(b"\n", 1)[0])  # no final newline
    assert_same(read_bar_arrays(short), row_arrays(short))


BLANK_LINES = {
    "trailing": "{h}\n{a}\n{b}\n\n",
    "after the header": "{h}\n\n{a}\n{b}\n",
    "between rows, several": "{h}\n{a}\n\n\n\n{b}\n",
    "crlf": "{h}\r\n{a}\r\n\r\n{b}\r\n\r\n",
    "no final newline": "{h}\n{a}\n\n{b}",
}


@pytest.mark.parametrize("block_bytes", [7, 40, 1 << 20])
@pytest.mark.parametrize("shape", sorted(BLANK_LINES))
def test_blank_lines_are_skipped_as_the_row_reader_skips_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shape: str, block_bytes: int
) -> None:
    """A blank line (``echo >> bars.csv``) is no row for the row reader; the fast
    engine's columns read past it too, so such a file keeps its bar skipping. Small
    blocks put blank lines at a block's start and make blocks of blank lines only."""
    monkeypatch.setattr(data_csv_columns, "BLOCK_BYTES", block_bytes)
    path = tmp_path / "bars.csv"
    rows = {"a": "2024-01-01 00:00:00,1,2,0.5,1.5,1", "b": "2024-01-01 01:00:00,1,2,0.5,1.5,1"}
    path.write_bytes(
        BLANK_LINES[shape].format(h="time,open,high,low,close,volume", **rows).encode()
    )
    assert_same(read_bar_arrays(path), row_arrays(path))


def test_blank_lines_in_a_real_file_keep_the_columns(tmp_path: Path) -> None:
    path = tmp_path / "bars.csv"
    lines = REAL[0].read_bytes().split(b"\n")
    path.write_bytes(
        b"\n".join(line + (b"\n" if i % 97 == 5 else b"") for i, line in enumerate(lines))
    )
    assert_same(read_bar_arrays(path), row_arrays(path))


BAD_ROWS = {
    "nan": "2024-01-01 01:00:00,1,nan,0.5,1.5,1",
    "inf": "2024-01-01 01:00:00,1,2,0.5,inf,1",
    "huge exponent": "2024-01-01 01:00:00,1,2e999,0.5,1.5,1",
    "high below low": "2024-01-01 01:00:00,1,0.4,0.5,1.5,1",
    "close above high": "2024-01-01 01:00:00,1,2,0.5,2.5,1",
    "open below low": "2024-01-01 01:00:00,0.4,2,0.5,1.5,1",
    "zero price": "2024-01-01 01:00:00,0,2,0.5,1.5,1",
    "negative low": "2024-01-01 01:00:00,1,2,-0.5,1.5,1",
    "negative volume": "2024-01-01 01:00:00,1,2,0.5,1.5,-1",
    "duplicate time": "2024-01-01 00:00:00,1,2,0.5,1.5,1",
    "unsorted time": "2023-12-31 23:00:00,1,2,0.5,1.5,1",
    "not a number": "2024-01-01 01:00:00,1,2,0.5,abc,1",
    "empty field": "2024-01-01 01:00:00,1,,0.5,1.5,1",
    "lone sign": "2024-01-01 01:00:00,1,2,0.5,-,1",
    "lone dot": "2024-01-01 01:00:00,1,2,0.5,.,1",
    "two dots": "2024-01-01 01:00:00,1,2,0.5,1.5.1,1",
    "too few columns": "2024-01-01 01:00:00,1,2,0.5",
    "bad date": "2024-02-30 01:00:00,1,2,0.5,1.5,1",
    "bad hour": "2024-01-01 24:00:00,1,2,0.5,1.5,1",
    "bad timestamp": "yesterday,1,2,0.5,1.5,1",
    "above the price scale": "2024-01-01 01:00:00,1,2e13,0.5,1.5,1",
    "below the price scale": "2024-01-01 01:00:00,1e-13,2,1e-13,1.5,1",
}


@pytest.mark.parametrize("kind", sorted(BAD_ROWS))
def test_any_bad_row_gives_none(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "bars.csv"
    path.write_text(
        "time,open,high,low,close,volume\n2024-01-01 00:00:00,1,2,0.5,1.5,1\n"
        f"{BAD_ROWS[kind]}\n2024-01-01 02:00:00,1,2,0.5,1.5,1\n",
        encoding="utf-8",
    )
    assert read_bar_arrays(path) is None
    if "price scale" not in kind:  # that one is the run's guard's to explain
        with pytest.raises(BadBarError):
            load_bars(path)


@pytest.mark.parametrize(
    "body",
    [
        "time;open;high;low;close;volume\n2024-01-01 00:00:00;1;2;0.5;1.5;1\n",
        'time,open,high,low,close,volume\n"2024-01-01 00:00:00",1,2,0.5,1.5,1\n',
        "time,open,high,low,close,volume\r2024-01-01 00:00:00,1,2,0.5,1.5,1\r",
        "time,open,high,low,close,volume\n2024-01-01 00:00:00,1,2,0.5,1.5,1,\n",
        "time,open,high,low,close,volume\n2024-01-01 00:00:00,1,2,0.5,1.5,1\x00\n",
        "time,open,high,low,close,volume\n2024-01-01 00:00:00,1,2,0.5,1.5,١\n",
        "time,open,high,low,close,volume\n1704067200,1,2,0.5,1.5,1\n",
        "time,open,high,low,close,volume\n",
        "time,open,high,low,close,volume",
        "",
        "open,high,low,close,volume\n1,2,0.5,1.5,1\n",
    ],
)
def test_shapes_the_fast_path_leaves_to_the_row_reader(tmp_path: Path, body: str) -> None:
    path = tmp_path / "bars.csv"
    path.write_bytes(body.encode())
    assert read_bar_arrays(path) is None


def test_formats_gzip_and_missing_numpy_take_the_row_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = REAL[0].read_bytes()
    packed = tmp_path / "bars.csv.gz"
    packed.write_bytes(gzip.compress(text))
    assert read_bar_arrays(packed) is None
    assert read_bar_arrays(REAL[0], CsvFormat(delimiter=",")) is None
    assert read_bar_arrays(tmp_path / "missing.csv") is None
    monkeypatch.setattr(data_columns, "numpy_module", lambda: None)
    assert read_bar_arrays(REAL[0]) is None


# --- Parquet ---------------------------------------------------------------------------


def _parquet(tmp_path: Path, table: pa.Table) -> Path:
    path = tmp_path / "bars.parquet"
    pq.write_table(table, path)
    return path


def _prices(n: int) -> dict[str, list[float]]:
    base = [1.1 + 0.001 * math.sin(i) for i in range(n)]
    return {
        "open": base, "high": [b + 0.01 for b in base], "low": [b - 0.01 for b in base],
        "close": [b + 0.005 for b in base], "volume": [float(i) for i in range(n)],
    }  # fmt: skip


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
@pytest.mark.parametrize("zone", [None, "UTC", "Europe/Berlin"])
def test_parquet_timestamps_equal_the_row_reader(
    tmp_path: Path, unit: str, zone: str | None
) -> None:
    n = 300
    times = pa.array([T0 + timedelta(minutes=15 * i) for i in range(n)], pa.timestamp("us", "UTC"))
    times = times.cast(pa.timestamp(unit, zone))
    table = pa.table({"time": times, **_prices(n)})
    path = _parquet(tmp_path, table)
    assert_same(read_bar_arrays(path), row_arrays(path))


def test_parquet_number_types_equal_the_row_reader(tmp_path: Path) -> None:
    n = 100
    prices = _prices(n)
    table = pa.table({
        "Time": pa.array([T0 + timedelta(hours=i) for i in range(n)], pa.timestamp("us")),
        "Open": pa.array(prices["open"], pa.float32()),
        "High": pa.array([3 + i for i in range(n)], pa.int64()),
        "Low": pa.array([1 for _ in range(n)], pa.int8()),
        "Close": pa.array(prices["close"], pa.float64()),
        "Volume": pa.array([2**60 + i for i in range(n)], pa.uint64()),
    })  # fmt: skip
    path = _parquet(tmp_path, table)
    assert_same(read_bar_arrays(path), row_arrays(path))


def test_parquet_microseconds_make_the_same_bars(tmp_path: Path) -> None:
    n = 50
    times = [T0 + timedelta(seconds=i, microseconds=7 * i) for i in range(n)]
    table = pa.table({"time": pa.array(times, pa.timestamp("us")), **_prices(n)})
    path = _parquet(tmp_path, table)
    arrays = read_bar_arrays(path)
    assert arrays is not None
    assert [b.time for b in bars_from_arrays(arrays)] == [b.time for b in load_bars(path)]


@pytest.mark.parametrize("kind", ["string time", "null price", "bad bar", "below microsecond"])
def test_parquet_files_the_fast_path_leaves_to_the_row_reader(tmp_path: Path, kind: str) -> None:
    n = 20
    prices: dict[str, Any] = _prices(n)
    times: Any = pa.array([T0 + timedelta(hours=i) for i in range(n)], pa.timestamp("us"))
    if kind == "string time":
        times = pa.array([(T0 + timedelta(hours=i)).isoformat() for i in range(n)])
    elif kind == "null price":
        prices["close"] = [None, *prices["close"][1:]]
    elif kind == "bad bar":
        prices["high"] = [0.5, *prices["high"][1:]]
    else:
        times = pa.array([i * 3_600_000_000_000 + 1 for i in range(n)], pa.timestamp("ns"))
    path = _parquet(tmp_path, pa.table({"time": times, **prices}))
    assert read_bar_arrays(path) is None


# --- a whole run -----------------------------------------------------------------------


@pytest.mark.parametrize("resample", [False, True])
def test_a_run_on_the_fast_path_equals_one_on_the_row_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, resample: bool
) -> None:
    """trades.csv, metrics.json and every journal row are the same either way (the data
    fit check, resampling and the gap counter see the same bars). Columns are the fast
    engine's input, so both runs ask for it; without columns the data streams into the
    incremental loop."""
    from rt_helpers import PLUGIN_ROOTS, wiring

    import stc.runtime.api as api
    from tools.reference_runs import journal_digest

    plan = wiring("swot")
    data = REAL[[p.name for p in REAL].index("EURUSD_1h.csv")]
    if resample:  # 2h ticks built from the 1h data
        plan["timeframes"] = ["2h", *plan["timeframes"][1:]]
        for worker in plan["workers"]:
            if worker.get("timeframe") == "1h":
                worker["timeframe"] = "2h"
    used: list[bool] = []
    fast = api.fast_columns

    def spy(*args: Any) -> Any:
        found = fast(*args)
        used.append(found is not None)
        return found

    monkeypatch.setattr(api, "fast_columns", spy)
    first = api.run(plan, data=data, out_dir=tmp_path / "fast", plugin_roots=PLUGIN_ROOTS,
                    resample=resample, engine="fast")  # fmt: skip
    monkeypatch.setattr(api, "fast_columns", lambda *args: None)
    second = api.run(plan, data=data, out_dir=tmp_path / "rows", plugin_roots=PLUGIN_ROOTS,
                     resample=resample, engine="fast")  # fmt: skip
    assert used == [True]
    assert first.metrics == second.metrics
    assert first.metrics["trades"] > 0 and first.metrics["data_gaps"] > 0
    for name in ("trades.csv", "metrics.json"):
        assert (tmp_path / "fast" / name).read_bytes() == (tmp_path / "rows" / name).read_bytes()
    digests = [journal_digest(tmp_path / run / "journal.sqlite") for run in ("fast", "rows")]
    assert digests[0] == digests[1]


NUMBER_TEXTS = [
    "1", "+1", "1.", ".5", "+.5", "0.5", "000123.4500", "1e3", "1E-3", "+1.5e+2", " 1.5",
    "1.5 ", "1_000.5", "123456789012345", "1234567890123456", "12345678.1234567",
    "1234567.12345678", "0.000000000000001", "0.0000000000000000001", "99999999.99999999",
    "1.1000000000000001", "3.141592653589793238462643", "12345678901234567890",
    "0.30000000000000004", "4.35", "9007199254740993", "1" + "0" * 30, "-0", "-0.0", "0",
    "-1", "1-2", "1+", "--1", "+-1", "1..5", "1.5.", "", "-", "+", ".", "e5", "1e", "0x10",
    "inf", "nan", "١",
]  # fmt: skip


@pytest.mark.parametrize("text", NUMBER_TEXTS)
@pytest.mark.parametrize("column", ["open", "volume"])
def test_number_texts_read_as_float_reads_them(tmp_path: Path, text: str, column: str) -> None:
    """Each text as the volume (any float() >= 0 is good) or as every price."""
    rows = []
    for i in range(3):
        when = (T0 + timedelta(hours=i)).strftime("%Y-%m-%d %H:%M:%S")
        prices = [text] * 4 if column == "open" else ["1", "2", "0.5", "1.5"]
        volume = text if column == "volume" else "7"
        rows.append(",".join([when, *prices, volume]))
    path = tmp_path / "bars.csv"
    path.write_bytes(("time,open,high,low,close,volume\n" + "\n".join(rows) + "\n").encode())
    want = row_reader_result(path)
    got = read_bar_arrays(path)
    if not text.isascii():  # float() reads other scripts' digits; the fast path leaves them
        assert got is None
    elif want is None or not MIN_PRICE <= want.low.min() <= want.high.max() <= MAX_PRICE:
        assert got is None  # a bad row, or a price the run's guard refuses
    else:
        assert_same(got, want)


CORRUPTIONS: dict[str, Any] = {
    "nan high": lambda cells, prev: {2: "nan"},
    "inf volume": lambda cells, prev: {5: "inf"},
    "high below low": lambda cells, prev: {2: cells[3], 3: cells[2]},
    "open above high": lambda cells, prev: {1: f"{float(cells[2]) * 2:.5f}"},
    "close below low": lambda cells, prev: {4: f"{float(cells[3]) / 2:.5f}"},
    "zero low": lambda cells, prev: {3: "0", 1: "0", 4: "0"},
    "negative volume": lambda cells, prev: {5: "-3"},
    "duplicate time": lambda cells, prev: {0: prev},
    "text price": lambda cells, prev: {4: "n/a"},
    "empty open": lambda cells, prev: {1: ""},
    "bad month": lambda cells, prev: {0: cells[0][:5] + "13" + cells[0][7:]},
}


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    count=st.integers(2, 60),
    where=st.integers(0, 59),
    kind=st.sampled_from(sorted(CORRUPTIONS)),
    block=st.sampled_from([64, 200, 1 << 22]),
)
def test_one_bad_row_anywhere_gives_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, count: int, where: int, kind: str, block: int
) -> None:
    """A good file with one corrupted row, at any place and across block boundaries."""
    monkeypatch.setattr(data_csv_columns, "BLOCK_BYTES", block)
    rows = []
    for i in range(count):
        when = (T0 + timedelta(hours=i)).strftime("%Y-%m-%d %H:%M:%S")
        rows.append([when, "1.10000", "1.20000", "1.00000", "1.15000", f"{i}"])
    bad = where % count
    if kind == "duplicate time" and bad == 0:
        bad = 1 if count > 1 else 0
    previous = rows[bad - 1][0] if bad else rows[0][0]
    for column, text in CORRUPTIONS[kind](rows[bad], previous).items():
        rows[bad][column] = text
    path = tmp_path / "bars.csv"
    path.write_text(
        "time,open,high,low,close,volume\n" + "".join(",".join(r) + "\n" for r in rows),
        encoding="utf-8",
    )
    assert read_bar_arrays(path) is None
    with pytest.raises(BadBarError):
        load_bars(path)
