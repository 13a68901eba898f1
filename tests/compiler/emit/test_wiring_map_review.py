"""The wiring map made for review (issue 21): params the blueprint did not set are
listed in ``params_defaulted``, a three-line summary heads the file, short lists of
scalars are written on one line."""

from __future__ import annotations

from pathlib import Path

import yaml

from stc.compiler.api import compile_blueprint
from stc.runtime.plan import load_plan

REPO = Path(__file__).resolve().parents[3]


def test_params_are_marked_set_or_defaulted() -> None:
    result = compile_blueprint(REPO / "blueprints/ict_smc.yaml")
    data = yaml.safe_load(result.wiring_map)
    workers = {w["id"]: w for w in data["workers"]}
    structure = workers["market_structure_detector"]
    assert structure["params"] == {"decay_bars": 20, "lookback": 3}
    assert structure["params_defaulted"] == ["decay_bars"]  # lookback is in the blueprint
    assert workers["regime"]["params_defaulted"] == []  # both set: period, trend_threshold
    assert workers["aggressive_market_entry_planner"]["params_defaulted"] == []
    load_plan(data)


def test_header_summarises_the_strategy_for_a_reviewer() -> None:
    text = compile_blueprint(REPO / "blueprints/ict_smc.yaml").wiring_map
    header = text.splitlines()[:4]
    assert header[1] == "# ict_smc · swot mode · EURUSD (1h, 4h) · backtest"
    assert header[2].startswith("# 12 workers: context 3, opportunity 1, threat 1,")
    assert header[2].endswith("context chain: market_structure_detector → ema_detector → regime")
    assert header[3].startswith("# warm-up 200 bars (ema_detector) · 15 events · 9 of 35 params")


def test_short_lists_are_compact() -> None:
    text = compile_blueprint(REPO / "blueprints/ict_smc.yaml").wiring_map
    assert "\ntimeframes: [1h, 4h]\n" in text
    assert "  requires: [OHLCVWindow]\n" in text and "    periods: [20, 50, 200]\n" in text
