"""The simulated venue: an order book matched bar by bar with the fill model.

Orders come from an ExecutionDirective (:func:`build_orders`): one entry order, or
``slices`` child orders for TWAP (one per bar) and iceberg (the next slice is released
after the previous one filled) routing, or one child per price for a layered LIMIT
entry. Each order is *active* from a bar index on; a directive decided on bar ``t``
therefore never fills before bar ``t + 1`` (the next bar's open at the earliest).

Time in force: IOC and FOK orders are cancelled after their first active bar if they
did not fill (bar-level fills are all-or-nothing, so IOC and FOK coincide); GTC orders
stay until filled or ``gtc_bars`` bars after activation (0 = never expire).

Flows are transactional: mutations requested during a flow (submit, exit update,
close) are staged and applied on :meth:`Venue.commit`; :meth:`Venue.rollback` drops
them when the flow aborted, so an aborted flow never touches the ledger.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from decimal import Decimal

from stc.runtime.dtos.market import Bar
from stc.runtime.dtos.plans import ExecutionDirective
from stc.runtime.execution import fill_model as fm
from stc.runtime.ledger import Ledger, OpenTrade
from stc.runtime.precision import to_places

_NONE: frozenset[str] = frozenset()  # no trade filled inside the bar


@dataclass(frozen=True)
class VenueSettings:
    """Fill-model parameters (platform ``execution`` + handler config)."""

    slippage_pct: float = 0.0
    fee_pct: float = 0.0
    twap_duration_bars: int = 4
    gtc_bars: int = 0


class Order:
    """One resting order (internal)."""

    __slots__ = (
        "active_from", "direction", "exe_id", "kind", "limit", "next_slice",
        "order_id", "purpose", "reason", "risk", "size", "stop", "stop_loss", "take_profit",
        "tif", "trade_id", "triggered",
    )  # fmt: skip

    def __init__(
        self, order_id: str, trade_id: str, direction: str, kind: str, size: Decimal
    ) -> None:
        self.order_id = order_id
        self.trade_id = trade_id
        self.direction = direction  # the trade's direction (BUY = long)
        self.kind = kind  # MARKET | LIMIT | STOP_LIMIT
        self.size = size
        self.purpose = "ENTRY"
        self.limit: float | None = None
        self.stop: float | None = None
        self.triggered = False
        self.tif = "GTC"
        self.active_from = 0
        self.next_slice: Order | None = None
        self.exe_id: str | None = None
        self.stop_loss: Decimal | None = None
        self.take_profit: Decimal | None = None
        self.risk = Decimal(0)
        self.reason = "SIGNAL"

    @property
    def side(self) -> str:
        """The order's side: entries trade with, exits against the trade direction."""
        if self.purpose == "ENTRY":
            return self.direction
        return "SELL" if self.direction == "BUY" else "BUY"


def build_orders(
    directive: ExecutionDirective, trade_id: str, bar_index: int, settings: VenueSettings
) -> list[Order]:
    """Child orders of ``directive`` decided on bar ``bar_index`` (active from +1)."""
    entry, routing = directive.entry_plan, directive.routing_plan
    size = directive.size_plan.position_size
    prices: list[float | None] = [float(entry.limit_price) if entry.limit_price else None]
    prices += [float(p) for p in entry.layers]
    layered = len(prices) > 1
    iceberg = bool(routing.iceberg_preference) and not layered  # layers all rest at once
    slices = routing.slices
    if routing.timing == "TWAP" and slices == 1:
        slices = settings.twap_duration_bars
    if layered:
        slices = 1  # one child per price
    n = len(prices) * slices
    sizes = split_size(size, n)
    orders: list[Order] = []
    for i in range(n):
        order = Order(f"{trade_id}-{i + 1}", trade_id, entry.direction, entry.order_type, sizes[i])
        order.limit = prices[i % len(prices)] if len(prices) > 1 else prices[0]
        order.stop = float(entry.stop_price) if entry.stop_price else None
        order.tif = routing.time_in_force
        order.exe_id = directive.directive_id
        order.stop_loss = directive.exit_plan.stop_loss_price
        order.take_profit = directive.exit_plan.take_profit_price
        order.risk = directive.size_plan.risk_amount
        timed = routing.timing == "TWAP" and not iceberg
        order.active_from = bar_index + 1 + (i if timed else 0)
        orders.append(order)
    if iceberg and len(orders) > 1:
        for first, second in itertools.pairwise(orders):
            first.next_slice = second
        orders = orders[:1]
    return orders


def split_size(size: Decimal, parts: int) -> list[Decimal]:
    """``size`` in ``parts`` children of 8-decimal precision; the last takes the rest."""
    if parts == 1:
        return [size]
    child = to_places(size / parts, 8)  # a size beyond 10^20 lots too (precision module)
    return [child] * (parts - 1) + [size - child * (parts - 1)]


class Venue:
    """Order book + matching against bars, applying fills to the ledger."""

    def __init__(self, ledger: Ledger, settings: VenueSettings) -> None:
        self.ledger = ledger
        self.settings = settings
        self.orders: list[Order] = []
        self.cancelled: list[tuple[str, str]] = []  # (order id, reason), drained by the engine
        self._staged: list[Callable[[], None]] = []
        self._in_flow = False
        self.index = 0  # the bar being processed (orders placed now act from index + 1)
        self._rest = RestingBounds()

    # --- flow transactions ---------------------------------------------------------
    def begin_flow(self, index: int = -1) -> None:
        """Stage mutations from now on (``index``: the flow's bar, when known)."""
        if index >= 0:
            self.index = index
        self._in_flow = True

    def commit(self) -> None:
        """Apply the staged mutations in order."""
        self._in_flow = False
        if not self._staged:
            return
        staged, self._staged = self._staged, []
        for apply in staged:
            apply()

    def rollback(self) -> None:
        """Drop the staged mutations (the flow aborted)."""
        self._staged, self._in_flow = [], False

    def _do(self, apply: Callable[[], None]) -> None:
        if self._in_flow:
            self._staged.append(apply)
        else:
            apply()

    # --- requests --------------------------------------------------------------------
    def submit(self, orders: list[Order]) -> None:
        """Add orders to the book."""
        self._do(lambda: self.orders.extend(orders))

    def update_exit(self, trade_id: str, stop: Decimal | None, target: Decimal | None) -> None:
        """Replace the stop/target of an open trade or of its pending entry orders."""

        def apply() -> None:
            self.ledger.set_exit(trade_id, stop, target)
            for order in self._pending_entries(trade_id):
                order.stop_loss, order.take_profit = stop, target

        self._do(apply)

    def request_close(self, trade_id: str, bar_index: int, reason: str = "SIGNAL") -> None:
        """Close ``trade_id`` with a market order at the next bar's open."""

        def apply() -> None:
            self._cancel_entries(trade_id, "trade closing")
            trade = self.ledger.open.get(trade_id)
            if trade is None:
                return
            order = Order(f"{trade_id}-X", trade_id, trade.direction, "MARKET", trade.size)
            order.purpose, order.reason, order.active_from = "EXIT", reason, bar_index + 1
            self.orders.append(order)

        self._do(apply)

    def _pending_entries(self, trade_id: str) -> list[Order]:
        out = []
        for order in self.orders:
            node: Order | None = order
            while node is not None:
                if node.trade_id == trade_id and node.purpose == "ENTRY":
                    out.append(node)
                node = node.next_slice
        return out

    def _cancel_entries(self, trade_id: str, reason: str) -> None:
        keep = []
        for order in self.orders:
            if order.trade_id == trade_id and order.purpose == "ENTRY":
                self.cancelled.append((order.order_id, reason))
            else:
                keep.append(order)
        self.orders = keep

    # --- matching -----------------------------------------------------------------------
    def process_bar(self, bar: Bar, index: int) -> None:
        """Match the book against ``bar`` in the one documented intrabar order
        (docs/runtime.md, "Intrabar order of events"):

        1. the trades open at the bar's open whose stop or target the open crossed exit
           at the open (their pending entry orders are cancelled: no slice is bought
           for a trade that is closed at its first price);
        2. the book in submission order: exit orders at the open, entries at the open
           (market) or where the range touches them (limit, stop-limit); an intrabar
           entry of a trade open at the open whose price lies beyond that trade's
           touched stop does not fill (the adverse path reaches the stop first);
        3. protective exits, stop before target: every trade open at the bar's open is
           protected on the whole bar, slices bought in it included; a new trade is
           protected from this bar when it filled at the open, from the next bar when
           it filled intrabar (the path after an intrabar fill is unknown).
        """
        self.index = index
        ledger = self.ledger
        if not self.orders:  # protective exits alone (exit_check tries the open first)
            if ledger.open:
                self._protective_exits(bar, _NONE, _NONE)
            return
        held = set(ledger.open)  # grows with the trades that fill at this bar's open
        if held:
            self._gap_exits(bar)
        rest = self._rest
        if rest.book is not self.orders or rest.size != len(self.orders):
            rest.describe(self.orders, self.settings.gtc_bars <= 0)
        # a book of resting limits this bar does not reach: step 2 would keep every
        # order as it is, fill nothing and cancel nothing (``RestingBounds``)
        intrabar = _NONE if rest.untouched(bar, index) else self._match_orders(bar, index, held)
        if ledger.open:
            self._protective_exits(bar, held, intrabar)

    def _gap_exits(self, bar: Bar) -> None:
        """Step 1: stops and targets the bar's open already crossed fill at the open."""
        for trade in list(self.ledger.open.values()):
            stop, target = trade.stop_f, trade.target_f
            long = trade.direction == "BUY"
            if stop is not None and (bar.open <= stop if long else bar.open >= stop):
                self._exit(trade, bar, bar.open, "STOP_LOSS")
            elif target is not None and (bar.open >= target if long else bar.open <= target):
                self._exit(trade, bar, bar.open, "TAKE_PROFIT")

    def _match_orders(self, bar: Bar, index: int, held: set[str]) -> AbstractSet[str]:
        """Step 2; ``held``: the trades in the market since the bar's open (a trade
        filled at the open joins it). Returns the trades that filled intrabar."""
        intrabar: set[str] = set()
        keep: list[Order] = []
        never_expires = self.settings.gtc_bars <= 0  # a GTC order then rests until filled
        for order in self.orders:
            if order.active_from > index:
                keep.append(order)
                continue
            if order.kind == "LIMIT" and order.purpose == "ENTRY" and _untouched(order, bar):
                # the common resting case (a limit the bar did not reach): what the
                # general path below does for it, without building a fill attempt
                # (``_expired`` of a GTC limit without expiry is False: not asked)
                if never_expires and order.tif == "GTC":
                    keep.append(order)
                elif self._expired(order, index):
                    self.cancelled.append((order.order_id, f"{order.tif} expired unfilled"))
                else:
                    keep.append(order)
                continue
            if order.purpose == "EXIT" and order.trade_id not in self.ledger.open:
                self.cancelled.append((order.order_id, "trade already closed"))
                continue
            price, at_open = self._try_fill(order, bar)
            if price is not None and not at_open and self._after_stop(order, price, bar, held):
                price = None  # the stop closes the trade first; step 3 cancels this order
            if price is not None:
                self._apply(order, price, bar)
                (held if at_open else intrabar).add(order.trade_id)
                if order.next_slice is not None:
                    order.next_slice.active_from = index + 1
                    keep.append(order.next_slice)
            elif self._expired(order, index):
                self.cancelled.append((order.order_id, f"{order.tif} expired unfilled"))
            else:
                keep.append(order)
        self.orders = keep
        return intrabar

    def _after_stop(self, order: Order, price: float, bar: Bar, held: set[str]) -> bool:
        """An intrabar entry of a trade in the market since the open, priced beyond
        that trade's stop touched in this bar: the adverse path meets the stop first."""
        trade = self.ledger.open.get(order.trade_id) if order.trade_id in held else None
        return trade is not None and _beyond_stop(price, order.direction, trade.stop_f, bar)

    def _try_fill(self, order: Order, bar: Bar) -> tuple[float | None, bool]:
        side, slip = order.side, self.settings.slippage_pct
        if order.kind == "MARKET":
            return fm.market_fill(bar, side, slip), True
        assert order.limit is not None
        if order.kind == "STOP_LIMIT" and not order.triggered:
            assert order.stop is not None
            order.triggered, price = fm.stop_limit_fill(bar, side, order.stop, order.limit)
            return price, price == bar.open
        price = fm.limit_fill(bar, side, order.limit)
        return price, price == bar.open

    def _expired(self, order: Order, index: int) -> bool:
        if order.tif in ("IOC", "FOK") and (order.kind != "STOP_LIMIT" or order.triggered):
            return True  # first eligible bar passed (a stop-limit is eligible once triggered)
        gtc = self.settings.gtc_bars
        return gtc > 0 and index - order.active_from + 1 >= gtc

    def _apply(self, order: Order, price: float, bar: Bar) -> None:
        fee = fm.fee(price, float(order.size), self.settings.fee_pct)
        if order.purpose == "EXIT":
            self.ledger.exit_fill(order.trade_id, price, fee, bar.time, order.reason)  # type: ignore[arg-type]
            return
        self.ledger.entry_fill(
            order.trade_id,
            order.direction,
            price,
            order.size,
            fee,
            bar.time,
            exe_id=order.exe_id,
            stop=order.stop_loss,
            target=order.take_profit,
            risk_amount=order.risk,
        )

    def _protective_exits(
        self, bar: Bar, held: AbstractSet[str], intrabar: AbstractSet[str]
    ) -> None:
        """Step 3: the stop (before the target) of every open trade, except a trade that
        entered the market intrabar in this bar (not in ``held``)."""
        for trade in list(self.ledger.open.values()):
            if trade.trade_id in intrabar and trade.trade_id not in held:
                continue  # new inside this bar: its path after the fill is unknown
            stop, target = trade.stop_f, trade.target_f
            if stop is None and target is None:
                continue
            hit = fm.exit_check(bar, trade.direction, stop, target)
            if hit is not None:
                self._exit(trade, bar, hit[0], hit[1])

    def _exit(self, trade: OpenTrade, bar: Bar, price: float, reason: str) -> None:
        """Close ``trade`` at ``price`` (a stop takes slippage, inside the bar's range)
        and cancel its unfilled entry orders."""
        if reason == "STOP_LOSS":
            side = "SELL" if trade.direction == "BUY" else "BUY"
            price = fm.slipped_in_bar(price, bar, side, self.settings.slippage_pct)
        fee = fm.fee(price, trade.size_f, self.settings.fee_pct)
        self._cancel_entries(trade.trade_id, f"trade exited by {reason}")
        self.ledger.exit_fill(trade.trade_id, price, fee, bar.time, reason)  # type: ignore[arg-type]

    def close_all(self, bar: Bar, reason: str = "END_OF_DATA") -> None:
        """Close every open trade at ``bar``'s close (no slippage) and clear the book."""
        for order in self.orders:
            self.cancelled.append((order.order_id, reason))
        self.orders = []
        for trade in list(self.ledger.open.values()):
            fee = fm.fee(bar.close, float(trade.size), self.settings.fee_pct)
            self.ledger.exit_fill(trade.trade_id, bar.close, fee, bar.time, reason)  # type: ignore[arg-type]

    def drain_cancelled(self) -> list[tuple[str, str]]:
        """Orders cancelled since the last call: (order id, reason)."""
        out = self.cancelled
        if out:
            self.cancelled = []
        return out


class RestingBounds:
    """What step 2 needs to know of a book to see that a bar leaves it as it is: the
    highest BUY and the lowest SELL price of its resting entry limits (LIMIT, ENTRY,
    GTC, without expiry), and the first bar on which any other order is eligible.

    Why: ict_smc keeps ~20 patient limits and TWAP slices resting on a typical bar,
    and ``_match_orders`` visited each of them every bar to keep it. On a bar before
    every other order's ``active_from`` whose open and range stay strictly above the
    highest BUY limit and below the lowest SELL limit, ``_untouched`` holds for each
    resting limit (a BUY limit is untouched when the open and the low are above it,
    a SELL limit when the open and the high are below it), so step 2 would keep every
    order in its place, fill nothing and cancel nothing: the venue skips it. The
    bounds describe one book (the list object and its length: the venue replaces the
    list when it drops an order and only appends to it in place); with ``gtc_bars``
    > 0 a resting order can expire on any bar, so nothing is skipped."""

    __slots__ = ("book", "buy_ceiling", "sell_floor", "size", "wake")

    def __init__(self) -> None:
        self.book: list[Order] | None = None
        self.size = 0
        self.buy_ceiling = float("-inf")
        self.sell_floor = float("inf")
        self.wake = -1  # no bar is skipped until a book is described

    def describe(self, orders: list[Order], never_expires: bool) -> None:
        """Take the bounds of ``orders`` (GTC limits rest forever: ``never_expires``)."""
        self.book, self.size = orders, len(orders)
        buy, sell = float("-inf"), float("inf")
        wake = 1 << 62
        for order in orders:
            limit = order.limit
            if (
                order.kind == "LIMIT" and order.purpose == "ENTRY" and order.tif == "GTC"
                and limit is not None
            ):  # fmt: skip
                if order.direction == "BUY":
                    if limit > buy:
                        buy = limit
                elif limit < sell:
                    sell = limit
            elif order.active_from < wake:
                wake = order.active_from
        self.buy_ceiling, self.sell_floor = buy, sell
        self.wake = wake if never_expires else -1

    def untouched(self, bar: Bar, index: int) -> bool:
        """True when step 2 at ``bar`` (number ``index``) leaves the described book as
        it is: no other order eligible yet, no resting limit reached (NaN: False)."""
        ceiling, floor = self.buy_ceiling, self.sell_floor
        return (
            index < self.wake
            and bar.open > ceiling and bar.low > ceiling
            and bar.open < floor and bar.high < floor
        )  # fmt: skip


def _untouched(order: Order, bar: Bar) -> bool:
    """True when ``bar`` does not reach the resting entry limit ``order`` (its side is
    its direction): exactly when ``fill_model.limit_fill`` returns None."""
    limit = order.limit
    assert limit is not None
    if order.direction == "BUY":
        return not (bar.open <= limit or bar.low <= limit)
    return not (bar.open >= limit or bar.high >= limit)


def _beyond_stop(price: float, direction: str, stop: float | None, bar: Bar) -> bool:
    """True when an intrabar entry at ``price`` of a trade with ``stop`` lies beyond
    the stop on the bar's adverse path (a long buying below its touched stop): the
    stop fills first and the entry never does."""
    if stop is None:
        return False
    if direction == "BUY":
        return bar.low <= stop and price < stop
    return bar.high >= stop and price > stop
