"""A worker's ``timeframe:`` drives it (issue 19): the 4h regime of ``managed_trend``
is Wilder's ADX of the 4h bars — equal to ``ta``'s ADX on pandas-resampled 4h bars
after warm-up —, it is called only when a 4h bar closes, its last output stays
visible in between, and no future bar of any timeframe changes a past tick's journal
rows, also with weekends and deleted rows."""

from __future__ import annotations

import copy
import random
import sqlite3
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any, get_args

import pandas as pd
import pytest
import ta
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from stc.compiler import compile_blueprint
from stc.plugins.context_worker.adx_regime_classifier.worker import ADXRegimeClassifier
from stc.plugins.dtos import Regime
from stc.runtime.data import load_bars
from stc.runtime.dtos.market import Bar, TradingContext
from stc.runtime.engine import Engine
from stc.runtime.journal import Journal
from stc.runtime.plan import load_plan
from stc.runtime.run_result import EngineMode
from tests.conftest import REPO
from tests.runtime.rt_helpers import random_future

EURUSD = REPO / "data" / "EURUSD_1h.csv"
MANAGED = REPO / "blueprints" / "managed_trend.yaml"
PERIOD = 14


def _plan(text: str, tmp: Path) -> dict[str, Any]:
    path = tmp / "blueprint.yaml"
    path.write_text(text, encoding="utf-8")
    compiled = compile_blueprint(path)
    assert compiled.ok, compiled.rendered_diagnostics()
    plan: dict[str, Any] = yaml.safe_load(compiled.wiring_map)
    return plan


class RecordingRegime(ADXRegimeClassifier):
    """The reference plugin, recording what it was called with and returned."""

    calls: list[tuple[Bar, Bar, str, Regime | None, Bar]]

    def setup(self) -> None:
        super().setup()
        self.calls = []

    def on_tick(self, context: TradingContext) -> Regime | None:
        result = super().on_tick(context)
        last = context.window()[-1]
        self.calls.append((context.tick_bar, context.bar, context.timeframe, result, last))
        return result


def _reference_adx(bars: list[Bar]) -> pd.Series:
    """``ta``'s ADX on the 4h bars pandas builds from the hourly ones (periods aligned
    on the epoch, labelled by their open, left-closed: [00:00, 04:00))."""
    frame = pd.DataFrame(
        {k: [getattr(b, k) for b in bars] for k in ("open", "high", "low", "close")},
        index=pd.DatetimeIndex([b.time for b in bars]),
    )
    four = frame.resample("4h", origin="epoch", closed="left", label="left").agg(
        {"open": "first", "high": "max", "low": "min", "close": "last"}
    )
    four = four.dropna()
    adx = ta.trend.ADXIndicator(four.high, four.low, four.close, window=PERIOD).adx()
    return adx.iloc[:-1]  # ta leaves its very last value at 0


def test_the_4h_regime_is_the_adx_of_the_4h_bars(tmp_path: Path) -> None:
    bars = load_bars(EURUSD)
    plan = load_plan(_plan(MANAGED.read_text(encoding="utf-8"), tmp_path))
    engine = Engine(plan, bars, worker_classes={"regime": RecordingRegime})
    engine.run()
    worker = engine.workers["regime"]
    assert isinstance(worker, RecordingRegime)
    reference = _reference_adx(bars)
    compared = 0
    for tick, bar, timeframe, regime, last in worker.calls:
        assert timeframe == "4h" and last is bar  # its own bar and window
        assert bar.time + timedelta(hours=4) <= tick.time + timedelta(hours=1)  # closed
        if regime is not None and bar.time in reference.index:
            assert regime.adx == pytest.approx(reference[bar.time], abs=1e-9)
            compared += 1
    assert compared > 200  # every 4h bar after warm-up (~1,250 of the sample)
    assert len(worker.calls) == len(reference) + 1  # called once per closed 4h bar


def test_a_4h_bar_is_seen_on_the_tick_that_completes_it_or_after_a_gap() -> None:
    bars = load_bars(EURUSD)[:400]
    plan_text = MANAGED.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        plan = load_plan(_plan(plan_text, Path(tmp)))
    engine = Engine(plan, bars, worker_classes={"regime": RecordingRegime})
    engine.run()
    worker = engine.workers["regime"]
    assert isinstance(worker, RecordingRegime)
    for tick, bar, *_ in worker.calls:
        end = bar.time + timedelta(hours=4)
        completes = tick.time + timedelta(hours=1) == end
        after_gap = tick.time >= end  # the period's last hours are missing (weekend)
        assert completes or after_gap
    assert any(tick.time >= bar.time + timedelta(hours=4) for tick, bar, *_ in worker.calls)


def _assessment_factors(journal: Path) -> dict[str, float]:
    """tick time → the regime_clarity factor of that tick's journaled assessment."""
    import json

    out = {}
    with sqlite3.connect(journal) as db:
        for tick, text in db.execute(
            "SELECT tick_time, json FROM dtos WHERE type = 'AggregatedContextAssessment'"
        ):
            for factor in json.loads(text)["contributing_factors"]:
                if factor["name"] == "regime_clarity":
                    out[tick] = float(factor["value"])
    return out


def _confidences(journal: Path) -> dict[str, str]:
    """tick time → the confidence of that tick's StrategyDirective."""
    import json

    with sqlite3.connect(journal) as db:
        rows = db.execute("SELECT tick_time, json FROM dtos WHERE type = 'StrategyDirective'")
        return {tick: json.loads(text)["confidence"] for tick, text in rows}


def test_removing_the_timeframe_changes_the_run(tmp_path: Path) -> None:
    """With ``timeframe: 4h`` the regime factor of every journaled assessment is the
    clarity of the ADX of the last *closed* 4h bar; without it, of the hourly ADX, and
    the SWOT confidence of the directives moves with it. (managed_trend's trades do
    not: its planner trades any confidence above ``min_confidence`` 0 and its Kelly
    sizer ignores the confidence.)"""
    text = MANAGED.read_text(encoding="utf-8")
    hourly = text.replace(
        "{id: regime, plugin: ADXRegimeClassifier, timeframe: 4h}",
        "{id: regime, plugin: ADXRegimeClassifier}",
    )
    assert hourly != text
    bars = load_bars(EURUSD)
    factors, confidences = {}, {}
    for name, blueprint in (("4h", text), ("1h", hourly)):
        folder = tmp_path / name
        folder.mkdir()
        journal = Journal(folder / "journal.sqlite")
        Engine(load_plan(_plan(blueprint, folder)), bars, journal=journal).run()
        journal.close()
        factors[name] = _assessment_factors(folder / "journal.sqlite")
        confidences[name] = _confidences(folder / "journal.sqlite")
    assert confidences["4h"].keys() == confidences["1h"].keys()
    assert sum(confidences["4h"][t] != confidences["1h"][t] for t in confidences["4h"]) > 10
    assert factors["4h"].keys() == factors["1h"].keys()  # same decisions to explain...
    differ = [t for t in factors["4h"] if abs(factors["4h"][t] - factors["1h"][t]) > 1e-6]
    assert len(differ) > len(factors["4h"]) // 2  # ...explained by another regime
    reference = _reference_adx(bars)
    for tick, value in factors["4h"].items():
        when = pd.Timestamp(tick)
        closed = reference[reference.index + pd.Timedelta(hours=4) <= when + pd.Timedelta(hours=1)]
        expected = min(1.0, closed.iloc[-1] / 50.0)
        assert value == pytest.approx(expected, abs=1e-9)


# ------------------------------------------------------------------ no look-ahead
MULTI = """
blueprint_version: 1
name: multi_tf
symbol: EURUSD
timeframes: [1h, 4h, 1d]
workforce:
  context_workers:
    - {plugin: EMADetector, timeframe: 1d, params: {periods: [3, 5, 8]}}
    - {id: regime, plugin: ADXRegimeClassifier, timeframe: 4h, params: {period: 5}}
  opportunity_workers:
    - plugin: EMACrossDetector
      params: {fast: 5, slow: 12}
  strategy_planner:
    plugin: AdaptiveMomentumPlanner
  planning_workers:
    entry: [{plugin: AggressiveMarketEntryPlanner}]
    size: [{plugin: FixedRiskSizer}]
    exit: [{plugin: FixedRRExitPlanner}]
    routing: [{plugin: MarketOrderRouter}]
aggregation: {method: weighted_average}
"""


def _journal_until(path: Path, last_tick: str) -> dict[str, list[tuple[Any, ...]]]:
    with sqlite3.connect(path) as db:
        flows = [r for r in db.execute("SELECT * FROM flows ORDER BY flow_id") if r[1] <= last_tick]
        ids = {r[0] for r in flows}
        out: dict[str, list[tuple[Any, ...]]] = {"flows": flows}
        for table in ("dtos", "links", "notes", "faults"):
            rows = db.execute(f"SELECT * FROM {table} ORDER BY seq")
            out[table] = [r[1:] for r in rows if r[1] in ids]
    return out


@pytest.mark.parametrize("mode", get_args(EngineMode))
@settings(max_examples=4, deadline=None)
@given(
    cut=st.integers(900, 1600),
    seed=st.integers(0, 2**32 - 1),
    drop=st.sampled_from([0.0, 0.05, 0.2]),
)
def test_no_future_bar_of_any_timeframe_changes_the_past(
    mode: EngineMode, cut: int, seed: int, drop: float
) -> None:
    """Ticks on 1h, workers on 4h and 1d; rows deleted at random on top of the
    weekends: the prefix's journal rows are the same whatever bars follow, in both
    engine modes (issue 23; the fast one skipping quiet bars across the 4h and 1d
    closes)."""
    rng = random.Random(seed)
    bars = [b for b in load_bars(EURUSD)[:cut] if rng.random() >= drop]
    last_tick = bars[-1].time.isoformat()
    futures = {
        "real": [b for b in load_bars(EURUSD)[cut : cut + 150] if rng.random() >= drop],
        "other": random_future(bars[-1], 150, seed),
    }
    seen = {}
    with tempfile.TemporaryDirectory() as tmp:
        plan = _plan(MULTI, Path(tmp))
        for name, future in futures.items():
            journal = Journal(Path(tmp) / f"{name}.sqlite")
            engine = Engine(load_plan(copy.deepcopy(plan)), bars + future, journal=journal,
                            engine=mode)  # fmt: skip
            engine.run()
            journal.close()
            if mode == "fast":  # every worker is batched: the 4h and 1d closes are skipped too
                assert engine.fast is not None and engine.fast.skipped_bars > len(bars) // 2
            seen[name] = _journal_until(Path(tmp) / f"{name}.sqlite", last_tick)
    assert seen["real"] == seen["other"]
    assert seen["real"]["dtos"], "the prefix made no decision at all: nothing was compared"
