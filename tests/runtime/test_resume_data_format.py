"""``stc run --resume`` reads the data as the interrupted run did: the data-format
options of the original command line are recorded in the journal's meta and reused
(issue 27 item 5 of the data-reader task)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from rt_helpers import EURUSD, REPO

from stc.commands.cli import main
from stc.runtime.data_formats import format_from_record, format_record, make_format
from tools import kill_resume

BLUEPRINT = str(REPO / "blueprints" / "ema_trend.yaml")


def _rows(run_dir: Path, table: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(run_dir / "journal.sqlite") as db:
        return list(db.execute(f"SELECT * FROM {table} ORDER BY 1"))


def _interrupt(run_dir: Path, flow_id: int) -> None:
    """What a kill after ``flow_id``'s commit leaves (as tests/runtime/test_crash_resume)."""
    with sqlite3.connect(run_dir / "journal.sqlite") as db:
        for table in kill_resume.stored_tables(db):
            db.execute(f"DELETE FROM {table} WHERE flow_id > ?", (flow_id,))
        db.execute("UPDATE meta SET value = 'running' WHERE key = 'status'")
    for name in ("trades.csv", "metrics.json"):
        (run_dir / name).unlink()


def _klines(tmp_path: Path, rows: int, minutes: int = 60) -> Path:
    """EURUSD bars as a Binance kline file with a header of Binance's short names
    (``ts,o,h,l,c,v,...``), which only ``--columns`` can map; ``minutes`` apart
    (30: the hourly prices restamped as half-hour bars, for ``--resample``)."""
    frame = pd.read_csv(EURUSD, nrows=rows).rename(columns={"Unnamed: 0": "time"})
    millis = pd.to_datetime(frame["time"], utc=True).dt.as_unit("ms").astype("int64")
    step = minutes * 60_000
    if minutes != 60:
        millis = millis.iloc[0] + frame.index.to_series() * step
    pd.DataFrame(
        {"ts": millis, "o": frame["Open"], "h": frame["High"], "l": frame["Low"],
         "c": frame["Close"], "v": frame["Volume"], "close_ts": millis + step - 1}
    ).to_csv(tmp_path / "klines.csv", sep=";", index=False)  # fmt: skip
    return tmp_path / "klines.csv"


COLUMNS = "time=ts,open=o,high=h,low=l,close=c,volume=v"
FLAGS = ["--data-format", "binance-klines", "--delimiter", ";", "--columns", COLUMNS,
         "--time-unit", "ms"]  # fmt: skip


def test_resume_without_the_flags_reads_the_data_as_the_run_did(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _klines(tmp_path, 1500)
    ref, out = tmp_path / "ref", tmp_path / "run"
    assert main(["run", BLUEPRINT, "--quiet", "--data", str(data), "--out", str(ref), *FLAGS]) == 0
    capsys.readouterr()
    meta = dict(_rows(ref, "meta"))
    recorded = format_from_record(meta["data_format"])
    assert recorded == make_format(
        "binance-klines", delimiter=";", time_unit="ms",
        columns={"time": "ts", "open": "o", "high": "h", "low": "l", "close": "c", "volume": "v"},
    )  # fmt: skip
    flows = len(_rows(ref, "flows"))
    assert flows > 4
    shutil.copytree(ref, out)
    _interrupt(out, flows // 2)
    assert main(["run", "--resume", str(out), "--quiet"]) == 0, capsys.readouterr().err
    for name in ("trades.csv", "metrics.json"):
        assert (out / name).read_bytes() == (ref / name).read_bytes(), name
    for table in kill_resume.TABLES:
        assert _rows(out, table) == _rows(ref, table), table
    assert dict(_rows(out, "meta"))["status"] == "completed"


def test_resume_refuses_other_flags_and_keeps_resample(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _klines(tmp_path, 2400, minutes=30)  # resampled to ema_trend's 1h
    ref, out = tmp_path / "ref", tmp_path / "run"
    args = ["run", BLUEPRINT, "--quiet", "--data", str(data), "--resample", *FLAGS]
    assert main([*args, "--out", str(ref)]) == 0, capsys.readouterr().err
    shutil.copytree(ref, out)
    _interrupt(out, 2)
    assert main(["run", "--resume", str(out), "--quiet", "--delimiter", ","]) == 1
    assert "cannot resume: the run read its data as" in capsys.readouterr().err
    assert main(["run", "--resume", str(out), "--quiet", *FLAGS]) == 0  # the same: fine
    for name in ("trades.csv", "metrics.json"):
        assert (out / name).read_bytes() == (ref / name).read_bytes(), name


def test_a_damaged_record_is_refused() -> None:
    fmt = make_format("yahoo", volume="optional")
    assert format_from_record(format_record(fmt)) == fmt
    for bad in ("", "{}", '{"delimiter": "x", "columns": [], "header": null, '
                '"time_unit": "auto", "volume": "required"}', "[1]"):  # fmt: skip
        with pytest.raises(ValueError, match="not a recorded data format"):
            format_from_record(bad)
