"""The CSV fast path: the standard stc CSV (a ``time,open,high,low,close,volume``
header, commas, ISO timestamps) read, parsed and validated in one streaming pass.

This is where load time goes (issue 23): the loop in :func:`stream_csv` handles the
common case, a good bar with a ``YYYY-MM-DD HH:MM:SS`` timestamp, with the fewest
operations it can, and hands every other row to :func:`stc.runtime.data_rows.check_row`,
whose diagnostics (``file:line``) and order of checks all readers share. Memory is
constant: one line at a time, never more than ``MAX_LINE`` characters. Split from
:mod:`stc.runtime.data` (issue 24); compiled with mypyc.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, cast

from stc.runtime.data_rows import (
    MAX_LINE,
    TOO_LONG,
    UNCLOSED,
    checked_bar,
    column_index,
    good_bar,
    no_bars,
    reject,
    reject_marker,
)
from stc.runtime.data_time import parse_time
from stc.runtime.dtos.market import Bar
from stc.runtime.errors import BadBarError, DataError, SkippedBar


def open_standard(path: Path) -> tuple[IO[str], list[int]] | DataError:
    """``path`` opened after its header, with the columns' positions; or, when its
    first line is no standard header (empty, too long, other columns), the DataError
    saying why: the caller tries the other shapes before reporting it. Bytes that are
    not UTF-8 or a header past the csv module's field limit raise DataError."""
    handle = path.open(newline="", encoding="utf-8-sig")  # -sig: a BOM (Excel) is no header
    try:
        first = handle.readline(MAX_LINE)
        if not first:
            raise DataError(f"{path}: empty file")
        if len(first) == MAX_LINE and first[-1] not in "\r\n":
            raise DataError(f"{path}:1: a line of more than {MAX_LINE:,} characters")
        header = next(csv.reader((first,)), [])
        index = column_index([h.strip().lower() for h in header], f"{path}:1")
    except DataError as exc:  # not the standard header: the caller tries other shapes
        handle.close()
        return exc
    except UnicodeDecodeError as exc:
        handle.close()
        raise not_utf8(path, exc) from None
    except csv.Error as exc:  # a header field past csv's size limit (an unclosed quote)
        handle.close()
        raise DataError(f"{path}:1: not a CSV header ({exc})") from None
    except BaseException:
        handle.close()
        raise
    return handle, index


def split_rows(handle: IO[str], path: Path) -> Iterator[list[str]]:
    """The data rows after the header, as ``csv.reader`` would give them.

    A line without a quote character is exactly ``line.split(",")`` for the csv module
    (default dialect), and splitting is ~3× faster than its reader; a line with quotes
    goes through ``csv.reader`` alone (quoting, escaped quotes). A quote left open at
    the end of its line is ``UNCLOSED``, a bad row of that line: no field of a bar
    spans lines, and reading on would swallow the rest of the file into one field
    (csv's "field larger than field limit", without file or line). Blank lines give
    ``[]``, like the reader. Bytes that are not UTF-8 raise a DataError naming
    ``path`` and the line.
    """
    readline = handle.readline
    try:
        while line := readline(MAX_LINE):
            if len(line) == MAX_LINE and line[-1] not in "\r\n":
                while (rest := readline(MAX_LINE)) and rest[-1] not in "\r\n":
                    pass  # the rest of the line, a chunk at a time
                yield TOO_LONG
                continue
            if '"' in line:
                yield UNCLOSED if line.count('"') % 2 else next(csv.reader((line,)), [])
                continue
            text = line.rstrip("\r\n")
            yield text.split(",") if text else []
    except UnicodeDecodeError as exc:
        raise not_utf8(path, exc) from None


def not_utf8(path: Path, exc: UnicodeDecodeError) -> DataError:
    """The error for a CSV file with bytes that are not UTF-8 (binary data, another
    encoding). The decoder works in chunks, so it cannot say where; a second, binary
    pass finds the first bad line (UTF-8 never hides a newline byte in a character)."""
    line = 0
    with path.open("rb") as raw:
        for number, data in enumerate(raw, start=1):
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                line = number
                break
    where = f"{path}:{line}" if line else str(path)
    return DataError(
        f"{where}: not UTF-8 text ({exc.reason}); a CSV data file must be UTF-8 "
        "(re-save it as UTF-8 CSV, or give a .parquet file)"
    )


def count_lines(path: Path) -> int:
    """Number of data lines of a CSV file (for progress; a cheap byte scan)."""
    lines = 0
    last = b"\n"
    with open_bytes(path) as handle:
        while chunk := handle.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    if last != b"\n":
        lines += 1
    return max(lines - 1, 0)


def open_bytes(path: Path) -> IO[bytes]:
    """``path``'s bytes, gunzipped when it ends in ``.gz``."""
    if path.suffix.lower() == ".gz":
        return cast(IO[bytes], gzip.open(path, "rb"))  # a GzipFile reads like one
    return path.open("rb")


def stream_csv(
    handle: IO[str],
    reader: Iterator[list[str]],
    index: list[int],
    name: str,
    skipped: list[SkippedBar] | None,
    line_no: int = 1,
    previous: datetime | None = None,
) -> Iterator[Bar]:
    """The CSV hot loop: parse and validate each row in one pass.

    The common case (``YYYY-MM-DD HH:MM:SS`` timestamps, a good bar) takes a fast
    path; anything else goes through :func:`checked_bar`, which applies the checks
    in their documented order and raises the BadBarError naming the row (or, when
    skipping, records it and returns None).

    ``line_no`` is the line ``reader`` starts after and ``previous`` the time of the
    last good bar before it: a reader that took the file's first lines as columns
    (:mod:`stc.runtime.data_blocks`) hands the rest over as if this loop had read them.
    """
    ti, oi, hi, li, ci, vi = index
    width = max(index) + 1
    stamp: datetime
    from_iso = datetime.fromisoformat
    bar: Bar | None
    with handle:
        for row in reader:
            line_no += 1
            if not row:
                reject_marker(row, line_no, name, skipped)
                continue
            if len(row) < width:
                reject(BadBarError(name, line_no, "too few columns"), skipped)
                continue
            text = row[ti]
            try:
                if len(text) == 19 and text[10] in " T":
                    stamp = from_iso(text + "+00:00")
                else:
                    stamp = parse_time(text)
                o = float(row[oi])
                h = float(row[hi])
                lo = float(row[li])
                c = float(row[ci])
                v = float(row[vi])
            except (ValueError, OverflowError, OSError):  # also a bad timestamp's DataError
                pass
            else:
                if good_bar(stamp, previous, o, h, lo, c, v):
                    previous = stamp
                    yield Bar(stamp, o, h, lo, c, v)
                    continue
            bar = checked_bar(line_no, row, index, name, previous, skipped)
            if bar is not None:
                previous = bar.time
                yield bar
    if previous is None:
        raise no_bars(name, skipped)
