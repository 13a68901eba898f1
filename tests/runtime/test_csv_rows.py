"""The CSV fast path (stc.runtime.data_csv.split_rows) must read exactly what csv.reader reads.

Plain lines are split on commas; a line with quotes goes through the csv module alone.
Hypothesis writes files mixing both, with CRLF/LF endings, blank lines and quoted
fields holding commas and escaped quotes. A quoted field holding a line break is a bad
row of the line its quote opens on (issue 27: no field of a bar spans lines, and
reading on swallowed the rest of the file into one field).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from stc.runtime.data import load_bars
from stc.runtime.data_csv import split_rows as _split_rows

_PLAIN = st.text(alphabet="0123456789.-: abcT", max_size=8)
_QUOTED = st.text(alphabet='0123456789," ab', max_size=8).map(
    lambda text: '"' + text.replace('"', '""') + '"'
)
_FIELD = st.one_of(_PLAIN, _PLAIN, _QUOTED)
_ROW = st.lists(_FIELD, min_size=0, max_size=7).map(",".join)


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(_ROW, max_size=12), ending=st.sampled_from(["\n", "\r\n", "\r"]))
def test_split_rows_equal_the_csv_module(rows: list[str], ending: str) -> None:
    text = "time,open,high,low,close,volume" + ending + ending.join(rows) + ending
    expected = list(csv.reader(io.StringIO(text, newline="")))[1:]
    handle = io.StringIO(text, newline="")
    next(csv.reader(handle))  # the header, as iter_bars reads it
    assert list(_split_rows(handle, Path("bars.csv"))) == expected


def test_a_quoted_row_in_the_middle_is_read_like_csv(tmp_path: Path) -> None:
    data = tmp_path / "bars.csv"
    data.write_text(
        "time,open,high,low,close,volume\r\n"
        "2020-01-01 00:00:00,1.0,1.2,0.9,1.1,10\r\n"
        "\r\n"
        '"2020-01-01 01:00:00","1.1",1.3,1.0,"1.2",11\r\n'
        "2020-01-01 02:00:00,1.2,1.4,1.1,1.3,12\r\n",
        encoding="utf-8",
    )
    bars = load_bars(data)
    assert [b.close for b in bars] == [1.1, 1.2, 1.3]
    assert [b.time.hour for b in bars] == [0, 1, 2]


def test_a_quoted_line_break_is_a_bad_row(tmp_path: Path) -> None:
    from stc.runtime.data import UNCLOSED

    handle = io.StringIO('a,"b\nc",d\n1,2,3\n', newline="")
    rows = list(_split_rows(handle, Path("bars.csv")))
    assert rows == [[], [], ["1", "2", "3"]] and rows[0] is UNCLOSED and rows[1] is UNCLOSED
