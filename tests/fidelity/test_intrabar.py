"""The intrabar order of events (docs/runtime.md, "Intrabar order of events") on
hand-made bar sequences with the expected fills written out, and as properties over
random bars and random order mixes (hypothesis).

Each case: a directive decided on bar 0 (orders active from bar 1), then bars 1.. as
(open, high, low, close). Prices are chosen so that every expected number can be
checked by hand.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stc.runtime.dtos.ledger import Fill, Trade
from stc.runtime.dtos.market import Bar
from stc.runtime.execution.venue import Venue, VenueSettings, build_orders
from stc.runtime.ledger import Ledger
from tests.runtime.rt_helpers import bars_from, directive

TRD = "TRD_20240101_000000_00010"


@dataclass
class Replay:
    """What a venue did over a bar sequence."""

    bars: list[Bar]
    fills: list[tuple[int, Fill]]  # (bar index, fill)
    trades: list[Trade]
    ledger: Ledger


def _replay(
    exes: list[tuple[object, str, int]],
    rows: list[tuple[float, float, float, float]],
    settings: VenueSettings | None = None,
    updates: dict[int, list[tuple[str, str]]] | None = None,
    closes: dict[int, list[str]] | None = None,
) -> Replay:
    """Submit each (directive, trade id, decided on bar) and process ``rows``; after bar
    i, ``updates[i]`` moves stops (trade id, new stop) and ``closes[i]`` closes trades,
    as a trailing stop / MODIFY_EXISTING / CLOSE_EXISTING flow of bar i would."""
    settings = settings or VenueSettings()
    ledger = Ledger(100_000.0, "X")
    venue = Venue(ledger, settings)
    bars = bars_from(rows)
    fills: list[tuple[int, Fill]] = []
    trades: list[Trade] = []
    for index, bar in enumerate(bars):
        venue.process_bar(bar, index)
        ledger.mark(bar)
        for change in ledger.drain_changes():
            if isinstance(change, Fill):
                fills.append((index, change))
            else:
                trades.append(change)
        venue.begin_flow(index)
        for exe, trade_id, decided in exes:
            if decided == index:
                venue.submit(build_orders(exe, trade_id, index, settings))  # type: ignore[arg-type]
        for trade_id, stop in (updates or {}).get(index, []):
            venue.update_exit(trade_id, Decimal(stop), None)
        for trade_id in (closes or {}).get(index, []):
            venue.request_close(trade_id, index)
        venue.commit()
    return Replay(bars, fills, trades, ledger)


def _fills(replay: Replay) -> list[tuple[int, str, float, float]]:
    return [(i, f.purpose, float(f.price), float(f.size)) for i, f in replay.fills]


DECIDE = (100, 100.5, 99.5, 100)  # bar 0: the decision bar


def test_an_intrabar_slice_does_not_switch_off_the_stop_of_the_open_position() -> None:
    """TWAP of 3 LIMIT 99 slices, stop 95. Bar 1 fills slice 1 intrabar (a new trade:
    protected from bar 2). Bar 2 fills slice 2 intrabar at 99 and touches the stop:
    the position open at bar 2's open is protected, the slice (bought at 99, above the
    stop, so on the way down before it) is closed with it; slice 3 is cancelled."""
    exe = directive(order_type="LIMIT", limit="99", size="3", stop="95", target="200",
                    timing="TWAP", slices=3)  # fmt: skip
    rows = [DECIDE, (100, 100.5, 98.5, 99.2), (99.5, 99.8, 94, 95), (95, 96, 94, 95)]
    replay = _replay([(exe, TRD, 0)], rows)
    assert _fills(replay) == [
        (1, "ENTRY", 99.0, 1.0),
        (2, "ENTRY", 99.0, 1.0),
        (2, "EXIT", 95.0, 2.0),
    ]
    assert [t.exit_reason for t in replay.trades] == ["STOP_LOSS"]


def test_a_bar_that_opens_through_the_stop_buys_no_slice() -> None:
    """The stop fills at the gapped open (94) for what was held; the slice due on
    that bar is cancelled, not bought and stopped at once."""
    exe = directive(size="2", stop="95", target="200", timing="TWAP", slices=2)
    rows = [DECIDE, (100, 100.5, 99, 100), (94, 96, 93, 95), (95, 96, 94, 95)]
    replay = _replay([(exe, TRD, 0)], rows)
    assert _fills(replay) == [(1, "ENTRY", 100.0, 1.0), (2, "EXIT", 94.0, 1.0)]


def test_a_slice_beyond_the_touched_stop_does_not_fill() -> None:
    """A long whose stop was raised (94 → 96.5, decided on bar 1) above its next LIMIT
    slice (96): on a bar that touches both, the falling price meets the stop first;
    the slice never fills and is cancelled with the exit."""
    exe = directive(order_type="LIMIT", limit="96", size="2", stop="94", target="200",
                    timing="TWAP", slices=2)  # fmt: skip
    rows = [DECIDE, (97, 97.5, 95.8, 97), (97, 97.2, 95.5, 96), (96, 96.5, 95, 96)]
    replay = _replay([(exe, TRD, 0)], rows, updates={1: [(TRD, "96.5")]})
    assert _fills(replay) == [(1, "ENTRY", 96.0, 1.0), (2, "EXIT", 96.5, 1.0)]


def test_a_new_trade_filled_at_the_open_is_protected_on_that_bar() -> None:
    exe = directive(size="1", stop="95", target="200")
    replay = _replay([(exe, TRD, 0)], [DECIDE, (100, 100.5, 94, 96)])
    assert _fills(replay) == [(1, "ENTRY", 100.0, 1.0), (1, "EXIT", 95.0, 1.0)]


def test_a_new_trade_filled_intrabar_is_protected_from_the_next_bar() -> None:
    exe = directive(order_type="LIMIT", limit="98", size="1", stop="95", target="200")
    rows = [DECIDE, (100, 100.5, 94, 96), (96, 97, 94.5, 95)]
    replay = _replay([(exe, TRD, 0)], rows)
    assert _fills(replay) == [(1, "ENTRY", 98.0, 1.0), (2, "EXIT", 95.0, 1.0)]


def test_slippage_is_clamped_to_the_bar_and_fees_are_on_the_real_price() -> None:
    """1 % slippage: the buy at open 100 would be 101, the bar's high is 100.4; the
    stop at 95 would sell at 94.05, the bar's low is 94.8. Fee 0.1 % of each price."""
    settings = VenueSettings(slippage_pct=0.01, fee_pct=0.001)
    exe = directive(size="10", stop="95", target="200")
    replay = _replay([(exe, TRD, 0)], [DECIDE, (100, 100.4, 99, 100), (99, 99, 94.8, 95)], settings)
    assert _fills(replay) == [(1, "ENTRY", 100.4, 10.0), (2, "EXIT", 94.8, 10.0)]
    fees = [f.fee for _, f in replay.fills]
    assert fees == [pytest.approx(Decimal("1.004")), pytest.approx(Decimal("0.948"))]


def test_a_moved_stop_applies_from_the_next_bar() -> None:
    """A trailing stop / MODIFY_EXISTING decided on bar 2 (stop 95 → 99.5) is checked
    from bar 3 on: bar 2's low 99.2 did not stop the trade, bar 3's low does."""
    exe = directive(size="1", stop="95", target="200")
    rows = [DECIDE, (100, 101, 99.8, 100.8), (100.8, 101, 99.2, 100.5), (100.5, 100.6, 99, 99.3)]
    replay = _replay([(exe, TRD, 0)], rows, updates={2: [(TRD, "99.5")]})
    assert _fills(replay) == [(1, "ENTRY", 100.0, 1.0), (3, "EXIT", 99.5, 1.0)]


def test_iceberg_next_slice_and_the_held_position_share_the_stop() -> None:
    """Iceberg of 2 LIMIT 99 slices: slice 1 fills on bar 1, slice 2 is released on
    bar 2, fills intrabar at 99, and the stop touched on bar 2 closes both."""
    exe = directive(order_type="LIMIT", limit="99", size="2", stop="95", target="200",
                    slices=2, iceberg="0.5")  # fmt: skip
    rows = [DECIDE, (99.5, 100, 98.8, 99.5), (99.5, 99.6, 94.9, 95.5)]
    replay = _replay([(exe, TRD, 0)], rows)
    assert _fills(replay) == [
        (1, "ENTRY", 99.0, 1.0),
        (2, "ENTRY", 99.0, 1.0),
        (2, "EXIT", 95.0, 2.0),
    ]


def test_close_and_gapped_stop_on_the_same_open_close_once() -> None:
    """A CLOSE_EXISTING decided on bar 1 and a stop the bar-2 open gaps through: the
    stop fills at the open (step 1), the close order finds no trade and is dropped."""
    exe = directive(size="1", stop="95", target="200")
    replay = _replay([(exe, TRD, 0)], [DECIDE, (100, 101, 99, 100), (94, 95, 93, 94)],
                     closes={1: [TRD]})  # fmt: skip
    assert _fills(replay) == [(1, "ENTRY", 100.0, 1.0), (2, "EXIT", 94.0, 1.0)]
    assert [t.exit_reason for t in replay.trades] == ["STOP_LOSS"]


# ------------------------------------------------------------------ properties
def _random_bars(rng: random.Random, n: int) -> list[tuple[float, float, float, float]]:
    price, rows = 100.0, []
    for _ in range(n):
        open_ = price * (1 + rng.gauss(0, 0.004))
        close = open_ * (1 + rng.gauss(0, 0.01))
        high = max(open_, close) * (1 + abs(rng.gauss(0, 0.006)))
        low = min(open_, close) * (1 - abs(rng.gauss(0, 0.006)))
        rows.append((round(open_, 4), round(high, 4), round(low, 4), round(close, 4)))
        price = close
    return rows


def _random_orders(
    rng: random.Random, rows: list[tuple[float, ...]], count: int
) -> list[tuple[object, str, int]]:
    out = []
    for k in range(count):
        decided = rng.randrange(len(rows) - 1)
        ref = rows[decided][3]
        long = rng.random() < 0.5
        sign = 1 if long else -1
        kind = rng.choice(["MARKET", "LIMIT", "STOP_LIMIT", "LAYERED", "TWAP", "ICEBERG"])
        stop = ref * (1 - sign * rng.uniform(0.015, 0.04))
        target = ref * (1 + sign * rng.uniform(0.003, 0.05))
        args: dict[str, object] = {
            "direction": "BUY" if long else "SELL", "size": str(rng.randint(1, 9)),
            "stop": f"{stop:.4f}", "target": f"{target:.4f}",
        }  # fmt: skip
        limit = f"{ref * (1 - sign * rng.uniform(0, 0.01)):.4f}"
        if kind in ("LIMIT", "TWAP", "ICEBERG"):
            args.update(order_type="LIMIT" if kind != "TWAP" or rng.random() < 0.5 else "MARKET")
            if args["order_type"] == "LIMIT":
                args["limit"] = limit
        if kind == "TWAP":
            args.update(timing="TWAP", slices=rng.randint(2, 4))
        if kind == "ICEBERG":
            args.update(slices=rng.randint(2, 3), iceberg="0.5")
        if kind == "STOP_LIMIT":
            trigger = ref * (1 + sign * rng.uniform(0, 0.01))
            args.update(order_type="STOP_LIMIT", stop_price=f"{trigger:.4f}",
                        limit=f"{trigger * (1 + sign * 0.002):.4f}")  # fmt: skip
        if kind == "LAYERED":
            args.update(order_type="LIMIT", limit=limit,
                        layers=(f"{float(limit) * (1 - sign * 0.003):.4f}",))  # fmt: skip
        out.append((directive(**args), f"TRD_20240101_000000_{k + 16:05x}", decided))  # type: ignore[arg-type]
    return out


def _moves(
    rng: random.Random, trades: list[tuple[object, str, int]], n: int
) -> tuple[dict[int, list[tuple[str, str]]], dict[int, list[str]]]:
    updates: dict[int, list[tuple[str, str]]] = {}
    closes: dict[int, list[str]] = {}
    for _, trade_id, decided in trades:
        if rng.random() < 0.4:
            at = rng.randrange(decided, n)
            exe = next(e for e, t, _ in trades if t == trade_id)
            stop = float(exe.exit_plan.stop_loss_price)  # type: ignore[attr-defined]
            nudged = stop * (1 + rng.uniform(-0.004, 0.004))
            updates.setdefault(at, []).append((trade_id, f"{nudged:.4f}"))
        if rng.random() < 0.2:
            closes.setdefault(rng.randrange(decided, n), []).append(trade_id)
    return updates, closes


def _stop_on(bar: int, initial: float, moves: list[tuple[int, float]]) -> float:
    stop = initial
    for at, value in moves:
        if at < bar:
            stop = value
    return stop


@settings(max_examples=150, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    count=st.integers(1, 6),
    slippage=st.sampled_from([0.0, 0.0005, 0.02]),
    fee=st.sampled_from([0.0, 0.001]),
)
def test_fills_stay_in_their_bar_and_stops_always_apply(
    seed: int, count: int, slippage: float, fee: float
) -> None:
    rng = random.Random(seed)
    rows = _random_bars(rng, 40)
    orders = _random_orders(rng, rows, count)
    updates, closes = _moves(rng, orders, len(rows))
    settings = VenueSettings(slippage_pct=slippage, fee_pct=fee)
    replay = _replay(orders, rows, settings, updates, closes)
    for index, fill in replay.fills:  # every fill lies in its bar; fees on its price
        bar = replay.bars[index]
        assert bar.low <= float(fill.price) <= bar.high, (index, fill)
        assert fill.fee == pytest.approx(Decimal(str(fee)) * fill.price * fill.size)
    first_fill: dict[str, int] = {}
    for index, fill in replay.fills:
        first_fill.setdefault(fill.trade_id, index)
    exit_bar = {f.trade_id: i for i, f in replay.fills if f.purpose == "EXIT"}
    for exe, trade_id, _ in orders:
        if trade_id not in first_fill:
            continue
        stop0 = float(exe.exit_plan.stop_loss_price)  # type: ignore[attr-defined]
        moves = [(at, float(s)) for at, pairs in updates.items() for t, s in pairs if t == trade_id]
        long = exe.entry_plan.direction == "BUY"  # type: ignore[attr-defined]
        end = exit_bar.get(trade_id, len(rows))
        for index in range(first_fill[trade_id] + 1, end):  # after the first fill's bar
            stop, bar = _stop_on(index, stop0, sorted(moves)), replay.bars[index]
            touched = bar.low <= stop if long else bar.high >= stop
            assert not touched, f"{trade_id}: stop {stop} touched on bar {index}, still open"


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), count=st.integers(2, 6))
def test_outcomes_do_not_depend_on_the_submission_order(seed: int, count: int) -> None:
    """The docs state no order between independent trades (no margin, one symbol):
    submitting the same directives in another order gives every trade the same fills
    and the account the same equity."""
    rng = random.Random(seed)
    rows = _random_bars(rng, 30)
    orders = _random_orders(rng, rows, count)
    shuffled = orders[:]
    random.Random(seed + 1).shuffle(shuffled)
    settings = VenueSettings(slippage_pct=0.0005, fee_pct=0.001)
    a, b = _replay(orders, rows, settings), _replay(shuffled, rows, settings)

    def by_trade(replay: Replay) -> dict[str, list[tuple[int, Fill]]]:
        out: dict[str, list[tuple[int, Fill]]] = {}
        for index, fill in replay.fills:
            out.setdefault(fill.trade_id, []).append((index, fill))
        return out

    assert by_trade(a) == by_trade(b)
    assert a.ledger.equity_curve[-1] == pytest.approx(b.ledger.equity_curve[-1], rel=1e-12)


def test_random_orders_really_trade() -> None:
    """The generators above produce fills, stops and several order kinds (else the
    properties would hold on nothing)."""
    reasons: set[str] = set()
    fills = 0
    for seed in range(40):
        rng = random.Random(seed)
        rows = _random_bars(rng, 40)
        orders = _random_orders(rng, rows, 5)
        replay = _replay(orders, rows, VenueSettings(slippage_pct=0.0005))
        fills += len(replay.fills)
        reasons |= {str(t.exit_reason) for t in replay.trades}
    assert fills > 100
    assert {"STOP_LOSS", "TAKE_PROFIT"} <= reasons


_ = datetime  # bar times come from rt_helpers (hourly from 2024-01-01)
