"""The run's bar stream: a standard CSV read as column blocks, the row reader for the rest.

The default (incremental) engine takes one ``Bar`` at a time, and the row reader
(:func:`stc.runtime.data_csv.stream_csv`) built each from text at ~1.45 µs a row
(0.69M rows/s at 1M rows, issue 23), bound by its Python objects: a line, its split,
a ``datetime`` parse, five ``float``s. Here the file is parsed a block at a time by
the columnar reader (:func:`stc.runtime.data_csv_columns.csv_blocks`, numbers bit for
bit ``float()``'s, a block refused whole when anything in it is not plainly a good
bar), and each block's ``Bar`` objects are made from its columns
(:func:`stc.runtime.data_columns.bars_from_arrays`): the same bars, about 1.6× faster.

Nothing is guessed. At the first block the columns do not take (a bad row, a quote,
a blank line, another time format, bytes that are not ASCII), the row reader takes
over *at that block's first line*, with the time of the last bar before it: every
row from there is read, checked, skipped or refused with its ``file:line`` exactly
as the row reader alone would (in a block the columns took, every line is one row,
so the line number is the row count). The columns also apply the price-scale guard
(:func:`~stc.runtime.data_columns.good_columns`), so only the rows the row reader
reads pass through :func:`~stc.runtime.price_scale.within_price_scale`.

A ``tap`` (:class:`BarTap`) sees every bar once, as the stream passes it: a block of
columns at a time where the columns read it, a bar at a time where the rows did (the
report's price pass, :mod:`stc.runtime.report.spill`, so that it need not read the
file again).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any, Protocol

from stc.runtime.batch import BarArrays
from stc.runtime.data import OnBadBar, SkippedBar, iter_bars
from stc.runtime.data_columns import bars_from_arrays, good_columns, numpy_module
from stc.runtime.data_csv import not_utf8, open_standard, split_rows, stream_csv
from stc.runtime.data_csv_columns import csv_blocks
from stc.runtime.data_formats import CsvFormat
from stc.runtime.data_parquet import is_parquet
from stc.runtime.data_rows import MAX_LINE, skip_sink
from stc.runtime.dtos.market import Bar
from stc.runtime.price_scale import within_price_scale

BLOCK_BYTES = 1 << 19
"""Bytes parsed at a time (about 9k rows): the columnar reader's temporaries are some
14 bytes a byte, so half a megabyte keeps the stream's memory flat (the report's pass
chose the same size, docs/performance.md)."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class BarTap(Protocol):
    """What sees the run's bars as they stream (the report's price spill)."""

    def start(self, data: Path) -> None:
        """The bars of ``data`` follow."""

    def push_block(self, time: Any, o: Any, h: Any, low: Any, c: Any, v: Any) -> None:
        """The next bars as columns (time in epoch ns, prices float64)."""

    def push_bar(self, bar: Bar) -> None:
        """The next bar."""

    def finish(self) -> None:
        """Every bar of the file has passed."""


def run_bars(
    path: Path,
    on_bad_bar: OnBadBar,
    skipped: list[SkippedBar],
    name: str,
    fmt: CsvFormat | None,
    tap: BarTap | None = None,
) -> Iterator[Bar]:
    """The run's validated, price-scale-checked bars of ``path`` (``name`` in messages):
    a standard CSV through the column blocks and the row reader after them, any other
    file (another shape, gzip, Parquet) through :func:`stc.runtime.data.iter_bars`."""
    path = Path(path)
    np = numpy_module()
    other = np is None or fmt is not None or path.suffix.lower() == ".gz"
    standard = None if other or not path.is_file() or is_parquet(path) else open_standard(path)
    if not isinstance(standard, tuple):  # another shape, or an error: the row reader says
        rows = iter_bars(path, on_bad_bar, skipped, name, fmt)
        return _tapped(within_price_scale(rows, name), tap)
    handle, index = standard
    sink = skip_sink(on_bad_bar, skipped)
    return _blocks_then_rows(np, path, handle, index, name, sink, tap)


def _blocks_then_rows(
    np: Any,
    path: Path,
    handle: IO[str],
    index: list[int],
    name: str,
    skipped: list[SkippedBar] | None,
    tap: BarTap | None,
) -> Iterator[Bar]:
    """Column blocks while the columns take them, then the row reader from the first
    line they did not."""
    rows, last = 0, None
    try:
        for block in csv_blocks(path, np, BLOCK_BYTES):
            if block is None or not good_columns(block, np):
                break
            if last is not None and not block[0][0] > last:
                break
            if tap is not None:
                tap.push_block(*block)
            yield from bars_from_arrays(BarArrays("", *block), len(block[0]))
            rows, last = rows + len(block[0]), int(block[0][-1])
        else:
            if rows:
                handle.close()
                if tap is not None:
                    tap.finish()
                return
    except BaseException:
        handle.close()
        raise
    previous = None if last is None else _EPOCH + timedelta(microseconds=last // 1000)
    try:
        for _ in range(rows):  # the lines the columns read: one row each, all short
            handle.readline(MAX_LINE)
    except UnicodeDecodeError as exc:
        handle.close()
        raise not_utf8(path, exc) from None
    except BaseException:
        handle.close()
        raise
    rest = stream_csv(handle, split_rows(handle, path), index, name, skipped, rows + 1, previous)
    yield from _tapped(within_price_scale(rest, name), tap)


def _tapped(bars: Iterable[Bar], tap: BarTap | None) -> Iterator[Bar]:
    """``bars``, each shown to ``tap`` as it passes (no layer without a tap)."""
    return iter(bars) if tap is None else _through(bars, tap)


def _through(bars: Iterable[Bar], tap: BarTap) -> Iterator[Bar]:
    """``bars`` shown to ``tap`` one at a time; the tap is told when they end."""
    push = tap.push_bar
    for bar in bars:
        push(bar)
        yield bar
    tap.finish()
