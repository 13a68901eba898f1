"""The report's price pass over the bars the run kept (:mod:`stc.runtime.report.spill`)
writes the same ``report.html`` as reading the data file again (issue 23), and is used
only when it holds that very file's every bar."""

from __future__ import annotations

import gzip
import os
from pathlib import Path
from typing import Any

import pytest

from stc.runtime import data_blocks
from stc.runtime.data_blocks import run_bars
from stc.runtime.report import load, write_report
from stc.runtime.report import spill as spill_module
from stc.runtime.report.spill import PriceSpill
from tests.runtime.report.test_report_columns import _write_walk

REPO = Path(__file__).resolve().parents[3]


def _kept(data: Path, mode: str = "skip", fmt: Any = None) -> PriceSpill:
    """A spill filled by the run's stream over ``data``, drained to its end."""
    spill = PriceSpill.create()
    assert spill is not None
    spill.start(data)
    for _ in run_bars(data, mode, [], str(data), fmt, spill):  # type: ignore[arg-type]
        pass
    return spill


def _report_both_ways(
    run_dir: Path, data: Path, spill: PriceSpill, monkeypatch: pytest.MonkeyPatch
) -> tuple[bytes, bytes]:
    """report.html over the spill (the file never read: its readers fail), then over the
    file."""
    refused = lambda *args: pytest.fail("the data file was read again")  # noqa: E731
    with monkeypatch.context() as patch:
        patch.setattr(load, "summarise_columns", refused)
        patch.setattr(load, "summarise", refused)
        kept = write_report(run_dir, data=data, spill=spill).read_bytes()
    again = write_report(run_dir, data=data).read_bytes()
    return kept, again


@pytest.mark.parametrize(
    ("seed", "bars", "trades", "block", "rows"),
    [(1, 2_000, 30, 0, 0), (2, 12_000, 200, 4096, 0), (4, 1, 0, 0, 0), (5, 6_000, 5, 700, 999)],
)
def test_the_spill_gives_the_same_report(
    seed: int, bars: int, trades: int, block: int, rows: int, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """Walks with gaps and overlapping trades, small blocks both ways."""
    if block:
        monkeypatch.setattr(data_blocks, "BLOCK_BYTES", block)
    if rows:
        monkeypatch.setattr(spill_module, "BLOCK_ROWS", rows)
    data = _write_walk(tmp_path / "run", seed, bars, trades)
    spill = _kept(data)
    kept, again = _report_both_ways(tmp_path / "run", data, spill, monkeypatch)
    assert kept == again


def test_a_bad_row_skipped_keeps_the_bars_one_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The row reader's part of the stream fills the spill bar by bar."""
    monkeypatch.setattr(data_blocks, "BLOCK_BYTES", 4096)
    monkeypatch.setattr(spill_module, "BLOCK_ROWS", 333)
    data = _write_walk(tmp_path / "run", 9, 3_000, 20, bad_row=2_500)
    spill = _kept(data)
    assert spill.rows == 2_999
    kept, again = _report_both_ways(tmp_path / "run", data, spill, monkeypatch)
    assert kept == again
    assert b"2,999 bars" in kept


def test_gzip_kept_bar_by_bar(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    csv_data = _write_walk(tmp_path / "run", 12, 500, 5)
    data = tmp_path / "bars.csv.gz"
    data.write_bytes(gzip.compress(csv_data.read_bytes()))
    spill = _kept(data)
    kept, again = _report_both_ways(tmp_path / "run", data, spill, monkeypatch)
    assert kept == again


def test_the_spill_of_another_or_a_changed_file_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _write_walk(tmp_path / "run", 3, 800, 10)
    spill = _kept(data)
    assert spill.holds(data)
    other = tmp_path / "other.csv"
    other.write_bytes(data.read_bytes())
    assert not spill.holds(other)
    stat = data.stat()
    os.utime(data, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert not spill.holds(data)
    used: list[bool] = []
    real = load.summarise_columns

    def spy(*args: Any) -> Any:
        used.append(True)
        return real(*args)

    monkeypatch.setattr(load, "summarise_columns", spy)
    write_report(tmp_path / "run", data=data, spill=spill)
    assert used == [True]  # read from the file, as before


def test_a_stream_left_part_way_keeps_no_usable_spill(tmp_path: Path) -> None:
    data = _write_walk(tmp_path / "run", 3, 800, 10)
    spill = PriceSpill.create()
    assert spill is not None
    spill.start(data)
    stream = run_bars(data, "error", [], str(data), None, spill)
    next(stream)
    assert not spill.holds(data)
    spill.discard()
    assert not spill.holds(data)


def test_stc_run_report_is_the_same_with_and_without_the_spill(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole command, both engines: the report it writes equals a rebuild from the
    file (``stc report`` reads the data again)."""
    from stc.commands.cli import main

    data = REPO / "data" / "EURUSD_1h.csv"
    for engine in ("incremental", "fast"):
        out = tmp_path / engine
        refused = lambda *args: pytest.fail("the data file was read again")  # noqa: E731
        with monkeypatch.context() as patch:  # the report's pass reads the spill only
            patch.setattr(load, "summarise_columns", refused)
            patch.setattr(load, "summarise", refused)
            code = main(["run", str(REPO / "blueprints" / "ema_trend.yaml"), "--data",
                         str(data), "--out", str(out), "--quiet", "--engine", engine])  # fmt: skip
        assert code == 0
        written = (out / "report.html").read_bytes()
        assert write_report(out, data=data).read_bytes() == written
