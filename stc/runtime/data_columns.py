"""Columnar loading (issue 23): a whole data file parsed into numpy columns at once.

The row readers (:mod:`stc.runtime.data_csv`, :mod:`stc.runtime.data_parquet`) build
a ``Bar`` per row and are bounded by Python objects (~10k instructions a row). This
module reads the same files into a :class:`stc.runtime.batch.BarArrays` with
vectorised numpy, and promises **exactly the values the row reader gives**, or
nothing:

- :func:`read_bar_arrays` returns None whenever the file is not one the fast path
  handles (another CSV shape, gzip, quotes, blank lines, CR-only line ends, non-ASCII
  bytes, a time format it does not parse) or when *any* row would not be a good bar
  (the checks of :func:`stc.runtime.data_rows.good_bar`, strictly increasing times,
  the price-scale guard of :mod:`stc.runtime.precision`). The caller then runs the row
  reader, which explains the bad row with its ``file:line``: the fast path never
  guesses and never reports.
- CSV (:mod:`stc.runtime.data_csv_columns`): numbers bit for bit what ``float(text)``
  gives (an exact fast path for plain decimals, ``float()`` itself for any other
  text); timestamps ``YYYY-MM-DD`` and ``YYYY-MM-DD[ T]HH:MM:SS`` with an optional
  ``Z`` or ``±HH:MM``, years 1678 to 2261 (epoch nanoseconds fit int64), each field
  range-checked (a 31st of April is left to the row reader, which refuses it): the
  subset of :func:`stc.runtime.data_time.parse_time` most files use. Read in blocks,
  so the temporaries are bounded; the result is 48 bytes a row.
- Parquet (:func:`parquet_columns`): the six columns straight from the column chunks
  when their types are those the row reader takes as they are (timestamps of any unit
  and zone, floats, integers).

numpy is looked up at call time: without it every call returns None (the row reader
runs), so the module costs nothing to import.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import repeat
from pathlib import Path
from typing import Any

from stc.runtime.batch import BarArrays
from stc.runtime.data_csv_columns import BarColumns, csv_columns
from stc.runtime.data_formats import CsvFormat
from stc.runtime.data_parquet import is_parquet
from stc.runtime.data_rows import column_index
from stc.runtime.dtos.market import Bar
from stc.runtime.precision import MAX_PRICE, MIN_PRICE


def numpy_module() -> Any | None:
    """numpy, or None when it is not installed (the row reader then runs)."""
    try:
        return importlib.import_module("numpy")
    except ImportError:
        return None


def read_bar_arrays(
    path: Path, fmt: CsvFormat | None = None, timeframe: str = ""
) -> BarArrays | None:
    """The bars of ``path`` as columns, exactly as the row reader would give them; None
    when the fast path does not handle the file or any of its rows is not a good bar
    (see the module docstring). ``timeframe`` labels the result."""
    path = Path(path)
    np = numpy_module()
    if np is None or not path.is_file():
        return None
    if is_parquet(path):
        columns = parquet_columns(path, np)
    elif fmt is not None or path.suffix.lower() == ".gz":
        return None
    else:
        columns = csv_columns(path, np)
    if columns is None or not good_columns(columns, np):
        return None
    return BarArrays(timeframe, *columns)


def good_columns(columns: BarColumns, np: Any) -> bool:
    """Whether every row is a good bar (the vectorised :func:`good_bar`, the strictly
    increasing times and the price-scale guard): NaN fails every comparison, as there."""
    time, o, h, lo, c, v = columns
    if len(time) == 0:
        return False
    with np.errstate(invalid="ignore"):
        good = (
            (lo > 0.0) & (lo <= o) & (o <= h) & (h < np.inf) & (lo <= c) & (c <= h)
            & (v >= 0.0) & (v < np.inf) & (lo >= MIN_PRICE) & (h <= MAX_PRICE)
        )  # fmt: skip
    return bool(good.all()) and bool((time[1:] > time[:-1]).all())


_ARROW_UNITS = {"s": 1_000_000_000, "ms": 1_000_000, "us": 1_000, "ns": 1}


def parquet_columns(path: Path, np: Any) -> BarColumns | None:
    """The six columns of a Parquet file, read straight from its column chunks; None
    without pyarrow, for an unreadable file, or for a column type whose values the row
    reader would not take as they are (strings, dates, decimals, nulls, booleans,
    float16, times below the microsecond): the row reader then reads it."""
    try:
        parquet = importlib.import_module("pyarrow.parquet")
        arrow = importlib.import_module("pyarrow")
        reader = parquet.ParquetFile(path)
        names = [str(n) for n in reader.schema_arrow.names]
        index = column_index([n.lower() for n in names], "")
        table = reader.read(columns=sorted({names[i] for i in index}))
    except Exception:  # no pyarrow, not Parquet, not the columns: the row reader says why
        return None
    columns = [table.column(names[i]) for i in index]
    if any(column.null_count for column in columns):
        return None
    time = _arrow_times(columns[0], arrow, np)
    values = [_arrow_numbers(column, arrow, np) for column in columns[1:]]
    if time is None or any(v is None for v in values):
        return None
    return time, values[0], values[1], values[2], values[3], values[4]


def _arrow_times(column: Any, arrow: Any, np: Any) -> Any | None:
    """A timestamp column as UTC epoch nanoseconds (arrow keeps UTC instants whatever
    the column's zone; a naive one is UTC for the row reader too)."""
    kind = column.type
    if not arrow.types.is_timestamp(kind):
        return None
    raw = column.cast(arrow.int64()).to_numpy().astype(np.int64)
    scale = _ARROW_UNITS[kind.unit]
    limit = np.iinfo(np.int64).max // scale
    if bool((np.abs(raw) > limit).any()):
        return None
    stamps = raw * scale
    if bool((stamps % 1000 != 0).any()):
        return None  # below the microsecond: a datetime cannot hold it
    return stamps


def _arrow_numbers(column: Any, arrow: Any, np: Any) -> Any | None:
    """A float32/float64/integer column as float64 (what ``float()`` of each value gives)."""
    kind = column.type
    floating = arrow.types.is_float32(kind) or arrow.types.is_float64(kind)
    if not floating and not arrow.types.is_integer(kind):
        return None
    return column.to_numpy().astype(np.float64)


def bars_from_arrays(arrays: BarArrays, chunk: int = 65_536) -> Iterator[Bar]:
    """``arrays`` as ``Bar`` objects (aware UTC times), ``chunk`` rows converted at a
    time: what an engine that takes only Bars is fed until it reads the columns.

    Whole seconds (every CSV the fast path reads) become datetimes through
    ``datetime.fromtimestamp`` of an int, exact and the cheapest aware constructor;
    times with microseconds through numpy's datetime64 and ``replace``."""
    np = numpy_module()
    assert np is not None  # arrays exist only where numpy does
    for start in range(0, len(arrays), chunk):
        part = slice(start, start + chunk)
        stamps = arrays.time[part]
        seconds, rest = np.divmod(stamps, 1_000_000_000)
        if bool(rest.any()):
            naive = (stamps // 1000).astype("datetime64[us]").tolist()
            times: Iterator[datetime] = (when.replace(tzinfo=UTC) for when in naive)
        else:
            times = map(datetime.fromtimestamp, seconds.tolist(), repeat(UTC))
        yield from map(
            Bar, times, arrays.open[part].tolist(), arrays.high[part].tolist(),
            arrays.low[part].tolist(), arrays.close[part].tolist(),
            arrays.volume[part].tolist(),
        )  # fmt: skip
