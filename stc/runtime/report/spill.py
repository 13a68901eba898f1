"""The run's bars kept for its report: the price pass without a second read of the data.

``stc run`` read its market data twice: once for the engine, once more for the
report's price pass (:func:`stc.runtime.report.columns.summarise_columns`, ~1 s of a
1M-bar run, half of it parsing the CSV again). The pass cannot run during the run:
the equity it draws marks the trades of ``trades.csv`` (their fees, their exit times,
their order in the pass's heap), which exist only once the run has ended. What it
needs of the bars is kept instead, as the run's stream passes them
(:class:`stc.runtime.data_blocks.BarTap`): a block of columns at a time where the
columns read the file, a bar at a time where the row reader did (gathered into blocks
of ``BLOCK_ROWS``), written as binary records to an anonymous temporary file (48 bytes
a bar; the operating system removes it however the process ends). The report then
runs the same :class:`~stc.runtime.report.columns.ColumnPass` over blocks read back
from it: the same bars, so the same bytes of ``report.html``.

Memory stays flat in the length of the data: a block at a time each way, the file
lives in the page cache, not in the process. The spill is used only when it holds
every bar of the very file the report would read (:meth:`PriceSpill.holds`: the same
resolved path, size and modification time, and the stream ran to its end); in every
other case the report reads the file as before.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from stc.runtime.dtos.market import Bar

BLOCK_ROWS = 16_384
"""Bars gathered before a write, and read back at a time."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_EXACT_MICROSECONDS = 1 << 53
"""Times the report's columns take (:mod:`stc.runtime.report.columns`): beyond, the
spill gives up rather than overflow epoch nanoseconds."""
_FIELDS = ("time", "open", "high", "low", "close", "volume")


class PriceSpill:
    """The bars of one data file, written as they stream and read back by the report."""

    def __init__(self, np: Any) -> None:
        self.np = np
        self.dtype = np.dtype([("time", "<i8")] + [(f, "<f8") for f in _FIELDS[1:]])
        self.source: tuple[str, int, int] | None = None
        self.complete = False
        self.rows = 0
        self._file: IO[bytes] | None = None
        self._pending: list[Bar] = []

    @classmethod
    def create(cls) -> PriceSpill | None:
        """A spill, or None without numpy (the report then reads the file)."""
        from stc.runtime.data_columns import numpy_module

        np = numpy_module()
        return None if np is None else cls(np)

    def start(self, data: Path) -> None:
        """Begin keeping the bars of ``data`` (anything kept before is dropped)."""
        self.discard()
        stat = data.stat()
        self.source = (str(data.resolve()), stat.st_size, stat.st_mtime_ns)
        self._file = tempfile.TemporaryFile(prefix="stc-prices-")  # noqa: SIM115 (kept open)

    def push_block(self, time: Any, o: Any, h: Any, low: Any, c: Any, v: Any) -> None:
        """The next bars as columns (time in epoch ns)."""
        if self._file is None:
            return
        self._flush()
        self._write((time, o, h, low, c, v))

    def push_bar(self, bar: Bar) -> None:
        """The next bar (kept until a block of them is written)."""
        if self._file is None:
            return
        self._pending.append(bar)
        if len(self._pending) >= BLOCK_ROWS:
            self._flush()

    def finish(self) -> None:
        """The stream ended: every bar of the file has been kept."""
        if self._file is None:
            return
        self._flush()
        self._file.flush()
        self.complete = True

    def holds(self, data: Path) -> bool:
        """Whether this spill holds every bar of ``data`` as it is now."""
        if not self.complete or self.source is None or self.rows == 0:
            return False
        try:
            stat = data.stat()
            here = (str(data.resolve()), stat.st_size, stat.st_mtime_ns)
        except OSError:
            return False
        return here == self.source

    def blocks(self) -> Iterator[tuple[Any, ...]]:
        """The kept bars as blocks of columns (time int64 ns, five float64 columns)."""
        assert self._file is not None and self.complete
        file, size = self._file, BLOCK_ROWS * self.dtype.itemsize
        file.seek(0)
        yield from self._decoded(iter(lambda: file.read(size), b""))

    def rereadable(self) -> bool:
        """Whether :meth:`columns` can read the kept bars (every bar kept, and reads at
        an offset, which leave the file's position alone, are available)."""
        return self._file is not None and self.complete and hasattr(os, "pread")

    def columns(self) -> Iterator[tuple[Any, ...]]:
        """The kept bars as blocks of columns, as :meth:`blocks` gives them, each read
        at its offset (``os.pread``): the fast engine's loop reads them while the
        spill stays the report's (:mod:`stc.runtime.tick_blocks`: no second parse of
        the CSV), and two readers never move each other's place."""
        assert self._file is not None and self.complete
        size, descriptor = BLOCK_ROWS * self.dtype.itemsize, self._file.fileno()
        offset = 0
        while data := os.pread(descriptor, size, offset):
            offset += len(data)
            yield from self._decoded((data,))

    def _decoded(self, chunks: Iterable[bytes]) -> Iterator[tuple[Any, ...]]:
        """Each chunk of kept records as a block of columns (time int64 ns, five float64
        columns)."""
        for data in chunks:
            records = self.np.frombuffer(data, dtype=self.dtype)
            yield tuple(self.np.ascontiguousarray(records[f]) for f in _FIELDS)

    def discard(self) -> None:
        """Drop what is kept (the temporary file goes with it)."""
        if self._file is not None:
            self._file.close()
        self._file, self.source, self.complete, self.rows = None, None, False, 0
        self._pending = []

    def _flush(self) -> None:
        """Write the bars kept one at a time as a block."""
        pending = self._pending
        if not pending:
            return
        self._pending = []
        micros = [(bar.time - _EPOCH) // _MICROSECOND for bar in pending]
        if max(map(abs, micros)) >= _EXACT_MICROSECONDS:  # no exact float, no int64 ns:
            self.discard()  # the report reads the file (and says why it cannot draw it)
            return
        np = self.np
        time = np.array(micros, dtype=np.int64) * 1000
        floats = (
            np.array([getattr(bar, f) for bar in pending], dtype=np.float64) for f in _FIELDS[1:]
        )
        self._write((time, *floats))

    def _write(self, columns: tuple[Any, ...]) -> None:
        """Append ``columns`` as records, ``BLOCK_ROWS`` at a time (whole columns — a
        Parquet file's, or a CSV the fast engine reads whole — would otherwise double
        their memory for a moment; a standard CSV comes a block at a time from either
        engine's read, ``data_blocks`` or ``tick_blocks``' first pass)."""
        assert self._file is not None
        count = len(columns[0])
        for start in range(0, count, BLOCK_ROWS):
            part = slice(start, start + BLOCK_ROWS)
            records = self.np.empty(len(columns[0][part]), dtype=self.dtype)
            for name, values in zip(_FIELDS, columns, strict=True):
                records[name] = values[part]
            self._file.write(records.tobytes())
        self.rows += count
