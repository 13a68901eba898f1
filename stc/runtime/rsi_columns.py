"""The RSI column: ``RSI(period)`` over a close column a part at a time.

Why: DivergenceScanner's batch form ran a one-pass RSI over the whole close column as
Python lists (the closes, the gains, the losses, their two Wilder averages and the
result as lists of 32 bytes an element: a 136 MB ``tracemalloc`` peak at 1M bars,
against 15 MB now), the last whole-column kernel after session 14 chunked the others
(:mod:`stc.runtime.indicator_columns`). Here the two Wilder averages run in the
compiled kernel
(:func:`stc.runtime.indicator_series.wilder_chunk`) over
:data:`stc.runtime.batch.CHUNK_BARS` changes at a time, each carrying its state
(:class:`~stc.runtime.indicator_series.WilderCarry`) into the next part, and the
element-wise work around them (the changes, gains, losses, the ratio) is numpy on the
part. Every value is the float :class:`stc.runtime.indicators.RSI` computes, bit for
bit: numpy's ``-``, ``/`` and comparisons on float64 are the same IEEE operations as
the class's, applied in the same order (tests/runtime/test_rsi_columns.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stc.runtime.batch import FloatArray


def rsi_column(close: FloatArray, period: int, chunk: int | None = None) -> FloatArray:
    """``RSI(period).update`` over the closes: NaN where the class returns None (the
    first ``period`` bars). ``chunk`` (default ``batch.CHUNK_BARS``, read at call
    time) is how many bars a part holds."""
    import numpy as np

    from stc.runtime import batch
    from stc.runtime.indicator_series import WilderCarry, wilder_chunk

    size = batch.CHUNK_BARS if chunk is None else chunk
    if size < 1:
        raise ValueError(f"chunk must be >= 1, got {size}")
    n = len(close)
    out = np.full(n, np.nan, dtype=np.float64)
    gain_carry, loss_carry = WilderCarry(period), WilderCarry(period)
    for start in range(1, n, size):  # bar 0 has no change: the class returns None
        stop = min(start + size, n)
        change = close[start:stop] - close[start - 1 : stop - 1]
        gains = np.where(change > 0.0, change, 0.0)
        losses = np.where(change < 0.0, -change, 0.0)
        gain = np.array(wilder_chunk(gains.tolist(), gain_carry), dtype=np.float64)
        loss = np.array(wilder_chunk(losses.tolist(), loss_carry), dtype=np.float64)
        out[start:stop] = _rsi(gain, loss)
    return out


def _rsi(gain: FloatArray, loss: FloatArray) -> FloatArray:
    """The class's last step, element-wise: ``100 - 100 / (1 + gain / loss)``, or 100
    (50 without movement) where the average loss is 0; NaN while warming up (both
    averages are NaN together: they count the same changes)."""
    import numpy as np

    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = 100.0 - 100.0 / (1.0 + gain / loss)
    flat = np.where(gain > 0.0, 100.0, 50.0)
    return np.where(loss == 0.0, flat, ratio)
