"""Context workers: swings, structure, EMAs, ADX regime, ATR volatility."""

from __future__ import annotations

import pandas as pd
import pytest
import ta
from plugin_harness import bind, configured, hl_bars, new_context, ticks

from stc.plugins._lib.swings import FractalSwingDetector, SwingPoint
from stc.plugins.context_worker.adx_regime_classifier.worker import ADXRegimeClassifier
from stc.plugins.context_worker.atr_volatility.worker import ATRVolatility
from stc.plugins.context_worker.ema_detector.worker import EMADetector
from stc.plugins.context_worker.market_structure_detector.worker import MarketStructureDetector
from stc.plugins.dtos import ATRValues, EMAValues, MarketStructure, Regime
from stc.runtime.dtos.market import Bar

# (high, low, close); lookback 1. Hand-labelled below.
STRUCTURE = [
    (10, 9, 9.5),  # 0
    (12, 10, 11.5),  # 1  swing high 12 (known at 2)
    (11, 9.5, 10),  # 2  swing low 9.5 (known at 3)
    (13, 10, 12.5),  # 3  close > 12: first break, no trend yet -> BOS up
    (14, 11, 13.5),  # 4  swing high 14 (known at 5)
    (13, 11.5, 12),  # 5
    (13.5, 11, 12.5),  # 6  swing low 11 (known at 7)
    (15, 12, 14.5),  # 7  close > 14: BOS up
    (16, 13, 15.5),  # 8  swing high 16 (known at 9)
    (15, 12.5, 13),  # 9
    (14, 11.5, 12),  # 10 swing low 11.5 (known at 11)
    (14.5, 12, 13),  # 11 swing high 14.5 (known at 12)
    (13, 10, 10.5),  # 12 close < 11.5 in an uptrend: CHoCH, trend down
    (12, 9, 9.5),  # 13 swing low 9 (known at 14); low 11.5 already broken: nothing
    (11, 9.5, 10.5),  # 14
    (10.5, 8, 8.5),  # 15 close < 9: BOS down
]


def _structure_bars() -> list[Bar]:
    return hl_bars([(h, lo) for h, lo, _ in STRUCTURE], [c for _, _, c in STRUCTURE])


def test_fractal_swings_are_strict_and_confirmed_late() -> None:
    detector = FractalSwingDetector(2)
    highs = [1, 2, 5, 3, 2, 2, 4, 4, 1, 0, 1]
    seen: dict[int, SwingPoint] = {}
    for bar, high in enumerate(highs):
        swing_high, _ = detector.update(float(high), float(high) - 10, tag=float(bar))
        if swing_high is not None:
            seen[bar] = swing_high
    # 5 at position 2 is confirmed two bars later; the equal 4s are never swings.
    assert seen == {4: SwingPoint("high", 5.0, 2, 2.0)}


def test_swing_low_detection() -> None:
    detector = FractalSwingDetector(1)
    results = [detector.update(10.0, low) for low in (5.0, 3.0, 4.0, 4.0, 2.0, 6.0)]
    lows = [(i, r[1]) for i, r in enumerate(results) if r[1] is not None]
    assert lows == [(2, SwingPoint("low", 3.0, 1)), (5, SwingPoint("low", 2.0, 4))]


def test_market_structure_hand_labelled() -> None:
    context = new_context()
    worker = bind(configured(MarketStructureDetector, {"lookback": 1}), context)
    assert isinstance(worker, MarketStructureDetector)
    out: list[MarketStructure | None] = []
    quality: list[float | None] = []
    for _ in ticks(_structure_bars(), context):
        out.append(worker.on_tick(context))
        quality.append(context.factors.get("structure_quality", (None,))[0])
    assert out[0] is None and out[1] is None and out[2] is not None
    events = {
        i: (s.bos, s.choch, s.break_direction)
        for i, s in enumerate(out)
        if s and (s.bos or s.choch)
    }
    assert events == {
        3: (True, False, "up"),
        7: (True, False, "up"),
        12: (False, True, "down"),
        15: (True, False, "down"),
    }
    trends = [s.trend if s else None for s in out]
    assert trends[3:12] == ["up"] * 9 and trends[12:] == ["down"] * 4
    s12 = out[12]
    assert s12 is not None
    assert (s12.last_swing_high, s12.prev_swing_high) == (14.5, 16)
    assert (s12.last_swing_low, s12.prev_swing_low) == (11.5, 11)
    assert [s.bars_since_break for s in out[3:7] if s] == [0, 1, 2, 3]
    # LH (16 -> 14.5) agrees with the new downtrend, HL (11 -> 11.5) does not: 0.5.
    assert quality[12] == pytest.approx(0.5)
    assert quality[15] == pytest.approx(1.0)
    assert quality[4] == pytest.approx(0.25 * 20 / 21)
    assert quality[2] == 0.0


def test_market_structure_trend_from_swing_sequence() -> None:
    """Two higher highs and higher lows set an uptrend before any break."""
    rows = [(10, 9), (12, 10), (11, 9.5), (11.5, 10), (11.8, 10.5), (12.5, 11), (11.9, 10.8)]
    closes = [9.5, 11, 10, 11, 11.5, 11.9, 11.2]  # closes never exceed a swing high
    context = new_context()
    worker = bind(configured(MarketStructureDetector, {"lookback": 1}), context)
    assert isinstance(worker, MarketStructureDetector)
    out = [worker.on_tick(context) for _ in ticks(hl_bars(rows, closes), context)]
    last = out[-1]
    assert last is not None and last.trend == "none"
    more = [worker.on_tick(context) for _ in ticks(hl_bars([(12.2, 11.2)], [11.5]), context)]
    final = more[-1]
    assert final is not None
    assert (final.prev_swing_low, final.last_swing_low) == (9.5, 10.8)
    assert (final.prev_swing_high, final.last_swing_high) == (12, 12.5)
    assert final.trend == "up" and not final.bos and final.bars_since_break is None


def test_market_structure_on_real_data_is_consistent(eurusd: list[Bar]) -> None:
    context = new_context()
    worker = bind(configured(MarketStructureDetector, {}), context)
    breaks = 0
    for bar in ticks(eurusd, context):
        s = worker.on_tick(context)
        if s is None:
            continue
        assert not (s.bos and s.choch)
        if s.bos or s.choch:
            breaks += 1
            assert s.trend == s.break_direction and s.bars_since_break == 0
            level = s.last_swing_high if s.break_direction == "up" else s.last_swing_low
            assert level is not None
            assert bar.close > level if s.break_direction == "up" else bar.close < level
        assert 0.0 <= context.factors["structure_quality"][0] <= 1.0
    assert breaks > 50


def test_ema_detector_values_and_trend_strength(eurusd: list[Bar]) -> None:
    context = new_context()
    worker = bind(configured(EMADetector, {"periods": [50, 20]}), context)
    assert isinstance(worker, EMADetector)
    results = []
    for _ in ticks(eurusd[:400], context):
        dto = worker.on_tick(context)
        results.append((dto, context.factors.get("trend_strength")))
    close = pd.Series([b.close for b in eurusd[:400]])
    assert all(dto is None for dto, _ in results[:49])
    last, factor = results[-1]
    assert isinstance(last, EMAValues)
    for period in (20, 50):
        ref = close.ewm(span=period, adjust=False).mean().iloc[-1]
        assert last[period] == pytest.approx(ref, abs=1e-12)
    assert factor is not None
    expected = (int(close.iloc[-1] > last[20]) + int(last[20] > last[50])) / 2
    assert factor[0] == expected and factor[1] == "strength"


def test_ema_trend_strength_modes() -> None:
    bullish = configured(EMADetector, {"periods": [2, 3]})
    absolute = configured(EMADetector, {"periods": [2, 3], "mode": "absolute"})
    stack = {2: 9.0, 3: 8.0}
    assert bullish.trend_strength(10.0, stack) == 1.0
    assert bullish.trend_strength(7.0, {2: 8.0, 3: 9.0}) == 0.0
    assert absolute.trend_strength(7.0, {2: 8.0, 3: 9.0}) == 1.0
    assert absolute.trend_strength(8.5, stack) == 0.0


def test_adx_regime_matches_ta_and_thresholds(eurusd: list[Bar]) -> None:
    bars = eurusd[:600]
    context = new_context()
    worker = bind(configured(ADXRegimeClassifier, {"period": 14, "trend_threshold": 25}), context)
    regimes: list[Regime | None] = []
    clarity: list[float] = []
    for _ in ticks(bars, context):
        regimes.append(worker.on_tick(context))
        if "regime_clarity" in context.factors:
            clarity.append(context.factors["regime_clarity"][0])
    frame = pd.DataFrame({k: [getattr(b, k) for b in bars] for k in ("high", "low", "close")})
    ref = ta.trend.ADXIndicator(frame.high, frame.low, frame.close, window=14).adx()
    r = regimes[-2]
    assert r is not None and r.adx == pytest.approx(ref.iloc[-2], abs=1e-9)
    kinds = {x.regime for x in regimes if x}
    assert kinds == {"trending", "ranging"}
    for x in regimes:
        if x:
            assert (x.regime == "trending") == (x.adx >= 25)
    assert all(0.0 <= c <= 1.0 for c in clarity)
    assert configured(ADXRegimeClassifier, {}).clarity(25.0) == 0.5


def test_atr_volatility_values_and_risk(eurusd: list[Bar]) -> None:
    bars = eurusd[:400]
    context = new_context()
    worker = bind(configured(ATRVolatility, {"period": 14, "baseline_window": 50}), context)
    out: list[ATRValues | None] = []
    risks: list[tuple[float, str, str]] = []
    for _ in ticks(bars, context):
        out.append(worker.on_tick(context))
        if "volatility_risk" in context.factors:
            risks.append(context.factors["volatility_risk"])
    frame = pd.DataFrame({k: [getattr(b, k) for b in bars] for k in ("high", "low", "close")})
    ref = ta.volatility.AverageTrueRange(frame.high, frame.low, frame.close, 14)
    last = out[-1]
    assert last is not None
    assert last.atr == pytest.approx(ref.average_true_range().iloc[-1], abs=1e-12)
    assert last.atr_pct == pytest.approx(last.atr / bars[-1].close)
    assert len(risks) == len(bars) - (14 - 1) - (50 - 1)
    assert all(p == "weakness" for _, p, _ in risks)
    assert configured(ATRVolatility, {}).volatility_risk(0.02, 0.01) == 1.0
    assert configured(ATRVolatility, {}).volatility_risk(0.015, 0.01) == pytest.approx(0.5)
    assert configured(ATRVolatility, {}).volatility_risk(0.005, 0.01) == 0.0
