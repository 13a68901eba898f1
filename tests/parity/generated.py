"""Hypothesis strategies for valid blueprints composed from the reference plugins.

Why a catalogue of slots rather than the compiler fuzzer's schema generator
(``tools/fuzz_inputs.py``): that one builds hostile documents, most of which must not
compile; parity needs strategies that compile *and act* on a short random walk, so
every plugin's params are drawn from ranges that let it fire within a few hundred
bars (the manifests allow periods of 500 and more). The composition still covers
every reference plugin but the DCA planner (it needs an operation's schedule, which
the reference operation covers) and the correlation monitor (its default windows are
longer than the walks), with one or two timeframes (the regime and the EMA cross may
run on the higher one), direct or SWOT planning, trailing
stops, threats on the ledger, and one or two entry planners split by confidence.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

Entry = dict[str, Any]

STRUCTURE = "MarketStructureDetector"
"""The context worker that FVGEntryDetector and StructureBasedExit need."""


def _entry(plugin: str, **params: Any) -> Entry:
    return {"plugin": plugin, "params": params} if params else {"plugin": plugin}


def _fraction(low: float, high: float) -> st.SearchStrategy[float]:
    """A float in [low, high] with few digits (readable in a failure's blueprint)."""
    return st.integers(int(low * 1000), int(high * 1000)).map(lambda n: n / 1000)


@st.composite
def context_workers(draw: st.DrawFn, higher: str | None) -> list[Entry]:
    chosen = draw(st.sets(st.sampled_from(["ema", "atr", "adx", "structure"]), max_size=3))
    found = []
    if "structure" in chosen:
        found.append(_entry(STRUCTURE, lookback=draw(st.integers(1, 5))))
    if "ema" in chosen:
        periods = draw(st.lists(st.integers(2, 60), min_size=1, max_size=3, unique=True))
        found.append(_entry("EMADetector", periods=sorted(periods)))
    if "atr" in chosen:
        found.append(_entry("ATRVolatility", period=draw(st.integers(1, 30)),
                            baseline_window=draw(st.integers(2, 120))))  # fmt: skip
    if "adx" in chosen:
        adx = _entry("ADXRegimeClassifier", period=draw(st.integers(2, 30)),
                     trend_threshold=draw(_fraction(5, 50)))  # fmt: skip
        if higher is not None and draw(st.booleans()):
            adx["timeframe"] = higher
        found.append(adx)
    return found


@st.composite
def opportunity_workers(draw: st.DrawFn, higher: str | None) -> list[Entry]:
    names = draw(st.sets(st.sampled_from(["cross", "spike", "divergence", "fvg"]),
                         min_size=1, max_size=2))  # fmt: skip
    found = []
    if "cross" in names:
        fast = draw(st.integers(1, 20))
        slow = fast + draw(st.integers(1, 40))
        cross = _entry("EMACrossDetector", fast=fast, slow=slow, long_only=draw(st.booleans()),
                       confidence=draw(_fraction(0.3, 1)))  # fmt: skip
        if higher is not None and draw(st.booleans()):
            cross["timeframe"] = higher  # a signal worker on the higher timeframe
        found.append(cross)
    if "spike" in names:
        found.append(_entry("VolumeSpikeRefiner", window=draw(st.integers(2, 40)),
                            z_threshold=draw(_fraction(0.5, 3))))  # fmt: skip
    if "divergence" in names:
        found.append(_entry("DivergenceScanner", rsi_period=draw(st.integers(2, 20)),
                            lookback=draw(st.integers(1, 5))))  # fmt: skip
    if "fvg" in names:
        found.append(_entry("FVGEntryDetector", max_bars_after_break=draw(st.integers(0, 10))))
    return found


@st.composite
def threat_workers(draw: st.DrawFn) -> list[Entry]:
    found = []
    if draw(st.booleans()):
        monitor = _entry("MaxDrawdownMonitor", max_drawdown=draw(_fraction(0.01, 0.3)))
        found.append({**monitor, "trigger": "LEDGER_UPDATE"})
    if draw(st.booleans()):
        found.append(_entry("LiquidityCrisisDetector", window=draw(st.integers(2, 60))))
    return found


@st.composite
def strategy_planners(draw: st.DrawFn) -> list[Entry]:
    """SWOT planning (maybe with a trailing stop), or none: direct planning."""
    if draw(st.integers(0, 3)) == 0:
        return []
    found = [_entry("AdaptiveMomentumPlanner", min_confidence=draw(_fraction(0, 0.5)),
                    stop_loss_tolerance=draw(_fraction(0.002, 0.05)),
                    risk_reward_ratio=draw(_fraction(0.5, 6)))]  # fmt: skip
    if draw(st.booleans()):
        trailing = _entry("TrailingStopPlanner", trail_pct=draw(_fraction(0.001, 0.05)))
        found.append({**trailing, "trigger": "POSITION_UPDATE"})
    return found


@st.composite
def entry_planners(draw: st.DrawFn) -> list[Entry]:
    options = [
        _entry("AggressiveMarketEntryPlanner"),
        _entry("PatientLimitEntryPlanner", offset_pct=draw(_fraction(0, 0.01))),
        _entry("LayeredEntryPlanner", n_layers=draw(st.integers(1, 4)),
               step_pct=draw(_fraction(0.001, 0.01))),
    ]  # fmt: skip
    chosen = draw(st.lists(st.sampled_from(options), min_size=1, max_size=2, unique_by=str))
    if len(chosen) == 1:
        return chosen
    split = draw(_fraction(0.2, 0.8))
    return [{**chosen[0], "triggers": {"confidence": [split, 1.0]}},
            {**chosen[1], "triggers": {"confidence": [0.0, split]}}]  # fmt: skip


@st.composite
def blueprints(draw: st.DrawFn) -> dict[str, Any]:
    """A valid blueprint document (it compiles without errors) on 1h ticks."""
    higher = draw(st.sampled_from([None, "4h"]))
    context = draw(context_workers(higher))
    opportunities = draw(opportunity_workers(higher))
    exit_planner = draw(st.sampled_from([
        _entry("FixedRRExitPlanner", risk_reward=draw(_fraction(0.5, 5))),
        _entry("AggressiveExitPlanner"), _entry("StructureBasedExit"),
    ]))  # fmt: skip
    needs_structure = exit_planner["plugin"] == "StructureBasedExit" or any(
        o["plugin"] == "FVGEntryDetector" for o in opportunities
    )
    if needs_structure and not any(c["plugin"] == STRUCTURE for c in context):
        context.insert(0, _entry(STRUCTURE))
    workforce: dict[str, Any] = {"context_workers": context, "opportunity_workers": opportunities}
    threats = draw(threat_workers())
    if threats:
        workforce["threat_workers"] = threats
    planners = draw(strategy_planners())
    if planners:
        workforce["strategy_planner"] = planners
    workforce["planning_workers"] = {
        "entry": draw(entry_planners()),
        "size": [draw(st.sampled_from([
            _entry("FixedRiskSizer"),
            _entry("AggressiveSizer", risk_pct=draw(_fraction(0.005, 0.05))),
            _entry("KellyCriterionSizer", min_trades=draw(st.integers(0, 10))),
        ]))],
        "exit": [exit_planner],
        "routing": [draw(st.sampled_from([
            _entry("MarketOrderRouter"),
            _entry("TWAPRouter", twap_slices=draw(st.integers(2, 5))),
            _entry("IcebergRouter"),
        ]))],
    }  # fmt: skip
    return {
        "blueprint_version": 1,
        "name": "generated",
        "symbol": "EURUSD",
        "timeframes": ["1h"] if higher is None else ["1h", higher],
        "workforce": workforce,
        "aggregation": {"method": draw(st.sampled_from(["weighted_average", "max"]))},
    }
