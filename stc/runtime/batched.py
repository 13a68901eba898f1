"""The fast engine's batch part: every worker the plan marks batchable
(``WorkerSpec.batch``) is computed once over the whole data, and its handler's place
in the dispatch table is taken by an adapter that reads the precomputed output.

Why an adapter in the handler's place, not a separate phase: ``result_at`` must run
at the handler's position in the tick (signal ids come from one run-scoped counter all
workers share, ``stc.runtime.batch``), on every bar the handler would have been called
for. Swapping the callable in the frozen dispatch table's entries keeps the tick loop,
the bus, the contract checks and the fault blame exactly as they are.

Timeframes: a worker on the tick timeframe reads element ``cursor.index`` (the tick's
index); a worker on a higher timeframe T is called by the bus once per released bar of
T, in order, so its adapter counts its calls — the n-th call reads element n of the
output computed over the closed bars of T (built by the same :class:`Resampler` the
loop uses, so the bars are the ones the handler would see). An input on another
timeframe is aligned to the consumer's clock with :func:`~stc.runtime.batch.held_index`
(the last bar of T released on or before each tick).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, timezone
from operator import attrgetter
from typing import TYPE_CHECKING, Any, overload

from stc.runtime.batch import (
    BarArrays,
    BatchOutput,
    BatchStream,
    aligned,
    compacted,
    held_index,
    offers_stream,
)
from stc.runtime.data import Resampler
from stc.runtime.dispatch import DispatchTable
from stc.runtime.dtos.market import Bar, TradingContext
from stc.runtime.plan import Plan, WorkerSpec
from stc.runtime.resample_columns import closed_columns

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray


class Cursor:
    """The index of the tick the loop is running (set by the fast loop each tick)."""

    __slots__ = ("index",)

    def __init__(self) -> None:
        self.index = 0


class BatchedCall:
    """A batchable worker's handler, replaced: scores the factors the handler would
    have scored and returns ``result_at`` of the tick's (or the call's) element.

    Its output covers either the whole data (``offset`` 0) or, for a worker the fast
    engine streams (:mod:`stc.runtime.stream_blocks`), the current block: element
    ``k`` of it is the tick's (or the call's) element ``offset + k``."""

    __slots__ = ("__name__", "calls", "cursor", "factors", "framed", "offset", "output",
                 "present", "result_at", "scored", "tick", "worker")  # fmt: skip

    def __init__(
        self,
        worker: str,
        output: BatchOutput,
        result_at: Callable[[BatchOutput, int, TradingContext], Any],
        cursor: Cursor,
        factors: Sequence[tuple[str, str]],
        framed: bool,
    ) -> None:
        self.worker = worker
        self.result_at = result_at
        self.cursor = cursor
        self.framed = framed
        self.calls = 0
        self.tick = -1
        """The tick index of the last call (``stc.runtime.fast_fallback`` reads it)."""
        self.__name__ = "?"
        """The replaced handler's name (what a contract fault names, as before)."""
        self.scored = tuple(factors)
        """(name, polarity) of each factor the worker declares."""
        self.load(output, 0)

    def load(self, output: BatchOutput, offset: int) -> None:
        """Read ``output`` from now on, its element 0 being the tick's (or the call's)
        element ``offset``."""
        self.output = output
        self.offset = offset
        self.present = output.present
        self.factors = [
            (name, polarity, output.factors[name]) for name, polarity in self.scored
            if name in output.factors
        ]  # fmt: skip

    def release(self) -> None:
        """Forget the output (the run is over; a later call finds nothing present)."""
        self.output = BatchOutput(present=_NOTHING)
        self.present = _NOTHING
        self.factors = []

    def __call__(self, context: TradingContext) -> Any:
        index = self.tick = self.cursor.index
        if self.framed:
            index = self.calls - self.offset
            self.calls += 1
        else:
            index -= self.offset
        for name, polarity, values in self.factors:
            value = values.item(index)
            if value == value:  # not NaN: the handler scored it on this bar
                context.score(name, value, self.worker, polarity)
        if not self.present.item(index):
            return None
        return self.result_at(self.output, index, context)


class _Nothing:
    """An empty ``present``: nothing at any index."""

    def item(self, index: int) -> bool:
        return False

    def __len__(self) -> int:
        return 0


_NOTHING: Any = _Nothing()
_EMPTY = BatchOutput(present=_NOTHING)


@dataclass(frozen=True)
class Batched:
    """What the batch part of a fast run computed."""

    table: DispatchTable
    """The dispatch table with every batchable worker's call replaced."""
    outputs: Mapping[str, BatchOutput]
    """Worker id → its batch output (over the closed bars of its timeframe)."""
    calls: Mapping[str, BatchedCall]
    """Worker id → the adapter now in its handler's place."""
    signal_ticks: NDArray[np.int64]
    """Sorted tick indices where some batched opportunity/threat worker's output is
    present (a signal, warm-up included: its ``result_at`` must run there)."""
    release: Mapping[str, NDArray[np.int64]]
    """Higher timeframe → the tick on which each of its bars closed, in order (what
    carries a batched worker on it over a skipped stretch: ``stc.runtime.frame_carry``)."""
    higher: Mapping[str, BarArrays]
    """Higher timeframe → its closed bars as columns (what a skipped stretch appends to
    its window: :class:`HigherAhead`)."""
    streams: Mapping[str, BatchStream] = field(default_factory=dict)
    """Worker id → its batch form a part at a time, for the workers the fast loop
    streams a block of ticks at a time (:mod:`stc.runtime.stream_blocks`; chain
    order). Their outputs are not in ``outputs`` and their signals not in
    ``signal_ticks``: each block brings its own."""


def tick_arrays(bars: Sequence[Bar], timeframe: str) -> BarArrays:
    """The tick bars as columns (the arrays behind an :class:`ArrayBars` as they are)."""
    if isinstance(bars, ArrayBars):
        return bars.arrays
    return BarArrays.from_bars(bars, timeframe)


class ArrayBars(Sequence[Bar]):
    """Columns (:class:`BarArrays`, the whole data) seen as a sequence of bars: a
    :class:`Bar` is built when the loop reads one (the fast engine reads only the bars
    it runs), its time a UTC datetime from the epoch nanoseconds."""

    def __init__(self, arrays: BarArrays) -> None:
        self.arrays = arrays

    def __len__(self) -> int:
        return len(self.arrays)

    @overload
    def __getitem__(self, index: int) -> Bar: ...

    @overload
    def __getitem__(self, index: slice) -> list[Bar]: ...

    def __getitem__(self, index: int | slice) -> Bar | list[Bar]:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                return [self[i] for i in range(start, stop, step)]
            return self._run_of_bars(start, stop)
        a = self.arrays
        when = _EPOCH + timedelta(microseconds=a.time.item(index) // 1000)
        return Bar(when, a.open.item(index), a.high.item(index), a.low.item(index),
                   a.close.item(index), a.volume.item(index))  # fmt: skip

    def _run_of_bars(self, start: int, stop: int) -> list[Bar]:
        """Bars ``start..stop-1`` (what the skipped stretches hand the tick window):
        one ``tolist`` a column, not six scalar reads a bar."""
        a = self.arrays
        epoch, micro = _EPOCH, timedelta
        times = [epoch + micro(microseconds=us) for us in (a.time[start:stop] // 1000).tolist()]
        columns = (a.open, a.high, a.low, a.close, a.volume)
        return list(map(Bar, times, *(column[start:stop].tolist() for column in columns)))


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def higher_bars(
    bars: Sequence[Bar], timeframe: str, tick_timeframe: str
) -> tuple[list[Bar], list[int]]:
    """The closed bars of ``timeframe`` built from the tick bars by the loop's own
    :class:`Resampler`, and the tick index on which each closed."""
    resampler = Resampler(timeframe, tick_timeframe)
    closed: list[Bar] = []
    ticks: list[int] = []
    push = resampler.push
    for index, bar in enumerate(bars):
        for higher in push(bar):
            closed.append(higher)
            ticks.append(index)
    return closed, ticks


def closed_frame(
    bars: Sequence[Bar], arrays: BarArrays, timeframe: str, tick_tf: str
) -> tuple[BarArrays, NDArray[np.int64]]:
    """The closed bars of ``timeframe`` as columns and the tick on which each closed:
    from the tick columns with numpy (:func:`~stc.runtime.resample_columns.closed_columns`,
    bit for bit the resampler's bars) when every bar's time is aware (columns always
    are; a naive time would make the resampler raise), else, or when that declines, by
    the loop's own resampler (:func:`higher_bars`)."""
    import numpy as np

    if isinstance(bars, ArrayBars) or _all_aware(bars):
        found = closed_columns(arrays, timeframe, tick_tf)
        if found is not None:
            return found
    closed, ticks = higher_bars(bars, timeframe, tick_tf)
    return BarArrays.from_bars(closed, timeframe), np.asarray(ticks, dtype=np.int64)


def _all_aware(bars: Sequence[Bar]) -> bool:
    """Whether every bar's time is timezone-aware: its zone a fixed offset (``UTC`` or
    a ``timezone``, never without an offset), or, for any other zone, each time's
    ``utcoffset`` not None."""
    zones = set(map(_ZONE, bars))
    if all(isinstance(zone, timezone) for zone in zones):
        return True
    return all(bar.time.utcoffset() is not None for bar in bars)


_ZONE = attrgetter("time.tzinfo")


def build_batched(
    plan: Plan,
    workers: Mapping[str, Any],
    table: DispatchTable,
    bars: Sequence[Bar],
    arrays: BarArrays,
    cursor: Cursor,
    stream: bool = False,
    known: Mapping[str, tuple[BarArrays, NDArray[np.int64]]] | None = None,
) -> Batched:
    """Compute every batchable worker of ``plan`` (chain order) and the dispatch table
    with their calls replaced. A worker whose batch form raises is left to its handler
    (the run then meets the same error where the handler would, or none). Each output
    is kept :func:`~stc.runtime.batch.compacted` once no other batch form reads it.
    With ``stream`` the workers :func:`streamed` names are not computed here: their
    batch streams are returned, for the fast loop to run a block at a time.
    ``known``: higher timeframes' closed bars and release ticks already built (the
    fast engine's first pass over a CSV read a block at a time)."""

    tick_tf = plan.timeframes[0]
    frames: dict[str, BarArrays] = {tick_tf: arrays}
    release: dict[str, NDArray[np.int64]] = {}
    outputs: dict[str, BatchOutput] = {}
    streams: dict[str, BatchStream] = {}
    calls: dict[str, BatchedCall] = {}
    read = {wid for spec in plan.workers if spec.batch for wid in spec.batch.inputs}
    parted = streamed(plan, workers) if stream else set()
    for spec in plan.workers:
        if spec.batch is None:
            continue
        timeframe = spec.timeframe or tick_tf
        if timeframe not in frames and known is not None and timeframe in known:
            frames[timeframe], release[timeframe] = known[timeframe]
        elif timeframe not in frames:
            frames[timeframe], release[timeframe] = closed_frame(bars, arrays, timeframe, tick_tf)
        if spec.id in parted:
            streams[spec.id] = workers[spec.id].batch_stream()
            continue
        upstream = _upstream(plan, spec, outputs, release, len(frames[timeframe]), tick_tf)
        if upstream is None:
            continue
        output = workers[spec.id].batch(frames[timeframe], upstream)
        outputs[spec.id] = output if spec.id in read else compacted(output)
    higher = {tf: frame for tf, frame in frames.items() if tf != tick_tf}
    del frames
    for wid, output in outputs.items():
        if wid in read:  # every consumer has read it as arrays
            outputs[wid] = compacted(output)
    for spec in plan.workers:
        wid = spec.id
        if wid not in outputs and wid not in streams:
            continue
        factors = tuple((f.name, f.polarity) for f in spec.factors)
        calls[wid] = BatchedCall(
            wid, outputs.get(wid, _EMPTY), workers[wid].result_at, cursor, factors,
            (spec.timeframe or tick_tf) != tick_tf,
        )  # fmt: skip
    return Batched(
        table=_replaced(table, calls),
        outputs=outputs,
        calls=calls,
        signal_ticks=_signal_ticks(table, outputs, release),
        release=release,
        higher=higher,
        streams=streams,
    )


def streamed(plan: Plan, workers: Mapping[str, Any]) -> set[str]:
    """The batchable workers the fast loop may run a block of ticks at a time: those
    offering a batch stream (``batch_stream``) whose providers are streamed on the same
    timeframe and whose consumers are streamed too (a whole-data batch form reads its
    providers' whole outputs). The rest are computed whole, as before."""
    tick_tf = plan.timeframes[0]
    specs = [spec for spec in plan.workers if spec.batch is not None]
    frame = {spec.id: spec.timeframe or tick_tf for spec in specs}
    found = {spec.id for spec in specs if offers_stream(workers.get(spec.id))}
    changed = True
    while changed:
        changed = False
        for spec in specs:
            inputs = spec.batch.inputs if spec.batch else ()
            if spec.id in found and any(
                wid not in found or frame.get(wid) != frame[spec.id] for wid in inputs
            ):
                found.discard(spec.id)
                changed = True
            if spec.id not in found and any(wid in found for wid in inputs):
                found.difference_update(inputs)
                changed = True
    return found


def unbatched(table: DispatchTable) -> Batched:
    """The batch part of a plan that runs every bar anyway: nothing computed, every
    handler in its place."""
    import numpy as np

    return Batched(table=table, outputs={}, calls={}, release={}, higher={},
                   signal_ticks=np.zeros(0, dtype=np.int64))  # fmt: skip


def _upstream(
    plan: Plan,
    spec: WorkerSpec,
    outputs: Mapping[str, BatchOutput],
    release: Mapping[str, NDArray[np.int64]],
    length: int,
    tick_tf: str,
) -> dict[str, BatchOutput] | None:
    """The batch outputs ``spec`` reads, by DTO name, aligned to its clock (None when
    one is missing or lives on a clock this engine does not align: a higher timeframe
    read from another higher timeframe)."""
    timeframe = spec.timeframe or tick_tf
    upstream: dict[str, BatchOutput] = {}
    for provider_id in spec.batch.inputs if spec.batch else ():
        output = outputs.get(provider_id)
        if output is None:
            return None
        provider = plan.worker(provider_id)
        source = provider.timeframe or tick_tf
        if source != timeframe:
            if timeframe != tick_tf:
                return None
            output = aligned(output, held_index(release[source], length))
        for dto in provider.provides or ():
            if dto in spec.requires:
                upstream[dto] = output
    return upstream


def _replaced(table: DispatchTable, calls: Mapping[str, BatchedCall]) -> DispatchTable:
    """``table`` with each batched worker's callable swapped for its adapter (which
    takes the handler's name)."""
    for call, wid, *_ in (*table.context_chain, *table.signal_workers):
        if wid in calls:
            calls[wid].__name__ = str(getattr(call, "__name__", "?"))
    chain = tuple(
        (calls.get(wid, call), wid, honoured, frame)
        for call, wid, honoured, frame in table.context_chain
    )
    signals = tuple(
        (calls.get(wid, call), wid, timeframe, event)
        for call, wid, timeframe, event in table.signal_workers
    )
    return replace(table, context_chain=chain, signal_workers=signals)


def _signal_ticks(
    table: DispatchTable,
    outputs: Mapping[str, BatchOutput],
    release: Mapping[str, NDArray[np.int64]],
) -> NDArray[np.int64]:
    """Every tick on which a batched signal worker's output is present."""
    import numpy as np

    found = [np.zeros(0, dtype=np.int64)]
    for _, wid, timeframe, _ in table.signal_workers:
        output = outputs.get(wid)
        if output is None:
            continue
        where = np.flatnonzero(np.asarray(output.present, dtype=bool)).astype(np.int64)
        found.append(where if timeframe is None else release[timeframe][where])
    return np.unique(np.concatenate(found))


class HigherAhead:
    """The closed bars of one higher timeframe known ahead, so a skipped stretch hands
    its window the bars the stretch closed and restarts its resampler on the period
    still open, instead of pushing every skipped bar through it (``TickWindows.jump``).

    ``release[i]`` is the tick on which bar ``i`` closed, ``opens[i]`` the tick of its
    first bar (the first tick at or after its start: its ticks are the ticks of its
    period, and the resampler starts bar ``i`` on that tick, also when the tick itself
    released bar ``i - 1`` after a gap)."""

    __slots__ = ("bars", "base", "opens", "release")

    def __init__(
        self,
        closed: BarArrays,
        release: NDArray[np.int64],
        ticks: BarArrays,
        opens: NDArray[np.int64] | None = None,
    ) -> None:
        self.bars = ArrayBars(closed)
        self.base = 0
        """The index of ``bars``' first bar (a window of them: the fast loop's CSV read
        a block at a time moves it with the blocks)."""
        self.release = release
        self.opens = ticks.time.searchsorted(closed.time, side="left") if opens is None else opens

    def stretch(
        self, ticks: Sequence[Bar], lo: int, hi: int, capacity: int
    ) -> tuple[list[Bar], int, list[Bar] | None]:
        """What ticks ``lo..hi-1`` do to this timeframe: the last (at most ``capacity``)
        bars they close, how many they close, and the tick bars of the period still
        open after them to restart the resampler with (None: push every tick of the
        stretch into the running resampler: nothing closed, or the open period is the
        data's last, which never closes)."""
        release = self.release
        first, after = int(release.searchsorted(lo)), int(release.searchsorted(hi))
        if after == first or after == len(release):
            return [], 0, None
        base = self.base
        closed = self.bars[max(first, after - capacity) - base : after - base]
        return closed, after - first, list(ticks[int(self.opens.item(after)) : hi])


def higher_ahead(
    batched: Batched, bars: Sequence[Bar], arrays: BarArrays, timeframes: Sequence[str]
) -> dict[str, HigherAhead]:
    """A :class:`HigherAhead` for each of ``timeframes`` (the batch part's closed bars,
    or the loop's own resampler over the bars for a timeframe no batched worker runs
    on)."""

    found: dict[str, HigherAhead] = {}
    for timeframe in timeframes:
        closed_arrays = batched.higher.get(timeframe)
        release = batched.release.get(timeframe)
        if closed_arrays is None or release is None:
            closed_arrays, release = closed_frame(bars, arrays, timeframe, arrays.timeframe)
        found[timeframe] = HigherAhead(closed_arrays, release, arrays)
    return found
