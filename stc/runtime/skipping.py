"""Event skipping (issue 23, item 2): the next bar where something can happen.

After a tick has run, the fast loop asks :meth:`Skipper.next_busy` for the first bar
that must run the incremental way; every bar before it is *quiet* and is accounted
for in bulk (windows, marks, metrics, progress). A bar is quiet only when the engine
can prove that running it would do nothing but mark the book:

* no worker needs it: every context, opportunity and tick-threat worker runs in
  batch form (``WorkerSpec.batch``) and, for the signal workers, none has an output
  present on the bar (``Batched.signal_ticks``: a signal, or a warm-up result whose
  ``result_at`` must still run to draw its ids); the only ``CONTEXT_READY`` subscriber
  is the platform's aggregator (it sets a flag; the assessment it would build is
  built on demand, and nobody asks on a quiet bar); no scheduled events;
* the book cannot move: the execution handler is the simulated venue; no order in its
  book is due (a market order, an exit of a closed trade, an untriggered stop-limit,
  an IOC/FOK order: due at their first eligible bar; a resting limit: at its GTC
  expiry), no resting limit's price and no open trade's stop or target lies within
  the bar's range (or was crossed by its open) — a search over the highs, lows and
  opens in chunks (a compiled loop: :func:`stc.runtime.quiet_bars.first_touch`);
* nothing of the run is fed back: no ``POSITION_UPDATE`` subscriber while a trade is
  open (it would be published on every bar), no bad rows waiting to be journaled;
* a close of a higher timeframe is not a reason to run a bar: the higher windows and
  resamplers follow every skipped bar (``TickWindows.skip`` bar by bar, or ``jump``
  with the closed bars known ahead), and a batched worker on a higher
  timeframe is carried over the stretch (its call count, a context worker's replayed
  frame: :mod:`stc.runtime.frame_carry`); a signal worker's output present at one of
  its closes is in ``signal_ticks`` like any other.

Whatever the skipper cannot prove, it does not skip: :meth:`Skipper.why_not` says
which condition holds a plan to per-bar dispatch (``None``: it may skip).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Collection, Sequence
from typing import Any

from stc.runtime.batch import BarArrays
from stc.runtime.batched import Batched
from stc.runtime.dispatch import DispatchTable
from stc.runtime.execution.venue import Venue
from stc.runtime.ledger import Ledger
from stc.runtime.quiet_bars import first_touch, orders_due

FIRST_CHUNK = 64
"""Bars searched first for a touched stop or target (the chunk doubles after a miss:
the search costs in proportion to the stretch it proves quiet)."""


BUSY_ASKS = 8
"""Consecutive asks that found the very next bar busy before the fast loop stops asking
(:class:`Backoff`)."""

HOLD_TICKS = 4
"""Ticks run without asking after ``BUSY_ASKS`` busy answers; doubled after each busy
answer that follows a hold, up to ``MAX_HOLD``, reset by any answer that skips."""

MAX_HOLD = 32
"""The longest hold."""


class Backoff:
    """The fast loop's fall-back where skipping does not pay (session 16): on a run of
    busy bars (direct_planning keeps ~92 % of its bars busy with open trades and resting
    orders) every ask walks the book and searches the range only to answer "the next
    bar", so after ``BUSY_ASKS`` such searched answers in a row (a skip in between
    resets the count) the loop runs the next
    ``HOLD_TICKS`` ticks without asking (doubling while the answers stay busy).

    Running a tick the skipper would have skipped is what the incremental engine does
    on every bar, so a hold cannot change a result; and the state here moves only with
    the skipper's answers, which depend on the plan and the data alone: the same
    ticks are held on every machine, whatever the worker count."""

    __slots__ = ("busy", "held", "hold", "holds", "until")

    def __init__(self) -> None:
        self.busy = 0
        """Busy answers in a row."""
        self.hold = HOLD_TICKS
        self.until = 0
        """The first tick at which the loop asks again."""
        self.holds = 0
        """Holds engaged (for tests and benchmarks)."""
        self.held = 0
        """Ticks run without asking (for tests and benchmarks)."""

    def answered(self, index: int, busy: int, searched: bool) -> None:
        """The skipper answered ``busy`` when asked at tick ``index``, having walked the
        book and searched the range (``searched``) or not (a signal on the bar, an open
        trade with a ``POSITION_UPDATE`` subscriber: answers that cost a bisection, not
        counted)."""
        if busy > index:
            self.busy = 0
            self.hold = HOLD_TICKS
            return
        if not searched:
            return
        self.busy += 1
        if self.busy >= BUSY_ASKS:
            self.until = index + self.hold
            self.holds += 1
            self.hold = min(self.hold * 2, MAX_HOLD)
            self.busy = BUSY_ASKS - 1  # one more busy answer after the hold: hold again


class Skipper:
    """The next-busy-bar query of one fast run."""

    def __init__(
        self,
        table: DispatchTable,
        batched: Batched,
        arrays: BarArrays,
        ledger: Ledger,
        on_bar: Callable[[Any, int], None],
        aggregator: object,
        refused: str | None = None,
        count: int | None = None,
    ) -> None:
        self.arrays = arrays
        self.base = 0
        """The tick index of ``arrays``' first row (the fast loop's window of ticks)."""
        self.count = count if count is not None else len(arrays)
        """The ticks of the run."""
        self.ledger = ledger
        self.table = table
        self.signal_ticks: list[int] = batched.signal_ticks.tolist()
        self.venue: Venue | None = getattr(on_bar, "__self__", None)
        self.reason = refused or why_not(table, batched.calls, self.venue, aggregator)
        """Why every bar runs (``refused``: said before the batch part), or None."""
        self.searched = False
        """Whether the last answer walked the book (what :class:`Backoff` counts: an
        answer found without it costs a bisection)."""

    def why_not(self) -> str | None:
        """Why this plan runs every bar (None: it skips quiet bars)."""
        return self.reason

    def next_busy(self, start: int, pending_rows: Sequence[object]) -> int:
        """The first bar at or after ``start`` that must run (``len(bars)``: none).

        The cheap answers first: a signal on ``start`` itself (ict_smc's common case)
        needs neither the book nor the range search; the book is walked by the compiled
        :func:`~stc.runtime.quiet_bars.orders_due`."""
        self.searched = False
        if self.reason is not None or pending_rows:
            return start
        venue = self.venue
        assert venue is not None
        ledger = self.ledger
        if self.table.position_routes and ledger.open:
            return start
        ticks = self.signal_ticks
        found = bisect_left(ticks, start)
        end = ticks[found] if found < len(ticks) else self.count
        if end == start:
            return start
        self.searched = True
        limits: list[tuple[float, bool]] = []  # resting limit prices and whether BUY
        if venue.orders:
            end = orders_due(venue.orders, start, end, ledger.open, venue.settings.gtc_bars,
                             limits)  # fmt: skip
        if (ledger.open or limits) and end > start:
            end = self._first_touch(start, end, limits)
        return end

    def _first_touch(self, start: int, end: int, limits: list[tuple[float, bool]]) -> int:
        """The first bar in ``start..end-1`` whose range (or open) reaches an open
        trade's stop or target or a resting limit order's price, else ``end``: chunk by
        chunk, in the compiled loop of :func:`~stc.runtime.quiet_bars.first_touch`
        over the chunk's prices as lists."""
        arrays, size, position, base = self.arrays, FIRST_CHUNK, start, self.base
        nan = float("nan")
        exits = [
            (
                nan if trade.stop_f is None else trade.stop_f,
                nan if trade.target_f is None else trade.target_f,
                trade.direction == "BUY",
            )
            for trade in self.ledger.open.values()
        ]
        while position < end:
            stop = min(end, position + size)
            a, b = position - base, stop - base
            found = first_touch(
                arrays.open[a:b].tolist(), arrays.high[a:b].tolist(), arrays.low[a:b].tolist(),
                exits, limits,
            )  # fmt: skip
            if found >= 0:
                return position + found
            position, size = stop, size * 2
        return end


def why_not(
    table: DispatchTable, calls: Collection[str], venue: object, aggregator: object
) -> str | None:
    """The first static condition that rules skipping out for a plan whose batched
    workers are ``calls`` (ids), or None. Asked before the batch part too (with the
    workers the plan marks batchable): a plan it refuses then computes no batch output
    (every bar runs its handlers, which are cheaper than adapters)."""
    per_bar = (
        *(("context", wid) for _, wid, _, _ in table.context_chain),
        *(("signal", wid) for _, wid, _, _ in table.signal_workers),
    )
    for kind, wid in per_bar:
        if wid not in calls:
            return f"{kind} worker `{wid}` runs tick by tick (not batchable)"
    for route in table.context_ready:
        if getattr(route.call, "__self__", None) is not aggregator:
            return f"`{route.worker}` subscribes to CONTEXT_READY"
    if table.schedules:
        return "scheduled events: their buckets are tracked bar by bar"
    if not isinstance(venue, Venue):
        return "the execution handler is not the simulated venue"
    return None
