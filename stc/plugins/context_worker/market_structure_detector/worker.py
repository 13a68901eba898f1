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

from array import array
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from stc.plugins._lib.swings import FractalSwingDetector, SwingPoint
from stc.plugins.dtos import MarketStructure, Trend
from stc.runtime.dtos.market import TradingContext
from stc.runtime.workers import ContextWorker

if TYPE_CHECKING:
    from stc.runtime.batch import BarArrays, BatchOutput


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

    def batch(self, bars: BarArrays, upstream: Mapping[str, BatchOutput]) -> BatchOutput:
        """Batch form (stc.runtime.batch); see ``_batch_structure``."""
        return _batch_structure(self, bars)

    def result_at(
        self, output: BatchOutput, index: int, context: TradingContext
    ) -> MarketStructure | None:
        """The MarketStructure ``on_tick`` returns on bar ``index``."""
        return _structure_at(output, index)


def _step(previous: float | None, last: float | None) -> float:
    """Sign of the move from the previous swing to the last (0 if either is missing)."""
    if previous is None or last is None or last == previous:
        return 0.0
    return 1.0 if last > previous else -1.0


_TREND_CODE: dict[Trend, int] = {"none": 0, "up": 1, "down": -1}
_CODE_TREND: dict[int, Trend] = {code: trend for trend, code in _TREND_CODE.items()}


def _batch_structure(self: MarketStructureDetector, bars: BarArrays) -> BatchOutput:
    """Batch form (stc.runtime.batch): the swings by sliding-window maxima, then one
    pass over the bars with the handler's own state machine (``_record`` and
    ``_check_break`` on a fresh copy of the state: breaks depend on the trend, which
    depends on earlier breaks, so this part is causal and sequential by nature); the
    columns it fills hold plain numbers, and ``structure_quality`` is computed
    element-wise from them."""
    import numpy as np

    from stc.plugins._lib.swing_arrays import fractal_swings
    from stc.runtime.batch import BatchOutput

    n, lookback = len(bars), self.lookback
    state = type(self)({"lookback": lookback, "decay_bars": self.decay_bars})
    high_at, low_at = np.full(n, np.nan), np.full(n, np.nan)
    highs, lows = fractal_swings(bars.high, bars.low, lookback)
    high_at[highs + lookback] = bars.high[highs]
    low_at[lows + lookback] = bars.low[lows]
    names = ("trend", "last_high", "last_low", "prev_high", "prev_low", "bos", "choch",
             "break_direction", "bars_since_break")  # fmt: skip
    # raw doubles (8 bytes a bar, not a list's 32: issue 23's memory), read back as arrays
    rows: dict[str, array[float]] = {name: array("d", bytes(8 * n)) for name in names}
    nan = float("nan")
    for i, (close, high, low) in enumerate(_parts(bars.close, high_at, low_at)):
        state._record(
            SwingPoint("high", high, i - lookback) if high == high else None,
            SwingPoint("low", low, i - lookback) if low == low else None,
        )
        if state.bars_since_break is not None:
            state.bars_since_break += 1
        bos, choch = state._check_break(close)
        rows["trend"][i] = _TREND_CODE[state.trend]
        rows["last_high"][i] = state.highs[-1] if state.highs else nan
        rows["last_low"][i] = state.lows[-1] if state.lows else nan
        rows["prev_high"][i] = state.highs[-2] if len(state.highs) > 1 else nan
        rows["prev_low"][i] = state.lows[-2] if len(state.lows) > 1 else nan
        rows["bos"][i], rows["choch"][i] = bos, choch
        rows["break_direction"][i] = _TREND_CODE[state.break_direction]
        since = state.bars_since_break
        rows["bars_since_break"][i] = -1 if since is None else since
    columns = {name: np.frombuffer(values, dtype=np.float64) for name, values in rows.items()}
    for name in ("trend", "break_direction", "bars_since_break"):
        columns[name] = columns[name].astype(np.int64)
    for name in ("bos", "choch"):
        columns[name] = columns[name].astype(np.bool_)
    present = np.arange(n) >= 2 * lookback
    factors = {"structure_quality": np.where(present, _quality(self, columns), np.nan)}
    return BatchOutput(present=present, columns=columns, factors=factors)


def _parts(*columns: Any) -> Iterator[tuple[float, ...]]:
    """The columns' elements as Python floats, row by row, converted a part at a time
    (a whole column as a list would hold 32 bytes a bar)."""
    from stc.runtime.batch import CHUNK_BARS

    for start in range(0, len(columns[0]), CHUNK_BARS):
        yield from zip(*(c[start : start + CHUNK_BARS].tolist() for c in columns), strict=True)


def _quality(self: MarketStructureDetector, columns: Mapping[str, Any]) -> Any:
    """``quality`` element-wise: alignment × decay / (decay + bars since the break)."""
    import numpy as np

    trend, since = columns["trend"], columns["bars_since_break"]

    def step(previous: Any, last: Any) -> Any:
        return np.where(last > previous, 1, np.where(last < previous, -1, 0))  # NaN: 0

    agreeing = (step(columns["prev_high"], columns["last_high"]) * trend > 0).astype(np.int64)
    agreeing += step(columns["prev_low"], columns["last_low"]) * trend > 0
    alignment = np.array([0.25, 0.5, 1.0])[agreeing]
    quality = alignment * self.decay_bars / (self.decay_bars + np.maximum(since, 0))
    return np.where((trend == 0) | (since < 0), 0.0, quality)


def _structure_at(output: BatchOutput, index: int) -> MarketStructure | None:
    """The MarketStructure on bar ``index`` of ``output`` (None where there is none)."""
    if not output.is_present(index):
        return None

    def price(name: str) -> float | None:
        value: float = output.at(name, index)
        return None if value != value else value

    since = output.at("bars_since_break", index)
    return MarketStructure(
        trend=_CODE_TREND[output.at("trend", index)],
        last_swing_high=price("last_high"),
        last_swing_low=price("last_low"),
        prev_swing_high=price("prev_high"),
        prev_swing_low=price("prev_low"),
        bos=output.at("bos", index),
        choch=output.at("choch", index),
        break_direction=_CODE_TREND[output.at("break_direction", index)],
        bars_since_break=None if since < 0 else since,
    )
