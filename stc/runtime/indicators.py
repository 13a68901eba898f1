"""Incremental (O(1) per update) technical indicators.

Each class holds just enough state to fold in one new observation; ``update`` returns
the indicator's value, or None while it is still warming up. Conventions follow the
references the tests compare against:

* ``EMA`` equals pandas ``ewm(span=n, adjust=False, min_periods=n)``: seeded with the
  first value, alpha = 2 / (n + 1), reported from the n-th value on.
* ``WilderRMA`` is Wilder's smoothing (alpha = 1 / n) seeded with the simple mean of
  the first n values (``seed="sma"``, Wilder's own convention), or with the first value
  (``seed="first"``, = pandas ``ewm(alpha=1/n, adjust=False)``).
* ``ATR``, ``ADX`` and ``RSI`` use Wilder's SMA-seeded smoothing (see docs/plugins.md
  for how this relates to the ``ta`` package).
"""

from __future__ import annotations

import math
from collections import deque
from typing import Literal, NamedTuple

Seed = Literal["sma", "first"]


def check_period(period: int) -> int:
    """Reject periods that would divide by zero or never warm up."""
    if period < 1:
        raise ValueError(f"period must be >= 1, got {period}")
    return period


class EMA:
    """Exponential moving average, seeded with the first value."""

    __slots__ = ("_alpha", "_count", "_value", "period")

    def __init__(self, period: int) -> None:
        self.period = check_period(period)
        self._alpha = 2.0 / (period + 1.0)
        self._value = 0.0
        self._count = 0

    def update(self, value: float) -> float | None:
        """Fold in ``value``; the average is reported once ``period`` values were seen."""
        if self._count == 0:
            self._value = value
        else:
            self._value += self._alpha * (value - self._value)
        self._count += 1
        return self._value if self._count >= self.period else None

    @property
    def value(self) -> float | None:
        """The current average, or None while warming up."""
        return self._value if self._count >= self.period else None


class EMAStack:
    """Several EMAs of one series, shortest period first, updated together: the
    per-tick body of ``EMADetector`` (compiled with this module, it costs a fraction of
    the same loop in the plugin's interpreted method)."""

    __slots__ = ("_absolute", "_pairs")

    def __init__(self, periods: tuple[int, ...], absolute: bool = False) -> None:
        self._pairs = tuple((period, EMA(period)) for period in sorted(set(periods)))
        self._absolute = absolute

    def update(self, close: float) -> tuple[dict[int, float], float] | None:
        """Fold ``close`` into every EMA; once all are warm, (period → value, the
        bullish-stack fraction of (close, EMA_shortest, …, EMA_longest), or
        |2·fraction − 1| when ``absolute``); None while any is still warming up."""
        ready: dict[int, float] = {}
        warm = True
        for period, ema in self._pairs:
            value = ema.update(close)
            if value is None:
                warm = False
            elif warm:
                ready[period] = value
        if not warm:
            return None
        return ready, stack_strength(close, list(ready.values()), self._absolute)


def stack_strength(close: float, averages: list[float], absolute: bool = False) -> float:
    """The fraction of the adjacent pairs of (close, averages[0], …) whose left side is
    strictly above its right side — 1.0 for a perfectly bullish stack (averages given
    shortest period first), 0.0 for a bearish one; |2·fraction − 1| when ``absolute``
    (a clean stack either way). EMADetector's ``trend_strength``."""
    bullish = 0
    left = close
    for right in averages:
        if left > right:
            bullish += 1
        left = right
    fraction = bullish / len(averages)
    return abs(2.0 * fraction - 1.0) if absolute else fraction


class EMACross:
    """The order of a fast and a slow EMA, reporting the bar on which it flips: +1 (fast
    crosses above), −1 (below), 0 otherwise. Equal EMAs or a warming EMA never flip;
    the comparison is against the last non-zero order, so touching is no cross."""

    __slots__ = ("fast", "last_sign", "slow")

    def __init__(self, fast: int, slow: int) -> None:
        self.fast, self.slow = EMA(fast), EMA(slow)
        self.last_sign = 0

    def update(self, close: float) -> int:
        """Fold ``close`` into both EMAs; the cross direction on this bar, or 0."""
        fast, slow = self.fast.update(close), self.slow.update(close)
        if fast is None or slow is None or fast == slow:
            return 0
        sign = 1 if fast > slow else -1
        previous, self.last_sign = self.last_sign, sign
        if previous == 0 or previous == sign:
            return 0
        return sign


class WilderRMA:
    """Wilder's running moving average: ``avg += (x - avg) / n``."""

    __slots__ = ("_count", "_seed", "_sum", "_value", "period")

    def __init__(self, period: int, seed: Seed = "sma") -> None:
        self.period = check_period(period)
        self._seed = seed
        self._count = 0
        self._sum = 0.0
        self._value = 0.0

    def update(self, value: float) -> float | None:
        """Fold in ``value``; reported from the ``period``-th value on."""
        self._count += 1
        if self._seed == "first" and self._count == 1:
            self._value = value
        elif self._seed == "sma" and self._count <= self.period:
            self._sum += value
            self._value = self._sum / self._count
        else:
            self._value += (value - self._value) / self.period
        return self._value if self._count >= self.period else None

    @property
    def value(self) -> float | None:
        """The current average, or None while warming up."""
        return self._value if self._count >= self.period else None


class ATR:
    """Wilder's average true range; the first bar's true range is its high - low."""

    __slots__ = ("_prev_close", "_rma", "true_range")

    def __init__(self, period: int = 14) -> None:
        self._rma = WilderRMA(period)
        self._prev_close: float | None = None
        self.true_range = 0.0

    @property
    def period(self) -> int:
        """The Wilder smoothing period."""
        return self._rma.period

    def update(self, high: float, low: float, close: float) -> float | None:
        """Fold in one bar; reported from the ``period``-th bar on."""
        self.true_range = true_range(high, low, self._prev_close)
        self._prev_close = close
        return self._rma.update(self.true_range)

    @property
    def value(self) -> float | None:
        """The current ATR, or None while warming up."""
        return self._rma.value


def true_range(high: float, low: float, prev_close: float | None) -> float:
    """max(high - low, |high - prev close|, |low - prev close|); high - low on bar one."""
    if prev_close is None:
        return high - low
    return max(high - low, abs(high - prev_close), abs(low - prev_close))


class ADXValue(NamedTuple):
    """One ADX reading: the +DI and -DI lines and the ADX (all 0..100)."""

    adx: float
    plus_di: float
    minus_di: float


class ADX:
    """Wilder's directional movement system (+DI, -DI, DX, ADX).

    The first bar only seeds the previous high/low/close. TR, +DM and -DM are smoothed
    with SMA-seeded Wilder averages over bars 2..n+1, which gives +DI/-DI from bar
    n+1; ADX is the SMA of the first n DX values, then Wilder-smoothed, so it is
    reported from bar 2n on.
    """

    __slots__ = ("_adx", "_minus_dm", "_plus_dm", "_prev", "_tr", "minus_di", "plus_di")

    def __init__(self, period: int = 14) -> None:
        self._tr = WilderRMA(period)
        self._plus_dm = WilderRMA(period)
        self._minus_dm = WilderRMA(period)
        self._adx = WilderRMA(period)
        self._prev: tuple[float, float, float] | None = None
        self.plus_di: float | None = None
        self.minus_di: float | None = None

    def update(self, high: float, low: float, close: float) -> ADXValue | None:
        """Fold in one bar; returns the reading once ADX is warm."""
        prev, self._prev = self._prev, (high, low, close)
        if prev is None:
            return None
        prev_high, prev_low, prev_close = prev
        up, down = high - prev_high, prev_low - low
        tr = self._tr.update(true_range(high, low, prev_close))
        pdm = self._plus_dm.update(up if up > down and up > 0.0 else 0.0)
        mdm = self._minus_dm.update(down if down > up and down > 0.0 else 0.0)
        if tr is None or pdm is None or mdm is None:
            return None
        self.plus_di = 100.0 * pdm / tr if tr != 0.0 else 0.0
        self.minus_di = 100.0 * mdm / tr if tr != 0.0 else 0.0
        di_sum = self.plus_di + self.minus_di
        dx = 100.0 * abs(self.plus_di - self.minus_di) / di_sum if di_sum != 0.0 else 0.0
        adx = self._adx.update(dx)
        return None if adx is None else ADXValue(adx, self.plus_di, self.minus_di)


class RSI:
    """Wilder's relative strength index over close-to-close changes.

    Average gain and loss are SMA-seeded Wilder averages of the first ``period``
    changes, so the first RSI is reported on bar ``period + 1``. When there were no
    losses RSI is 100 (and 50 when there was no movement at all).
    """

    __slots__ = ("_gain", "_loss", "_prev")

    def __init__(self, period: int = 14) -> None:
        self._gain = WilderRMA(period)
        self._loss = WilderRMA(period)
        self._prev: float | None = None

    @property
    def period(self) -> int:
        """The Wilder smoothing period."""
        return self._gain.period

    def update(self, close: float) -> float | None:
        """Fold in one close; returns RSI (0..100) once warm."""
        prev, self._prev = self._prev, close
        if prev is None:
            return None
        change = close - prev
        gain = self._gain.update(change if change > 0.0 else 0.0)
        loss = self._loss.update(-change if change < 0.0 else 0.0)
        if gain is None or loss is None:
            return None
        if loss == 0.0:
            return 100.0 if gain > 0.0 else 50.0
        return 100.0 - 100.0 / (1.0 + gain / loss)


class RollingMeanStd:
    """Mean and sample standard deviation over the last ``window`` values.

    Running sums of the values and their squares are shifted by the first value seen,
    which keeps ``sum(x²) - n·mean²`` from cancelling catastrophically on data far from
    zero (prices, volumes).
    """

    __slots__ = ("_run", "_shift", "_sum", "_sum_sq", "_values", "window")

    def __init__(self, window: int) -> None:
        if window < 2:
            raise ValueError(f"window must be >= 2, got {window}")
        self.window = window
        self._values: deque[float] = deque()
        self._shift: float | None = None
        self._sum = 0.0
        self._sum_sq = 0.0
        self._run = 0  # how many of the latest values are identical

    def update(self, value: float) -> float | None:
        """Add ``value`` (dropping the oldest when full); returns the mean once full."""
        if self._shift is None:
            self._shift = value
        shifted = value - self._shift
        same = bool(self._values) and self._values[-1] == shifted
        self._run = self._run + 1 if same else 1
        self._values.append(shifted)
        self._sum += shifted
        self._sum_sq += shifted * shifted
        if len(self._values) > self.window:
            old = self._values.popleft()
            self._sum -= old
            self._sum_sq -= old * old
        return self.mean

    @property
    def full(self) -> bool:
        """True once ``window`` values are in."""
        return len(self._values) == self.window

    @property
    def mean(self) -> float | None:
        """Mean of the window, or None until it is full."""
        if not self.full or self._shift is None:
            return None
        return self._shift + self._sum / self.window

    @property
    def std(self) -> float | None:
        """Sample standard deviation (ddof=1, as pandas), or None until full.

        A window of identical values is exactly 0 (as in pandas): the running sums
        would otherwise leave float noise that the square root magnifies.
        """
        if not self.full:
            return None
        if self._run >= self.window:
            return 0.0
        n = self.window
        var = (self._sum_sq - self._sum * self._sum / n) / (n - 1)
        return math.sqrt(var) if var > 0.0 else 0.0

    def zscore(self, value: float) -> float | None:
        """How many standard deviations ``value`` lies from the window mean (0 if flat)."""
        mean, std = self.mean, self.std
        if mean is None or std is None:
            return None
        return (value - mean) / std if std > 0.0 else 0.0


class RollingCorrelation:
    """Pearson correlation of paired values over the last ``window`` pairs.

    Running sums of x, y, x², y² and xy (each shifted by the first pair, as in
    ``RollingMeanStd``); None until full or when either side has zero variance.
    """

    __slots__ = ("_pairs", "_shift", "_sx", "_sxx", "_sxy", "_sy", "_syy", "window")

    def __init__(self, window: int) -> None:
        if window < 2:
            raise ValueError(f"window must be >= 2, got {window}")
        self.window = window
        self._pairs: deque[tuple[float, float]] = deque()
        self._shift: tuple[float, float] | None = None
        self._sx = self._sy = self._sxx = self._syy = self._sxy = 0.0

    def update(self, x: float, y: float) -> float | None:
        """Add the pair (dropping the oldest when full); returns the correlation."""
        if self._shift is None:
            self._shift = (x, y)
        dx, dy = x - self._shift[0], y - self._shift[1]
        self._pairs.append((dx, dy))
        self._add(dx, dy, 1.0)
        if len(self._pairs) > self.window:
            old_x, old_y = self._pairs.popleft()
            self._add(old_x, old_y, -1.0)
        return self.value

    def _add(self, dx: float, dy: float, sign: float) -> None:
        """Add (sign 1) or remove (sign -1) one shifted pair from the running sums."""
        self._sx += sign * dx
        self._sy += sign * dy
        self._sxx += sign * dx * dx
        self._syy += sign * dy * dy
        self._sxy += sign * dx * dy

    @property
    def value(self) -> float | None:
        """The correlation in -1..1, or None until full / when undefined."""
        if len(self._pairs) < self.window:
            return None
        n = self.window
        cov = self._sxy - self._sx * self._sy / n
        var_x = self._sxx - self._sx * self._sx / n
        var_y = self._syy - self._sy * self._sy / n
        if var_x <= 0.0 or var_y <= 0.0:
            return None
        corr = cov / math.sqrt(var_x * var_y)
        return max(-1.0, min(1.0, corr))
