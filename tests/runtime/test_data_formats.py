"""Data as people download it (issue 25, item 4): every shape is read into the same
bars pandas reads from the file, bad rows keep their ``file:line``, and a Binance
kline CSV and a Yahoo CSV run end to end with their presets."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import get_args

import pandas as pd
import pytest

from stc.commands import data_options
from stc.commands.cli import main
from stc.compiler.model.operation import CsvLayout
from stc.runtime import data_formats
from stc.runtime.data import BadBarError, DataError, iter_bars, load_bars
from stc.runtime.data_formats import CsvFormat, make_format, parse_columns, plan_data_format
from stc.runtime.dtos.market import Bar
from tests.conftest import REPO

# Real Binance spot kline rows (BTCUSDT 1h, data.binance.vision layout: open_time ms,
# open, high, low, close, volume, close_time, quote volume, trades, taker buy base,
# taker buy quote, ignore), no header.
BINANCE = """\
1704067200000,42283.58000000,42554.57000000,42261.02000000,42475.23000000,1271.68108000,1704070799999,53957248.97355710,47134,682.57581000,28957416.81999270,0
1704070800000,42475.23000000,42775.00000000,42431.65000000,42613.56000000,1196.37856000,1704074399999,50984893.61720170,44634,599.49175000,25548593.95617730,0
1704074400000,42613.57000000,42638.41000000,42500.00000000,42581.10000000,685.21606000,1704077999999,29186587.29006470,36331,374.86000000,15968035.07580940,0
"""
# A Yahoo Finance export (Date, Open, High, Low, Close, Adj Close, Volume).
YAHOO = """\
Date,Open,High,Low,Close,Adj Close,Volume
2024-01-02,187.149994,188.440002,183.889999,185.639999,184.734970,82488700
2024-01-03,184.220001,185.880005,183.429993,184.250000,183.351746,58414500
2024-01-04,182.149994,183.089996,180.880005,181.910004,181.023163,71983600
"""
OHLCV = ["open", "high", "low", "close", "volume"]


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    if name.endswith(".gz"):
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text)
    return path


def _frame(bars: list[Bar]) -> pd.DataFrame:
    return pd.DataFrame(
        {"time": [b.time for b in bars], "open": [b.open for b in bars],
         "high": [b.high for b in bars], "low": [b.low for b in bars],
         "close": [b.close for b in bars], "volume": [b.volume for b in bars]}
    )  # fmt: skip


def _same(bars: list[Bar], expected: pd.DataFrame) -> None:
    got = _frame(bars)
    got["time"] = pd.to_datetime(got["time"], utc=True)
    expected = expected.reset_index(drop=True)[["time", *OHLCV]].astype(dict.fromkeys(OHLCV, float))
    expected.columns = list(got.columns)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False, check_column_type=False)


def _binance_frame(path: Path, unit: str = "ms") -> pd.DataFrame:
    frame = pd.read_csv(path, header=None)
    frame = frame.rename(columns=dict(enumerate(["time", *OHLCV])))
    frame["time"] = pd.to_datetime(frame["time"], unit=unit, utc=True)
    return frame


@pytest.mark.parametrize("fmt", [make_format("binance-klines"), None])
@pytest.mark.parametrize("name", ["k.csv", "k.csv.gz"])
def test_binance_klines_equal_pandas(tmp_path: Path, fmt: CsvFormat | None, name: str) -> None:
    path = _write(tmp_path, name, BINANCE)
    _same(list(iter_bars(path, fmt=fmt)), _binance_frame(path))


def test_binance_microsecond_klines_are_inferred(tmp_path: Path) -> None:
    """Binance's spot files switched to µs in 2025: the magnitude tells."""
    text = "".join(line.replace("000,", "000000,", 1) for line in BINANCE.splitlines(keepends=True))
    path = _write(tmp_path, "us.csv", text)
    bars = list(iter_bars(path, fmt=make_format("binance-klines")))
    _same(bars, _binance_frame(path, unit="us"))
    _same(bars, _frame(load_bars(_write(tmp_path, "ms.csv", BINANCE))))


def test_yahoo_equals_pandas(tmp_path: Path) -> None:
    path = _write(tmp_path, "y.csv", YAHOO)
    expected = pd.read_csv(path).rename(columns=str.lower).rename(columns={"date": "time"})
    expected["time"] = pd.to_datetime(expected["time"], utc=True)
    _same(list(iter_bars(path, fmt=make_format("yahoo"))), expected)
    _same(load_bars(path), expected)  # the standard reader takes it as it is


@pytest.mark.parametrize(
    ("text", "fmt", "read"),
    [
        # ; delimiter, sniffed
        ("time;open;high;low;close;volume\n2024-01-01 00:00:00;1;2;0.5;1.5;10\n"
         "2024-01-01 01:00:00;1.5;2;1;1.2;11\n", None, {"sep": ";"}),
        # tab, named explicitly
        ("time\topen\thigh\tlow\tclose\tvolume\n2024-01-01 00:00:00\t1\t2\t0.5\t1.5\t10\n",
         make_format(delimiter="tab"), {"sep": "\t"}),
        # the timestamp column last
        ("open,high,low,close,volume,timestamp\n1,2,0.5,1.5,10,2024-01-01T00:00:00Z\n"
         "1.5,2,1,1.2,11,2024-01-01T01:00:00Z\n", None, {"time": "timestamp"}),
        # mapped names
        ("o,h,l,c,v,open_time\n1,2,0.5,1.5,10,1704067200000\n",
         make_format(columns=parse_columns("time=open_time,open=o,high=h,low=l,close=c,volume=v")),
         {"time": "open_time", "unit": "ms", "rename": {"o": "open", "h": "high", "l": "low",
                                                        "c": "close", "v": "volume"}}),
        # epoch seconds, milliseconds, microseconds in the standard layout
        ("time,open,high,low,close,volume\n1704067200,1,2,0.5,1.5,10\n", None, {"unit": "s"}),
        ("time,open,high,low,close,volume\n1704067200000,1,2,0.5,1.5,10\n", None,
         {"unit": "ms"}),
        ("time,open,high,low,close,volume\n1704067200000000,1,2,0.5,1.5,10\n", None,
         {"unit": "us"}),
        # ISO with a zone: converted to UTC
        ("time,open,high,low,close,volume\n2024-01-01T02:00:00+02:00,1,2,0.5,1.5,10\n", None,
         {}),
    ],
)  # fmt: skip
def test_shapes_equal_pandas(
    tmp_path: Path, text: str, fmt: CsvFormat | None, read: dict[str, object]
) -> None:
    path = _write(tmp_path, "d.csv", text)
    frame = pd.read_csv(path, sep=str(read.get("sep", ",")))
    frame = frame.rename(columns=dict(read.get("rename", {})))  # type: ignore[call-overload]
    frame = frame.rename(columns={str(read.get("time", "time")): "time"})
    unit = read.get("unit")
    frame["time"] = (
        pd.to_datetime(frame["time"], unit=str(unit), utc=True)
        if unit
        else pd.to_datetime(frame["time"], utc=True, format="ISO8601")
    )
    _same(list(iter_bars(path, fmt=fmt)), frame)


def test_split_date_and_time_columns(tmp_path: Path) -> None:
    text = "Date;Time;Open;High;Low;Close;Volume\n2024-01-02;09:00;1;2;0.5;1.5;10\n"
    text += "2024-01-02;10:00;1.5;2;1;1.2;11\n"
    path = _write(tmp_path, "split.csv", text)
    frame = pd.read_csv(path, sep=";").rename(columns=str.lower)
    frame["time"] = pd.to_datetime(frame["date"] + " " + frame["time"], utc=True)
    _same(load_bars(path), frame)
    mapped = make_format(columns={"date": "Date", "time": "Time"})
    _same(list(iter_bars(path, fmt=mapped)), frame)


def test_missing_volume_needs_the_option(tmp_path: Path) -> None:
    path = _write(tmp_path, "nv.csv", "time,open,high,low,close\n2024-01-01,1,2,0.5,1.5\n")
    with pytest.raises(DataError, match=r"missing column .volume.*--volume optional"):
        load_bars(path)
    bars = list(iter_bars(path, fmt=make_format(volume="optional")))
    assert [b.volume for b in bars] == [0.0] and bars[0].close == 1.5
    semi = _write(tmp_path, "nv2.csv", "time;open;high;low;close\n2024-01-01;1;2;0.5;1.5\n")
    with pytest.raises(DataError, match=r"nv2.csv:1: no volume column.*--volume optional"):
        load_bars(semi)


@pytest.mark.parametrize(
    ("name", "text", "fmt", "where"),
    [
        ("k.csv", BINANCE + "1704078000000,42581.1,42500,42600,42550,1,0,0,0,0,0,0\n",
         make_format("binance-klines"), "k.csv:4: high/low do not bracket"),
        ("k.csv.gz", BINANCE + "1704078000000,42581.1,x,42600,42550,1\n", None,
         "k.csv.gz:4: non-numeric high 'x'"),
        ("y.csv", YAHOO + "2024-01-05,null,null,null,null,null,null\n", make_format("yahoo"),
         "y.csv:5: non-numeric open 'null'"),
        ("s.csv", "time;open;high;low;close;volume\n2024-01-01;1;2;0.5;1.5;10\n"
         "2023-12-31;1;2;0.5;1.5;10\n", None, "s.csv:3: unsorted timestamp"),
        ("s.csv", "time;open;high;low;close;volume\n2024-01-01;1;2;0.5;1.5;10\n"
         "yesterday;1;2;0.5;1.5;10\n",
         None, "s.csv:3: bad timestamp 'yesterday'"),
        ("s.csv", "time;open;high;low;close;volume\n2024-01-01;1;2;0.5;1.5;10\n"
         "2024-01-02;1;2\n",
         None, "s.csv:3: too few columns"),
    ],
)  # fmt: skip
def test_bad_rows_keep_file_and_line(
    tmp_path: Path, name: str, text: str, fmt: CsvFormat | None, where: str
) -> None:
    path = _write(tmp_path, name, text)
    with pytest.raises(BadBarError) as raised:
        list(iter_bars(path, fmt=fmt, name=name))
    assert str(raised.value).startswith(where)
    skipped: list[object] = []
    bars = list(iter_bars(path, "skip", skipped, name, fmt))  # type: ignore[arg-type]
    assert len(skipped) == 1 and bars


def test_options_are_checked() -> None:
    with pytest.raises(ValueError, match="unknown data format"):
        make_format("metastock")
    with pytest.raises(ValueError, match="bad column mapping 'price=c'"):
        parse_columns("time=t,price=c")
    with pytest.raises(ValueError, match="unsupported delimiter"):
        make_format(delimiter=":")
    assert tuple(data_formats.PRESETS) == data_options.PRESETS
    assert data_options.TIME_UNITS == data_formats.TIME_UNITS
    layout = CsvLayout.model_fields
    assert get_args(layout["preset"].annotation)[0].__args__ == tuple(data_formats.PRESETS)
    assert get_args(layout["time_unit"].annotation)[0].__args__ == data_formats.TIME_UNITS


def test_operation_format_block() -> None:
    source = {"path": "k.csv", "format": {"preset": "binance-klines", "volume": "optional"}}
    assert plan_data_format(source) == make_format("binance-klines", volume="optional")
    assert plan_data_format({"path": "x.csv", "format": "csv"}) is None


def _eurusd(rows: int) -> pd.DataFrame:
    frame = pd.read_csv(REPO / "data" / "EURUSD_1h.csv", nrows=rows)
    frame = frame.rename(columns={"Unnamed: 0": "time"})
    frame["time"] = pd.to_datetime(frame["time"], utc=True)
    return frame


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["run", str(REPO / "blueprints" / "ema_trend.yaml"), "--quiet", *args])
    return code, capsys.readouterr().err


def test_binance_and_yahoo_files_run_end_to_end(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = _eurusd(600)
    millis = frame["time"].dt.as_unit("ms").astype("int64")
    klines = pd.DataFrame(
        {0: millis, 1: frame["Open"], 2: frame["High"], 3: frame["Low"], 4: frame["Close"],
         5: frame["Volume"], 6: millis + 3_599_999, 7: 0.0, 8: 1, 9: 0.0, 10: 0.0, 11: 0}
    )  # fmt: skip
    binance = tmp_path / "EURUSD-1h.csv"
    klines.to_csv(binance, header=False, index=False)
    yahoo = tmp_path / "EURUSD=X.csv"
    local = frame["time"].dt.tz_convert("America/New_York")
    pd.DataFrame(
        {"Datetime": local.map(lambda t: t.isoformat(sep=" ")), "Open": frame["Open"],
         "High": frame["High"], "Low": frame["Low"], "Close": frame["Close"],
         "Adj Close": frame["Close"], "Volume": frame["Volume"]}
    ).to_csv(yahoo, index=False)  # fmt: skip
    metrics = []
    for data, preset in ((binance, "binance-klines"), (yahoo, "yahoo")):
        out = tmp_path / preset
        code, err = _run(capsys, "--data", str(data), "--data-format", preset, "--out", str(out))
        assert code == 0, err
        metrics.append((out / "metrics.json").read_text())
        assert (out / "trades.csv").read_text() == ((tmp_path / "binance-klines" / "trades.csv")
                                                    .read_text())  # fmt: skip
    assert len(load_bars(binance)) == len(load_bars(yahoo)) == 600


def test_cli_rejects_a_bad_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["run", "--columns", "price=c"])
    assert raised.value.code == 2
    assert "bad column mapping 'price=c'" in capsys.readouterr().err


def test_an_operation_data_source_format_block_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The options as an operation's ``format:`` block: a ``;`` file, columns renamed,
    epoch milliseconds, no volume (allowed), gzipped."""
    frame = _eurusd(300)
    table = pd.DataFrame(
        {"o": frame["Open"], "h": frame["High"], "l": frame["Low"], "c": frame["Close"],
         "ts": frame["time"].dt.as_unit("ms").astype("int64")}
    )  # fmt: skip
    data = tmp_path / "eurusd.csv.gz"
    table.to_csv(data, sep=";", index=False, compression="gzip")
    blueprint = tmp_path / "ema_trend.yaml"
    blueprint.write_text((REPO / "blueprints" / "ema_trend.yaml").read_text())
    operation = tmp_path / "op.operation.yaml"
    operation.write_text(
        "operation_version: 1\nenvironment: backtest\ndata_sources:\n"
        "  eurusd:\n    path: eurusd.csv.gz\n    symbol: EURUSD\n    timeframe: 1h\n"
        "    format: {delimiter: ';', time_unit: ms, volume: optional,\n"
        "             columns: {time: ts, open: o, high: h, low: l, close: c}}\n"
        "strategy_links:\n  - {blueprint: ema_trend.yaml, data_source: eurusd, "
        "starting_capital: 10000}\n"
    )
    code = main(["run", str(operation), "--quiet", "--out", str(tmp_path / "run")])
    assert code == 0, capsys.readouterr().err
    assert (tmp_path / "run" / "metrics.json").exists()
    assert main(["check", str(operation)]) == 0
