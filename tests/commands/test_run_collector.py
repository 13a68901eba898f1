"""The collector set for a run (``stc.commands.run.run_collector``): frozen and with a
higher first threshold while the run executes, exactly as before afterwards, and left
alone when the caller switched it off or froze objects of its own."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from stc.commands import run as run_command
from stc.commands.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def collector() -> Iterator[None]:
    """A collector on, nothing frozen, the default thresholds; restored afterwards."""
    was_enabled, threshold = gc.isenabled(), gc.get_threshold()
    gc.unfreeze()
    gc.enable()
    gc.set_threshold(700, 10, 10)
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
        if not was_enabled:
            gc.disable()


@pytest.mark.usefixtures("collector")
def test_frozen_and_rarer_during_the_run_then_as_before() -> None:
    with run_command.run_collector():
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (run_command.RUN_GC_THRESHOLD, 10, 10)
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == (700, 10, 10)


@pytest.mark.usefixtures("collector")
def test_restored_when_the_run_raises() -> None:
    with pytest.raises(RuntimeError), run_command.run_collector():
        raise RuntimeError("a run failing half way")
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == (700, 10, 10)


@pytest.mark.usefixtures("collector")
def test_a_callers_frozen_objects_and_thresholds_are_left_alone() -> None:
    gc.set_threshold(50_000, 20, 20)  # already higher: kept as the caller set it
    gc.freeze()
    frozen = gc.get_freeze_count()
    with run_command.run_collector():
        assert gc.get_freeze_count() == frozen
        assert gc.get_threshold() == (50_000, 20, 20)
    assert gc.get_freeze_count() == frozen  # not unfrozen: those objects are the caller's


@pytest.mark.usefixtures("collector")
def test_a_disabled_collector_stays_off() -> None:
    gc.disable()
    with run_command.run_collector():
        assert not gc.isenabled()
        assert gc.get_freeze_count() == 0
    assert not gc.isenabled()


@pytest.mark.usefixtures("collector")
def test_stc_run_in_process_gives_the_collector_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[int, tuple[int, int, int]]] = []
    write_report = run_command._write_report

    def spy(*args: object, **kwargs: object) -> Path | None:
        seen.append((gc.get_freeze_count(), gc.get_threshold()))
        return write_report(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(run_command, "_write_report", spy)
    monkeypatch.chdir(ROOT)
    assert main(["run", "blueprints/ema_trend.yaml", "--quiet", "--out", str(tmp_path)]) == 0
    assert seen and seen[0][0] > 0  # the report ran with the run's collector
    assert seen[0][1][0] == run_command.RUN_GC_THRESHOLD
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == (700, 10, 10)
