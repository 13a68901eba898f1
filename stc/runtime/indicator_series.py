"""Series kernels: the batch forms' recursions (issue 23).

Each computes, over a series, exactly what the incremental class of
:mod:`stc.runtime.indicators` reports value by value: the same float operations in the
same order, so the results are equal bit for bit (NaN where the class reports None).
They take and return plain lists because this module is compiled by mypyc, which runs
a loop over list[float] at C speed; numpy's recursions (``ufunc.accumulate``) have no
EMA, and a cumulative sum would reorder the additions of the running sums. Element-
wise work around them stays in numpy, in the plugins' batch forms.

Memory: a list holds 32 bytes an element (a pointer and a boxed float), so a whole
1M-bar column as a list is 32 MB, and a kernel with ten of them ~320 MB. The kernels
therefore run over a *part* of a series given the state after the part before it —
a ``*Carry`` object, which the kernel advances — and
:mod:`stc.runtime.indicator_columns` runs them part by part over numpy columns into
preallocated numpy outputs. The carry holds every number the recursion reads from
earlier elements, so parts of any size chained give the whole series' values bit for
bit (tests/runtime/test_indicator_columns.py cuts random series at random sizes).
"""

from __future__ import annotations

import math

from stc.runtime.indicators import check_period

NAN = math.nan


def ema_chunk(
    values: list[float], period: int, start: int, value: float
) -> tuple[list[float], float]:
    """``EMA(period).update`` over a series' part beginning at element ``start`` (the
    average, NaN while warming up), given the average after element ``start - 1``
    (anything when ``start`` is 0); the part's averages and the last one (to continue
    with). Parts of any size chained give the whole series' values, bit for bit: the
    same operations in the same order."""
    alpha = 2.0 / (check_period(period) + 1.0)
    out = [NAN] * len(values)
    i = start
    for x in values:
        if i == 0:
            value = x
        else:
            value += alpha * (x - value)
        if i + 1 >= period:
            out[i - start] = value
        i += 1
    return out, value


class WilderCarry:
    """``WilderRMA(period)``'s (SMA seed) state between two parts of a series: the
    values seen, their sum while seeding, and the average."""

    def __init__(self, period: int) -> None:
        self.period = check_period(period)
        self.count = 0
        self.total = 0.0
        self.value = 0.0


def wilder_chunk(values: list[float], carry: WilderCarry) -> list[float]:
    """``WilderRMA.update`` over the next part of a series (NaN until ``period``
    values); advances ``carry``."""
    period = carry.period
    count, total, value = carry.count, carry.total, carry.value
    out = [NAN] * len(values)
    for i, x in enumerate(values):
        count += 1
        if count <= period:
            total += x
            value = total / count
        else:
            value += (x - value) / period
        if count >= period:
            out[i] = value
    carry.count, carry.total, carry.value = count, total, value
    return out


class ATRCarry:
    """``ATR(period)``'s state between two parts of the bars: its Wilder average and
    the previous close (none before the first bar)."""

    def __init__(self, period: int) -> None:
        self.rma = WilderCarry(period)
        self.started = False
        self.prev_close = 0.0


def atr_chunk(
    high: list[float], low: list[float], close: list[float], carry: ATRCarry
) -> list[float]:
    """``ATR.update`` over the next part of the bars (NaN until ``period`` bars);
    advances ``carry``. The true range is ``indicators.true_range``'s expression."""
    rma = carry.rma
    period = rma.period
    count, total, value = rma.count, rma.total, rma.value
    started, prev_close = carry.started, carry.prev_close
    out = [NAN] * len(high)
    for i in range(len(high)):
        h, lo = high[i], low[i]
        if started:
            tr = max(h - lo, abs(h - prev_close), abs(lo - prev_close))
        else:
            tr = h - lo
            started = True
        prev_close = close[i]
        count += 1
        if count <= period:
            total += tr
            value = total / count
        else:
            value += (tr - value) / period
        if count >= period:
            out[i] = value
    rma.count, rma.total, rma.value = count, total, value
    carry.started, carry.prev_close = started, prev_close
    return out


class ADXCarry:
    """``ADX(period)``'s state between two parts of the bars: the previous bar, the
    three Wilder averages of TR, +DM and -DM (fed together, so one count and seed sum
    each) and the Wilder average of DX."""

    def __init__(self, period: int) -> None:
        self.period = check_period(period)
        self.started = False
        self.prev_high = 0.0
        self.prev_low = 0.0
        self.prev_close = 0.0
        self.count = 0  # bars fed to TR/+DM/-DM
        self.tr_total, self.tr_value = 0.0, 0.0
        self.plus_total, self.plus_value = 0.0, 0.0
        self.minus_total, self.minus_value = 0.0, 0.0
        self.dx = WilderCarry(period)


def adx_chunk(
    high: list[float], low: list[float], close: list[float], carry: ADXCarry
) -> tuple[list[float], list[float], list[float]]:
    """``ADX.update`` over the next part of the bars: (adx, +DI, -DI), all NaN where
    the class returns None (bar one, and until ADX is warm); advances ``carry``."""
    period = carry.period
    n = len(high)
    adx_out, plus_out, minus_out = [NAN] * n, [NAN] * n, [NAN] * n
    started = carry.started
    ph, pl, pc = carry.prev_high, carry.prev_low, carry.prev_close
    count = carry.count
    tr_total, tr_value = carry.tr_total, carry.tr_value
    p_total, p_value = carry.plus_total, carry.plus_value
    m_total, m_value = carry.minus_total, carry.minus_value
    dx_carry = carry.dx
    d_count, d_total, d_value = dx_carry.count, dx_carry.total, dx_carry.value
    for i in range(n):
        h, lo, c = high[i], low[i], close[i]
        if not started:
            started = True
            ph, pl, pc = h, lo, c
            continue
        up, down = h - ph, pl - lo
        tr = max(h - lo, abs(h - pc), abs(lo - pc))
        pdm = up if up > down and up > 0.0 else 0.0
        mdm = down if down > up and down > 0.0 else 0.0
        ph, pl, pc = h, lo, c
        count += 1
        if count <= period:
            tr_total += tr
            tr_value = tr_total / count
            p_total += pdm
            p_value = p_total / count
            m_total += mdm
            m_value = m_total / count
        else:
            tr_value += (tr - tr_value) / period
            p_value += (pdm - p_value) / period
            m_value += (mdm - m_value) / period
        if count < period:
            continue
        plus_di = 100.0 * p_value / tr_value if tr_value != 0.0 else 0.0
        minus_di = 100.0 * m_value / tr_value if tr_value != 0.0 else 0.0
        di_sum = plus_di + minus_di
        dx = 100.0 * abs(plus_di - minus_di) / di_sum if di_sum != 0.0 else 0.0
        d_count += 1
        if d_count <= period:
            d_total += dx
            d_value = d_total / d_count
        else:
            d_value += (dx - d_value) / period
        if d_count >= period:
            adx_out[i], plus_out[i], minus_out[i] = d_value, plus_di, minus_di
    carry.started = started
    carry.prev_high, carry.prev_low, carry.prev_close = ph, pl, pc
    carry.count = count
    carry.tr_total, carry.tr_value = tr_total, tr_value
    carry.plus_total, carry.plus_value = p_total, p_value
    carry.minus_total, carry.minus_value = m_total, m_value
    dx_carry.count, dx_carry.total, dx_carry.value = d_count, d_total, d_value
    return adx_out, plus_out, minus_out


def adx_series(
    high: list[float], low: list[float], close: list[float], period: int
) -> tuple[list[float], list[float], list[float]]:
    """``ADX(period).update`` over the bars: (adx, +DI, -DI), all NaN where the class
    returns None (bar one, and until ADX is warm)."""
    return adx_chunk(high, low, close, ADXCarry(period))


class MeanStdCarry:
    """``RollingMeanStd(window)``'s state between two parts of a series: the shift
    (the first value), the shifted running sums, the run of equal shifted values, and
    the last ``window`` shifted values in a ring (the ones the sums drop next: the
    same floats the whole-series loop recomputes as ``values[i - window] - shift``)."""

    def __init__(self, window: int) -> None:
        if window < 2:
            raise ValueError(f"window must be >= 2, got {window}")
        self.window = window
        self.seen = 0
        self.shift = 0.0
        self.total = 0.0
        self.total_sq = 0.0
        self.run = 0
        self.previous = 0.0
        self.ring = [0.0] * window  # shifted value i at ring[i % window]


def mean_std_chunk(
    values: list[float], carry: MeanStdCarry, with_std: bool
) -> tuple[list[float], list[float]]:
    """``RollingMeanStd.update`` over the next part of a series: (mean, std) after
    each value, NaN until full; advances ``carry``. Without ``with_std`` the std list
    is empty and the squares' sum and the run are not kept (the carry then serves
    means only: a series is run with one setting throughout)."""
    window = carry.window
    n = len(values)
    means = [NAN] * n
    stds = [NAN] * n if with_std else []
    seen, shift = carry.seen, carry.shift
    total, total_sq = carry.total, carry.total_sq
    run, previous = carry.run, carry.previous
    ring = carry.ring
    slot = seen % window
    for k in range(n):
        if seen == 0:
            shift = values[k]
        shifted = values[k] - shift
        total += shifted
        if with_std:
            run = run + 1 if seen > 0 and previous == shifted else 1
            previous = shifted
            total_sq += shifted * shifted
        if seen >= window:
            old = ring[slot]
            total -= old
            if with_std:
                total_sq -= old * old
        ring[slot] = shifted
        slot = slot + 1 if slot + 1 < window else 0
        seen += 1
        if seen >= window:
            means[k] = shift + total / window
            if with_std:
                if run >= window:
                    stds[k] = 0.0
                else:
                    var = (total_sq - total * total / window) / (window - 1)
                    stds[k] = math.sqrt(var) if var > 0.0 else 0.0
    carry.seen, carry.shift = seen, shift
    carry.total, carry.total_sq = total, total_sq
    carry.run, carry.previous = run, previous
    return means, stds
