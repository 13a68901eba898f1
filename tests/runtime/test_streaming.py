"""Streaming data, compact trade storage and the lean per-bar path (issue 4)."""

from __future__ import annotations

from array import array
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from rt_helpers import EURUSD

from stc.runtime.data import DataError, count_rows, iter_bars, load_bars, validate_bars
from stc.runtime.dtos.ledger import Trade
from stc.runtime.dtos.market import Bar
from stc.runtime.ledger import Ledger, TradeLog
from stc.runtime.metrics import compute_metrics


def _csv(tmp_path: Path, body: str, header: str = ",Open,High,Low,Close,Volume") -> Path:
    path = tmp_path / "d.csv"
    path.write_text(header + "\n" + body)
    return path


def test_iter_bars_streams_until_the_bad_row(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "2024-01-01 00:00:00,1,2,0.5,1.5,1\n"
        "2024-01-01 01:00:00,1,2,0.5,1.5,1\n"
        "2024-01-01 01:00:00,1,2,0.5,1.5,1\n",
    )
    stream = iter_bars(path)
    assert next(stream).time == datetime(2024, 1, 1, tzinfo=UTC)
    assert next(stream).time == datetime(2024, 1, 1, 1, tzinfo=UTC)
    with pytest.raises(DataError, match=r"d\.csv:4: duplicate timestamp"):
        next(stream)


def test_header_errors_are_raised_at_once(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="missing column 'volume'"):
        iter_bars(_csv(tmp_path, "2024-01-01,1,2,0.5,1.5\n", "time,open,high,low,close"))
    empty = tmp_path / "e.csv"
    empty.write_text("")
    with pytest.raises(DataError, match="empty file"):
        iter_bars(empty)
    with pytest.raises(DataError, match="no bars"):
        list(iter_bars(_csv(tmp_path, "\n")))


@pytest.mark.parametrize(
    "stamp",
    ["2024-01-01 05:00:00", "2024-01-01T05:00:00", "2024-01-01T05:00:00Z", "2024-01-01 05:00",
     "2024-01-01T07:00:00+02:00", "1704085200"],
)  # fmt: skip
def test_fast_and_slow_timestamp_paths_agree(tmp_path: Path, stamp: str) -> None:
    bar = load_bars(_csv(tmp_path, f"{stamp},1,2,0.5,1.5,1\n"))[0]
    assert bar.time == datetime(2024, 1, 1, 5, tzinfo=UTC) and bar.time.tzinfo is UTC


def test_stream_equals_the_thorough_validator() -> None:
    fast = list(iter_bars(EURUSD))
    rows = [(i, [b.time.isoformat(), *map(repr, _ohlcv(b))]) for i, b in enumerate(fast)]
    slow = validate_bars(rows, "x")
    assert [(b.time, *_ohlcv(b)) for b in fast] == [(b.time, *_ohlcv(b)) for b in slow]
    assert count_rows(EURUSD) == len(fast) == 5000


def _ohlcv(bar: object) -> tuple[float, ...]:
    return tuple(getattr(bar, k) for k in ("open", "high", "low", "close", "volume"))


def _trade(n: int) -> Trade:
    return Trade(
        trade_id=f"TRD_20240101_000000_{n:05x}", symbol="EURUSD", direction="BUY",
        execution_directive_id=None, entry_time=datetime(2024, 1, 1, tzinfo=UTC),
        entry_price=Decimal("1.10"), size=Decimal("1000.00000000"), exit_reason="SIGNAL",
        exit_time=datetime(2024, 1, 2, tzinfo=UTC), exit_price=Decimal("1.20"),
        fees=Decimal("0"), pnl=Decimal("-1E-7"),
    )  # fmt: skip


def test_trade_log_rebuilds_equal_trades() -> None:
    trades = [_trade(n) for n in range(3)]
    log = TradeLog(trades)
    assert len(log) == 3 and log[1] == trades[1] and log[-1] == trades[-1]
    assert list(log) == trades and log == trades and log == tuple(trades)
    assert log[:2] == trades[:2] and log == TradeLog(trades) and log != trades[:2]
    assert [(str(t.exit_price), str(t.size), str(t.pnl)) for t in log] == [
        ("1.20", "1000.00000000", "-1E-7")
    ] * 3  # the exact Decimal text survives (trades.csv writes str())


def test_ledger_keeps_floats_in_step_with_decimals() -> None:
    ledger = Ledger(10_000.0, "EURUSD")
    ledger.entry_fill("TRD_20240101_000000_00001", "BUY", 1.1, Decimal(100), 0.0,
                      datetime(2024, 1, 1, tzinfo=UTC), stop=Decimal("1.05"))  # fmt: skip
    trade = ledger.open["TRD_20240101_000000_00001"]
    assert (trade.size_f, trade.stop_f, trade.target_f) == (100.0, 1.05, None)
    assert ledger.cash_f == float(ledger.cash)
    trade.stop = Decimal("1.07")
    assert trade.stop_f == 1.07
    assert isinstance(ledger.equity_curve, array)


def _book(ledger: Ledger) -> None:
    """Two bars, one round trip (with a stop: its risk feeds closed_trade_returns)."""
    t0, t1 = datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 1, 1, 1, tzinfo=UTC)
    ledger.entry_fill("TRD_20240101_000000_00001", "BUY", 1.1, Decimal(100), 0.1, t0,
                      stop=Decimal("1.05"), risk_amount=Decimal(5))  # fmt: skip
    ledger.mark(Bar(time=t0, open=1.1, high=1.2, low=1.0, close=1.15, volume=1))
    ledger.exit_fill("TRD_20240101_000000_00001", 1.2, 0.1, t1, "SIGNAL")
    ledger.mark(Bar(time=t1, open=1.15, high=1.25, low=1.1, close=1.2, volume=1))


def test_a_ledger_without_history_streams_its_metrics_and_trades() -> None:
    kept, sunk = Ledger(10_000.0, "EURUSD"), []
    lean = Ledger(10_000.0, "EURUSD", keep_history=False, trade_sink=sunk.append)
    _book(kept)
    _book(lean)
    assert len(lean.equity_curve) == 0 and len(lean.closed) == 0 and lean.marks == 2
    assert sunk == list(kept.closed) and lean.closed_count == 1
    assert lean.closed_trade_returns() == kept.closed_trade_returns() == (float(
        kept.closed[0].pnl / Decimal(5)),)  # fmt: skip
    assert lean.snapshot().closed_trades == 1
    times = (datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 1, 1, 1, tzinfo=UTC))
    listed = compute_metrics(kept.equity_curve, times, kept.closed, 10_000.0, 1, 0)
    assert lean.metrics.metrics(times, 1, 0) == listed
    assert listed["trades"] == 1 and listed["bars"] == 2 and listed["win_rate"] == 1.0
