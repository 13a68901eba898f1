"""Series kernels: the batch forms' recursions (issue 23).

Each computes, over a whole series, exactly what the incremental class of
:mod:`stc.runtime.indicators` reports value by value: the same float operations in the
same order, so the results are equal bit for bit (NaN where the class reports None).
They take and return plain lists because this module is compiled by mypyc, which runs
a loop over list[float] at C speed; numpy's recursions (``ufunc.accumulate``) have no
EMA, and a cumulative sum would reorder the additions of the running sums. Element-
wise work around them stays in numpy, in the plugins' batch forms.
"""

from __future__ import annotations

import math

from stc.runtime.indicators import check_period, true_range

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


def wilder_series(values: list[float], period: int) -> list[float]:
    """``WilderRMA(period)`` (SMA seed) over ``values``: NaN until ``period`` values."""
    check_period(period)
    out = [NAN] * len(values)
    total = 0.0
    value = 0.0
    for i, x in enumerate(values):
        count = i + 1
        if count <= period:
            total += x
            value = total / count
        else:
            value += (x - value) / period
        if count >= period:
            out[i] = value
    return out


def true_range_series(high: list[float], low: list[float], close: list[float]) -> list[float]:
    """``true_range`` of every bar against the previous close (high - low on bar one)."""
    out = [0.0] * len(high)
    for i in range(len(high)):
        out[i] = true_range(high[i], low[i], close[i - 1] if i > 0 else None)
    return out


def atr_series(high: list[float], low: list[float], close: list[float], period: int) -> list[float]:
    """``ATR(period).update`` over the bars: NaN until ``period`` bars."""
    return wilder_series(true_range_series(high, low, close), period)


def adx_series(
    high: list[float], low: list[float], close: list[float], period: int
) -> tuple[list[float], list[float], list[float]]:
    """``ADX(period).update`` over the bars: (adx, +DI, -DI), all NaN where the class
    returns None (bar one, and until ADX is warm)."""
    n = len(high)
    adx_out, plus_out, minus_out = [NAN] * n, [NAN] * n, [NAN] * n
    if n < 2:
        return adx_out, plus_out, minus_out
    tr_in = [0.0] * (n - 1)
    plus_in = [0.0] * (n - 1)
    minus_in = [0.0] * (n - 1)
    for i in range(1, n):
        up, down = high[i] - high[i - 1], low[i - 1] - low[i]
        tr_in[i - 1] = true_range(high[i], low[i], close[i - 1])
        plus_in[i - 1] = up if up > down and up > 0.0 else 0.0
        minus_in[i - 1] = down if down > up and down > 0.0 else 0.0
    tr = wilder_series(tr_in, period)
    pdm = wilder_series(plus_in, period)
    mdm = wilder_series(minus_in, period)
    dx_values: list[float] = []
    dx_bars: list[int] = []
    dis: list[tuple[float, float]] = []
    for j in range(period - 1, n - 1):
        t = tr[j]
        plus_di = 100.0 * pdm[j] / t if t != 0.0 else 0.0
        minus_di = 100.0 * mdm[j] / t if t != 0.0 else 0.0
        di_sum = plus_di + minus_di
        dx_values.append(100.0 * abs(plus_di - minus_di) / di_sum if di_sum != 0.0 else 0.0)
        dx_bars.append(j + 1)
        dis.append((plus_di, minus_di))
    adx = wilder_series(dx_values, period)
    for k in range(period - 1, len(dx_values)):
        bar = dx_bars[k]
        adx_out[bar] = adx[k]
        plus_out[bar], minus_out[bar] = dis[k]
    return adx_out, plus_out, minus_out


def rsi_series(close: list[float], period: int) -> list[float]:
    """``RSI(period).update`` over the closes: NaN until bar ``period + 1``."""
    n = len(close)
    out = [NAN] * n
    if n < 2:
        return out
    gains = [0.0] * (n - 1)
    losses = [0.0] * (n - 1)
    for i in range(1, n):
        change = close[i] - close[i - 1]
        gains[i - 1] = change if change > 0.0 else 0.0
        losses[i - 1] = -change if change < 0.0 else 0.0
    gain = wilder_series(gains, period)
    loss = wilder_series(losses, period)
    for j in range(period - 1, n - 1):
        g, lo = gain[j], loss[j]
        if lo == 0.0:
            out[j + 1] = 100.0 if g > 0.0 else 50.0
        else:
            out[j + 1] = 100.0 - 100.0 / (1.0 + g / lo)
    return out


def rolling_mean_std_series(values: list[float], window: int) -> tuple[list[float], list[float]]:
    """``RollingMeanStd(window)`` after each ``update``: (mean, std), NaN until full —
    the same shifted running sums, added and removed in the same order."""
    if window < 2:
        raise ValueError(f"window must be >= 2, got {window}")
    n = len(values)
    means, stds = [NAN] * n, [NAN] * n
    if n == 0:
        return means, stds
    shift = values[0]
    total = 0.0
    total_sq = 0.0
    run = 0
    previous = 0.0
    for i in range(n):
        shifted = values[i] - shift
        run = run + 1 if i > 0 and previous == shifted else 1
        previous = shifted
        total += shifted
        total_sq += shifted * shifted
        if i >= window:
            old = values[i - window] - shift
            total -= old
            total_sq -= old * old
        if i + 1 >= window:
            means[i] = shift + total / window
            if run >= window:
                stds[i] = 0.0
            else:
                var = (total_sq - total * total / window) / (window - 1)
                stds[i] = math.sqrt(var) if var > 0.0 else 0.0
    return means, stds
