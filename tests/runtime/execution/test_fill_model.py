"""The fill model and the venue on hand-computed bar sequences."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rt_helpers import bars_from, directive

from stc.runtime.dtos.market import Bar
from stc.runtime.execution import fill_model as fm
from stc.runtime.execution.venue import Venue, VenueSettings, build_orders
from stc.runtime.ledger import Ledger


def _bar(o: float, h: float, lo: float, c: float) -> Bar:
    return bars_from([(o, h, lo, c)])[0]


def _run(exe, rows, settings=None, decided_on=0):  # type: ignore[no-untyped-def]
    """Submit ``exe`` decided on bar ``decided_on`` and process ``rows`` as bars 0..n."""
    settings = settings or VenueSettings()
    ledger = Ledger(100_000.0, "X")
    venue = Venue(ledger, settings)
    venue.submit(build_orders(exe, "TRD_20240101_000000_00010", decided_on, settings))
    for index, bar in enumerate(bars_from(rows)):
        venue.process_bar(bar, index)
        ledger.mark(bar)
    return ledger, venue


def test_stop_and_target_in_one_bar_fills_the_stop() -> None:
    assert fm.exit_check(_bar(100, 125, 85, 100), "BUY", 90.0, 120.0) == (90.0, "STOP_LOSS")
    assert fm.exit_check(_bar(100, 115, 75, 100), "SELL", 110.0, 80.0) == (110.0, "STOP_LOSS")


def test_gap_through_stop_fills_at_open() -> None:
    assert fm.exit_check(_bar(85, 88, 80, 86), "BUY", 90.0, 120.0) == (85.0, "STOP_LOSS")
    assert fm.exit_check(_bar(115, 118, 112, 116), "SELL", 110.0, 80.0) == (115.0, "STOP_LOSS")


def test_gap_through_target_fills_at_open() -> None:
    assert fm.exit_check(_bar(125, 130, 121, 126), "BUY", 90.0, 120.0) == (125.0, "TAKE_PROFIT")


def test_limit_touch_gap_and_never_touched() -> None:
    assert fm.limit_fill(_bar(100, 101, 97, 99), "BUY", 98.0) == 98.0
    assert fm.limit_fill(_bar(96, 99, 95, 97), "BUY", 98.0) == 96.0  # gapped through: open
    assert fm.limit_fill(_bar(100, 101, 99, 100), "BUY", 98.0) is None
    assert fm.limit_fill(_bar(100, 103, 99, 100), "SELL", 102.0) == 102.0


def test_stop_limit_triggers_then_fills_within_limit() -> None:
    assert fm.stop_limit_fill(_bar(100, 106, 99, 105), "BUY", 104.0, 105.0) == (True, 104.0)
    assert fm.stop_limit_fill(_bar(107, 108, 106, 107), "BUY", 104.0, 105.0) == (True, None)
    assert fm.stop_limit_fill(_bar(100, 103, 99, 101), "BUY", 104.0, 105.0) == (False, None)


def test_market_order_fills_at_next_open_with_adverse_slippage() -> None:
    rows = [(100, 101, 99, 100), (102, 104, 100, 102), (103, 104, 102, 103)]
    ledger, _ = _run(directive(), rows, VenueSettings(slippage_pct=0.01))
    fill = ledger.drain_changes()[0]
    assert fill.timestamp == bars_from(rows)[1].time
    assert fill.price == Decimal("103.02")  # 102 * 1.01, inside the bar's high 104
    short, _ = _run(directive(direction="SELL", stop="130", target="50"), rows,
                    VenueSettings(slippage_pct=0.01))  # fmt: skip
    assert short.drain_changes()[0].price == Decimal("100.98")  # 102 * 0.99


def test_fees_on_each_fill() -> None:
    rows = [(100, 101, 99, 100), (100, 101, 99, 100), (100, 121, 99, 120)]
    ledger, _ = _run(directive(size="10"), rows, VenueSettings(fee_pct=0.001))
    entry, exit_, trade = ledger.drain_changes()
    assert entry.fee == Decimal("1.0")  # 0.1% of 100 * 10
    assert exit_.fee == Decimal("1.2")  # 0.1% of 120 * 10
    assert trade.pnl == Decimal("200") - Decimal("2.2")
    assert ledger.cash == Decimal("100000") + trade.pnl


def test_stop_checked_on_entry_bar_after_open_fill() -> None:
    rows = [(100, 101, 99, 100), (100, 101, 89, 95)]
    ledger, _ = _run(directive(), rows)
    trade = ledger.closed[0]
    assert (trade.exit_reason, trade.exit_price) == ("STOP_LOSS", Decimal("90.0"))


def test_limit_never_touched_makes_no_trade_and_expires() -> None:
    rows = [(100, 101, 99, 100)] + [(100, 101, 99.5, 100)] * 5
    exe = directive(order_type="LIMIT", limit="98", tif="GTC")
    ledger, venue = _run(exe, rows, VenueSettings(gtc_bars=3))
    assert not ledger.closed and not ledger.open
    assert [reason for _, reason in venue.drain_cancelled()] == ["GTC expired unfilled"]


def test_ioc_limit_cancelled_after_first_eligible_bar() -> None:
    rows = [(100, 101, 99, 100), (100, 101, 99.5, 100), (100, 101, 97, 100)]
    ledger, venue = _run(directive(order_type="LIMIT", limit="98", tif="IOC"), rows)
    assert not ledger.closed and not ledger.open
    assert venue.drain_cancelled()[0][1] == "IOC expired unfilled"


def test_limit_fill_is_intrabar_so_exits_start_next_bar() -> None:
    rows = [(100, 101, 99, 100), (100, 101, 85, 95), (89, 90, 88, 89)]
    ledger, _ = _run(directive(order_type="LIMIT", limit="98", stop="90"), rows)
    trade = ledger.closed[0]
    assert trade.entry_price == Decimal("98.0")
    assert trade.exit_time == bars_from(rows)[2].time  # not on the fill bar
    assert trade.exit_price == Decimal("89.0")  # bar 2 gapped below the stop: its open


def test_twap_slices_fill_on_consecutive_bars() -> None:
    rows = [(100, 101, 99, 100), (101, 102, 100, 101), (102, 103, 101, 102),
            (103, 104, 102, 103), (104, 105, 103, 104)]  # fmt: skip
    ledger, _ = _run(directive(size="9", timing="TWAP", slices=3, target="200"), rows)
    fills = ledger.drain_changes()
    assert [(f.price, f.size) for f in fills] == [
        (Decimal("101.0"), Decimal("3")), (Decimal("102.0"), Decimal("3")),
        (Decimal("103.0"), Decimal("3")),
    ]  # fmt: skip
    assert ledger.open["TRD_20240101_000000_00010"].entry_price == Decimal("102")


def test_twap_uses_platform_duration_when_one_slice() -> None:
    exe = directive(size="8", timing="TWAP", slices=1)
    orders = build_orders(exe, "TRD_20240101_000000_00010", 5, VenueSettings(twap_duration_bars=4))
    assert [o.active_from for o in orders] == [6, 7, 8, 9]
    assert sum(o.size for o in orders) == Decimal("8")


def test_iceberg_releases_next_slice_after_fill() -> None:
    rows = [(100, 101, 99, 100)] + [(100, 101, 97, 100)] * 3
    exe = directive(order_type="LIMIT", limit="98", size="4", slices=2, iceberg="0.5")
    ledger, _ = _run(exe, rows)
    fills = ledger.drain_changes()
    assert [f.timestamp.hour for f in fills] == [1, 2]
    assert sum(f.size for f in fills) == Decimal("4")


def test_layered_limit_entry_one_child_per_price() -> None:
    exe = directive(order_type="LIMIT", limit="99", layers=("98", "97"), size="3")
    orders = build_orders(exe, "TRD_20240101_000000_00010", 0, VenueSettings())
    assert [(o.limit, o.size) for o in orders] == [(99.0, 1), (98.0, 1), (97.0, 1)]


def test_staged_submissions_roll_back() -> None:
    ledger = Ledger(1000.0, "X")
    venue = Venue(ledger, VenueSettings())
    venue.begin_flow()
    venue.submit(build_orders(directive(), "TRD_20240101_000000_00010", 0, VenueSettings()))
    venue.rollback()
    venue.process_bar(bars_from([(100, 101, 99, 100)] * 2)[1], 1)
    assert not venue.orders and not ledger.open


@pytest.mark.parametrize(("price", "size", "pct", "expected"), [(100.0, 2.0, 0.001, 0.2)])
def test_fee_formula(price: float, size: float, pct: float, expected: float) -> None:
    assert fm.fee(price, size, pct) == pytest.approx(expected)
