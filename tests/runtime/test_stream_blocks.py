"""The fast engine's streamed batch part (``stc.runtime.stream_blocks``): workers whose
batch forms run a part at a time are computed a block of ticks at a time, and the
runs still write exactly what the incremental engine writes (trades.csv, metrics.json,
every journal row, ids included).

Blocks of 1, 7 and 50 ticks put block edges everywhere: with one-tick blocks every
signal is at a block's first and last bar, every 4h bucket spans four blocks, every
protective exit is touched on a block's first bar and every trade held over a bar is
open across blocks (the test checks the runs have each of these, so the comparison is
not vacuous)."""

from __future__ import annotations

import copy
import csv
import io
from pathlib import Path
from typing import Any

import pytest

from stc.runtime import stream_blocks
from stc.runtime.batched import streamed
from stc.runtime.data import load_bars
from stc.runtime.engine import Engine
from stc.runtime.plan import load_plan
from tests.conftest import BLUEPRINTS
from tests.parity.cases import EURUSD_ROWS, compiled, real_data
from tests.parity.test_higher_timeframes import shaped
from tools.engine_parity import RunOutputs, assert_same_results, run_both

ROWS = 1500
"""EURUSD bars a run (one-tick blocks run every bar: kept short)."""


def _both(plan: dict[str, Any], data: Path, out: Path) -> list[RunOutputs]:
    from stc.runtime.api import run

    def run_mode(mode: str, folder: Path) -> None:
        run(copy.deepcopy(plan), data=data, out_dir=folder, engine=mode,  # type: ignore[arg-type]
            keep_history=False)  # fmt: skip

    outputs = run_both(run_mode, out)
    assert_same_results(*outputs)
    return outputs


def _trades(outputs: RunOutputs) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(outputs.trades.decode("utf-8"))))


@pytest.mark.parametrize("block", [1, 7, 50])
@pytest.mark.parametrize("name", ["ema_trend", "managed_trend", "ict_smc"])
def test_reference_blueprints_with_tiny_blocks(
    name: str, block: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stream_blocks, "BLOCK_BARS", block)
    data = real_data("EURUSD_1h.csv", tmp_path, ROWS if block == 1 else EURUSD_ROWS)
    outputs = _both(compiled(BLUEPRINTS / f"{name}.yaml"), data, tmp_path / "runs")
    trades = _trades(outputs[0])
    assert trades, "no trade: nothing was compared"
    if block == 1:  # held over several blocks
        assert any(t["entry_time"] != t["exit_time"] for t in trades)
    if block == 1 and name != "ema_trend":  # a stop or target touched on a block's first bar
        assert {t["exit_reason"] for t in trades} & {"STOP_LOSS", "TAKE_PROFIT"}


@pytest.mark.parametrize("block", [1, 3, 13])
@pytest.mark.parametrize("shape", ["regime-higher", "regime-and-cross-higher",
                                   "regime-highest-cross-higher"])  # fmt: skip
def test_higher_timeframe_workers_streamed_across_blocks(
    shape: str, block: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The regime (ADX) and the cross on 4h and 1d, streamed: their buckets span blocks
    (a 4h bar's four ticks, a day's 24, in blocks of 1, 3 and 13 ticks)."""
    monkeypatch.setattr(stream_blocks, "BLOCK_BARS", block)
    data = real_data("EURUSD_1h.csv", tmp_path, ROWS)
    _both(compiled(shaped(tmp_path, shape)), data, tmp_path / "runs")


def test_which_workers_stream(tmp_path: Path) -> None:
    """Every batch form of the three reference blueprints streams; a worker without a
    streamed form is computed whole, and so is every provider it reads."""
    from stc.plugins.context_worker.market_structure_detector.worker import (
        MarketStructureDetector,
    )

    class WholeStructure(MarketStructureDetector):
        batch_stream = None  # type: ignore[assignment]

    bars = load_bars(real_data("EURUSD_1h.csv", tmp_path, 300))
    for name in ("ema_trend", "managed_trend", "ict_smc"):
        engine = Engine(load_plan(compiled(BLUEPRINTS / f"{name}.yaml")), bars, engine="fast")
        batchable = {spec.id for spec in engine.plan.workers if spec.batch is not None}
        assert streamed(engine.plan, engine.workers) == batchable, name
    plan = load_plan(compiled(BLUEPRINTS / "ict_smc.yaml"))
    engine = Engine(plan, bars, engine="fast",
                    worker_classes={"market_structure_detector": WholeStructure})  # fmt: skip
    found = streamed(engine.plan, engine.workers)
    assert found == {"ema_detector", "regime"}  # the FVG detector reads the structure


def test_blocks_are_what_the_adapters_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Loading a block's output one element off changes the run (so the comparison
    above can fail): each tick reads its own element of its block's output."""
    from stc.runtime.batched import BatchedCall

    monkeypatch.setattr(stream_blocks, "BLOCK_BARS", 50)
    load = BatchedCall.load
    monkeypatch.setattr(
        BatchedCall, "load", lambda self, output, offset: load(self, output, offset + 1)
    )
    data = real_data("EURUSD_1h.csv", tmp_path, EURUSD_ROWS)
    with pytest.raises(AssertionError, match="differ"):
        _both(compiled(BLUEPRINTS / "ema_trend.yaml"), data, tmp_path / "runs")
