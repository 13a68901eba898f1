"""Trigger-range analysis: exact gaps and overlaps with half-open semantics."""

from __future__ import annotations

from pathlib import Path

import pytest

from stc.compiler import compile_blueprint

HEAD = """blueprint_version: 1
name: t
symbol: EURUSD
timeframes: [1h]
workforce:
  opportunity_workers: [{plugin: EMACrossDetector}]
  strategy_planner: {plugin: AdaptiveMomentumPlanner}
  planning_workers:
    size: [{plugin: FixedRiskSizer}]
    exit: [{plugin: FixedRRExitPlanner}]
    routing: [{plugin: MarketOrderRouter}]
    entry:
"""


def _messages(tmp_path: Path, entries: list[str], code: str) -> list[str]:
    path = tmp_path / "bp.yaml"
    path.write_text(HEAD + "".join(f"      - {e}\n" for e in entries), encoding="utf-8")
    return [d.message for d in compile_blueprint(path).diagnostics if d.code == code]


def test_adjacent_ranges_neither_gap_nor_overlap(tmp_path: Path) -> None:
    entries = [
        "{plugin: AggressiveMarketEntryPlanner, triggers: {confidence: [0.7, 1.0]}}",
        "{plugin: PatientLimitEntryPlanner, triggers: {confidence: [0.3, 0.7]}}",
    ]
    assert _messages(tmp_path, entries, "STC040") == []
    assert _messages(tmp_path, entries, "STC041") == []


def test_interior_gap_is_printed_exactly(tmp_path: Path) -> None:
    entries = [
        "{plugin: AggressiveMarketEntryPlanner, triggers: {confidence: [0.8, 1.0]}}",
        "{plugin: PatientLimitEntryPlanner, triggers: {confidence: [0.3, 0.7]}}",
    ]
    assert _messages(tmp_path, entries, "STC040") == [
        "confidence in [0.7, 0.8) reaches no entry planner"
    ]


def test_two_dimensional_gap_from_the_seed_example(tmp_path: Path) -> None:
    entries = [
        "{plugin: AggressiveMarketEntryPlanner, triggers: {confidence: [0.8, 1.0], "
        "timing_preference: [0.8, 1.0]}}",
        "{plugin: PatientLimitEntryPlanner, triggers: {confidence: [0.3, 0.8]}}",
    ]
    assert _messages(tmp_path, entries, "STC040") == [
        "confidence in [0.8, 1] and timing_preference in [0, 0.8) reaches no entry planner"
    ]


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("[0.5, 0.9]", "[0.8, 1.0]", ["confidence in [0.8, 0.9)"]),
        ("[0.0, 1.0]", "[0.2, 0.4]", ["confidence in [0.2, 0.4)"]),
        ("[0.0, 0.5]", "[0.5, 1.0]", []),
    ],
)
def test_overlap_region(tmp_path: Path, first: str, second: str, expected: list[str]) -> None:
    entries = [
        f"{{plugin: AggressiveMarketEntryPlanner, triggers: {{confidence: {first}}}}}",
        f"{{plugin: PatientLimitEntryPlanner, triggers: {{confidence: {second}}}}}",
    ]
    found = _messages(tmp_path, entries, "STC041")
    assert [m.split(" both match ")[1] for m in found] == expected


def test_planner_without_triggers_overlaps_everything(tmp_path: Path) -> None:
    entries = [
        "{plugin: AggressiveMarketEntryPlanner}",
        "{plugin: PatientLimitEntryPlanner, triggers: {confidence: [0.3, 0.6]}}",
        "{plugin: LayeredEntryPlanner, triggers: {confidence: [0.6, 1.0]}}",
    ]
    assert len(_messages(tmp_path, entries, "STC041")) == 2
