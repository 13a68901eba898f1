"""Data validation and resampling (plan loading is in tests/runtime/plan/test_plan_loading.py)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rt_helpers import EURUSD

from stc.runtime.data import DataError, Resampler, bucket_start, load_bars
from stc.runtime.dtos.market import Bar
from stc.runtime.resources import default_data_path


def test_load_eurusd_and_default_path() -> None:
    bars = load_bars(EURUSD)
    assert len(bars) == 5000 and bars[0].time == datetime(2017, 4, 19, 9, tzinfo=UTC)
    assert default_data_path().name == "EURUSD_1h.csv"


def _csv(tmp_path: Path, body: str, header: str = "time,Open,High,Low,Close,Volume") -> Path:
    path = tmp_path / "d.csv"
    path.write_text(header + "\n" + body)
    return path


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("2024-01-01 01:00,1,2,0.5,1.5,1\n2024-01-01 00:00,1,2,0.5,1.5,1\n", ":3: unsorted"),
        ("2024-01-01 00:00,1,2,0.5,1.5,1\n2024-01-01 00:00,1,2,0.5,1.5,1\n", ":3: duplicate"),
        ("2024-01-01 00:00,1,nan,0.5,1.5,1\n", ":2: NaN"),
        ("2024-01-01 00:00,1,0.4,0.5,1.5,1\n", ":2: high/low"),
        ("2024-01-01 00:00,0,2,0.5,1.5,1\n", ":2: prices must be positive"),
        ("2024-01-01 00:00,1,2,x,1.5,1\n", ":2: non-numeric"),
        ("yesterday,1,2,0.5,1.5,1\n", ":2: bad timestamp"),
    ],
)
def test_bad_bars_name_the_row(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(DataError, match=message):
        load_bars(_csv(tmp_path, body))


def test_columns_are_case_insensitive_and_required(tmp_path: Path) -> None:
    ok = _csv(
        tmp_path, "2024-01-01T00:00:00Z,1,2,0.5,1.5,1\n", "timestamp,open,HIGH,low,close,volume"
    )
    assert load_bars(ok)[0].close == 1.5
    with pytest.raises(DataError, match="missing column 'volume'"):
        load_bars(_csv(tmp_path, "2024-01-01,1,2,0.5,1.5\n", "time,open,high,low,close"))


def test_resampler_releases_only_closed_bars_matching_a_batch_rebuild() -> None:
    rng = random.Random(3)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    bars, t, price = [], start, 100.0
    for _ in range(500):
        t += timedelta(hours=1 if rng.random() > 0.1 else rng.randint(2, 30))  # with gaps
        o = price
        price *= 1 + rng.uniform(-0.01, 0.01)
        bars.append(Bar(t, o, max(o, price) + 0.1, min(o, price) - 0.1, price, 1.0))
    for tf in ("4h", "1d", "1w"):
        resampler = Resampler(tf, "1h")
        released: list[Bar] = []
        for bar in bars:
            for higher in resampler.push(bar):
                end = {"4h": timedelta(hours=4), "1d": timedelta(days=1), "1w": timedelta(weeks=1)}
                assert higher.time + end[tf] <= bar.time + timedelta(hours=1)  # closed
                released.append(higher)
        # batch rebuild from all bars of each released bucket
        for higher in released:
            members = [b for b in bars if bucket_start(b.time, tf) == higher.time]
            assert higher.open == members[0].open and higher.close == members[-1].close
            assert higher.high == max(b.high for b in members)
            assert higher.low == min(b.low for b in members)


def test_bucket_alignment() -> None:
    monday = datetime(2024, 1, 1, tzinfo=UTC)  # a Monday
    assert bucket_start(monday + timedelta(days=3, hours=5), "1w") == monday
    assert bucket_start(datetime(2024, 3, 17, 13, tzinfo=UTC), "1M") == datetime(
        2024, 3, 1, tzinfo=UTC
    )
    assert bucket_start(datetime(2024, 3, 17, 13, tzinfo=UTC), "4h") == datetime(
        2024, 3, 17, 12, tzinfo=UTC
    )
