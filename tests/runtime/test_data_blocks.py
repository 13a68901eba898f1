"""The run's bar stream over column blocks gives what the row reader gives (issue 23):
the same bars (values, times, zones), the same skipped rows, the same error after the
same bars, wherever a row the columns do not take sits — on real data, seeded walks
and hypothesis-placed defects, with blocks of a few rows so that the row reader takes
over part way. And the tap sees every bar once, only when the stream ran to its end."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stc.runtime import data_blocks
from stc.runtime.data import DataError, SkippedBar, iter_bars
from stc.runtime.data_blocks import run_bars
from stc.runtime.dtos.market import Bar
from stc.runtime.price_scale import within_price_scale

REPO = Path(__file__).resolve().parents[2]
_START = datetime(2020, 1, 1, tzinfo=UTC)

DEFECTS = {
    "word": "{t},abc,1.2,1.0,1.1,5",
    "high_below_low": "{t},1.1,1.0,1.2,1.1,5",
    "blank": "",
    "quoted": '"{t}",1.1,1.2,1.0,1.1,5',
    "unclosed": '"{t},1.1,1.2,1.0,1.1,5',
    "repeat_time": "REPEAT",
    "tiny_price": "{t},1e-13,1e-13,1e-13,1e-13,5",
    "iso_z": "{tz},1.1,1.2,1.0,1.1,5",
    "epoch": "{epoch},1.1,1.2,1.0,1.1,5",
    "few_columns": "{t},1.1,1.2",
    "nan": "{t},nan,1.2,1.0,1.1,5",
    "spaces": "{t}, 1.1 ,1.2,1.0,1.1,5",
    "non_ascii": "{t},1.1,1.2,1.0,1.1,5 \u00e9",
    "exponent": "{t},1.1e0,1.2,1.0,1.1,5",
}


def _line(when: datetime, rng: random.Random) -> str:
    low = 1.0 + rng.random()
    high = low + rng.random() / 10
    o, c = (round(rng.uniform(low, high), rng.randint(1, 7)) for _ in range(2))
    o, c = min(max(o, low), high), min(max(c, low), high)
    return f"{when:%Y-%m-%d %H:%M:%S},{o!r},{high!r},{low!r},{c!r},{rng.randint(0, 999)}"


def _write(path: Path, rows: int, defects: dict[int, str], seed: int = 1, end: str = "\n") -> Path:
    """``rows`` hourly bars; the row at each key of ``defects`` replaced by that defect."""
    rng = random.Random(seed)
    lines = ["time,open,high,low,close,volume"]
    for i in range(rows):
        when = _START + timedelta(hours=i)
        kind = defects.get(i)
        if kind is None:
            lines.append(_line(when, rng))
        elif kind == "repeat_time":
            lines.append(_line(when - timedelta(hours=1), rng))
        else:
            lines.append(DEFECTS[kind].format(
                t=f"{when:%Y-%m-%d %H:%M:%S}", tz=f"{when:%Y-%m-%dT%H:%M:%S}Z",
                epoch=int(when.timestamp()),
            ))  # fmt: skip
    path.write_bytes((end.join(lines) + end).encode("utf-8"))
    return path


def _drain(stream: Any) -> tuple[list[tuple[Any, ...]], str]:
    """The bars a stream gives (as comparable tuples) and the error it ends with."""
    bars: list[tuple[Any, ...]] = []
    try:
        for bar in stream:
            bars.append((bar.time, repr(bar.time.tzinfo), *_values(bar)))
    except DataError as exc:
        return bars, f"{type(exc).__name__}: {exc}"
    return bars, ""


def _values(bar: Bar) -> tuple[float, ...]:
    return bar.open, bar.high, bar.low, bar.close, bar.volume


def _both(path: Path, mode: str) -> None:
    """run_bars against the row reader wrapped as the run wrapped it, bit for bit."""
    name = str(path)
    old_skipped: list[SkippedBar] = []
    new_skipped: list[SkippedBar] = []
    try:
        rows = within_price_scale(iter_bars(path, mode, old_skipped, name), name)  # type: ignore[arg-type]
    except DataError as exc:
        with pytest.raises(DataError) as caught:
            run_bars(path, mode, new_skipped, name, None)  # type: ignore[arg-type]
        assert str(caught.value) == str(exc)
        return
    expected = _drain(rows)
    got = _drain(run_bars(path, mode, new_skipped, name, None))  # type: ignore[arg-type]
    assert got == expected
    assert [repr(s) for s in new_skipped] == [repr(s) for s in old_skipped]


@pytest.mark.parametrize("name", ["EURUSD_1h.csv", "GOOG_1d.csv", "BTCUSD_1M.csv"])
def test_real_data_sets(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(data_blocks, "BLOCK_BYTES", 1 << 14)
    _both(REPO / "data" / name, "error")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    defects=st.dictionaries(st.integers(0, 599), st.sampled_from(sorted(DEFECTS)), max_size=3),
    mode=st.sampled_from(["error", "skip"]),
    block=st.sampled_from([600, 2048, 1 << 19]),
    end=st.sampled_from(["\n", "\r\n"]),
)
def test_defects_anywhere(
    defects: dict[int, str], mode: str, block: int, end: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """Whatever rows the columns refuse, wherever they sit: the same stream."""
    monkeypatch.setattr(data_blocks, "BLOCK_BYTES", block)
    path = _write(tmp_path / "bars.csv", 600, defects, end=end)
    _both(path, mode)


@pytest.mark.parametrize(
    "shape", ["no_final_newline", "trailing_blank", "header_only", "bom", "one_row"]
)
def test_file_shapes(shape: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(data_blocks, "BLOCK_BYTES", 700)
    path = _write(tmp_path / "bars.csv", 1 if shape == "one_row" else 300, {})
    text = path.read_bytes()
    if shape == "no_final_newline":
        path.write_bytes(text.rstrip(b"\n"))
    elif shape == "trailing_blank":
        path.write_bytes(text + b"\n")
    elif shape == "header_only":
        path.write_bytes(text.split(b"\n")[0] + b"\n")
    elif shape == "bom":
        path.write_bytes(b"\xef\xbb\xbf" + text)
    for mode in ("error", "skip"):
        _both(path, mode)


def test_bytes_that_are_not_utf8_late_in_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The row reader takes over and names the line, as it does alone."""
    monkeypatch.setattr(data_blocks, "BLOCK_BYTES", 700)
    path = _write(tmp_path / "bars.csv", 300, {})
    lines = path.read_bytes().split(b"\n")
    lines[250] = lines[250][:-1] + b"\xff"
    path.write_bytes(b"\n".join(lines))
    got = _drain(run_bars(path, "error", [], str(path), None))
    assert "not UTF-8" in got[1] and f"{path}:251" in got[1]


class Recorder:
    """A tap that keeps what it is shown."""

    def __init__(self) -> None:
        self.rows: list[tuple[Any, ...]] = []
        self.kinds: set[str] = set()
        self.finished = 0
        self.started: Path | None = None

    def start(self, data: Path) -> None:
        self.started = data

    def push_block(self, time: Any, o: Any, h: Any, low: Any, c: Any, v: Any) -> None:
        self.kinds.add("block")
        self.rows += zip(time.tolist(), *(a.tolist() for a in (o, h, low, c, v)), strict=True)

    def push_bar(self, bar: Bar) -> None:
        self.kinds.add("bar")
        micros = (bar.time - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
        self.rows.append((micros * 1000, *_values(bar)))

    def finish(self) -> None:
        self.finished += 1


@pytest.mark.parametrize(("defects", "kinds"), [
    ({}, {"block"}), ({500: "word"}, {"block", "bar"}), ({0: "quoted"}, {"bar"}),
])  # fmt: skip
def test_the_tap_sees_every_bar_once(
    defects: dict[int, str], kinds: set[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(data_blocks, "BLOCK_BYTES", 2048)
    path = _write(tmp_path / "bars.csv", 600, defects)
    tap = Recorder()
    bars = list(run_bars(path, "skip", [], str(path), None, tap))
    assert tap.finished == 1 and tap.kinds == kinds
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    expected = [((b.time - epoch) // timedelta(microseconds=1) * 1000, *_values(b)) for b in bars]
    assert tap.rows == expected


def test_the_tap_is_not_finished_by_a_stream_left_part_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error, or a consumer that stops: the tap never hears the end."""
    monkeypatch.setattr(data_blocks, "BLOCK_BYTES", 2048)
    broken = _write(tmp_path / "bad.csv", 600, {500: "word"})
    tap = Recorder()
    assert _drain(run_bars(broken, "error", [], str(broken), None, tap))[1]
    assert tap.finished == 0
    clean = _write(tmp_path / "good.csv", 600, {})
    tap = Recorder()
    stream = run_bars(clean, "error", [], str(clean), None, tap)
    for _ in range(10):
        next(stream)
    assert tap.finished == 0


def test_the_columns_read_a_clean_file_whole(tmp_path: Path) -> None:
    """No row reader for a clean file (what makes the stream cheaper)."""
    path = _write(tmp_path / "bars.csv", 3000, {})
    tap = Recorder()
    assert len(list(run_bars(path, "error", [], str(path), None, tap))) == 3000
    assert tap.kinds == {"block"}
    assert np.array([r[0] for r in tap.rows]).dtype == np.int64
