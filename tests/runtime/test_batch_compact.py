"""The fast engine keeps batch outputs compact (issue 23, memory): ``compacted`` must
read back every value ``at``/``item`` read before, bit for bit, and the chunked EMA
kernel must equal the incremental EMA however the series is cut."""

from __future__ import annotations

import math
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stc.runtime import batch
from stc.runtime.batch import BarArrays, BatchOutput, Coded, PresentOnly, compacted, ema_column
from stc.runtime.dtos.market import Bar
from stc.runtime.indicators import EMA


def bits(value: object) -> object:
    """A float's bits (so -0.0 and 0.0, and NaN payloads, are told apart)."""
    return struct.pack("<d", value) if isinstance(value, float) else value


def test_few_values_are_coded_keeping_signed_zero_and_nan() -> None:
    factor = np.resize(np.array([0.5, -0.0, 0.0, np.nan, 1.0]), 2_000)
    out = compacted(BatchOutput(present=np.ones(2_000, bool), factors={"f": factor}))
    coded = out.factors["f"]
    assert isinstance(coded, Coded)
    assert coded.codes.dtype == np.uint8
    assert [bits(coded.item(i)) for i in range(2_000)] == [
        bits(factor.item(i)) for i in range(2_000)
    ]


def test_many_values_stay_an_array_and_integers_narrow() -> None:
    values = np.arange(5_000, dtype=np.float64) / 7
    codes = np.arange(5_000, dtype=np.int64) - 300
    out = compacted(BatchOutput(present=np.ones(5_000, bool), columns={"v": values, "c": codes}))
    assert out.columns["v"] is values
    assert out.columns["c"].dtype == np.int16
    assert [out.at("c", i) for i in range(5_000)] == codes.tolist()


def test_a_sparse_output_keeps_its_columns_where_present_only() -> None:
    present = np.zeros(3_000, bool)
    present[[7, 1_000, 2_999]] = True
    values = np.arange(3_000) * 0.25
    out = compacted(BatchOutput(present=present, columns={"v": values}))
    assert isinstance(out.columns["v"], PresentOnly)
    assert [out.at("v", i) for i in (7, 1_000, 2_999)] == [1.75, 250.0, 749.75]
    with pytest.raises(IndexError):
        out.at("v", 8)


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=0, max_size=60),
    period=st.integers(1, 12),
    chunk=st.integers(1, 7),
)
def test_chunked_ema_equals_the_incremental_ema(
    values: list[float], period: int, chunk: int
) -> None:
    ema = EMA(period)
    expected = [ema.update(x) for x in values]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(batch, "CHUNK_BARS", chunk)
        got = ema_column(np.array(values, dtype=np.float64), period).tolist()
    assert [None if math.isnan(g) else g for g in got] == expected


def test_a_run_of_array_bars_equals_the_bars_read_one_by_one() -> None:
    """``ArrayBars[a:b]`` builds a stretch's bars column-wise; each must equal the bar
    read alone (times before 1970 included: nanoseconds floor to microseconds)."""
    from stc.runtime.batched import ArrayBars

    times = np.array([-1_500, -1_000, 0, 999, 3_600_000_000_123_456_789], dtype=np.int64)
    prices = np.array([1.5, 2.25, 0.1, 3.0, 7.75])
    arrays = BarArrays("1h", times, prices, prices + 1, prices - 1, prices, prices * 2)
    bars = ArrayBars(arrays)

    def fields(bar: Bar) -> tuple[object, ...]:
        return (bar.time, bar.open, bar.high, bar.low, bar.close, bar.volume)

    assert [fields(b) for b in bars[1:5]] == [fields(bars[i]) for i in range(1, 5)]
    assert [fields(b) for b in bars[::2]] == [fields(bars[i]) for i in (0, 2, 4)]
