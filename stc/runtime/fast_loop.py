"""The fast engine's loop (``Engine(..., engine="fast")``, issue 23).

It runs the same ticks as the incremental loop (``Engine._tick``: windows, fills,
the flow), with two differences, each proven not to change a result
(docs/runtime.md, "The fast engine"):

1. batchable workers read their precomputed batch outputs (:mod:`stc.runtime.batched`)
   instead of running their handlers; those whose batch forms run a part at a time
   are computed a block of ticks ahead of the loop, a block at a time
   (:mod:`stc.runtime.stream_blocks`), the others over the whole data first;
2. after each tick it asks :class:`~stc.runtime.skipping.Skipper` for the next bar
   where something can happen and accounts for the quiet bars before it in bulk:
   the tick window and warm-up count, the higher timeframes' windows and the batched
   workers on them (:mod:`stc.runtime.frame_carry`), the ledger's marks and the
   streaming metrics (:mod:`stc.runtime.bulk_marks`), and the progress callback. Gaps
   in the data are counted once for the whole data before the loop, or for each block
   as the loop reaches it (the same comparisons, in the same order).

The fast loop needs the data ahead: a sequence of bars (a list,
:class:`~stc.runtime.batched.ArrayBars` over columns, or a standard CSV read a block
of ticks at a time, :class:`~stc.runtime.tick_blocks.BlockBars`: its window moves with
the streamed workers' blocks). A streamed feed (an iterator:
the row reader's stream for a file with bad rows, resampled data, paper runs) runs the
incremental loop.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, timedelta, timezone
from typing import TYPE_CHECKING

from stc.runtime import stream_blocks
from stc.runtime.batch import BarArrays
from stc.runtime.batched import (
    ArrayBars,
    BatchedCall,
    Cursor,
    HigherAhead,
    build_batched,
    higher_ahead,
    streamed,
    tick_arrays,
    unbatched,
)
from stc.runtime.bulk_marks import mark_stretch
from stc.runtime.data import GapCounter
from stc.runtime.dtos.market import Bar
from stc.runtime.fast_fallback import FastFallback, fault_could_differ
from stc.runtime.frame_carry import FrameCarry
from stc.runtime.quiet_bars import mark_closes
from stc.runtime.skipping import Backoff, Skipper, why_not
from stc.runtime.stream_blocks import StreamBlocks
from stc.runtime.tick_blocks import BlockBars

if TYPE_CHECKING:
    from stc.runtime.engine import Engine


LONG_STRETCH = 1024
"""Quiet stretches longer than this are marked with numpy (``bulk_marks``: ~20 calls
whatever the length); shorter ones by the compiled loop of ``quiet_bars.mark_closes``
(~0.1 µs a bar compiled)."""


SHORT_STRETCH = 32
"""Skipped stretches up to this long go through the resamplers bar by bar (a jump
costs two searches, the closed bars built from columns and a restarted resampler a
timeframe: ~20 µs, about what pushing 10-30 bars costs; at 8, ict_smc's stretches
(~8.5 bars on average) paid ~30 µs each, at 32 ~19 µs: docs/performance.md, "Session
16, fastpath")."""


DENSE_SHARE = 0.5
"""The fall-back (session 16): when at least this share of the first block's ticks
(the whole data's, when no worker streams) carry a batched signal, the run goes to
the incremental loop before its first tick. Such a run could skip at most the other
half (resting orders and open trades hold more), and a tick that runs costs more with
the adapters than with the handlers (docs/performance.md, "Session 16, fastpath"). The
decision reads only the plan and the data, so every machine and worker count makes
the same one, and it cannot change a result: the two loops write the same files."""


def blocked(engine: Engine, bars: Sequence[Bar], batched: set[str]) -> BlockBars | None:
    """``bars`` when they are read a block at a time and the run can take them so: every
    worker whose batch form runs (``batched``) is streamed, and every higher timeframe
    the loop resamples or a batched worker runs on was built by the first pass."""
    if not isinstance(bars, BlockBars):
        return None
    if batched - streamed(engine.plan, engine.workers):
        return None  # a batch form over the whole data
    tick_tf = engine.tick_tf
    needed = {window.timeframe for _, window in engine.frames.resamplers}
    needed |= {spec.timeframe for spec in engine.plan.workers if spec.id in batched}
    return bars if needed - {None, tick_tf} <= set(bars.frames) else None


def whole_bars(bars: BlockBars) -> Sequence[Bar]:
    """``bars`` as whole columns (or, if the file no longer reads as columns, as the
    block reader gives them: the loop then reads them all into a list)."""
    arrays = bars.whole()
    return list(bars) if arrays is None else ArrayBars(arrays)


class FastLoop:
    """One fast run of an engine over ``bars`` (built at the start of ``run``)."""

    def __init__(self, engine: Engine, bars: Sequence[Bar]) -> None:
        self.engine = engine
        self.cursor = Cursor()
        tick_tf = engine.tick_tf
        batchable = {spec.id for spec in engine.plan.workers if spec.batch is not None}
        venue = getattr(engine._on_bar, "__self__", None)
        refused = why_not(engine.table, batchable, venue, engine.context_aggregator)
        self.window = blocked(engine, bars, batchable if refused is None else set())
        """The tick columns a block at a time (None: ``bars`` are whole)."""
        if isinstance(bars, BlockBars) and self.window is None:  # the batch part reads
            bars = whole_bars(bars)  # the whole data
        self.bars = bars
        window = self.window
        self.arrays = tick_arrays(bars, tick_tf) if window is None else window.load(0, 0)
        known = None if window is None else {
            tf: (window.closed[tf][1], frame.release) for tf, frame in window.frames.items()
        }  # fmt: skip
        if refused is None:
            batched = build_batched(
                engine.plan,
                engine.workers,
                engine.table,
                bars,
                self.arrays,
                self.cursor,
                stream=True,
                known=known,
            )
        else:  # every bar runs whatever the batch forms say: none is computed
            batched = unbatched(engine.table)
        self.skipper = Skipper(
            batched.table, batched, self.arrays, engine.ledger,
            engine._on_bar, engine.context_aggregator, refused, len(bars),
        )  # fmt: skip
        self.watched: dict[str, BatchedCall] = {}
        """The adapters in the handlers' places (a fault that skips one: fast_fallback)."""
        self.carry: FrameCarry | None = None
        """Carries the batched higher-timeframe workers over skipped stretches."""
        self.ahead: dict[str, HigherAhead] = {}
        """Each higher timeframe's closed bars, known ahead (when skipping)."""
        self.blocks: StreamBlocks | None = None
        """The streamed workers, run a block of ticks at a time (when skipping)."""
        self.handlers = engine.table
        """The dispatch table with the handlers (what the fall-back runs)."""
        if self.skipper.why_not() is None:  # else every bar runs: the handlers are cheaper
            if batched.streams or window is not None:  # (a block's end runs: the window)
                self.blocks = StreamBlocks(engine.plan, batched, self.arrays,
                                           stream_blocks.BLOCK_BARS, len(bars))  # fmt: skip
            engine.table = engine.bus.table = batched.table
            self.watched = dict(batched.calls)
            carry = FrameCarry(batched.table, batched.calls, batched.release, engine.windows,
                               engine.bus, engine.context, self.cursor)  # fmt: skip
            self.carry = carry if carry else None
            timeframes = [window.timeframe for _, window in engine.frames.resamplers]
            if window is None:
                self.ahead = higher_ahead(batched, bars, self.arrays, timeframes)
            else:  # the first pass built them (the columns here are a window)
                frames = window.frames
                self.ahead = {tf: HigherAhead(window.closed[tf][1], frames[tf].release,
                                              self.arrays, frames[tf].opens)
                              for tf in timeframes}  # fmt: skip
        self.batched = batched
        self.fell_back: str | None = None
        """Why this run went to the incremental loop before its first tick
        (:func:`dense`), or None."""
        self.backoff = Backoff()
        """When the loop stops asking the skipper on a run of busy bars."""
        self.skipped_bars = 0
        """Bars accounted for in bulk (for benchmarks and tests)."""
        self.bar_count = len(bars)

    def run(self, progress: Callable[[int, int], None] | None, total: int) -> Bar | None:
        """Every bar, run or skipped; the last bar (None without bars)."""
        engine, bars, cursor = self.engine, self.bars, self.cursor
        count = len(bars)
        if count == 0:
            return None
        skipper, windows, carry = self.skipper, engine.frames, self.carry
        blocks, window = self.blocks, self.window
        block_end = count
        if blocks is not None or window is not None:  # the first block (its gaps below)
            block_end = self._advance(0, count, gaps=False)
        if skipper.why_not() is None:
            self.fell_back = dense(skipper.signal_ticks, block_end)
            if self.fell_back is not None:
                return self.incremental(progress)
        if window is None:
            count_gaps(engine.gaps, bars, self.arrays)
        else:  # the first block's (``_advance`` loaded ticks 0..block_end-1)
            count_gaps(engine.gaps, bars, self.arrays, window.base, 0, block_end)
        step = max(total // 100, 1)
        capacity = windows.tick_window.capacity
        index = 0
        faults = 0
        skipped_last = False
        backoff = self.backoff
        while index < count:
            if index == block_end:  # the next block's ticks and streamed outputs
                block_end = self._advance(index, count)
            cursor.index = index
            engine._tick(bars[index], index)
            if len(engine.faults) != faults:  # rare: a flow aborted on this tick
                faults = len(engine.faults)
                self.check_fault(index)
            index += 1
            if progress is not None and index % step == 0:
                progress(index, total)
            if index == count:
                break
            if index < backoff.until:  # a busy run: not asking (``skipping.Backoff``)
                backoff.held += 1
                continue
            busy = skipper.next_busy(index, engine._skipped)
            backoff.answered(index, busy, skipper.searched)
            if busy > index:
                last = bars[busy - 1]
                self._skip_windows(index, busy, capacity)
                if carry is not None:
                    carry.carry(bars, busy)
                self._mark(index, busy, last)
                self.skipped_bars += busy - index
                if progress is not None:
                    for done in range((index // step + 1) * step, busy + 1, step):
                        progress(done, total)
                index = busy
                skipped_last = busy == count
        last = bars[count - 1]
        if skipped_last:  # the context holds an earlier tick (or a carried close's)
            engine.context.begin_tick(last)  # the end-of-data flow is stamped with it
            engine.context_aggregator.ready = False
        self.release()
        return last

    def incremental(self, progress: Callable[[int, int], None] | None) -> Bar | None:
        """The fall-back: every bar through the incremental loop with the handlers (no
        tick has run yet); the last bar."""
        engine = self.engine
        engine.table = engine.bus.table = self.handlers
        self.release()
        _, last, _ = engine._loop(progress)
        return last

    def _advance(self, index: int, count: int, gaps: bool = True) -> int:
        """The block starting at tick ``index`` loaded: its tick columns (a window, the
        gaps before its ticks counted unless not ``gaps``: the first block's are counted
        once the run knows it will not fall back) and the streamed workers' outputs
        (their busy ticks to the skipper); the block's end."""
        end = min(index + stream_blocks.BLOCK_BARS, count)
        window, blocks, skipper = self.window, self.blocks, self.skipper
        if window is not None:
            self.arrays = skipper.arrays = window.load(index, end)
            skipper.base = window.base
            if gaps:
                count_gaps(self.engine.gaps, self.bars, self.arrays, window.base, index, end)
            if blocks is not None:
                blocks.ticks, blocks.base = self.arrays, window.base
                blocks.move_frames(window.closed)
            for timeframe, ahead in self.ahead.items():
                ahead.base, closed = window.closed[timeframe]
                ahead.bars = ArrayBars(closed)
        if blocks is None:
            return end if window is not None else count
        block_end, skipper.signal_ticks = blocks.advance(index)
        return block_end

    def _skip_windows(self, lo: int, hi: int, capacity: int) -> None:
        """The windows, resamplers and warm-up count over the skipped ticks
        ``lo..hi-1``: a short stretch through the resamplers bar by bar, a longer one
        by ``TickWindows.jump`` from the closed bars known ahead."""
        windows, bars = self.engine.frames, self.bars
        kept = max(lo, hi - capacity)
        if not windows.resamplers:
            windows.skip(bars[kept:hi], hi - lo)
            return
        if hi - lo <= SHORT_STRETCH:
            windows.skip(bars[lo:hi], hi - lo)
            return
        stretches = [
            self.ahead[window.timeframe].stretch(bars, lo, hi, window.capacity)
            for _, window in windows.resamplers
        ]
        skipped = bars[lo:hi] if any(s[2] is None for s in stretches) else []
        windows.jump(bars[kept:hi], hi - lo, stretches, skipped)

    def check_fault(self, index: int) -> None:
        """Raise :class:`~stc.runtime.fast_fallback.FastFallback` when the fault just
        journaled on tick ``index`` could make the modes differ from here on."""
        engine = self.engine
        fault = engine.faults[-1]
        why = fault_could_differ(
            self.watched, engine.table, engine.frames.released, index, fault.worker
        )
        if why is not None:
            raise FastFallback(fault, why)

    def _mark(self, lo: int, hi: int, last: Bar) -> None:
        """The ledger marked at bars ``lo..hi-1`` (``last`` is bar ``hi - 1``): a long
        stretch in bulk with numpy, a shorter one in the compiled per-bar loop (numpy's
        ~20 calls cost more than ``LONG_STRETCH`` compiled marks)."""
        base = 0 if self.window is None else self.window.base
        lo, hi = lo - base, hi - base  # (the columns of the window)
        if hi - lo > LONG_STRETCH:
            mark_stretch(self.engine.ledger, self.arrays, lo, hi, last)
            return
        a = self.arrays
        mark_closes(self.engine.ledger, a.close[lo:hi].tolist(), a.high[lo:hi].tolist(),
                    a.low[lo:hi].tolist(), last)  # fmt: skip

    def release(self) -> None:
        """Let the data and the batch outputs go once every bar has run. The engine's
        objects form reference cycles, which live until the cyclic collector runs: the
        report would otherwise be written beside the whole data a second time."""
        self.bars = ()
        if self.window is not None:
            self.window.release()
        self.arrays = self.skipper.arrays = BarArrays.empty(self.arrays.timeframe)
        for call in self.batched.calls.values():
            call.release()
        self.batched = replace(self.batched, outputs={}, calls={}, release={}, streams={})
        self.carry = None
        self.ahead = {}
        self.watched = {}
        self.blocks = None


def dense(ticks: Sequence[int], block_end: int) -> str | None:
    """Why skipping cannot pay on this data (``DENSE_SHARE``), or None: ``ticks`` are
    the busy ticks the batch part found for the first ``block_end`` ticks (a block's
    list ends with ``block_end`` itself when more ticks follow)."""
    signals = bisect_left(ticks, block_end)
    if block_end == 0 or signals < DENSE_SHARE * block_end:
        return None
    return (
        f"every bar ran in the incremental loop: {signals:,} of the first {block_end:,} "
        f"bars carry a signal (at least {DENSE_SHARE:.0%}: skipping could not pay)"
    )


def count_gaps(
    gaps: GapCounter,
    bars: Sequence[Bar],
    arrays: BarArrays,
    base: int = 0,
    lo: int = 0,
    hi: int | None = None,
) -> None:
    """Every gap before the bars ``lo..hi-1`` (default: all; ``arrays`` holds bars
    ``base..``, bar ``lo - 1`` among them), in order, as the incremental loop's per-bar
    comparison (``time >= due(previous)``) finds them: on epoch nanoseconds when the
    times are UTC or a fixed offset (datetime arithmetic is then absolute), else with
    the loop's own datetime arithmetic."""
    import numpy as np

    hi = len(bars) if hi is None else hi
    lo = max(lo, 1)
    if hi <= lo:
        return
    zone = bars[0].time.tzinfo
    if gaps.slack is not None and (zone is None or zone is UTC or isinstance(zone, timezone)):
        slack_ns = gaps.slack // _ONE_US * 1000
        times = arrays.time[lo - 1 - base : hi - base]
        found = np.flatnonzero(np.diff(times) >= slack_ns) + lo
        indices = found.tolist()
    else:
        indices = [k for k in range(lo, hi) if bars[k].time >= gaps.due(bars[k - 1].time)]
    for k in indices:
        gaps.record(bars[k - 1].time, bars[k].time)


_ONE_US = timedelta(microseconds=1)
