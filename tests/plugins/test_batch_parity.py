"""Batch forms equal their per-tick handlers, bar for bar (issue 23, item 1).

Each reference plugin with a batch form runs twice over the same bars: incrementally,
its handler called on every bar through a real TradingContext (as the engine's phases
1a/2a do), and in batch form, ``batch`` once over the whole arrays and ``result_at``
on every bar. The results (DTOs or signals, ids included) and the factors scored must
be *equal* — exact float equality, not a tolerance: the batch forms run the same float
operations in the same order (stc.runtime.batch explains how), and anything less
could flip a threshold and change a trade.

Data: the three real data sets of the project (EURUSD 1h, GOOG 1d, BTCUSD 1M) with
the manifest defaults and with short periods, and hypothesis-generated series: flat
prices, gaps, zero volume, one-bar windows (the smallest periods the schemas allow),
series shorter than the warm-up, and the empty series.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from stc.plugins.context_worker.adx_regime_classifier.worker import ADXRegimeClassifier
from stc.plugins.context_worker.atr_volatility.worker import ATRVolatility
from stc.plugins.context_worker.ema_detector.worker import EMADetector
from stc.plugins.context_worker.market_structure_detector.worker import MarketStructureDetector
from stc.plugins.opportunity_worker.divergence_scanner.worker import DivergenceScanner
from stc.plugins.opportunity_worker.ema_cross_detector.worker import EMACrossDetector
from stc.plugins.opportunity_worker.fvg_entry_detector.worker import FVGEntryDetector
from stc.plugins.opportunity_worker.volume_spike_refiner.worker import VolumeSpikeRefiner
from stc.plugins.threat_worker.liquidity_crisis_detector.worker import LiquidityCrisisDetector
from stc.runtime.batch import BarArrays, BatchForm, BatchOutput, offers_batch
from stc.runtime.dtos.ids import IdFactory
from stc.runtime.dtos.market import Bar, OHLCVWindow, TradingContext
from stc.runtime.workers import ContextWorker, ThreatWorker, Worker

REPO = Path(__file__).parents[2]
DATA_SETS = ("EURUSD_1h.csv", "GOOG_1d.csv", "BTCUSD_1M.csv")
START = datetime(2024, 1, 1, tzinfo=UTC)

BATCH_PLUGINS: dict[type[Worker], dict[str, Any]] = {
    EMADetector: {"periods": [3, 1, 7], "mode": "absolute"},
    ATRVolatility: {"period": 5, "baseline_window": 7, "risk_ratio": 1.5},
    ADXRegimeClassifier: {"period": 3, "trend_threshold": 20.0},
    EMACrossDetector: {"fast": 2, "slow": 5, "long_only": False, "confidence": 0.7},
    VolumeSpikeRefiner: {"window": 4, "z_threshold": 1.0, "min_body_fraction": 0.2},
    DivergenceScanner: {"rsi_period": 4, "lookback": 1, "max_swing_distance": 30,
                        "min_rsi_diff": 0.5, "full_confidence_rsi_diff": 5.0},
    MarketStructureDetector: {"lookback": 1, "decay_bars": 3.0},
    FVGEntryDetector: {"max_bars_after_break": 20, "atr_period": 2, "min_gap_atr": 0.0},
    LiquidityCrisisDetector: {"window": 2, "volume_z_threshold": 0.5,
                              "range_ratio_threshold": 1.2},
}  # fmt: skip
"""Every plugin with a batch form, with short (non-default) params that fire often."""

UPSTREAM: dict[type[Worker], tuple[type[Worker], dict[str, Any]]] = {
    FVGEntryDetector: (MarketStructureDetector, {"lookback": 1}),
}
"""The context worker (and its params) a plugin reads the DTO of."""

QUIET_DEFAULTS = {(LiquidityCrisisDetector, "GOOG_1d.csv", False)}
"""(plugin, data set, short) where the real data has no output to compare."""

Observed = list[tuple[object | None, dict[str, float]]]


def manifest_defaults(cls: type[Worker]) -> dict[str, Any]:
    """The params a blueprint that sets none gets: the manifest's schema defaults."""
    folder = Path(__import__(cls.__module__, fromlist=["_"]).__file__ or "").parent
    manifest = yaml.safe_load((folder / "plugin_manifest.yaml").read_text("utf-8"))
    properties = manifest["config_schema"].get("properties", {})
    return {name: spec["default"] for name, spec in properties.items() if "default" in spec}


def read_csv(name: str) -> list[Bar]:
    """A data set of the project's ``data/`` folder (naive timestamps taken as UTC)."""
    bars = []
    with (REPO / "data" / name).open(newline="") as handle:
        for row in csv.DictReader(handle):
            stamp = datetime.fromisoformat(row[""]).replace(tzinfo=UTC)
            values = (float(row[k]) for k in ("Open", "High", "Low", "Close", "Volume"))
            bars.append(Bar(stamp, *values))
    return bars


def _worker(cls: type[Worker], params: dict[str, Any], context: TradingContext) -> Worker:
    worker = cls({**manifest_defaults(cls), **params})
    worker.bind("w", IdFactory(), context=context)
    return worker


def _context() -> TradingContext:
    return TradingContext("SYM", {"1h": OHLCVWindow("1h", 8)})


def run_incremental(cls: type[Worker], params: dict[str, Any], bars: Sequence[Bar]) -> Observed:
    """The handler on every bar: (its result, the factors it scored)."""
    context = _context()
    worker = _worker(cls, params, context)
    ticked = isinstance(worker, ContextWorker | ThreatWorker)  # a tick-threat worker: TICK_RECEIVED
    handler = worker.on_tick if ticked else worker.on_context_assessment  # type: ignore[attr-defined]
    chain = [_worker(up, up_params, context) for up, up_params in [UPSTREAM[cls]]] if (
        cls in UPSTREAM) else []  # fmt: skip
    seen: Observed = []
    for bar in bars:
        context.window().append(bar)
        context.begin_tick(bar)
        for provider in chain:
            dto = provider.on_tick(context)  # type: ignore[attr-defined]
            if dto is not None:
                context.provide(dto)
        context.factors.clear()  # only the worker under test's factors
        result = handler(context)
        seen.append((result, {name: value for name, (value, _, _) in context.factors.items()}))
    return seen


def run_batch(cls: type[Worker], params: dict[str, Any], bars: Sequence[Bar]) -> Observed:
    """``batch`` once over the arrays, then ``result_at`` on each bar in order."""
    context = _context()
    worker = _worker(cls, params, context)
    assert isinstance(worker, BatchForm)
    arrays = BarArrays.from_bars(bars, "1h")
    chain: list[tuple[BatchForm, BatchOutput]] = []
    if cls in UPSTREAM:
        provider = _worker(*UPSTREAM[cls], context)
        assert isinstance(provider, BatchForm)
        chain.append((provider, provider.batch(arrays, {})))
    upstream = {"MarketStructure": chain[0][1]} if chain else {}
    output = worker.batch(arrays, upstream)
    assert len(output) == len(bars)
    for values in [*output.columns.values(), *output.factors.values()]:
        assert len(values) == len(bars)
    seen: Observed = []
    for index, bar in enumerate(bars):
        context.window().append(bar)
        context.begin_tick(bar)
        for source, provided in chain:
            dto = source.result_at(provided, index, context) if provided.is_present(index) else None
            if dto is not None:
                context.provide(dto)
        result = worker.result_at(output, index, context) if output.is_present(index) else None
        seen.append((result, output.factors_at(index)))
    return seen


def assert_parity(cls: type[Worker], params: dict[str, Any], bars: Sequence[Bar]) -> Observed:
    """Both forms, compared bar by bar (the first difference is reported)."""
    expected, actual = run_incremental(cls, params, bars), run_batch(cls, params, bars)
    assert len(expected) == len(actual)
    for index, (want, got) in enumerate(zip(expected, actual, strict=True)):
        assert got == want, f"{cls.__name__} bar {index} ({bars[index]!r}): {got} != {want}"
    return expected


@pytest.mark.parametrize("data", DATA_SETS)
@pytest.mark.parametrize("cls", list(BATCH_PLUGINS), ids=lambda c: c.__name__)
@pytest.mark.parametrize("short", [False, True], ids=["defaults", "short"])
def test_batch_equals_handler_on_real_data(cls: type[Worker], data: str, short: bool) -> None:
    bars = read_csv(data)
    seen = assert_parity(cls, BATCH_PLUGINS[cls] if short else {}, bars)
    # BTCUSD: 156 monthly bars, some defaults never warm up there; GOOG's wide days
    # come on heavy volume, so the liquidity-crisis defaults (z ≤ -1, range ≥ 1.5×) never fire
    quiet = data == "BTCUSD_1M.csv" or (cls, data, short) in QUIET_DEFAULTS
    if not quiet:
        assert any(result is not None for result, _ in seen), "the comparison saw no output"


def test_every_batch_plugin_declares_it_in_its_manifest() -> None:
    for cls in BATCH_PLUGINS:
        assert offers_batch(cls)
        folder = Path(__import__(cls.__module__, fromlist=["_"]).__file__ or "").parent
        manifest = yaml.safe_load((folder / "plugin_manifest.yaml").read_text("utf-8"))
        assert manifest.get("batch") is True, cls.__name__


# --- generated series -----------------------------------------------------------------

_LEVEL = st.sampled_from([0.0, 1.0, 1.5, 100.0, 1e-4, 12345.678])


@st.composite
def series(draw: st.DrawFn) -> list[Bar]:
    """Bars built from runs: flat stretches (identical bars), random walks, gaps (a
    jump of many times the bar range), zero volume; 0..80 bars."""
    bars: list[Bar] = []
    price = draw(st.floats(1.0, 1000.0, allow_nan=False))
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["flat", "walk", "gap"]))
        length = draw(st.integers(1, 20))
        if kind == "gap":
            price = max(0.5, price * draw(st.sampled_from([0.5, 0.9, 1.1, 2.0])))
        for _ in range(length):
            if kind == "walk":
                price = max(0.5, price + draw(st.floats(-5.0, 5.0, allow_nan=False)))
            spread = 0.0 if kind == "flat" else draw(st.floats(0.0, 3.0, allow_nan=False))
            opening = price if kind == "flat" else price - draw(st.floats(-1.0, 1.0))
            volume = draw(_LEVEL) if kind != "flat" else 100.0
            high = max(opening, price) + spread
            low = min(opening, price) - spread
            when = START + timedelta(hours=len(bars))
            bars.append(Bar(when, opening, high, low, price, volume))
    return bars


_PARAMS: dict[type[Worker], Any] = {
    EMADetector: st.fixed_dictionaries({
        "periods": st.lists(st.integers(1, 12), min_size=1, max_size=4, unique=True),
        "mode": st.sampled_from(["bullish", "absolute"]),
    }),
    ATRVolatility: st.fixed_dictionaries({
        "period": st.integers(1, 10), "baseline_window": st.integers(2, 10),
        "risk_ratio": st.sampled_from([1.01, 1.5, 2.0, 10.0]),
    }),
    ADXRegimeClassifier: st.fixed_dictionaries({
        "period": st.integers(2, 8), "trend_threshold": st.sampled_from([0.5, 25.0, 100.0]),
    }),
    EMACrossDetector: st.integers(1, 8).flatmap(lambda fast: st.fixed_dictionaries({
        "fast": st.just(fast), "slow": st.integers(fast + 1, fast + 8),
        "long_only": st.booleans(),
    })),
    VolumeSpikeRefiner: st.fixed_dictionaries({
        "window": st.integers(2, 8), "z_threshold": st.sampled_from([0.1, 1.0, 2.0]),
        "min_body_fraction": st.sampled_from([0.0, 0.5, 1.0]), "full_confidence_z": st.just(4.0),
    }),
    DivergenceScanner: st.fixed_dictionaries({
        "rsi_period": st.integers(2, 6), "lookback": st.integers(1, 3),
        "max_swing_distance": st.integers(1, 40), "min_rsi_diff": st.sampled_from([0.0, 1.0]),
        "full_confidence_rsi_diff": st.just(10.0),
    }),
    MarketStructureDetector: st.fixed_dictionaries({
        "lookback": st.integers(1, 4), "decay_bars": st.sampled_from([0.5, 20.0, 1000.0]),
    }),
    FVGEntryDetector: st.fixed_dictionaries({
        "max_bars_after_break": st.integers(0, 10), "atr_period": st.integers(1, 6),
        "min_gap_atr": st.sampled_from([0.0, 0.05, 1.0]),
    }),
    LiquidityCrisisDetector: st.fixed_dictionaries({
        "window": st.integers(2, 8), "volume_z_threshold": st.sampled_from([0.0, 0.5, 1.0]),
        "range_ratio_threshold": st.sampled_from([0.5, 1.0, 1.5, 3.0]),
        "full_severity_z": st.sampled_from([0.5, 2.5]),
        "full_severity_range_ratio": st.sampled_from([1.01, 3.0]),
    }),
}  # fmt: skip


@pytest.mark.parametrize("cls", list(BATCH_PLUGINS), ids=lambda c: c.__name__)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_batch_equals_handler_on_generated_series(cls: type[Worker], data: st.DataObject) -> None:
    params = data.draw(_PARAMS[cls], label="params")
    bars = data.draw(series(), label="bars")
    assert_parity(cls, params, bars)


@pytest.mark.parametrize("cls", list(BATCH_PLUGINS), ids=lambda c: c.__name__)
def test_flat_and_too_short_series(cls: type[Worker]) -> None:
    """Identical bars (zero range, zero variance) for long enough to warm everything up,
    and a series one bar shorter than the defaults' warm-up (nothing at all comes out)."""
    flat = [Bar(START + timedelta(hours=i), 5.0, 5.0, 5.0, 5.0, 7.0) for i in range(500)]
    assert_parity(cls, {}, flat)
    assert_parity(cls, BATCH_PLUGINS[cls], flat)
    short = read_csv("EURUSD_1h.csv")[:3]
    assert all(result is None for result, _ in assert_parity(cls, {}, short))
    assert_parity(cls, {}, [])


def test_batch_leaves_the_handler_state_alone() -> None:
    """A batch form is pure: running it between handler calls changes nothing."""
    bars = read_csv("EURUSD_1h.csv")[:400]
    context = _context()
    worker = _worker(EMACrossDetector, {"fast": 3, "slow": 9}, context)
    plain = run_incremental(EMACrossDetector, {"fast": 3, "slow": 9}, bars)
    seen = []
    for index, bar in enumerate(bars):
        if index == 200:
            assert isinstance(worker, BatchForm)
            worker.batch(BarArrays.from_bars(bars), {})
        context.window().append(bar)
        context.begin_tick(bar)
        seen.append(worker.on_context_assessment(context))  # type: ignore[attr-defined]
    assert [s for s, _ in plain] == seen


def test_bar_arrays_hold_exact_epoch_nanoseconds() -> None:
    when = datetime(2017, 4, 19, 9, 0, 0, 123456, tzinfo=UTC)
    arrays = BarArrays.from_bars([Bar(when, 1.0, 2.0, 0.5, 1.5, 10.0)], "1h")
    assert int(arrays.time[0]) == 1492592400_123456000
    assert arrays.close.dtype == np.float64 and len(arrays) == 1


@pytest.mark.parametrize("cls", [ADXRegimeClassifier, MarketStructureDetector, ATRVolatility],
                         ids=lambda c: c.__name__)  # fmt: skip
def test_higher_timeframe_outputs_replay_on_the_ticks_between(cls: type[Worker]) -> None:
    """A context worker on 4h driven by 1h ticks (rows deleted at random, so some 4h
    bars are partial and some ticks close two): the handler runs on each closed 4h bar
    and its last output is replayed on every tick (``stc.runtime.frames.Frame``); the
    batch form over the 4h bars, re-indexed with ``held_index``/``aligned``, gives the
    same DTO and factors on every tick."""
    from random import Random

    from stc.runtime.batch import aligned, held_index
    from stc.runtime.data import Resampler
    from stc.runtime.frames import Frame

    rng = Random(23)
    ticks = [bar for bar in read_csv("EURUSD_1h.csv") if rng.random() > 0.1]
    resampler = Resampler("4h", "1h")
    context = TradingContext("SYM", {"1h": OHLCVWindow("1h", 8), "4h": OHLCVWindow("4h", 8)})
    worker = _worker(cls, {}, context)
    frame = Frame("4h", "w")
    higher: list[Bar] = []
    release: list[int] = []
    expected: Observed = []
    for tick, bar in enumerate(ticks):
        context.window("1h").append(bar)
        context.begin_tick(bar)
        closed = resampler.push(bar)
        for high_bar in closed:
            higher.append(high_bar)
            release.append(tick)
            context.window("4h").append(high_bar)
            context.enter_frame(high_bar, "4h")
            frame.keep(worker.on_tick(context), context)  # type: ignore[attr-defined]
            context.leave_frame()
            context.factors.clear()
        frame.replay(context)
        factors = {name: value for name, (value, _, _) in context.factors.items()}
        expected.append((frame.held, factors))
    assert len(set(release)) < len(release), "no tick closed two 4h bars: weaken the data"
    output = _worker(cls, {}, context).batch(BarArrays.from_bars(higher, "4h"), {})  # type: ignore[attr-defined]
    index = held_index(release, len(ticks))
    visible = aligned(output, index)
    batch_worker = _worker(cls, {}, context)
    actual: Observed = []
    for tick in range(len(ticks)):
        held = None
        if visible.present[tick]:
            held = batch_worker.result_at(output, int(index[tick]), context)  # type: ignore[attr-defined]
        actual.append((held, visible.factors_at(tick)))
    assert len(higher) > 1000 and any(result is not None for result, _ in expected)
    assert actual == expected


CHUNKED = (
    EMACrossDetector, EMADetector, MarketStructureDetector, ADXRegimeClassifier,
    ATRVolatility, VolumeSpikeRefiner, LiquidityCrisisDetector, FVGEntryDetector,
)  # fmt: skip
"""The batch forms that run their kernels a part of the bars at a time (the last five
through ``stc.runtime.indicator_columns``)."""


@pytest.mark.parametrize("cls", CHUNKED, ids=lambda c: c.__name__)
def test_batch_forms_cut_into_parts_equal_the_handler(
    cls: type[Worker], monkeypatch: pytest.MonkeyPatch
) -> None:
    """These batch forms convert and run their kernels a part of the bars at a time (memory);
    parts of 97 bars, so that the real data crosses many part boundaries, must give
    the handler's results bar for bar."""
    from stc.runtime import batch

    monkeypatch.setattr(batch, "CHUNK_BARS", 97)
    assert_parity(cls, BATCH_PLUGINS[cls], read_csv("EURUSD_1h.csv"))


def test_liquidity_crisis_at_its_thresholds_exactly() -> None:
    """Zero volume (std 0: z is 0.0, which is not above -0.0) and equal ranges (ratio
    exactly 1.0, which is not below 1.0): the handler fires on every bar once both
    baselines are full, and the batch form must too — the edges where a comparison
    written the other way round (``>`` for ``not <``) would differ."""
    bars = [Bar(START + timedelta(hours=i), 5.0, 6.0, 4.0, 5.0, 0.0) for i in range(12)]
    params = {"window": 2, "volume_z_threshold": 0.0, "range_ratio_threshold": 1.0}
    seen = assert_parity(LiquidityCrisisDetector, params, bars)
    assert [result is not None for result, _ in seen] == [False] * 2 + [True] * 10


STREAMED = (
    EMADetector, EMACrossDetector, ADXRegimeClassifier, LiquidityCrisisDetector,
    MarketStructureDetector, FVGEntryDetector,
)  # fmt: skip
"""The batch forms that also run a part of the bars at a time with their state carried
(``batch_stream``: the fast engine streams them a block of ticks at a time)."""


def run_streamed(
    cls: type[Worker], params: dict[str, Any], bars: Sequence[Bar], sizes: Sequence[int]
) -> Observed:
    """``batch_stream().part`` over consecutive parts of ``sizes`` bars (the last part
    takes the rest), then ``result_at`` on each bar of each part, with its index in
    the part (as the fast engine's adapter reads a block's output). A provider
    (``UPSTREAM``) is streamed over the same parts, its DTO provided on each bar."""
    context = _context()
    worker = _worker(cls, params, context)
    stream = worker.batch_stream()  # type: ignore[attr-defined]
    provider = _worker(*UPSTREAM[cls], context) if cls in UPSTREAM else None
    provider_stream = provider.batch_stream() if provider else None  # type: ignore[attr-defined]
    arrays = BarArrays.from_bars(bars, "1h")
    bounds = [0]
    for size in sizes:
        bounds.append(min(len(bars), bounds[-1] + size))
    bounds.append(len(bars))
    seen: Observed = []
    for lo, hi in itertools.pairwise(bounds):
        part = BarArrays(arrays.timeframe, *(getattr(arrays, name)[lo:hi] for name in
                         ("time", "open", "high", "low", "close", "volume")))  # fmt: skip
        provided = provider_stream.part(part, {}) if provider_stream is not None else None
        output = stream.part(part, {"MarketStructure": provided} if provided is not None else {})
        assert len(output) == hi - lo
        for index in range(hi - lo):
            context.window().append(bars[lo + index])
            context.begin_tick(bars[lo + index])
            if provider is not None and provided is not None and provided.is_present(index):
                context.provide(provider.result_at(provided, index, context))  # type: ignore[attr-defined]
            result = worker.result_at(output, index, context) if output.is_present(index) else None
            seen.append((result, output.factors_at(index)))
    return seen


@pytest.mark.parametrize("cls", STREAMED, ids=lambda c: c.__name__)
@pytest.mark.parametrize("short", [False, True], ids=["defaults", "short"])
def test_streamed_batch_forms_equal_the_handler_on_real_data(
    cls: type[Worker], short: bool
) -> None:
    """Thirty one-bar parts, then 2, 3 and 61 bars at a time over EURUSD (parts
    shorter than a window or the warm-up, boundaries inside and after it) give the
    handler's results bar for bar, with the manifest defaults and short params."""
    bars = read_csv("EURUSD_1h.csv")
    params = BATCH_PLUGINS[cls] if short else {}
    expected = run_incremental(cls, params, bars)
    sizes = [*([1] * 30), *([2] * 10), 3, *([61] * (len(bars) // 61))]
    assert run_streamed(cls, params, bars, sizes) == expected
    assert any(result is not None for result, _ in expected)


@pytest.mark.parametrize("cls", STREAMED, ids=lambda c: c.__name__)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_streamed_batch_forms_equal_the_handler_on_generated_series(
    cls: type[Worker], data: st.DataObject
) -> None:
    params = data.draw(_PARAMS[cls], label="params")
    bars = data.draw(series(), label="bars")
    sizes = data.draw(st.lists(st.integers(0, 12), max_size=20), label="part sizes")
    assert run_streamed(cls, params, bars, sizes) == run_incremental(cls, params, bars)
