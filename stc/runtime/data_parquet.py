"""Parquet market data, streamed: record batches of the six columns a bar needs,
never the whole table (issue 27 item 3).

``pyarrow.parquet.read_table`` loaded every row, then a Python list per column and a
string per cell: 1.1 GB for a million rows. :func:`parquet_rows` reads the file in
batches of ``BATCH_ROWS`` rows through ``ParquetFile.iter_batches`` (which decodes one
row group's column chunks at a time), so memory is bounded by the file's row-group
size and the batch, not by its number of rows. The rows leave as ``(row, [time,
open, high, low, close, volume])`` with the row counted from 1, typed as pyarrow gives
them (no text round trip: the old reader formatted every cell as text and parsed it
back), and a row that is not a good bar is checked as text with the same checks and
diagnostics as a CSV row (``file:row`` instead of ``file:line``).

pyarrow is an optional dependency (the ``parquet`` extra), looked up on every call.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from stc.runtime.data_rows import checked_bar, column_index, good_bar, no_bars
from stc.runtime.data_time import parse_time
from stc.runtime.dtos.market import Bar
from stc.runtime.errors import DataError, SkippedBar

BATCH_ROWS = 65_536
"""Rows per record batch: big enough that pyarrow's per-batch cost vanishes, small
enough that a batch as Python objects stays a few MB."""

SUFFIXES = (".parquet", ".pq")


def is_parquet(path: Path) -> bool:
    """Whether ``path`` names a Parquet file (by its suffix, as the docs say)."""
    return path.suffix.lower() in SUFFIXES


def parquet_bars(path: Path, name: str, skipped: list[SkippedBar] | None) -> Iterator[Bar]:
    """The validated bars of the Parquet file ``path``, streamed (see the module)."""
    rows = parquet_rows(path)
    first = next(rows, None)  # opens the file now: a file-level error precedes any bar
    return stream_values(_chain(first, rows), name, skipped)


def _chain(
    first: tuple[int, list[object]] | None, rest: Iterator[tuple[int, list[object]]]
) -> Iterator[tuple[int, list[object]]]:
    if first is not None:
        yield first
        yield from rest


def parquet_rows(path: Path) -> Iterator[tuple[int, list[object]]]:
    """``(row, [time, open, high, low, close, volume])`` as pyarrow gives the values
    (datetime, str, int, float or None), batch by batch."""
    reader = _open(path)
    names = [str(n) for n in reader.schema_arrow.names]
    index = column_index([n.lower() for n in names], str(path))
    wanted = sorted(set(index))
    position = [wanted.index(i) for i in index]  # column of each field in a batch
    row = 0
    batches = reader.iter_batches(batch_size=BATCH_ROWS, columns=[names[i] for i in wanted])
    while True:
        try:
            batch = next(batches, None)
        except Exception as exc:  # a corrupt page or row group after good ones
            raise DataError(f"{path}: not a readable Parquet file after row {row} ({exc})") from exc
        if batch is None:
            return
        columns = [batch.column(p).to_pylist() for p in position]
        for values in zip(*columns, strict=True):
            row += 1
            yield row, list(values)


def stream_values(
    rows: Iterator[tuple[int, list[object]]], name: str, skipped: list[SkippedBar] | None
) -> Iterator[Bar]:
    """Typed rows to bars: a good row with a ``datetime`` (or ISO text) and numbers
    takes the fast path; any other row is checked as text by
    :func:`stc.runtime.data_rows.check_row`, so its diagnostic is the one the same
    values would get in a CSV (the row number for the line)."""
    previous: datetime | None = None
    index = (0, 1, 2, 3, 4, 5)
    bar: Bar | None
    for row_no, values in rows:
        try:
            stamp = _stamp(values[0])
            o, h, lo = _number(values[1]), _number(values[2]), _number(values[3])
            c, v = _number(values[4]), _number(values[5])
        except (ValueError, TypeError, OverflowError):
            stamp = None
        if stamp is not None and good_bar(stamp, previous, o, h, lo, c, v):
            previous = stamp
            yield Bar(stamp, o, h, lo, c, v)
            continue
        bar = checked_bar(row_no, [str(x) for x in values], index, name, previous, skipped)
        if bar is not None:
            previous = bar.time
            yield bar
    if previous is None:
        raise no_bars(name, skipped)


def _stamp(value: object) -> datetime | None:
    """A plain ``datetime`` (naive = UTC) or ISO text as an aware UTC datetime; None
    for anything else (an epoch number, a pandas Timestamp: the checked path)."""
    if type(value) is datetime:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if type(value) is str:
        return parse_time(value)
    return None


def _number(value: object) -> float:
    """A price or volume: an int or float as is (TypeError otherwise: the checked path)."""
    if type(value) is float or type(value) is int:
        return float(value)
    raise TypeError(value)


def parquet_row_count(path: Path) -> int:
    """Rows of a Parquet file, from its metadata (nothing is read or validated)."""
    return int(_open(path).metadata.num_rows)


def _open(path: Path) -> Any:
    """``pyarrow.parquet.ParquetFile(path)``; DataError when it is no Parquet file."""
    parquet = _pyarrow_parquet(path)
    try:
        return parquet.ParquetFile(path)
    except Exception as exc:  # pyarrow's ArrowInvalid / OSError: not (valid) Parquet
        raise DataError(f"{path}: not a readable Parquet file ({exc})") from exc


def _pyarrow_parquet(path: Path) -> Any:
    """``pyarrow.parquet`` (an optional dependency), looked up in ``sys.modules`` on
    every call: a compiled ``import`` statement caches the module object it saw first,
    which breaks once that module is replaced or removed (a test's stand-in)."""
    try:
        return importlib.import_module("pyarrow.parquet")
    except ImportError as exc:
        raise DataError(
            f"{path}: reading Parquet needs pyarrow: pip install 's1mpletrader[parquet]' "
            "(or pip install pyarrow)"
        ) from exc
