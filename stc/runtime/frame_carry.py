"""What a batched worker on a higher timeframe leaves behind over a skipped stretch
(issue 23, item 2: event skipping with multi-timeframe plans).

The incremental engine calls a worker on timeframe T on every tick that closes a bar
of T (``EventBus.framed_context`` / ``framed_signals``). When the fast engine skips a
stretch of quiet ticks, some of those closes fall inside it. What such a call leaves
behind, and who could observe it:

* **its call count**: the adapter (:class:`~stc.runtime.batched.BatchedCall`) reads
  element n of its batch output on its n-th call. Carried: the count becomes the
  number of bars of T released before the stretch's end.
* **a context worker's frame** (``stc.runtime.frames.Frame``): the DTO its last call
  returned and the factors it scored, replayed on every tick until T's next close.
  Carried: the calls of the *last* close tick in the stretch run again, here, in a
  context opened on that tick (its bar, its time; the window of T ends with the same
  bars as it did there, since no bar of T closed after it in the stretch), so the
  frame keeps exactly what the incremental engine's frame kept. The earlier closes'
  frames were overwritten there and never read: on a skipped tick nobody reads the
  context (every context and signal worker is batched, the aggregator builds its
  assessment on demand and nobody asks).
* **its `honoured` types**: the first result of a type is checked against the
  worker's contract (``EventBus.context_result``). A result re-run here of a type
  not honoured yet is checked the same way; when the check fails, or the result is
  an envelope (the incremental engine would have journaled a fault or published on
  that tick), the fast run cannot match it and hands over to the incremental engine
  (:class:`~stc.runtime.fast_fallback.FastFallback`), as after a plugin fault.
* **a signal worker's calls**: its output is absent on every close in the stretch
  (a present output makes its tick busy: ``Batched.signal_ticks``), so it returned
  None there; the factors it scored belong to a context nobody reads. Only its call
  count is carried.

So a close of T inside a stretch is not a reason to run its tick: nothing observable
happens there, and the state the next running tick reads is the incremental one.
"""

from __future__ import annotations

import traceback
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from stc.runtime.batched import BatchedCall, Cursor
from stc.runtime.bus import EventBus, method_name
from stc.runtime.dispatch import DispatchTable
from stc.runtime.dtos.market import Bar, LazyContext, OHLCVWindow
from stc.runtime.envelope import DispositionEnvelope
from stc.runtime.fast_fallback import FastFallback
from stc.runtime.frames import Frame
from stc.runtime.run_result import Fault

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray


class _Framed:
    """One batched worker on a higher timeframe: its adapter, the ticks on which the
    bars of its timeframe close, and (a context worker) its frame and honoured types."""

    __slots__ = ("call", "frame", "honoured", "release", "window", "worker")

    def __init__(
        self,
        worker: str,
        call: BatchedCall,
        release: NDArray[np.int64],
        window: OHLCVWindow,
        frame: Frame | None,
        honoured: set[type] | None,
    ) -> None:
        self.worker = worker
        self.call = call
        self.release = release
        self.window = window
        self.frame = frame
        self.honoured = honoured


class FrameCarry:
    """Carries every batched higher-timeframe worker over the skipped stretches of one
    fast run (:meth:`carry`, after the stretch's bars went through the resamplers)."""

    def __init__(
        self,
        table: DispatchTable,
        calls: Mapping[str, BatchedCall],
        release: Mapping[str, NDArray[np.int64]],
        windows: Mapping[str, OHLCVWindow],
        bus: EventBus,
        context: LazyContext,
        cursor: Cursor,
    ) -> None:
        self.bus = bus
        self.context = context
        self.cursor = cursor
        framed: list[_Framed] = []
        for _, wid, honoured, frame in table.context_chain:
            if frame is not None and wid in calls:
                framed.append(_Framed(wid, calls[wid], release[frame.timeframe],
                                      windows[frame.timeframe], frame, honoured))  # fmt: skip
        for _, wid, timeframe, _ in table.signal_workers:
            if timeframe is not None and wid in calls:
                framed.append(_Framed(wid, calls[wid], release[timeframe],
                                      windows[timeframe], None, None))  # fmt: skip
        self.framed = tuple(framed)

    def __bool__(self) -> bool:
        return bool(self.framed)

    def carry(self, bars: Sequence[Bar], hi: int) -> None:
        """Leave every higher-timeframe worker as the incremental engine would after
        tick ``hi - 1`` (the stretch's last bar; the stretch began after the last tick
        that ran, whose calls counted themselves)."""
        for item in self.framed:
            call = item.call
            count = int(item.release.searchsorted(hi))  # bars of T released before tick hi
            if count == call.calls:
                continue  # no close in the stretch
            if item.frame is None:
                call.calls = count
                continue
            last = int(item.release[count - 1])  # the stretch's last close tick
            call.calls = first = int(item.release.searchsorted(last))
            self._rerun(item, bars[last], last, count - first)

    def _rerun(self, item: _Framed, tick: Bar, index: int, closes: int) -> None:
        """The ``closes`` calls of ``item``'s context worker on tick ``index`` again, made
        by ``EventBus.framed_context`` itself into a context opened on that tick; a
        result of a type not honoured yet goes through :meth:`_honour`."""
        ctx, frame, honoured = self.context, item.frame, item.honoured
        assert frame is not None and honoured is not None
        ctx.begin_tick(tick)
        self.cursor.index = index
        closed = {frame.timeframe: [item.window[-k] for k in range(closes, 0, -1)]}

        def on_new(result: Any) -> None:
            self._honour(item, tick, result)
            ctx.provide(result)

        try:
            self.bus.framed_context(item.call, item.worker, honoured, frame, closed, on_new)
        except FastFallback:
            raise
        except Exception as exc:
            raise self._fallback(item, tick, exc, "raised") from exc

    def _honour(self, item: _Framed, tick: Bar, result: Any) -> None:
        """Check a result of a type not seen from the worker yet, as
        ``EventBus.context_result`` does; a result the incremental engine would have
        published or faulted on cannot be matched: the run falls back."""
        if isinstance(result, DispositionEnvelope):
            raise self._fallback(item, tick, None, "returned an envelope")
        try:
            self.bus.contracts.check_context(item.worker, method_name(item.call), result)
        except Exception as exc:
            raise self._fallback(item, tick, exc, "broke its contract") from exc
        assert item.honoured is not None
        item.honoured.add(type(result))

    def _fallback(
        self, item: _Framed, tick: Bar, exc: BaseException | None, what: str
    ) -> FastFallback:
        """The hand-over to the incremental engine for a skipped close that was not
        quiet after all."""
        error = type(exc).__name__ if exc is not None else "DispositionEnvelope"
        text = "".join(traceback.format_exception(exc)) if exc is not None else ""
        fault = Fault(0, item.worker, tick.time.isoformat(), error, text)
        why = f"{what} on a skipped close of {item.window.timeframe}"
        return FastFallback(fault, why)
