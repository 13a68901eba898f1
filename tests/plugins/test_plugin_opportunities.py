"""Opportunity workers on hand-made bars (known answers) and on EURUSD (invariants)."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest
from plugin_harness import bind, configured, hl_bars, make_bars, new_context, ticks

from stc.plugins.context_worker.market_structure_detector.worker import MarketStructureDetector
from stc.plugins.dtos import MarketStructure
from stc.plugins.opportunity_worker.divergence_scanner.worker import DivergenceScanner
from stc.plugins.opportunity_worker.ema_cross_detector.worker import EMACrossDetector
from stc.plugins.opportunity_worker.fvg_entry_detector.worker import FVGEntryDetector, find_gap
from stc.plugins.opportunity_worker.volume_spike_refiner.worker import VolumeSpikeRefiner
from stc.runtime.dtos.market import Bar, TradingContext
from stc.runtime.dtos.signals import OpportunitySignal
from stc.runtime.workers import OpportunityWorker


def _structure(direction: str, since: int | None, choch: bool = False) -> MarketStructure:
    return MarketStructure(
        trend=direction,  # type: ignore[arg-type]
        last_swing_high=None,
        last_swing_low=None,
        prev_swing_high=None,
        prev_swing_low=None,
        bos=since == 0 and not choch,
        choch=since == 0 and choch,
        break_direction=direction,  # type: ignore[arg-type]
        bars_since_break=since,
    )


def _run(
    worker: OpportunityWorker, context: TradingContext, bars: list[Bar], chain: tuple = ()
) -> list[OpportunitySignal | None]:
    out = []
    for _ in ticks(bars, context, chain):
        result = worker.on_context_assessment(context)
        assert result is None or isinstance(result, OpportunitySignal)
        out.append(result)
    return out


def test_find_gap_definitions() -> None:
    assert find_gap((10.0, 9.0), (12.0, 10.5)) == ("BUY", 10.0, 10.5)
    assert find_gap((10.0, 9.0), (8.5, 8.0)) == ("SELL", 8.5, 9.0)
    assert find_gap((10.0, 9.0), (11.0, 10.0)) is None  # touching is no gap


def _fvg_feed(structures: list[MarketStructure | None]) -> list[OpportunitySignal | None]:
    # four 1-wide bars (ATR(3) = 1), then a bullish gap: low[5] = 11 > high[3] = 10.5
    rows = [(10, 9), (10, 9), (10, 9), (10.5, 9.5), (11.5, 10), (12, 11)]
    context = new_context()
    worker = bind(
        configured(FVGEntryDetector, {"atr_period": 3, "max_bars_after_break": 2}), context
    )
    assert isinstance(worker, OpportunityWorker)
    out = []
    for bar, structure in zip(hl_bars(rows), structures, strict=True):
        context.window().append(bar)
        context.begin_tick(bar)
        if structure is not None:
            context.provide(structure)
        out.append(worker.on_context_assessment(context))
    return out


def test_fvg_after_break_in_same_direction() -> None:
    up = _structure("up", 2)
    out = _fvg_feed([None] * 5 + [up])
    signal = out[-1]
    assert signal is not None and all(s is None for s in out[:-1])
    assert signal.direction == "BUY" and signal.signal_type == "fvg_entry"
    assert signal.metadata["gap_low"] == 10.5 and signal.metadata["gap_high"] == 11
    assert signal.metadata["break"] == "bos"
    # ATR(3): TRs 1, 1, 1 (seed 1), then 1, 1.5, 1.25 (closes are midpoints)
    atr = 1.0
    for tr in (1.0, 1.5, 1.25):
        atr += (tr - atr) / 3
    assert signal.confidence == Decimal(str(round(0.5 / atr, 6)))


@pytest.mark.parametrize(
    "structure",
    [_structure("down", 1), _structure("up", 3), _structure("up", None), None],
    ids=["wrong-direction", "too-late", "no-break", "no-structure"],
)
def test_fvg_needs_a_recent_break_the_same_way(structure: MarketStructure | None) -> None:
    assert _fvg_feed([None] * 5 + [structure])[-1] is None


def test_fvg_on_real_data_with_structure(eurusd: list[Bar]) -> None:
    context = new_context()
    msd = bind(configured(MarketStructureDetector, {}), context)
    worker = bind(configured(FVGEntryDetector, {}), context)
    assert isinstance(worker, OpportunityWorker)
    signals = [s for s in _run(worker, context, eurusd, (msd,)) if s]  # type: ignore[arg-type]
    assert len(signals) > 10
    assert {s.direction for s in signals} == {"BUY", "SELL"}
    for s in signals:
        assert s.metadata["gap_high"] > s.metadata["gap_low"]
        assert 0 <= s.metadata["bars_since_break"] <= 5
    assert len({s.signal_id for s in signals}) == len(signals)


def test_volume_spike_direction_and_confidence() -> None:
    base = [(1.0, 1.1, 0.9, 1.0, v) for v in (100, 110, 90, 100, 105, 95)]
    spike_up = (1.0, 1.2, 0.98, 1.18, 400)  # body 0.18 of range 0.22
    doji = (1.0, 1.2, 0.9, 1.01, 400)
    spike_down = (1.18, 1.2, 0.98, 1.0, 400)
    context = new_context()
    worker = bind(configured(VolumeSpikeRefiner, {"window": 6, "z_threshold": 2.0}), context)
    assert isinstance(worker, OpportunityWorker)
    out = _run(worker, context, make_bars([*base, spike_up]), ())
    signal = out[-1]
    assert signal is not None and signal.direction == "BUY"
    volumes = pd.Series([100, 110, 90, 100, 105, 95], dtype=float)
    z = (400 - volumes.mean()) / volumes.std()
    assert signal.metadata["volume_z"] == pytest.approx(z, abs=1e-6)
    assert signal.confidence == Decimal("1.0")  # z ≈ 43 ≫ 4
    assert all(s is None for s in out[:-1])
    for candle, expected in ((doji, None), (spike_down, "SELL")):
        context = new_context()
        worker = bind(configured(VolumeSpikeRefiner, {"window": 6}), context)
        last = _run(worker, context, make_bars([*base, candle]), ())[-1]  # type: ignore[arg-type]
        assert (last.direction if last else None) == expected


def _divergence_bars(bullish: bool) -> list[Bar]:
    """Declining closes, a swing low, a bounce, then a lower low on a slow drift."""
    closes = [10.0 - 0.3 * i for i in range(12)]  # steep fall: RSI deeply oversold
    closes += [6.9, 7.3, 7.6, 7.4, 7.2, 7.0, 6.8, 6.7, 6.6, 6.55]  # bounce, slow new low
    closes += [6.9, 7.1, 7.3]  # rise confirms the second low
    if not bullish:
        closes = [20.0 - c for c in closes]
    highs = [c + 0.05 for c in closes]
    lows = [c - 0.05 for c in closes]
    return hl_bars(list(zip(highs, lows, strict=True)), closes)


@pytest.mark.parametrize("bullish", [True, False])
def test_rsi_divergence_hand_made(bullish: bool) -> None:
    context = new_context()
    worker = bind(configured(DivergenceScanner, {"rsi_period": 5, "lookback": 2}), context)
    assert isinstance(worker, OpportunityWorker)
    out = _run(worker, context, _divergence_bars(bullish), ())
    signals = [(i, s) for i, s in enumerate(out) if s]
    assert len(signals) == 1
    index, signal = signals[0]
    # swing extremes at bars 11 and 21; the second is confirmed two bars later
    assert index == 23 and signal.metadata["bars_between"] == 10
    assert signal.direction == ("BUY" if bullish else "SELL")
    meta = signal.metadata
    if bullish:
        assert (
            meta["swing_price"] < meta["previous_swing_price"]
            and meta["rsi"] > meta["previous_rsi"]
        )
    else:
        assert (
            meta["swing_price"] > meta["previous_swing_price"]
            and meta["rsi"] < meta["previous_rsi"]
        )
    diff = abs(meta["rsi"] - meta["previous_rsi"])
    assert signal.confidence == Decimal(str(round(min(1.0, diff / 10.0), 6)))


def test_divergence_on_real_data_has_both_sides(eurusd: list[Bar]) -> None:
    context = new_context()
    worker = bind(configured(DivergenceScanner, {}), context)
    assert isinstance(worker, OpportunityWorker)
    signals = [s for s in _run(worker, context, eurusd, ()) if s]
    assert {s.direction for s in signals} == {"BUY", "SELL"}
    for s in signals:
        assert s.metadata["bars_between"] <= 60


def test_ema_cross_matches_pandas_crossings(eurusd: list[Bar]) -> None:
    context = new_context()
    worker = bind(configured(EMACrossDetector, {}), context)
    assert isinstance(worker, OpportunityWorker)
    out = _run(worker, context, eurusd, ())
    close = pd.Series([b.close for b in eurusd])
    diff = close.ewm(span=20, adjust=False).mean() - close.ewm(span=50, adjust=False).mean()
    sign = diff.apply(lambda d: 1 if d > 0 else -1 if d < 0 else 0).iloc[49:]
    crosses = [i for i in sign.index[1:] if sign[i] != 0 and sign[i] != sign[i - 1]]
    emitted = [i for i, s in enumerate(out) if s]
    assert emitted == crosses
    for i in emitted:
        s = out[i]
        assert s is not None and s.confidence == Decimal("0.9")
        if sign[i] > 0:
            assert (s.direction, s.signal_type) == ("BUY", "ema_cross")
        else:
            assert (s.direction, s.signal_type) == ("SELL", "exit_long")
            assert s.metadata["action"] == "close"


def test_ema_cross_short_mode_and_validation() -> None:
    closes = [10.0] * 5 + [9.0] * 5 + [11.0] * 5 + [8.0] * 5
    bars = hl_bars([(c, c) for c in closes], closes)
    context = new_context()
    worker = bind(configured(EMACrossDetector, {"fast": 2, "slow": 4, "long_only": False}), context)
    assert isinstance(worker, OpportunityWorker)
    signals = [s for s in _run(worker, context, bars, ()) if s]
    assert [(s.direction, s.signal_type) for s in signals] == [
        ("BUY", "ema_cross"),
        ("SELL", "ema_cross"),
    ]
    assert "action" not in signals[1].metadata
    with pytest.raises(ValueError):
        configured(EMACrossDetector, {"fast": 50, "slow": 20})
