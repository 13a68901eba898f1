"""Both engine modes on seeded random walks with what real data does to an engine:
gaps, flat stretches, bad rows skipped by ``on_bad_bar="skip"``, a higher-timeframe
worker, and plugin faults that abort flows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.parity.cases import Walk, assert_modes_equal, compiled, reference_files, write_walk
from tests.runtime.rt_helpers import PLUGIN_ROOTS, add_worker, plugin_worker, subscribe, wiring

ROUGH = Walk(seed=23, bars=1500, gap_rate=0.01, flat_rate=0.01)
"""Holes of up to 30 bars and halted stretches of up to 60, about one each 100 bars."""


@pytest.mark.parametrize("source", reference_files(), ids=lambda p: p.stem)
def test_reference_file_on_a_rough_random_walk(source: Path, tmp_path: Path) -> None:
    data = write_walk(tmp_path / "walk.csv", ROUGH)
    outputs = assert_modes_equal(compiled(source), data, tmp_path / "runs")
    assert outputs[0].journal["flows"][1], "no flow at all: nothing was compared"


@pytest.mark.parametrize("name", ["ema_trend.yaml", "ict_smc.yaml"])
def test_bad_rows_skipped_the_same_way(name: str, tmp_path: Path) -> None:
    walk = Walk(seed=5, bars=1200, gap_rate=0.01, flat_rate=0.01, bad_rows=6)
    data = write_walk(tmp_path / "walk.csv", walk)
    outputs = assert_modes_equal(compiled(Path(__file__).parents[2] / "blueprints" / name),
                                 data, tmp_path / "runs", on_bad_bar="skip")  # fmt: skip
    assert json.loads(outputs[0].metrics)["bad_bars_skipped"] > 0
    notes = [row for row in outputs[0].journal["notes"][1] if row[4] == "bad_bar_skipped"]
    assert notes, "the skipped rows are journaled (and compared)"


def test_a_higher_timeframe_worker_and_plugin_faults(tmp_path: Path) -> None:
    """The test wiring ``swot`` (a 4h worker resampled from 1h ticks) with a plugin that
    raises on every 97th context assessment: aborted flows, faults and all."""
    plan = wiring("swot")
    add_worker(plan, plugin_worker("boom", "boom_opportunity", "BoomOpportunity",
                                   "opportunity_worker", params={"every": 97}))  # fmt: skip
    subscribe(plan, "CONTEXT_ASSESSMENT_READY", "boom", "on_context_assessment")
    data = write_walk(tmp_path / "walk.csv", Walk(seed=11, bars=1500, gap_rate=0.02))
    outputs = assert_modes_equal(plan, data, tmp_path / "runs", plugin_roots=PLUGIN_ROOTS)
    assert json.loads(outputs[0].metrics)["faults"] > 3
    assert outputs[0].journal["faults"][1] and outputs[0].journal["dtos"][1]
