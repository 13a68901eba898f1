"""Indicator columns: the compiled series kernels run part by part over numpy columns.

Why: a batch form used to hand a whole column to a kernel of
:mod:`stc.runtime.indicator_series` as a Python list and get lists back (32 bytes an
element: ADX alone held ~10 of them, ~400 MB at 1M bars). Here each kernel sees
:data:`stc.runtime.batch.CHUNK_BARS` bars at a time, carrying its state from one part
to the next (the kernels' ``*Carry`` objects), and its lists are copied into numpy
float64 outputs allocated once: the lists alive at any moment are a part's, whatever
the series' length. The carries make the parts chain bit for bit into the one-pass
values (tests/runtime/test_indicator_columns.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stc.runtime.batch import FloatArray
    from stc.runtime.indicator_series import ADXCarry, ATRCarry


def _parts(n: int, chunk: int | None) -> Iterator[tuple[int, int]]:
    """The (start, stop) of consecutive parts of ``n`` elements, ``chunk`` (default
    ``CHUNK_BARS``) at a time."""
    from stc.runtime import batch

    size = batch.CHUNK_BARS if chunk is None else chunk
    if size < 1:
        raise ValueError(f"chunk must be >= 1, got {size}")
    for start in range(0, n, size):
        yield start, min(start + size, n)


def _nans(n: int) -> FloatArray:
    """A float64 column of ``n`` NaNs (the kernels' 'not yet')."""
    import numpy as np

    return np.full(n, np.nan, dtype=np.float64)


class EMAParts:
    """``EMA(period).update`` over consecutive parts of one series (the state between
    parts: how many values came before and the average after the last one)."""

    __slots__ = ("period", "seen", "value")

    def __init__(self, period: int) -> None:
        self.period = period
        self.seen = 0
        self.value = 0.0

    def next(self, values: FloatArray, chunk: int | None = None) -> FloatArray:
        """The averages over the next ``values`` (NaN while warming up), the compiled
        kernel run a part of at most ``chunk`` values at a time."""
        import numpy as np

        from stc.runtime.indicator_series import ema_chunk

        out = np.empty(len(values), dtype=np.float64)
        for a, b in _parts(len(values), chunk):
            part, self.value = ema_chunk(values[a:b].tolist(), self.period, self.seen, self.value)
            out[a:b] = part
            self.seen += b - a
        return out


def ema_column(values: FloatArray, period: int, chunk: int | None = None) -> FloatArray:
    """``EMA(period).update`` over the values: NaN while warming up."""
    return EMAParts(period).next(values, chunk)


def atr_column(
    high: FloatArray,
    low: FloatArray,
    close: FloatArray,
    period: int,
    chunk: int | None = None,
    carry: ATRCarry | None = None,
) -> FloatArray:
    """``ATR(period).update`` over the bars: NaN until ``period`` bars. With ``carry``
    (advanced) the bars continue those it was advanced over before."""
    from stc.runtime.indicator_series import ATRCarry, atr_chunk

    out = _nans(len(high))
    carry = ATRCarry(period) if carry is None else carry
    for a, b in _parts(len(high), chunk):
        out[a:b] = atr_chunk(high[a:b].tolist(), low[a:b].tolist(), close[a:b].tolist(), carry)
    return out


def adx_columns(
    high: FloatArray,
    low: FloatArray,
    close: FloatArray,
    period: int,
    chunk: int | None = None,
    carry: ADXCarry | None = None,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """``ADX(period).update`` over the bars: (adx, +DI, -DI), NaN where the class
    returns None. With ``carry`` (advanced) the bars continue those it was advanced
    over before."""
    from stc.runtime.indicator_series import ADXCarry, adx_chunk

    n = len(high)
    adx, plus_di, minus_di = _nans(n), _nans(n), _nans(n)
    carry = ADXCarry(period) if carry is None else carry
    for a, b in _parts(n, chunk):
        adx[a:b], plus_di[a:b], minus_di[a:b] = adx_chunk(
            high[a:b].tolist(), low[a:b].tolist(), close[a:b].tolist(), carry
        )
    return adx, plus_di, minus_di


def rolling_mean_column(
    values: FloatArray, window: int, before: bool = False, chunk: int | None = None
) -> FloatArray:
    """``RollingMeanStd(window).mean`` after each value (NaN until full), or with
    ``before`` its mean *before* each value is added (the state after the previous
    one: what a handler reads before it updates)."""
    return _rolling(values, window, before, chunk, with_std=False)[0]


def rolling_mean_std_columns(
    values: FloatArray, window: int, before: bool = False, chunk: int | None = None
) -> tuple[FloatArray, FloatArray]:
    """``RollingMeanStd(window)``'s (mean, std) after each value (NaN until full), or
    with ``before`` before each value is added."""
    mean, std = _rolling(values, window, before, chunk, with_std=True)
    assert std is not None
    return mean, std


def _rolling(
    values: FloatArray, window: int, before: bool, chunk: int | None, with_std: bool
) -> tuple[FloatArray, FloatArray | None]:
    """:func:`rolling_parts` gathered into whole columns."""
    n = len(values)
    mean = _nans(n)
    std = _nans(n) if with_std else None
    for a, b, means, stds in rolling_parts(values, window, with_std, before, chunk):
        mean[a:b] = means
        if std is not None and stds is not None:
            std[a:b] = stds
    return mean, std


def rolling_parts(
    values: FloatArray, window: int, with_std: bool, before: bool, chunk: int | None = None
) -> Iterator[tuple[int, int, FloatArray, FloatArray | None]]:
    """``RollingMeanStd(window)`` over ``values`` a part at a time: (start, stop, mean,
    std or None) of each part, after each value or with ``before`` before it (the first
    part's first element NaN, a later part's the previous part's last result). For a
    batch form that needs no whole column: its element-wise work a part at a time too."""
    return RollingParts(window, with_std, before).next(values, chunk)


class RollingParts:
    """``RollingMeanStd(window)`` over consecutive stretches of one series
    (:func:`rolling_parts` of each stretch; the state between them: the kernel's carry
    and, with ``before``, the last mean and std of the stretch before)."""

    def __init__(self, window: int, with_std: bool, before: bool) -> None:
        from stc.runtime.indicator_series import MeanStdCarry

        self.carry = MeanStdCarry(window)
        self.with_std = with_std
        self.before = before
        self.last_mean = self.last_std = float("nan")

    def next(
        self, values: FloatArray, chunk: int | None = None
    ) -> Iterator[tuple[int, int, FloatArray, FloatArray | None]]:
        """The parts of the next ``values`` (indices from 0 within them)."""
        import numpy as np

        from stc.runtime.indicator_series import mean_std_chunk

        with_std = self.with_std
        for a, b in _parts(len(values), chunk):
            means, stds = mean_std_chunk(values[a:b].tolist(), self.carry, with_std)
            if self.before:
                self.last_mean, means = means[-1], [self.last_mean, *means[:-1]]
                if with_std:
                    self.last_std, stds = stds[-1], [self.last_std, *stds[:-1]]
            mean = np.array(means, dtype=np.float64)
            yield a, b, mean, np.array(stds, dtype=np.float64) if with_std else None
