"""The run's progress line: its rate and ETA count bar time only (from the first
report on), so a slow start (data load, the fast engine's batch part) does not make the
first lines promise a run many times longer than it is."""

from __future__ import annotations

import io

import pytest

from stc.commands import run as run_command


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _progress(
    monkeypatch: pytest.MonkeyPatch, clock: _Clock
) -> tuple[run_command.Progress, io.StringIO]:
    monkeypatch.setattr(run_command.time, "perf_counter", clock)
    stream = io.StringIO()
    return run_command.Progress(stream), stream


def test_first_report_has_no_rate_and_later_ones_count_from_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = _Clock()
    progress, stream = _progress(monkeypatch, clock)
    clock.now += 19.0  # a slow start: 19 s before the first bar is reported
    progress(10_000, 1_000_000)
    clock.now += 5.0
    progress(510_000, 1_000_000)  # 500k bars in 5 s since the first report
    lines = stream.getvalue().splitlines()
    assert lines[0] == "progress: 10000/1000000 bars"
    assert lines[1] == "progress: 510000/1000000 bars, 100000 bars/s, ETA 5s"


def test_no_rate_until_bars_and_time_have_passed(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = _Clock()
    progress, stream = _progress(monkeypatch, clock)
    progress(0, 100)
    clock.now += 6.0
    progress(0, 100)  # the same state: not shown again
    progress(100, 100)  # the end is always shown
    assert stream.getvalue().splitlines() == [
        "progress: 0/100 bars",
        "progress: 100/100 bars, 17 bars/s, ETA 0s",
    ]


def test_tty_line_shows_the_bar_and_the_pace(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = _Clock()
    progress, stream = _progress(monkeypatch, clock)
    monkeypatch.setattr(progress, "tty", True)
    progress(0, 300)
    clock.now += 1.0
    progress(150, 300)
    text = stream.getvalue()
    assert text.startswith("\r[" + "." * 30 + "] 0/300 bars\r[")
    assert text.endswith("] 150/300 bars  0.1k bars/s  ETA 1s")
