"""Plugin faults in every phase, in both engine modes (issue 23, item 4).

A fault aborts the rest of its tick's flow. The incremental engine then never calls
the handlers after the fault on that bar, so a batchable worker called later in that
flow misses the bar in its own incremental state; the fast engine's batch output was
computed over every bar. The fast engine therefore hands such a run to the
incremental engine (``stc.runtime.fast_fallback``); a fault after every batched call
(planning, the venue) cannot make the modes differ, and the fast run goes on.
Each case asserts the modes' results equal and which of the two happened.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from stc.runtime.api import run
from stc.runtime.fast_fallback import FALLBACK_NOTE
from tests.parity.cases import BLUEPRINTS, Walk, assert_modes_equal, compiled, write_walk
from tests.runtime.rt_helpers import PLUGIN_ROOTS as PARITY_PLUGINS
from tests.runtime.rt_helpers import add_worker, plugin_worker, subscribe

EMA_TREND = BLUEPRINTS / "ema_trend.yaml"
WALK = Walk(seed=7, bars=1500)
"""No gaps: bar ``i`` is at ``START + i`` hours."""
START = datetime(2023, 1, 2, tzinfo=UTC)


def _at(*indices: int) -> list[str]:
    return [(START + timedelta(hours=i)).isoformat() for i in indices]


def _swapped(plan: dict[str, Any], wid: str, folder: str, cls: str, **params: Any) -> None:
    """Worker ``wid`` of ``plan`` becomes test class ``cls`` (same wiring, batch plan)."""
    spec = next(w for w in plan["workers"] if w["id"] == wid)
    spec["plugin"] = cls
    spec["source"] = {"origin": "root", "module": "worker", "class": cls, "folder": folder}
    spec["params"] = {**spec["params"], **params}


def _both_modes(plan: dict[str, Any], tmp_path: Path) -> tuple[dict[str, Any], str]:
    """Assert the modes equal; (the metrics, the fast run's engine note)."""
    data = write_walk(tmp_path / "walk.csv", WALK)
    outputs = assert_modes_equal(plan, data, tmp_path / "runs", plugin_roots=PARITY_PLUGINS)
    fast = run(plan, data=data, out_dir=tmp_path / "again", engine="fast",
               plugin_roots=PARITY_PLUGINS, keep_history=False)  # fmt: skip
    return json.loads(outputs[0].metrics), fast.engine_note


def _signal_bar(tmp_path: Path) -> int:
    """The index of the bar of ema_trend's first entry signal on the walk (it runs in
    the fast engine: a signal is present there)."""
    data = write_walk(tmp_path / "walk.csv", WALK)
    result = run(compiled(EMA_TREND), data=data, out_dir=tmp_path / "plain")
    entry = result.trades[0].entry_time  # filled at the next bar's open
    return int((entry - START) / timedelta(hours=1)) - 1


def test_a_ledger_threat_fault_before_the_batched_workers_falls_back(tmp_path: Path) -> None:
    """A threat worker on LEDGER_UPDATE raising on every 3rd fill: the flow aborts
    before the context chain, so EMACrossDetector's own EMAs miss that bar in the
    incremental engine (its crosses move: this differed before the fallback)."""
    plan = compiled(EMA_TREND)
    add_worker(plan, plugin_worker("boom", "parity_boom_ledger_threat", "BoomLedgerThreat",
                                   "threat_worker", params={"every": 3}))  # fmt: skip
    subscribe(plan, "LEDGER_UPDATE", "boom", "on_ledger_update")
    metrics, note = _both_modes(plan, tmp_path)
    assert metrics["faults"] >= 2
    assert (
        note.startswith("a plugin fault at 2023-")
        and "in `boom` aborted its flow before batched worker `ema_detector` ran" in note
        and FALLBACK_NOTE in note
    )


@pytest.mark.parametrize(
    ("case", "bars"), [("first bar", (0,)), ("warm-up", (0, 30)), ("signal bar", None)]
)
def test_a_fault_in_a_batched_context_worker_falls_back(
    case: str, bars: tuple[int, ...] | None, tmp_path: Path
) -> None:
    """EMADetector raising (the context phase): EMACrossDetector's call is skipped."""
    plan = compiled(EMA_TREND)
    failing = bars if bars is not None else (_signal_bar(tmp_path),)
    _swapped(plan, "ema_detector", "parity_boom_batched", "BoomEMADetector", fail_at=_at(*failing))
    metrics, note = _both_modes(plan, tmp_path)
    assert metrics["faults"] >= 1
    assert "in `ema_detector` (a batched worker" in note and FALLBACK_NOTE in note


@pytest.mark.parametrize(
    ("case", "bars"),
    [("first bar", (0,)), ("warm-up", (20,)), ("last bar", (1499,)), ("trading", (400, 900))],
)
def test_a_fault_in_a_batched_opportunity_worker_falls_back(
    case: str, bars: tuple[int, ...], tmp_path: Path
) -> None:
    """EMACrossDetector raising (the opportunity phase) before its own EMAs update."""
    plan = compiled(EMA_TREND)
    _swapped(plan, "ema_cross_detector", "parity_boom_batched", "BoomEMACross", fail_at=_at(*bars))
    metrics, note = _both_modes(plan, tmp_path)
    assert metrics["faults"] == len(bars)
    assert "in `ema_cross_detector` (a batched worker" in note and FALLBACK_NOTE in note


@pytest.mark.parametrize(
    ("wid", "cls"), [("fixed_risk_sizer", "BoomSizer"), ("backtest_handler", "BoomHandler")]
)
def test_a_fault_after_the_batched_calls_keeps_the_fast_run(
    wid: str, cls: str, tmp_path: Path
) -> None:
    """The sizer (planning) or the venue's execution directive raising on every 2nd
    call: every batched call of the tick was made, nothing can differ, and the fast
    engine keeps skipping."""
    plan = compiled(EMA_TREND)
    _swapped(plan, wid, "parity_boom_planning", cls, every=2)
    metrics, note = _both_modes(plan, tmp_path)
    assert metrics["faults"] >= 3
    assert "bars skipped" in note and FALLBACK_NOTE not in note


def test_a_sweep_variant_falls_back_too(tmp_path: Path) -> None:
    """A sweep's variant runs the engine without a journal: the same hand-over."""
    from stc.runtime.sweep.task import VariantTask, run_variant

    plan = compiled(EMA_TREND)
    add_worker(plan, plugin_worker("boom", "parity_boom_ledger_threat", "BoomLedgerThreat",
                                   "threat_worker", params={"every": 3}))  # fmt: skip
    subscribe(plan, "LEDGER_UPDATE", "boom", "on_ledger_update")
    data = str(write_walk(tmp_path / "walk.csv", WALK))
    roots = tuple(str(r) for r in PARITY_PLUGINS)
    rows = [run_variant(VariantTask("v", plan, data, plugin_roots=roots, engine=mode,
                                    curve=True)) for mode in ("fast", "incremental")]  # fmt: skip
    assert rows[0].metrics["faults"] >= 2 and rows[0].trades_csv.count("\n") > 2
    assert rows[0] == rows[1]


def test_a_batched_context_worker_that_draws_an_id_is_refused(tmp_path: Path) -> None:
    """A draw the compiler could not see (a computed attribute name) in a batched
    context worker's handler: in the incremental engine each such call is a contract
    fault of its flow naming the worker and the fix, not a silent shift of every later
    id (the fast engine does not run that handler: docs/runtime.md, "Known limit")."""
    plan = compiled(EMA_TREND)
    _swapped(plan, "ema_detector", "parity_hidden_draw", "HiddenDrawEMA")
    data = write_walk(tmp_path / "walk.csv", Walk(seed=7, bars=200))
    result = run(plan, data=data, out_dir=tmp_path / "run", plugin_roots=PARITY_PLUGINS)
    assert len(result.faults) == 200 and result.faults[0].worker == "ema_detector"
    assert result.faults[0].error == (
        "PluginContractError: worker 'ema_detector' (new_id) drew an id (CTX) but runs in "
        "batch form: the fast engine skips the bars where nothing can happen and would "
        "not draw it there, shifting every later id; a batchable context worker draws no "
        "ids (draw them in a later phase, or remove `batch: true` from its manifest)"
    )
    assert not result.trades
    plan["workers"][0]["batch"] = None  # not batched: it may draw
    assert not run(plan, data=data, out_dir=tmp_path / "plain", plugin_roots=PARITY_PLUGINS).faults
