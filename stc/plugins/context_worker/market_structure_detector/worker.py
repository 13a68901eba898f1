"""MarketStructureDetector: swing structure, trend, break of structure (BOS) and
change of character (CHoCH), with the ``structure_quality`` factor.

Definitions (docs/plugins.md has the full text):

* swings are fractals of ``lookback`` bars (``stc.plugins._lib.swings``), known
  ``lookback`` bars after they happened;
* the trend starts as "none"; the first time the last two swing highs *and* lows both
  rise it becomes "up" (both fall: "down"). From then on only breaks change it;
* a break happens on the bar whose close is beyond the last swing high (up) or low
  (down) for the first time; a level breaks at most once. A break in the trend's
  direction (or with no trend yet) is a BOS, against it a CHoCH, and the trend flips
  to the break's direction.
"""

from __future__ import annotations

from stc.plugins._lib.swings import FractalSwingDetector, SwingPoint
from stc.plugins.dtos import MarketStructure, Trend
from stc.runtime.dtos.market import TradingContext
from stc.runtime.workers import ContextWorker


class MarketStructureDetector(ContextWorker):
    """Tracks swing highs/lows and reports structure breaks on the bar they happen."""

    def setup(self) -> None:
        """Read params (with the manifest's defaults) and reset the structure state."""
        self.lookback = int(self.params["lookback"])
        self.decay_bars = float(self.params["decay_bars"])
        self.swings = FractalSwingDetector(self.lookback)
        self.trend: Trend = "none"
        self.highs: list[float] = []  # last two swing highs, oldest first
        self.lows: list[float] = []
        self.high_broken = False
        self.low_broken = False
        self.break_direction: Trend = "none"
        self.bars_since_break: int | None = None

    def on_tick(self, context: TradingContext) -> MarketStructure | None:
        """Fold in the tick's bar; None until the first swing could be confirmed."""
        bar = context.bar
        swing_high, swing_low = self.swings.update(bar.high, bar.low)
        self._record(swing_high, swing_low)
        if self.bars_since_break is not None:
            self.bars_since_break += 1
        bos, choch = self._check_break(bar.close)
        if self.swings.bars_seen < 2 * self.lookback + 1:
            return None
        structure = MarketStructure(
            trend=self.trend,
            last_swing_high=self.highs[-1] if self.highs else None,
            last_swing_low=self.lows[-1] if self.lows else None,
            prev_swing_high=self.highs[-2] if len(self.highs) > 1 else None,
            prev_swing_low=self.lows[-2] if len(self.lows) > 1 else None,
            bos=bos,
            choch=choch,
            break_direction=self.break_direction,
            bars_since_break=self.bars_since_break,
        )
        context.score("structure_quality", self.quality(structure), self.worker_id)
        return structure

    def _record(self, swing_high: SwingPoint | None, swing_low: SwingPoint | None) -> None:
        """Remember newly confirmed swings; a new level re-arms its break check."""
        if swing_high is not None:
            self.highs = [*self.highs[-1:], swing_high.price]
            self.high_broken = False
        if swing_low is not None:
            self.lows = [*self.lows[-1:], swing_low.price]
            self.low_broken = False
        if self.trend == "none" and (swing_high or swing_low):
            self.trend = self._sequence_trend()

    def _sequence_trend(self) -> Trend:
        """Trend implied by the last two swings: HH+HL up, LH+LL down, else none."""
        if len(self.highs) < 2 or len(self.lows) < 2:
            return "none"
        if self.highs[1] > self.highs[0] and self.lows[1] > self.lows[0]:
            return "up"
        if self.highs[1] < self.highs[0] and self.lows[1] < self.lows[0]:
            return "down"
        return "none"

    def _check_break(self, close: float) -> tuple[bool, bool]:
        """Return (bos, choch) for this close; an up-break is checked first."""
        direction: Trend = "none"
        if self.highs and not self.high_broken and close > self.highs[-1]:
            self.high_broken, direction = True, "up"
        elif self.lows and not self.low_broken and close < self.lows[-1]:
            self.low_broken, direction = True, "down"
        if direction == "none":
            return False, False
        choch = self.trend not in ("none", direction)
        self.trend = direction
        self.break_direction = direction
        self.bars_since_break = 0
        return not choch, choch

    def quality(self, structure: MarketStructure) -> float:
        """``structure_quality`` = alignment × recency (0 without trend or break).

        alignment: 1.0 when both the last swing-high and swing-low steps agree with the
        trend (HH+HL in an uptrend, LH+LL in a downtrend), 0.5 when one does, 0.25 when
        neither. recency: decay_bars / (decay_bars + bars_since_break).
        """
        if structure.trend == "none" or structure.bars_since_break is None:
            return 0.0
        sign = 1.0 if structure.trend == "up" else -1.0
        steps = (
            _step(structure.prev_swing_high, structure.last_swing_high),
            _step(structure.prev_swing_low, structure.last_swing_low),
        )
        agreeing = sum(1 for step in steps if step * sign > 0)
        alignment = (0.25, 0.5, 1.0)[agreeing]
        return alignment * self.decay_bars / (self.decay_bars + structure.bars_since_break)


def _step(previous: float | None, last: float | None) -> float:
    """Sign of the move from the previous swing to the last (0 if either is missing)."""
    if previous is None or last is None or last == previous:
        return 0.0
    return 1.0 if last > previous else -1.0
