"""Issue 27: values checked for meaning — a stray quote, a date near the start of the
calendar, a starting capital outside its range — end in a message naming the cause."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from stc.runtime.data import DataError, SkippedBar, load_bars
from stc.runtime.plan import PlanError, load_plan
from tests.conftest import REPO

HEADER = "time,open,high,low,close,volume\n"


def _rows(n: int, year: int = 2020) -> list[str]:
    return [
        f"{year:04d}-01-0{1 + i // 24} {i % 24:02d}:00:00,1.1,1.2,1.0,1.15,10\n" for i in range(n)
    ]


def test_unclosed_quote_names_file_and_line(tmp_path: Path) -> None:
    """csv said "field larger than field limit (131072)" with no file or line."""
    rows = _rows(6)
    rows[2] = '"' + rows[2]
    path = tmp_path / "d.csv"
    path.write_text(HEADER + "".join(rows) + "x" * 200_000 + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=r'd\.csv:4: a quote \("\) that is never closed'):
        load_bars(path)
    skipped: list[SkippedBar] = []
    bars = load_bars(path, "skip", skipped)
    assert len(bars) == 5
    assert [(s.line, s.reason) for s in skipped] == [
        (4, 'a quote (") that is never closed'),
        (8, "too few columns"),
    ]


def test_quoted_fields_still_read(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text(HEADER + '"2020-01-01 00:00:00","1.1",1.2,1.0,1.15,"10"\n', encoding="utf-8")
    [bar] = load_bars(path)
    assert (bar.open, bar.volume) == (1.1, 10.0)


def test_a_huge_quoted_header_is_a_data_error(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text('"time' + "x" * 200_000 + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"d\.csv:1: not a CSV header"):
        load_bars(path)


def test_year_one_is_a_bad_bar(tmp_path: Path) -> None:
    """A weekly period of 0001-01-01 starts before the calendar: a nameless OverflowError."""
    path = tmp_path / "d.csv"
    path.write_text(HEADER + "".join(_rows(3, year=1) + _rows(3, year=2)).replace(
        "0002-01-01", "0002-01-02"), encoding="utf-8")  # fmt: skip
    with pytest.raises(
        DataError, match=r"d\.csv:2: timestamp 0001-01-01T00:00:00\+00:00 is before"
    ):
        load_bars(path)
    skipped: list[SkippedBar] = []
    assert len(load_bars(path, "skip", skipped)) == 3 and [s.line for s in skipped] == [2, 3, 4]


def test_a_line_without_end_is_bounded(tmp_path: Path) -> None:
    """A data file without a newline was read whole (1 GB for 500 MB) before its error."""
    from stc.runtime.data import MAX_LINE

    path = tmp_path / "d.csv"
    rows = _rows(4)
    path.write_text(HEADER + rows[0] + "9" * (3 * MAX_LINE) + "\n" + "".join(rows[1:]),
                    encoding="utf-8")  # fmt: skip
    with pytest.raises(DataError, match=r"d\.csv:3: a line of more than 1,048,576 characters"):
        load_bars(path)
    skipped: list[SkippedBar] = []
    assert len(load_bars(path, "skip", skipped)) == 4 and [s.line for s in skipped] == [3]
    path.write_text("x" * (2 * MAX_LINE), encoding="utf-8")
    with pytest.raises(DataError, match=r"d\.csv:1: a line of more than"):
        load_bars(path)


@pytest.mark.parametrize("capital", [math.inf, -math.inf, math.nan, 1e-300, 0.5, 0, 1e13, "x"])
def test_starting_capital_out_of_range_is_refused(capital: object, tmp_path: Path) -> None:
    from stc.commands.cli import main

    out = tmp_path / "c"
    assert main(["compile", str(REPO / "blueprints" / "ema_trend.yaml"), "-o", str(out)]) == 0
    import yaml

    raw = yaml.safe_load((out / "wiring_map.yaml").read_text(encoding="utf-8"))
    raw["starting_capital"] = capital
    with pytest.raises(PlanError, match="starting_capital"):
        load_plan(raw)
    raw["starting_capital"] = 1e12
    assert load_plan(raw).starting_capital == 1e12
