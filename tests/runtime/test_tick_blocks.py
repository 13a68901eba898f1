"""The fast engine's CSV a block at a time (``stc.runtime.tick_blocks``): the runs
write exactly what the incremental engine writes with the tick columns held a window
at a time, whatever the blocks (of ticks: ``stream_blocks.BLOCK_BARS``; of CSV bytes:
``tick_blocks.BLOCK_BYTES``, down to a few bytes, a row or none a read), a higher
timeframe's closed bars built block by block are the whole columns' bars, and a file
the columns refuse part-way runs as it did (the row reader, the incremental loop, the
same results and messages)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from stc.runtime import stream_blocks, tick_blocks
from stc.runtime.batched import closed_frame
from stc.runtime.data import load_bars
from stc.runtime.data_columns import read_bar_arrays
from stc.runtime.errors import DataError
from stc.runtime.fast_loop import FastLoop
from stc.runtime.report.spill import PriceSpill
from stc.runtime.resample_columns import closed_columns
from stc.runtime.tick_blocks import BlockBars, scan_csv
from tests.conftest import BLUEPRINTS
from tests.parity.cases import EURUSD_ROWS, compiled, real_data
from tests.parity.test_higher_timeframes import shaped
from tools.engine_parity import RunOutputs, assert_same_results, run_both

ROWS = 1500
"""EURUSD bars a run with one-tick blocks (every block's first tick runs: kept short)."""

COLUMNS = ("time", "open", "high", "low", "close", "volume")


def _v(bars: Any) -> Any:
    """A bar's (or a list's) values, comparable."""
    if isinstance(bars, list):
        return [_v(bar) for bar in bars]
    return tuple(getattr(bars, name) for name in COLUMNS)


def _windowed(monkeypatch: pytest.MonkeyPatch) -> list[FastLoop]:
    """The fast loops the runs start (to check they read the CSV a block at a time)."""
    loops: list[FastLoop] = []
    init = FastLoop.__init__

    def spy(self: FastLoop, engine: Any, bars: Any) -> None:
        init(self, engine, bars)
        loops.append(self)

    monkeypatch.setattr(FastLoop, "__init__", spy)
    return loops


def _both(plan: dict[str, Any], data: Path, out: Path) -> tuple[list[RunOutputs], str]:
    from stc.runtime.api import run

    notes: dict[str, str] = {}

    def run_mode(mode: str, folder: Path) -> None:
        result = run(copy.deepcopy(plan), data=data, out_dir=folder, engine=mode,  # type: ignore[arg-type]
                     keep_history=False)  # fmt: skip
        notes[mode] = result.engine_note

    outputs = run_both(run_mode, out)
    assert_same_results(*outputs)
    return outputs, notes["fast"]


@pytest.mark.parametrize(("block", "csv_bytes"), [(1, 7), (7, 100), (50, 3000)])
@pytest.mark.parametrize("name", ["ema_trend", "managed_trend", "ict_smc"])
def test_reference_blueprints_with_tiny_blocks(
    name: str, block: int, csv_bytes: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Blocks of 1, 7 and 50 ticks over CSV reads of 7 bytes (no row or one a read), 100
    and 3000 bytes: the same outputs as the incremental engine, from a window."""
    monkeypatch.setattr(stream_blocks, "BLOCK_BARS", block)
    monkeypatch.setattr(tick_blocks, "BLOCK_BYTES", csv_bytes)
    loops = _windowed(monkeypatch)
    data = real_data("EURUSD_1h.csv", tmp_path, ROWS if block == 1 else EURUSD_ROWS)
    outputs, note = _both(compiled(BLUEPRINTS / f"{name}.yaml"), data, tmp_path / "runs")
    assert "skipped" in note
    assert len(loops) == 1 and loops[0].window is not None, "the run held whole columns"
    assert outputs[0].trades.count(b"\n") > 1, "no trade: nothing was compared"


@pytest.mark.parametrize("block", [1, 13])
@pytest.mark.parametrize("shape", ["regime-higher", "regime-highest-cross-higher"])
def test_higher_timeframes_across_blocks(
    shape: str, block: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """4h and 1d workers and windows over tick blocks of 1 and 13 and CSV reads of 50
    bytes: a period's ticks span blocks, and a skipped stretch restarts a resampler
    with ticks read in an earlier block (the window's look-behind)."""
    monkeypatch.setattr(stream_blocks, "BLOCK_BARS", block)
    monkeypatch.setattr(tick_blocks, "BLOCK_BYTES", 50)
    loops = _windowed(monkeypatch)
    data = real_data("EURUSD_1h.csv", tmp_path, ROWS)
    _both(compiled(shaped(tmp_path, shape)), data, tmp_path / "runs")
    assert loops[0].window is not None


def _closed_by_blocks(found: BlockBars, timeframe: str, block: int) -> dict[str, Any]:
    """The bars of ``timeframe`` the window builds block by block, joined."""
    parts: list[Any] = []
    for start in range(0, len(found), block):
        found.load(start, min(start + block, len(found)))
        first, bars = found.closed[timeframe]
        assert first == sum(len(p) for p in parts)
        parts.append(bars)
    return {name: np.concatenate([getattr(p, name) for p in parts]) for name in COLUMNS}


@pytest.mark.parametrize(("csv_bytes", "block"), [(7, 1), (333, 13), (4096, 500)])
@pytest.mark.parametrize("timeframe", ["2h", "4h", "1d", "1w"])
def test_closed_bars_block_by_block_are_the_whole_columns(
    timeframe: str, csv_bytes: int, block: int, tmp_path: Path
) -> None:
    """The first pass's release and open ticks of a higher timeframe and the bars the
    window builds a block at a time, bit for bit those of the whole columns
    (``closed_columns``, ``HigherAhead``)."""
    data = real_data("EURUSD_1h.csv", tmp_path, 2000)
    found = scan_csv(data, np, ["1h", timeframe], None, csv_bytes)
    assert isinstance(found, BlockBars)
    whole = read_bar_arrays(data, None, "1h")
    assert whole is not None
    expected = closed_columns(whole, timeframe, "1h")
    assert expected is not None and len(expected[1]) > 1
    frame = found.frames[timeframe]
    assert frame.release.tobytes() == expected[1].tobytes()
    opens = whole.time.searchsorted(expected[0].time, side="left")
    assert frame.opens.tolist() == opens.tolist()
    built = _closed_by_blocks(found, timeframe, block)
    for name in COLUMNS:
        assert built[name].tobytes() == getattr(expected[0], name).tobytes(), name
    assert len(found) == len(whole) and _v(found[0]) == _v(load_bars(data)[0])


def test_ticks_closer_than_the_timeframe(tmp_path: Path) -> None:
    """Ticks closer than the tick timeframe (a bucket may hold two periods): the first
    pass gives the whole columns' bars or declines, never others."""
    lines = ["time,open,high,low,close,volume"]
    for minute in range(0, 600, 7):
        lines.append(f"2024-01-01 {minute // 60:02d}:{minute % 60:02d}:00,1.1,1.2,1.0,1.15,3")
    data = tmp_path / "dense.csv"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    whole = read_bar_arrays(data, None, "15m")
    assert whole is not None
    accepted = 0
    for size in (30, 64, 500, 1 << 20):
        found = scan_csv(data, np, ["15m", "1h"], None, size)
        accepted += isinstance(found, BlockBars)
        if isinstance(found, BlockBars):
            expected = closed_frame(load_bars(data), whole, "1h", "15m")
            frame = found.frames["1h"]
            assert frame.release.tobytes() == expected[1].tobytes()
            built = _closed_by_blocks(found, "1h", 5)
            assert built["close"].tobytes() == expected[0].close.tobytes()
            assert built["volume"].tobytes() == expected[0].volume.tobytes()
            opens = whole.time.searchsorted(expected[0].time, side="left")
            assert frame.opens.tolist() == opens.tolist()
        else:
            assert found == tick_blocks.DECLINED
    assert accepted, "every read declined: nothing was compared"


def test_the_window_holds_a_block_and_its_look_behind(tmp_path: Path) -> None:
    data = real_data("EURUSD_1h.csv", tmp_path, 500)
    found = scan_csv(data, np, ["1h", "4h"], None, 200)
    assert isinstance(found, BlockBars)
    bars = load_bars(data)
    window = found.load(100, 150)
    assert found.base <= 99 and found.base + len(window) >= 150
    assert len(window) < 150 - found.base + 10  # a CSV read ahead at most
    assert _v(found[120]) == _v(bars[120]) and _v(found[100:150]) == _v(bars[100:150])
    assert _v(found[-1]) == _v(bars[-1]) and _v(found[0]) == _v(bars[0])
    with pytest.raises(IndexError, match="outside the loaded block"):
        found[300]
    assert found.load(400, 500) is found.window and _v(found[450]) == _v(bars[450])
    assert found.load(0, 10) is found.window and _v(found[5]) == _v(bars[5])  # read again
    assert _v(list(found)) == _v(bars)


def _broken(tmp_path: Path, row: int, rows: int = EURUSD_ROWS) -> Path:
    """EURUSD with row ``row`` (0 = the first data row) made a bad bar (high < low)."""
    source = real_data("EURUSD_1h.csv", tmp_path, rows)
    lines = source.read_text(encoding="utf-8").splitlines()
    fields = lines[row + 1].split(",")
    fields[2], fields[3] = fields[3], fields[2]
    lines[row + 1] = ",".join(fields)
    target = tmp_path / "broken.csv"
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


@pytest.mark.parametrize("row", [5, 2990])
def test_a_file_refused_part_way_runs_as_before(
    row: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bad row early or late (after many blocks): the fast engine's runs say what the
    incremental engine's say (the row reader's ``file:line`` error; with ``skip`` the
    same outputs and the note that the data streamed)."""
    from stc.runtime.api import run

    monkeypatch.setattr(stream_blocks, "BLOCK_BARS", 50)
    monkeypatch.setattr(tick_blocks, "BLOCK_BYTES", 4096)
    data = _broken(tmp_path, row)
    plan = compiled(BLUEPRINTS / "managed_trend.yaml")
    messages = []
    for mode in ("incremental", "fast"):
        with pytest.raises(DataError) as error:
            run(copy.deepcopy(plan), data=data, out_dir=tmp_path / mode, engine=mode)  # type: ignore[arg-type]
        messages.append(str(error.value))
    assert messages[0] == messages[1] and f":{row + 2}" in messages[0]
    loops = _windowed(monkeypatch)

    def run_mode(mode: str, folder: Path) -> None:
        run(copy.deepcopy(plan), data=data, out_dir=folder, engine=mode,  # type: ignore[arg-type]
            on_bad_bar="skip", keep_history=False)  # fmt: skip

    assert_same_results(*run_both(run_mode, tmp_path / "skip"))
    assert not loops, "a file with a bad row ran the fast loop"


def test_a_refused_first_pass_leaves_the_spill_to_the_row_reader(tmp_path: Path) -> None:
    """The spill shown the first blocks of a file refused later starts again: the row
    reader's stream then fills it with exactly its bars."""
    from stc.runtime.data_blocks import run_bars

    data = _broken(tmp_path, 2500)
    spill = PriceSpill.create()
    assert spill is not None
    spill.start(data)
    assert scan_csv(data, np, ["1h", "4h"], spill, 1000) is None
    assert spill.rows == 0 and not spill.complete
    bars = list(run_bars(data, "skip", [], str(data), None, spill))
    assert spill.complete and spill.rows == len(bars) == EURUSD_ROWS - 1
    kept = np.concatenate([block[4] for block in spill.blocks()])
    assert kept.tolist() == [bar.close for bar in bars]


def test_the_spill_follows_the_blocks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A clean file's spill is written block by block by the first pass (never whole
    columns) and holds every bar."""
    monkeypatch.setattr(tick_blocks, "BLOCK_BYTES", 4096)
    data = real_data("EURUSD_1h.csv", tmp_path, 2000)
    spill = PriceSpill.create()
    assert spill is not None
    sizes: list[int] = []
    push = spill.push_block

    def spy(*columns: Any) -> None:
        sizes.append(len(columns[0]))
        push(*columns)

    spill.push_block = spy  # type: ignore[method-assign]
    spill.start(data)
    found = tick_blocks.fast_columns(data, None, ["1h"], spill)
    assert isinstance(found, BlockBars) and spill.complete and spill.holds(data)
    assert sum(sizes) == 2000 and len(sizes) > 1 and max(sizes) < 2000


@pytest.mark.parametrize("name", ["managed_trend", "ict_smc"])
def test_the_loop_reads_the_blocks_back_from_the_spill(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the report's spill as the tap (as ``stc run`` has it), the loop's pass reads
    the first pass's blocks back from it instead of parsing the CSV again (spill blocks
    of 333 rows, tick blocks of 50): the same outputs as the incremental engine."""
    from stc.runtime import data_csv_columns
    from stc.runtime.api import run
    from stc.runtime.report import spill as spill_module

    monkeypatch.setattr(stream_blocks, "BLOCK_BARS", 50)
    monkeypatch.setattr(spill_module, "BLOCK_ROWS", 333)
    monkeypatch.setattr(tick_blocks, "BLOCK_BYTES", 4096)
    loops = _windowed(monkeypatch)
    parsed: list[Path] = []
    blocks = data_csv_columns.csv_blocks

    def counted(path: Path, *args: Any, **kwargs: Any) -> Any:
        parsed.append(path)
        return blocks(path, *args, **kwargs)

    monkeypatch.setattr(tick_blocks, "csv_blocks", counted)
    data = real_data("EURUSD_1h.csv", tmp_path, EURUSD_ROWS)
    plan = compiled(BLUEPRINTS / f"{name}.yaml")

    def run_mode(mode: str, folder: Path) -> None:
        spill = PriceSpill.create()
        assert spill is not None
        run(copy.deepcopy(plan), data=data, out_dir=folder, engine=mode,  # type: ignore[arg-type]
            keep_history=False, tap=spill)  # fmt: skip
        assert spill.holds(data)
        spill.discard()

    assert_same_results(*run_both(run_mode, tmp_path / "runs"))
    assert loops[0].window is not None and loops[0].window.kept is not None
    assert len(parsed) == 1, "the CSV was parsed again"


def test_dense_fall_back_from_a_window_counts_the_gaps_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dense-signal fall-back (``fast_loop.dense``) is decided once the first block
    is in the window, whose gaps are counted only when the fast loop keeps the run: a
    run that falls back counts each of the data's gaps once, in the incremental loop
    (the weekends of EURUSD), and writes what the incremental engine writes."""
    from stc.runtime import fast_loop

    monkeypatch.setattr(fast_loop, "DENSE_SHARE", 0.05)  # ict_smc's ~8 % is then dense
    monkeypatch.setattr(stream_blocks, "BLOCK_BARS", 500)  # more blocks than one
    loops = _windowed(monkeypatch)
    data = real_data("EURUSD_1h.csv", tmp_path, EURUSD_ROWS)
    outputs, note = _both(compiled(BLUEPRINTS / "ict_smc.yaml"), data, tmp_path / "runs")
    assert loops[0].window is not None and loops[0].fell_back is not None
    assert note.startswith("every bar ran in the incremental loop: ")
    assert "of the first 500 bars carry a signal" in note
    metrics = json.loads(outputs[0].metrics)
    assert metrics["data_gaps"] > 10, "no gaps in the data: nothing was counted"
