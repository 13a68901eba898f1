"""The batch form of a bar-only worker (issue 23, item 1): the SDK contract.

A context or opportunity worker whose outputs depend only on the closed bars of its
timeframe (and on the outputs of other such workers) may offer, besides its per-tick
handler, a **batch form**: one call that computes what the handler would produce on
every bar of a whole array of closed bars. An engine that knows the bars ahead (a
backtest) can then compute the worker once, vectorised, and on each tick only read
the precomputed value — or skip the ticks where nothing can fire.

The contract (docs/runtime.md, "Batch forms"):

* The manifest says ``batch: true`` and the class defines both methods of
  :class:`BatchForm`: ``batch(bars, upstream)`` and ``result_at(output, index,
  context)``. The compiler (``stc.compiler.batchable``) marks such a worker batchable
  when, in addition, its inputs are bars and batchable workers' outputs only.
* ``bars`` (:class:`BarArrays`) are the *closed* bars of the worker's timeframe T,
  oldest first, exactly the bars the engine would call the handler for, one call
  each (docs/runtime.md, "Multiple timeframes": a worker on T sees closed bars of T).
* ``batch`` returns a :class:`BatchOutput` of the same length: ``present[i]`` is True
  exactly where the handler, called for bar ``i`` after bars ``0..i-1``, returns a
  result (a DTO for a context worker, a signal for an opportunity worker);
  ``columns`` hold the numbers that result is made of (NaN where there is none);
  ``factors[name][i]`` is the value the handler scores for ``name`` on bar ``i`` (NaN
  where it scores nothing, e.g. during warm-up).
* ``result_at(output, i, context)`` builds the result the handler would have
  returned for bar ``i`` (or None): equal to it field for field. It may call
  ``new_id`` (signals are stamped with the tick, as the handler's are); it does not
  score factors (those come from ``output.factors``). It is only ever called for
  bars where ``present`` is True, in order — on all of them, warm-up included, and at
  the handler's place in the tick: signal ids come from one run-scoped counter that
  every worker shares, so skipping or reordering a call would shift later ids.
* A batch form is pure: it reads ``self.params`` (as ``setup`` left them), never the
  handler's incremental state, and leaves that state untouched, so a worker can run
  in either form, or both.
* Outputs are aligned to T's closes. On the ticks between two closes of T, the engine
  replays the last output, exactly as for the handler (``stc.runtime.frames``);
  :func:`held_index` maps each tick to the bar of T whose output it sees.
* Parity is the contract: for every bar the batch form's result and factors are
  *equal* (bit for bit, not approximately) to the handler's. The reference plugins
  get there by computing recursions and running sums with the same float operations
  in the same order (tight loops in ``stc.runtime.indicators``) and vectorising only
  element-wise arithmetic and comparisons, which numpy evaluates with the same IEEE
  operations as Python. Their tests (``tests/plugins/test_batch_parity.py``) compare
  the two forms bar for bar on real data and generated series.

numpy is imported only when a batch form runs: importing this module for its types
(the compiler does) costs nothing.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from stc.runtime.dtos.market import Bar, TradingContext

    FloatArray = NDArray[np.float64]
    BoolArray = NDArray[np.bool_]
    IntArray = NDArray[np.int64]

BATCH_METHODS: tuple[str, ...] = ("batch", "result_at")
"""The methods a class defines to offer a batch form."""


@dataclass(frozen=True)
class BarArrays:
    """The closed bars of one timeframe as columns (float64; ``time`` in epoch ns)."""

    timeframe: str
    time: IntArray
    open: FloatArray
    high: FloatArray
    low: FloatArray
    close: FloatArray
    volume: FloatArray

    def __len__(self) -> int:
        return len(self.close)

    @classmethod
    def empty(cls, timeframe: str = "") -> BarArrays:
        """No bars."""
        import numpy as np

        floats = np.zeros(0, dtype=np.float64)
        return cls(timeframe, np.zeros(0, dtype=np.int64), floats, floats, floats, floats, floats)

    @classmethod
    def from_bars(cls, bars: Sequence[Bar], timeframe: str = "") -> BarArrays:
        """Columns of ``bars`` (timezone-aware times become UTC epoch nanoseconds)."""
        import numpy as np

        def column(name: str) -> FloatArray:
            return np.fromiter(map(attrgetter(name), bars), np.float64, len(bars))

        return cls(
            timeframe, _epoch_ns_column(bars), column("open"), column("high"), column("low"),
            column("close"), column("volume"),
        )  # fmt: skip


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _epoch_ns_column(bars: Sequence[Bar]) -> IntArray:
    """The bars' times as UTC epoch nanoseconds. Fast path: aware times on whole
    seconds (every bar series: its times are multiples of its timeframe), where
    ``datetime.timestamp`` (C, exact for whole seconds below 2^53) gives them; checked
    against the exact conversion at both ends. Anything else: the exact conversion for
    every bar."""
    import numpy as np

    n = len(bars)
    first, last = (bars[0].time, bars[-1].time) if n else (None, None)
    if first is not None and first.tzinfo is not None and last is not None and last.tzinfo:
        seconds = np.fromiter(map(datetime.timestamp, map(attrgetter("time"), bars)),
                              np.float64, n)  # fmt: skip
        whole = seconds.astype(np.int64)
        if np.array_equal(whole, seconds):
            stamps = whole * 1_000_000_000
            if stamps[0] == _epoch_ns(first) and stamps[-1] == _epoch_ns(last):
                return stamps
    return np.fromiter(map(_epoch_ns, map(attrgetter("time"), bars)), np.int64, n)


def _epoch_ns(when: datetime) -> int:
    """UTC epoch nanoseconds, exact (integer arithmetic; naive times taken as UTC)."""
    aware = when if when.tzinfo is not None else when.replace(tzinfo=UTC)
    return (aware - _EPOCH) // timedelta(microseconds=1) * 1000


@dataclass(frozen=True)
class BatchOutput:
    """What a batch form computed over ``n`` bars (see the module docstring)."""

    present: BoolArray
    columns: Mapping[str, Any] = field(default_factory=dict)
    """Named arrays of length n (float64 with NaN where absent, or int/bool codes)."""
    factors: Mapping[str, FloatArray] = field(default_factory=dict)
    """Factor name → the value scored on each bar, NaN where the handler scores nothing."""

    def __len__(self) -> int:
        return len(self.present)

    def at(self, name: str, index: int) -> Any:
        """Column ``name`` on bar ``index`` as a Python float, int or bool (read from
        the array itself: the fast engine reads a few elements of a million, so
        converting whole columns to lists once would cost 32 bytes an element)."""
        values = self.columns[name]
        try:  # inlined ``_item``: the adapters read a few columns on every tick that runs
            return values.item(index)
        except AttributeError:
            return values[index]

    def is_present(self, index: int) -> bool:
        """``present[index]`` as a Python bool."""
        return bool(_item(self.present, index))

    def factors_at(self, index: int) -> dict[str, float]:
        """The factors scored on bar ``index`` (name → value), as the handler would."""
        found: dict[str, float] = {}
        for name, values in self.factors.items():
            value = _item(values, index)
            if value == value:  # not NaN
                found[name] = value
        return found


def _item(values: Any, index: int) -> Any:
    """Element ``index`` of a numpy array (as a Python scalar) or of a sequence."""
    try:  # a numpy array, ``Coded`` or ``PresentOnly`` (no getattr with a default)
        return values.item(index)
    except AttributeError:
        return values[index]


@runtime_checkable
class BatchForm(Protocol):
    """What a worker class defines to offer a batch form (besides its handler)."""

    def batch(self, bars: BarArrays, upstream: Mapping[str, BatchOutput]) -> BatchOutput:
        """Outputs over all of ``bars``; ``upstream`` holds, by DTO class name, the
        batch outputs of the batchable context workers this one requires, aligned to
        ``bars`` (element ``i`` is what the handler would read on bar ``i``)."""
        ...

    def result_at(self, output: BatchOutput, index: int, context: TradingContext) -> object | None:
        """The handler's result on bar ``index`` (a DTO or signal), built from ``output``."""
        ...


class BatchStream(Protocol):
    """A batch form run a part of the bars at a time (what ``batch_stream()`` of a
    worker returns: a fresh state). ``part`` computes the outputs of the *next* bars
    of the worker's timeframe, carrying what later bars read of earlier ones (the
    recursions' values, a window's last elements), so that the parts of any sizes,
    in order, give exactly the elements of one ``batch`` call over their
    concatenation. The fast engine runs it a block of ticks at a time and keeps only
    the block's outputs (issue 23, memory): nothing held scales with the data."""

    def part(self, bars: BarArrays, upstream: Mapping[str, BatchOutput]) -> BatchOutput:
        """The outputs over ``bars``, the bars after those of the previous call;
        ``upstream`` holds the providers' outputs over the same bars (their parts)."""
        ...


STREAM_METHOD = "batch_stream"
"""The worker method that returns a :class:`BatchStream` (optional: a worker without
it is computed whole by ``batch``)."""


def offers_stream(worker: object) -> bool:
    """Whether ``worker`` offers its batch form a part at a time."""
    return callable(getattr(worker, STREAM_METHOD, None))


def offers_batch(cls: type) -> bool:
    """True when ``cls`` defines every method of the batch form (the class side of the
    compiler's batchability check)."""
    return all(callable(getattr(cls, name, None)) for name in BATCH_METHODS)


def held_index(release_tick: Sequence[int] | IntArray, ticks: int) -> IntArray:
    """For each of ``ticks`` ticks, the index of the last bar of T released on or
    before it (-1 before the first): which output the engine replays on that tick.

    ``release_tick[i]`` is the tick on which bar ``i`` of T closed (non-decreasing;
    after a gap two bars may close on one tick, and the later one is then visible).
    """
    import numpy as np

    released = np.asarray(release_tick, dtype=np.int64)
    return np.searchsorted(released, np.arange(ticks, dtype=np.int64), side="right") - 1


def aligned(output: BatchOutput, index: IntArray) -> BatchOutput:
    """``output`` re-indexed onto another clock: element ``j`` is ``output``'s element
    ``index[j]`` (nothing where ``index[j]`` is -1). What a consumer on the tick
    timeframe reads of a producer on a higher timeframe between its closes."""
    import numpy as np

    valid = index >= 0
    safe = np.where(valid, index, 0)

    def pick(values: Any) -> Any:
        taken = np.asarray(values)[safe]
        if taken.dtype.kind == "f":
            return np.where(valid, taken, np.nan)
        return np.where(valid, taken, np.zeros_like(taken))

    return BatchOutput(
        present=pick(output.present),
        columns={name: pick(values) for name, values in output.columns.items()},
        factors={name: pick(values) for name, values in output.factors.items()},
    )


SPARSE_SHARE = 4
"""A batch output whose results are present on at most 1/SPARSE_SHARE of its bars keeps
its columns only where they are present (:class:`PresentOnly`)."""

MAX_CODES = 255
"""A factor or column with at most this many distinct values is kept as one byte a bar
and a table of those values (:class:`Coded`)."""


class Coded:
    """A column of few distinct values: one byte a bar indexing a table of Python
    values (exactly the array's own ``item`` results, NaN included)."""

    __slots__ = ("codes", "table")

    def __init__(self, codes: Any, table: list[Any]) -> None:
        self.codes = codes
        self.table = table

    def item(self, index: int) -> Any:
        """Element ``index``, as ``ndarray.item`` gives it."""
        return self.table[self.codes.item(index)]


class PresentOnly:
    """A column kept only on the bars where its output is present (``bars``: those
    bars, ascending, 8 bytes each; an element is found by bisection). ``item`` of any
    other bar is an error, and the engine never asks: ``result_at`` runs only where
    ``present`` holds."""

    __slots__ = ("bars", "length", "values")

    def __init__(self, bars: array[int], values: Any, length: int) -> None:
        self.bars = bars
        self.values = values
        self.length = length

    def __len__(self) -> int:
        return self.length

    def item(self, index: int) -> Any:
        """Element ``index`` (a bar where the output is present)."""
        position = bisect_left(self.bars, index)
        if position == len(self.bars) or self.bars[position] != index:
            raise IndexError(f"bar {index} has no result in this batch output")
        return self.values.item(position)


def present_only(present: BoolArray, values: Mapping[str, Any]) -> dict[str, PresentOnly]:
    """Columns given only on the bars where ``present`` holds (``values[name][k]``
    belongs to the k-th such bar): what a batch form whose output no other batch form
    reads (a signal worker's) may return instead of whole columns, to keep memory
    in proportion to its results rather than to the bars."""
    import numpy as np

    bars = array("q", np.flatnonzero(present).astype(np.int64).tobytes())
    return {name: PresentOnly(bars, np.asarray(v), len(present)) for name, v in values.items()}


def compacted(output: BatchOutput) -> BatchOutput:
    """``output`` as the fast engine keeps it for the run (issue 23, memory): the same
    values read through ``at``/``item``, in fewer bytes. Columns of an output present
    on few bars are kept only there; factors and the columns of a dense output with at
    most :data:`MAX_CODES` distinct values become one byte a bar; other integer columns
    the narrowest integer type that holds them. ``present`` stays a bool array."""
    import numpy as np

    present = np.asarray(output.present, dtype=bool)
    where = np.flatnonzero(present)
    columns: dict[str, Any]
    columns = dict(output.columns)
    arrays = {name: v for name, v in columns.items() if isinstance(v, np.ndarray)}
    if len(where) * SPARSE_SHARE <= len(present):
        columns.update(present_only(present, {n: v[where] for n, v in arrays.items()}))
    else:
        columns.update({name: _narrow(values) for name, values in arrays.items()})
    factors = {name: _narrow(np.asarray(values)) for name, values in output.factors.items()}
    return BatchOutput(present=present, columns=columns, factors=factors)


def _narrow(values: Any) -> Any:
    """``values`` coded in a byte a bar when it has few distinct values (floats told
    apart by their bits: -0.0 and 0.0, NaN payloads stay what they were), integers in
    the narrowest type that holds them, anything else as it is."""
    import numpy as np

    kind = values.dtype.kind
    if values.ndim != 1 or len(values) < 2 * MAX_CODES or kind not in "fiu":
        return values
    if kind == "f" and values.dtype.itemsize != 8:
        return values
    keys = values.view(np.int64) if kind == "f" else values
    distinct = _distinct(keys)
    if distinct is not None:
        table = distinct.view(values.dtype) if keys is not values else distinct
        codes = np.empty(len(values), dtype=np.uint8)
        for start in range(0, len(values), CHUNK_BARS):
            part = keys[start : start + CHUNK_BARS]
            codes[start : start + len(part)] = np.searchsorted(distinct, part)
        return Coded(codes, [table.item(k) for k in range(len(table))])
    if kind in "iu":
        low, high = int(values.min()), int(values.max())
        for narrow in (np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32):
            if np.iinfo(narrow).min <= low and high <= np.iinfo(narrow).max:
                return values.astype(narrow) if narrow().itemsize < values.itemsize else values
    return values


def _distinct(keys: Any) -> Any | None:
    """The sorted distinct values of ``keys`` (None beyond :data:`MAX_CODES`): a look
    at the first values (a column of many values is told at once), then part by part,
    adding only the values the table so far lacks (``np.unique`` of the whole would
    sort a copy of it, and an inverse would cost seven)."""
    import numpy as np

    distinct = np.unique(keys[: 2 * MAX_CODES])
    for start in range(0, len(keys), CHUNK_BARS):
        if len(distinct) > MAX_CODES:
            return None
        part = keys[start : start + CHUNK_BARS]
        known = distinct[np.minimum(np.searchsorted(distinct, part), len(distinct) - 1)]
        new = part[known != part]
        if len(new):
            distinct = np.union1d(distinct, new)
    return distinct if len(distinct) <= MAX_CODES else None


CHUNK_BARS = 1 << 16
"""Bars converted to a Python list at a time for a compiled series kernel (a list holds
32 bytes an element: a whole 1M-bar column would be 32 MB of temporaries)."""


def ema_column(values: FloatArray, period: int) -> FloatArray:
    """``EMA(period).update`` over a float column, as a float column (kept here for
    the plugins that import it: :func:`stc.runtime.indicator_columns.ema_column`,
    the shared part driver)."""
    from stc.runtime.indicator_columns import ema_column as column

    return column(values, period)
