"""The market-structure state machine (swings, trend, BOS/CHoCH) and its quality score.

Why a module of its own: ``MarketStructureDetector`` runs on every bar of ``ict_smc``
(and of every blueprint that needs ``MarketStructure``) in the incremental engine, and
its batch form replays the same state machine bar by bar (breaks depend on the trend,
which depends on earlier breaks: sequential by nature). Here it is compiled with the
runtime (``stc.runtime._native``), as the swing detector it feeds on is; the worker
class stays Python (the compiler reads its handlers) and delegates to
:class:`StructureState`. The float operations are the worker's own, in the same order,
so the structure and its ``structure_quality`` are the same numbers in either build.

Definitions: the worker's module docstring (docs/plugins.md has the full text).
"""

from __future__ import annotations

from typing import Final

from stc.plugins._lib.swings import FractalSwingDetector, SwingPoint
from stc.plugins.dtos import Trend

_ALIGNMENT: Final = (0.25, 0.5, 1.0)  # by how many of the two swing steps agree


class StructureState:
    """Swing levels, trend and the last break, folded in bar by bar."""

    def __init__(self, lookback: int, decay_bars: float) -> None:
        self.lookback = lookback
        self.decay_bars = decay_bars
        self.swings = FractalSwingDetector(lookback)
        self.trend: Trend = "none"
        self.highs: list[float] = []  # last two swing highs, oldest first
        self.lows: list[float] = []
        self.high_broken = False
        self.low_broken = False
        self.break_direction: Trend = "none"
        self.bars_since_break: int | None = None
        self.bos = False  # of the last bar folded in
        self.choch = False

    def update(self, high: float, low: float, close: float) -> bool:
        """Fold in one bar (swings from its high/low, a break from its close); True once
        the first swing could be confirmed (the worker reports a structure from then)."""
        swing_high, swing_low = self.swings.update(high, low)
        self.record(swing_high, swing_low)
        if self.bars_since_break is not None:
            self.bars_since_break += 1
        self.bos, self.choch = self.check_break(close)
        return self.swings.bars_seen >= 2 * self.lookback + 1

    def record(self, swing_high: SwingPoint | None, swing_low: SwingPoint | None) -> None:
        """Remember newly confirmed swings; a new level re-arms its break check."""
        if swing_high is not None:
            self.highs = [*self.highs[-1:], swing_high.price]
            self.high_broken = False
        if swing_low is not None:
            self.lows = [*self.lows[-1:], swing_low.price]
            self.low_broken = False
        if self.trend == "none" and (swing_high is not None or swing_low is not None):
            self.trend = self.sequence_trend()

    def sequence_trend(self) -> Trend:
        """Trend implied by the last two swings: HH+HL up, LH+LL down, else none."""
        if len(self.highs) < 2 or len(self.lows) < 2:
            return "none"
        if self.highs[1] > self.highs[0] and self.lows[1] > self.lows[0]:
            return "up"
        if self.highs[1] < self.highs[0] and self.lows[1] < self.lows[0]:
            return "down"
        return "none"

    def check_break(self, close: float) -> tuple[bool, bool]:
        """Return (bos, choch) for this close; an up-break is checked first."""
        direction: Trend = "none"
        if self.highs and not self.high_broken and close > self.highs[-1]:
            self.high_broken, direction = True, "up"
        elif self.lows and not self.low_broken and close < self.lows[-1]:
            self.low_broken, direction = True, "down"
        if direction == "none":
            return False, False
        choch = self.trend != "none" and self.trend != direction
        self.trend = direction
        self.break_direction = direction
        self.bars_since_break = 0
        return not choch, choch

    def last_high(self) -> float | None:
        """The last swing high, None before the first."""
        return self.highs[-1] if self.highs else None

    def last_low(self) -> float | None:
        """The last swing low, None before the first."""
        return self.lows[-1] if self.lows else None

    def prev_high(self) -> float | None:
        """The swing high before the last, None before the second."""
        return self.highs[-2] if len(self.highs) > 1 else None

    def prev_low(self) -> float | None:
        """The swing low before the last, None before the second."""
        return self.lows[-2] if len(self.lows) > 1 else None

    def quality(self) -> float:
        """``structure_quality`` of the current state: :func:`quality` of its fields."""
        return quality(self.trend, self.bars_since_break, self.prev_high(), self.last_high(),
                       self.prev_low(), self.last_low(), self.decay_bars)  # fmt: skip


def quality(
    trend: str,
    bars_since_break: int | None,
    prev_high: float | None,
    last_high: float | None,
    prev_low: float | None,
    last_low: float | None,
    decay_bars: float,
) -> float:
    """``structure_quality`` = alignment × recency (0 without trend or break).

    alignment: 1.0 when both the last swing-high and swing-low steps agree with the
    trend (HH+HL in an uptrend, LH+LL in a downtrend), 0.5 when one does, 0.25 when
    neither. recency: decay_bars / (decay_bars + bars_since_break).
    """
    if trend == "none" or bars_since_break is None:
        return 0.0
    sign = 1.0 if trend == "up" else -1.0
    agreeing = 0
    if step(prev_high, last_high) * sign > 0:
        agreeing += 1
    if step(prev_low, last_low) * sign > 0:
        agreeing += 1
    return _ALIGNMENT[agreeing] * decay_bars / (decay_bars + bars_since_break)


def step(previous: float | None, last: float | None) -> float:
    """Sign of the move from the previous swing to the last (0 if either is missing)."""
    if previous is None or last is None or last == previous:
        return 0.0
    return 1.0 if last > previous else -1.0


TREND_CODE: Final[dict[Trend, float]] = {"none": 0.0, "up": 1.0, "down": -1.0}
"""A trend as the batch form's column code (MarketStructureDetector's trend and break
direction columns)."""


def fold_rows(
    state: StructureState,
    closes: list[float],
    high_at: list[float],
    low_at: list[float],
    first: int,
    lookback: int,
) -> list[list[float]]:
    """The batch form's pass over consecutive bars (``StructureStream.part``, session
    16: compiled, it was the batch part's largest interpreted loop on ict_smc): bar
    ``k`` is bar ``first + k`` of the timeframe, ``high_at``/``low_at`` the swing
    confirmed on it (NaN: none). Per bar, as ``update`` does after its swing
    detection: record the swings, count the bars since the break, check a break; then
    the row's nine numbers, one list each: trend, last high, last low, previous high,
    previous low (NaN: none), bos, choch, break direction, bars since the break (-1:
    none)."""
    nan = float("nan")
    rows: list[list[float]] = [[] for _ in range(9)]
    trend, last_high, last_low, prev_high, prev_low = rows[0], rows[1], rows[2], rows[3], rows[4]
    bos_row, choch_row, direction, since_row = rows[5], rows[6], rows[7], rows[8]
    for k in range(len(closes)):
        centre = first + k - lookback
        swing_high = high_at[k]
        swing_low = low_at[k]
        state.record(
            SwingPoint("high", swing_high, centre) if swing_high == swing_high else None,
            SwingPoint("low", swing_low, centre) if swing_low == swing_low else None,
        )
        if state.bars_since_break is not None:
            state.bars_since_break += 1
        bos, choch = state.check_break(closes[k])
        highs, lows = state.highs, state.lows
        trend.append(TREND_CODE[state.trend])
        last_high.append(highs[-1] if highs else nan)
        last_low.append(lows[-1] if lows else nan)
        prev_high.append(highs[-2] if len(highs) > 1 else nan)
        prev_low.append(lows[-2] if len(lows) > 1 else nan)
        bos_row.append(1.0 if bos else 0.0)
        choch_row.append(1.0 if choch else 0.0)
        direction.append(TREND_CODE[state.break_direction])
        since = state.bars_since_break
        since_row.append(-1.0 if since is None else float(since))
    return rows
