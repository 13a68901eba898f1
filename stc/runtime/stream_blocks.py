"""The fast engine's batch part a block of ticks at a time (issue 23, memory).

Why: computed over the whole data, the batch outputs (an EMA column is 8 bytes a bar,
a factor one) and their temporaries grow with the data, and set the fast engine's
peak at 1M bars. A worker whose batch form runs a part at a time
(``batch_stream``, :class:`~stc.runtime.batch.BatchStream`: its state carried from
part to part) is instead run over one block of :data:`BLOCK_BARS` ticks just before
the loop reaches it, and the block's outputs replace the previous block's in its
adapter (:meth:`~stc.runtime.batched.BatchedCall.load`): what is held is a block's,
whatever the data's length.

Why the result cannot differ:

* **The same elements.** The parts chained give exactly the whole-data batch form's
  elements (the stream's contract; ``batch`` itself is one part of its stream in the
  reference plugins, and tests cut the parts everywhere). A worker on a higher
  timeframe T gets, for the block of ticks ``a..b-1``, the bars of T released on
  those ticks (``Batched.release``): exactly the bars its calls in the block read, in
  order. Its providers' parts cover the same bars: a streamed worker's providers are
  streamed on its own timeframe (``batched.streamed``).
* **The same busy bars.** The skipper's signal ticks for a block are the whole-data
  workers' in the block plus the streamed signal workers' from their parts, plus the
  block's end (each block's first tick runs, computing nothing a skip would not:
  running a quiet tick is what the incremental engine does). A skipped stretch
  therefore ends inside its block, and what it carries (``frame_carry``: the last
  close of a higher timeframe in the stretch) is the block's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from stc.runtime.batch import BarArrays, BatchOutput
from stc.runtime.batched import Batched, BatchedCall
from stc.runtime.dispatch import DispatchTable
from stc.runtime.plan import Plan

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

BLOCK_BARS = 1 << 14
"""Ticks a block (read when a fast run starts, so that tests can shrink it). 16,384:
a block's outputs and the kernels' per-part lists are ~0.2 MB a column; at 65,536 the
block's transients (~12 MB by ``tracemalloc``) set ema_trend's 1M peak (128 → 121 MB
at 16,384), and the cost of a block (a few numpy calls a worker, one tick that runs)
is nothing beside 16,384 ticks."""


class StreamBlocks:
    """The streamed workers of one fast run, advanced a block of ticks at a time."""

    def __init__(
        self,
        plan: Plan,
        batched: Batched,
        arrays: BarArrays,
        block: int,
        count: int | None = None,
    ) -> None:
        if block < 1:
            raise ValueError(f"a block holds at least one tick, got {block}")
        tick_tf = plan.timeframes[0]
        self.block = block
        self.count = len(arrays) if count is None else count
        """The ticks of the run."""
        self.ticks = arrays
        """The tick columns: the whole data's, or the fast loop's window of them
        (:mod:`stc.runtime.tick_blocks`), set before each :meth:`advance`."""
        self.base = 0
        """The tick index of ``ticks``' first row."""
        self.frames: dict[str, BarArrays] = dict(batched.higher)
        self.frame_base: dict[str, int] = dict.fromkeys(self.frames, 0)
        """Higher timeframe → the index of the first bar in ``frames`` (0: the whole
        data's; the fast loop's window of a CSV read a block at a time holds the bars
        released in the block, :meth:`move_frames`)."""
        self.release = batched.release
        self.whole_ticks = batched.signal_ticks
        self.streams = batched.streams
        self.calls = batched.calls
        self.timeframe = {wid: plan.worker(wid).timeframe or tick_tf for wid in self.streams}
        self.tick_tf = tick_tf
        self.providers: dict[str, list[tuple[str, list[str]]]] = {}
        """Worker id → (provider id, the DTO names it provides that the worker requires)."""
        for wid in self.streams:
            spec = plan.worker(wid)
            found: list[tuple[str, list[str]]] = []
            for provider in spec.batch.inputs if spec.batch else ():
                provides = plan.worker(provider).provides or ()
                found.append((provider, [dto for dto in provides if dto in spec.requires]))
            self.providers[wid] = found
        self.signals = _signal_workers(batched.table)

    def advance(self, start: int) -> tuple[int, list[int]]:
        """Run every streamed worker over ticks ``start..end-1`` (the next block) and
        load their adapters; (end, the block's busy ticks for the skipper: signals and,
        before the data's end, ``end`` itself)."""
        import numpy as np

        count = self.count
        end = min(start + self.block, count)
        parts: dict[str, BatchOutput] = {}
        found = [self.whole_ticks[self.whole_ticks.searchsorted(start):
                                  self.whole_ticks.searchsorted(end)]]  # fmt: skip
        for wid, stream in self.streams.items():
            timeframe = self.timeframe[wid]
            lo, hi = self._span(timeframe, start, end)
            call: BatchedCall = self.calls[wid]
            if hi == lo:  # no bar of its timeframe closes in the block
                parts[wid] = BatchOutput(present=np.zeros(0, dtype=bool))
                call.load(parts[wid], lo)
                continue
            upstream = {dto: parts[provider] for provider, dtos in self.providers[wid]
                        for dto in dtos}  # fmt: skip
            if timeframe == self.tick_tf:
                part = _sliced(self.ticks, lo - self.base, hi - self.base)
            else:
                base = self.frame_base[timeframe]
                part = _sliced(self.frames[timeframe], lo - base, hi - base)
            output = stream.part(part, upstream)
            parts[wid] = output
            call.load(output, lo)
            if wid in self.signals:
                where = np.flatnonzero(np.asarray(output.present, dtype=bool)).astype(np.int64)
                if timeframe == self.tick_tf:
                    found.append(where + start)
                else:
                    found.append(self.release[timeframe][where + lo])
        if end < count:
            found.append(np.array([end], dtype=np.int64))
        ticks: list[int] = np.unique(np.concatenate(found)).tolist()
        return end, ticks

    def move_frames(self, closed: Mapping[str, tuple[int, BarArrays]]) -> None:
        """The higher timeframes' bars released in the next block: (the index of the
        first, the bars)."""
        for timeframe, (base, bars) in closed.items():
            if timeframe in self.frames:
                self.frame_base[timeframe], self.frames[timeframe] = base, bars

    def _span(self, timeframe: str, start: int, end: int) -> tuple[int, int]:
        """The bars of ``timeframe`` the ticks ``start..end-1`` read: the ticks
        themselves, or the bars of a higher timeframe released on them."""
        if timeframe == self.tick_tf:
            return start, end
        release: NDArray[np.int64] = self.release[timeframe]
        return int(release.searchsorted(start)), int(release.searchsorted(end))


def _sliced(frame: BarArrays, lo: int, hi: int) -> BarArrays:
    """Bars ``lo..hi-1`` of ``frame`` (views, not copies)."""
    return BarArrays(frame.timeframe, frame.time[lo:hi], frame.open[lo:hi], frame.high[lo:hi],
                     frame.low[lo:hi], frame.close[lo:hi], frame.volume[lo:hi])  # fmt: skip


def _signal_workers(table: DispatchTable) -> set[str]:
    """The ids of the opportunity and tick-threat workers (whose outputs make ticks
    busy)."""
    return {wid for _, wid, _, _ in table.signal_workers}
