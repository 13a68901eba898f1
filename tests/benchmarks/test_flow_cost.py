"""``benchmarks/flow_cost.py`` splits ema_trend's time into the per-tick path and the
flows; its census and its ablations must measure what their rows say. Small sizes:
behaviour, not speed."""

from __future__ import annotations

import sys
from types import ModuleType

import pytest
from pydantic import BaseModel


def test_the_census_counts_every_validated_dto_and_restores_pydantic(
    flow_cost: ModuleType,
) -> None:
    from stc.runtime.dtos import StrategyDirective
    from stc.runtime.dtos.plans import EntryPlan, ExecutionDirective

    before = BaseModel.__init__
    counts, samples = flow_cost.dto_census(3_000)
    assert BaseModel.__init__ is before
    _, trades = flow_cost.run_ema_engine(3_000)
    assert trades > 10
    assert counts[EntryPlan] == trades  # a plugin's: one validated per opened trade
    assert counts[ExecutionDirective] == 0  # the platform's: built trusted, not validated
    assert counts[StrategyDirective] >= 2 * trades - 1  # an open and a close a trade
    directive = StrategyDirective(**samples[StrategyDirective])  # the sample rebuilds it
    assert flow_cost.construction_us(StrategyDirective, samples[StrategyDirective]) > 0
    assert directive.directive_id == samples[StrategyDirective]["directive_id"]


def test_the_ablations_change_only_what_they_name(flow_cost: ModuleType) -> None:
    from stc.runtime import flow_recorder as runtime_recorder
    from stc.runtime.journal import Journal

    flush, to_json = Journal.flush, runtime_recorder.to_json
    with flow_cost.patched(Journal, "flush", flow_cost._drop_batches):
        assert Journal.flush is not flush
        trades = flow_cost.run_ema_engine(2_000)[1]
    with flow_cost.patched(runtime_recorder, "to_json", lambda value: ""):
        assert flow_cost.run_ema_engine(2_000)[1] == trades
    assert (Journal.flush, runtime_recorder.to_json) == (flush, to_json)
    assert flow_cost.run_ema_engine(2_000)[1] == trades


def test_the_report(
    flow_cost: ModuleType, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "argv", ["flow_cost.py", "--bars", "2000", "--repeat", "1"])
    flow_cost.main()
    out = capsys.readouterr().out
    parts = ("per-tick path", "**flows**", "SQLite writes", "JSON of the DTOs",
             "validated pydantic DTOs", "engine around the plugins",
             "bars with a position open", "| StrategyDirective |")  # fmt: skip
    for part in parts:
        assert part in out
    assert "150,000 bars/s leaves the flows" in out


def test_the_open_position_row_costs_the_bars_a_position_was_open(
    flow_cost: ModuleType,
) -> None:
    """The row's bar count is the run's exposed bars (ema_trend is in the market about
    half the time) and the cost is a number, not an error of the venue or ledger."""
    extra, exposed = flow_cost.open_position_cost(2_000, 1)
    assert 0 < exposed < 2_000
    assert isinstance(extra, float)
