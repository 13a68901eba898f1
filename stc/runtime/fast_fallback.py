"""The fast engine never gives a different result silently: a fault that could make it
differ hands the run to the incremental engine (issue 23, item 4).

Why a fault can make the modes differ: a plugin fault aborts the rest of its tick's
flow. The incremental engine then does not call the handlers after the fault on that
bar, so a batchable worker called later in the flow misses the bar in its own
incremental state (an EMA skips a close) and its later outputs move; the fast engine's
batch output was computed over every bar and does not. Nothing else about an aborted
flow differs: the calls before the fault ran in both modes, and the rest of the flow
(signals, planning, orders) is skipped in both.

So after every running tick on which a fault was journaled the fast loop asks
:func:`fault_could_differ` whether some batched worker's call was skipped by the
abort (its adapter, :class:`~stc.runtime.batched.BatchedCall`, stamps the tick it was
last called on), or whether the fault is a batched worker's own (its handler would have
raised there too, but the journaled traceback runs through the adapter, not the
handler). If neither — the fault came after every batched call of the tick: in
planning, the venue, a threat worker after them — the batch outputs are still exactly
the handlers' (every handler ran on every bar, nothing can differ). Otherwise the loop
raises :class:`FastFallback`, and the
caller (``stc.runtime.api.run``, a sweep's variant) runs the whole data again with the
incremental engine, from the first bar, into a new journal and trades.csv: the result
is the incremental run's, every journal row and id included, and
``RunResult.engine_note`` (``stc run``'s ``engine`` line) says what happened. A new
journal rather than continuing after the fault's flow: a fault raised inside a batched
worker's own code has the adapter's frames in its journaled traceback, so not even
the fault's flow is the incremental run's then. The cost is one more run up to the
fault, only for runs whose faults come where they could matter.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stc.runtime.batched import BatchedCall
    from stc.runtime.dispatch import DispatchTable
    from stc.runtime.dtos.market import Bar
    from stc.runtime.engine import Engine, EngineResult
    from stc.runtime.run_result import Fault

FALLBACK_NOTE = "the run continued with the incremental engine"
"""The words every fallback note ends with (``stc run``'s ``engine`` line)."""


class FastFallback(Exception):
    """The fast run stopped at a fault after which it could differ from the incremental
    run; the caller runs the data again with the incremental engine."""

    def __init__(self, fault: Fault, why: str) -> None:
        self.fault = fault
        self.why = why
        super().__init__(self.note)

    @property
    def note(self) -> str:
        """What ``stc run`` prints on its ``engine`` line."""
        return (
            f"a plugin fault at {self.fault.tick_time} in `{self.fault.worker}` {self.why}: "
            f"{FALLBACK_NOTE} from the first bar"
        )


def fault_could_differ(
    calls: Mapping[str, BatchedCall],
    table: DispatchTable,
    released: Mapping[str, list[Bar]],
    index: int,
    faulty: str,
) -> str | None:
    """Why the fault of worker ``faulty`` on tick ``index`` could make the modes differ
    (the words after the worker in the note), or None when it cannot: it is not a
    batched worker's own, and every batched call the tick should have made was made.
    A worker on the tick timeframe is called on every running tick; one on a higher
    timeframe only on ticks that closed one of its bars."""
    if faulty in calls:
        return "(a batched worker: its fault is journaled from its batch form's code)"
    timeframes: dict[str, str | None] = {}
    for _, wid, _, frame in table.context_chain:
        timeframes[wid] = frame.timeframe if frame is not None else None
    for _, wid, timeframe, _ in table.signal_workers:
        timeframes[wid] = timeframe
    for wid, timeframe in timeframes.items():
        call = calls.get(wid)
        if call is None or call.tick == index:
            continue
        if timeframe is None or released.get(timeframe):
            return f"aborted its flow before batched worker `{wid}` ran"
    return None


def run_with_hand_over(
    first: Engine,
    again: Callable[[], Engine],
    progress: Callable[[int, int], None] | None,
) -> tuple[EngineResult, str | None]:
    """Run ``first``; when it hands over (:class:`FastFallback`), run the engine ``again``
    builds (after resetting what the first run wrote) over the whole data. Returns the
    result and the hand-over's note (None: no hand-over). Shared by ``api.run`` and a
    sweep's variant, so both treat a hand-over alike. The second run starts outside the
    ``except`` block: a fault inside it is not chained to the hand-over's traceback."""
    try:
        return first.run(progress), None
    except FastFallback as fallback:
        note = fallback.note
    return again().run(progress), note
