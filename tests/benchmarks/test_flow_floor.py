"""``benchmarks/flow_floor.py`` measures the floor of a round trip on the rows and DTOs a
real run produced, not on a model of them: the rows its SQLite floor inserts are the
journal's, its JSON is the journal's text, its replayed handlers return what they
returned in the run. Small sizes: behaviour, not speed (no timing is asserted beyond
"measured": positive)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from conftest import import_benchmark

REPO = Path(__file__).resolve().parents[2]
EMA = REPO / "blueprints" / "ema_trend.yaml"
ICT = REPO / "blueprints" / "ict_smc.yaml"


@pytest.fixture(scope="module")
def flow_floor() -> ModuleType:
    """benchmarks/flow_floor.py."""
    return import_benchmark("flow_floor")


@pytest.fixture(scope="module")
def ema(flow_floor: ModuleType) -> Any:
    """The floor of ema_trend on 3,000 bars, one repetition."""
    return flow_floor.measure(3_000, EMA, 1)


@pytest.fixture(scope="module")
def ict(flow_floor: ModuleType) -> Any:
    """The floor of ict_smc on 2,000 bars, one repetition."""
    return flow_floor.measure(2_000, ICT, 1)


def test_a_small_run_fills_the_table_with_positive_parts(flow_floor: ModuleType, ema: Any) -> None:
    assert ema.trades > 10
    parts = ema.parts
    assert len(parts) == 5 and all(us > 0 for us in parts.values())
    assert parts[flow_floor.FLOOR] == pytest.approx(sum(list(parts.values())[:4]))
    for rows in (ema.dto_sdk, ema.json, ema.plugins):
        assert rows and all(row[1] > 0 for row in rows)
    assert all(own < whole for _, own, whole in ema.plugins)  # their DTOs are in a
    assert all(row[2] > 0 for row in ema.dto_sdk)  # model_construct, each class
    assert all(us > 0 for us in ema.sqlite)
    assert ema.tick_us > 0 and ema.flows_us > 0 and ema.backtesting_rate > 0
    assert ema.pure_tick_us is not None and ema.pure_tick_us > 0
    # what a round trip builds: one trade's plans, its directive to open and to close
    names = {label.split(" ")[0] for label, _, _ in ema.dto_sdk}
    assert {"EntryPlan", "SizePlan", "ExitPlan", "RoutingPlan", "StrategyDirective",
            "ExecutionDirective", "Fill", "Trade"} <= names  # fmt: skip
    text = flow_floor.report(ema)
    for label in parts:
        assert label in text
    assert "a round trip's flows ≤ 150 µs" in text and "≥ 5× backtesting.py" in text


def test_the_sqlite_floor_inserts_exactly_the_journal_rows(
    flow_floor: ModuleType, ema: Any, tmp_path: Path
) -> None:
    from stc.runtime.engine import Engine
    from stc.runtime.journal import BATCH_FLOWS, Journal

    rows = ema.collected
    assert ema.rows_equal
    assert len(rows["dtos"]) >= 10 * ema.trades and len(rows["flows"]) >= 2 * ema.trades
    # the collected rows are what this (compiled) build's engine journals
    sink = Journal(tmp_path / "run.sqlite")
    bars = list(flow_floor.synthetic_bars(3_000))
    Engine(flow_floor.ema_plan(EMA), bars, journal=sink, engine="fast").run()
    sink.close()
    assert flow_floor.journal_rows(tmp_path / "run.sqlite") == rows
    # the floor's batches: BATCH_FLOWS flows each, all rows once, in order
    prepared = flow_floor.batches(rows, BATCH_FLOWS)
    assert all(len(batch[0]) <= BATCH_FLOWS for batch in prepared)
    assert [r for batch in prepared for r in batch[0]] == rows["flows"]
    for written in ("floor.sqlite", "bare.sqlite"):
        path = tmp_path / written
        if written == "floor.sqlite":
            batches_s, close_s = flow_floor.write_journal(path, prepared)
            assert batches_s > 0 and close_s >= 0
        else:
            assert flow_floor.write_bare(path, flow_floor.batches(rows, 1 << 62)) > 0
        assert flow_floor.journal_rows(path) == rows
    with sqlite3.connect(tmp_path / "floor.sqlite") as db:  # the journal's format and index
        assert db.execute("PRAGMA user_version").fetchone()[0] == 3
        assert db.execute("SELECT name FROM sqlite_master WHERE name = 'dtos_by_id'").fetchone()


def test_the_json_is_the_journals_text(flow_floor: ModuleType, ema: Any, ict: Any) -> None:
    for floor in (ema, ict):
        for kind in ("plain", "StrategyDirective", "ExecutionDirective"):
            equal, checked = floor.json_equal[kind]
            assert checked > 0 and equal == checked, (floor.blueprint, kind)
    assert any(label.startswith("ThreatSignal") for label, _ in ict.json)


def test_the_replayed_handlers_return_what_they_returned_in_the_run(ema: Any, ict: Any) -> None:
    for floor in (ema, ict):
        same, tried = floor.replay_fidelity
        assert tried > floor.trades and same == tried
    handlers = {row[0].split(" ")[0] for row in ict.plugins}
    assert "adaptive_momentum_planner.on_swot" in handlers
    assert "max_drawdown_monitor.on_ledger_update" in handlers
    assert ict.incremental_rate is not None and ict.incremental_rate > 0


def test_a_round_trips_share_leaves_the_per_tick_path_out(flow_floor: ModuleType) -> None:
    from collections import Counter

    seeded, rising = Counter({"x": 30, "y": 4}), Counter({"x": 10, "y": 9})
    assert flow_floor.share(seeded, rising, "x", 10) == 2.0
    assert flow_floor.share(seeded, rising, "y", 10) == 0.0  # never below none
    assert flow_floor.allowed(1_000_000, 0.75, 100) == pytest.approx(25.0)


def test_the_instruction_mode_counts_a_round_trips_worth(
    flow_floor: ModuleType, tmp_path: Path
) -> None:
    seeded = flow_floor.captured(2_000, EMA, False, tmp_path / "seeded.sqlite")
    rising = flow_floor.captured(2_000, EMA, True, tmp_path / "rising.sqlite")
    rows = flow_floor.journal_rows(tmp_path / "seeded.sqlite")
    data = {"seeded": vars(seeded), "rising": vars(rising), "rows": rows, "blueprint": str(EMA)}
    work = flow_floor.part_work(data)
    trips, per = seeded.trades, flow_floor.TRIPS
    assert work["none"] == []
    built = sum(seeded.built.values()) - sum(rising.built.values())
    assert len(work["a"]) == len(work["a0"]) == pytest.approx(built / trips * per, abs=25)
    assert len(work["b"]) == pytest.approx(
        (sum(seeded.journaled.values()) + seeded.notes) / trips * per, abs=25
    )
    assert len(work["d"]) == pytest.approx(sum(seeded.calls.values()) / trips * per, abs=10)
    assert 0 < len(work["dm"]) < len(work["a"])  # the handlers' own outputs, not the platform's
    for call, name in work["c"] + work["c0"]:  # the run's rows, whole, into each file
        call(tmp_path / name)
        assert flow_floor.journal_rows(tmp_path / name) == rows
