"""The fast engine's fall-back where skipping does not pay (session 16): the loop stops
asking the skipper on busy stretches (``skipping.Backoff``), and a run whose first
block carries signals on most bars goes to the incremental loop (``fast_loop.dense``).
Both engage on busy data, stay off on quiet data, and never change an output."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stc.compiler.api import compile_blueprint
from stc.runtime import fast_loop, skipping
from stc.runtime.api import fast_engine_note
from stc.runtime.data import load_bars
from stc.runtime.engine import Engine
from stc.runtime.skipping import BUSY_ASKS, HOLD_TICKS, MAX_HOLD, Backoff
from tests.conftest import BLUEPRINTS, REPO
from tests.runtime.test_fast_engine import _run as run_plan

EURUSD = REPO / "data" / "EURUSD_1h.csv"


def _run(name: str, mode: str, folder: Path, bars: int = 2500) -> tuple[dict[str, Any], Engine]:
    """``name``'s first ``bars`` EURUSD bars through ``test_fast_engine``'s run."""
    plan = compile_blueprint(BLUEPRINTS / name).plan
    return run_plan(plan, load_bars(EURUSD)[:bars], mode, folder)


def test_the_backoff_engages_on_busy_data_with_the_same_outputs(tmp_path: Path) -> None:
    """direct_planning keeps most of its bars busy (open trades, resting orders): the
    loop holds back its asks there, and writes what the incremental engine writes."""
    slow, _ = _run("direct_planning.yaml", "incremental", tmp_path / "incremental")
    fast, engine = _run("direct_planning.yaml", "fast", tmp_path / "fast")
    assert fast == slow
    assert slow["trades"].count("\n") > 10, "a run without trades proves nothing"
    backoff = engine.fast.backoff
    assert backoff.holds > 0
    assert backoff.held >= backoff.holds * HOLD_TICKS


@pytest.mark.parametrize("name", ["ema_trend.yaml", "managed_trend.yaml"])
def test_the_backoff_stays_off_on_quiet_data(name: str, tmp_path: Path) -> None:
    """ema_trend skips ~96 % of its bars; managed_trend's busy bars are answered without
    a search (its POSITION_UPDATE subscriber while a trade is open): no hold."""
    slow, _ = _run(name, "incremental", tmp_path / "incremental")
    fast, engine = _run(name, "fast", tmp_path / "fast")
    assert fast == slow
    assert engine.fast.backoff.holds == 0
    assert engine.fast.skipped_bars > 0.5 * 2500


def test_without_the_backoff_the_same_outputs_and_more_asks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hold only trades asks for ticks run: switched off, the files are the same."""
    held, held_engine = _run("direct_planning.yaml", "fast", tmp_path / "held")
    monkeypatch.setattr(skipping, "BUSY_ASKS", 10**9)
    asked, engine = _run("direct_planning.yaml", "fast", tmp_path / "asked")
    assert asked == held
    assert engine.fast.backoff.holds == 0
    assert engine.fast.skipped_bars >= held_engine.fast.skipped_bars


def test_the_backoff_rule() -> None:
    """Only searched busy answers count; a skip resets; a hold doubles while the
    answers stay busy, up to MAX_HOLD."""
    backoff = Backoff()
    for index in range(10 * BUSY_ASKS):  # answered by a bisection: never counted
        backoff.answered(index, index, searched=False)
    assert backoff.holds == 0
    for index in range(BUSY_ASKS - 1):
        backoff.answered(index, index, searched=True)
    backoff.answered(BUSY_ASKS - 1, BUSY_ASKS + 5, searched=True)  # a skip: reset
    assert backoff.busy == 0
    for index in range(100, 100 + BUSY_ASKS):
        backoff.answered(index, index, searched=True)
    assert (backoff.holds, backoff.until) == (1, 100 + BUSY_ASKS - 1 + HOLD_TICKS)
    holds = [HOLD_TICKS]
    index = backoff.until
    while holds[-1] < MAX_HOLD:
        backoff.answered(index, index, searched=True)  # busy right after the hold
        holds.append(backoff.until - index)
        index = backoff.until
    assert holds == [HOLD_TICKS * 2**k for k in range(len(holds))]
    backoff.answered(index, index, searched=True)
    assert backoff.until - index == MAX_HOLD
    backoff.answered(backoff.until, backoff.until + 3, searched=True)
    assert (backoff.busy, backoff.hold) == (0, HOLD_TICKS)


def test_dense_signals_run_the_incremental_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run whose first block carries signals on at least DENSE_SHARE of its ticks
    goes to the incremental loop before its first tick (ict_smc has signals on ~8 % of
    these bars: the share is lowered to make it dense); the files are the same and
    the engine note says why."""
    slow, _ = _run("ict_smc.yaml", "incremental", tmp_path / "incremental")
    fast, engine = _run("ict_smc.yaml", "fast", tmp_path / "fast")
    assert engine.fast.fell_back is None
    monkeypatch.setattr(fast_loop, "DENSE_SHARE", 0.05)
    dense, engine = _run("ict_smc.yaml", "fast", tmp_path / "dense")
    assert dense == fast == slow
    assert engine.fast.fell_back is not None
    assert engine.fast.skipped_bars == 0
    note = fast_engine_note(engine)
    assert note.startswith("every bar ran in the incremental loop: ")
    assert "of the first 2,500 bars carry a signal" in note
    assert engine.table.context_chain[0][0] == engine.workers["market_structure_detector"].on_tick


def test_dense_reads_the_first_block_only() -> None:
    """A block's busy list ends with the block's end itself when more ticks follow:
    that marker is not a signal."""
    assert fast_loop.dense([0, 1, 2, 3, 10], 10) is None  # 4 of 10 < 50 %
    assert fast_loop.dense([0, 1, 2, 3, 4, 10], 10) is not None  # 5 of 10
    assert fast_loop.dense([], 0) is None
