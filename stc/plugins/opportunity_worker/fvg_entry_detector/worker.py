"""FVGEntryDetector: a three-candle fair value gap shortly after a structure break in
the same direction (the seed's "FVG after a structure break")."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from typing import TYPE_CHECKING, NamedTuple

from stc.plugins._lib import to_score
from stc.plugins.dtos import MarketStructure
from stc.runtime.dtos.market import TradingContext
from stc.runtime.dtos.signals import OpportunitySignal
from stc.runtime.indicators import ATR
from stc.runtime.workers import OpportunityWorker

if TYPE_CHECKING:
    from stc.runtime.batch import BarArrays, BatchOutput


class Gap(NamedTuple):
    """A fair value gap: its direction and the unfilled price zone [low, high]."""

    direction: str
    low: float
    high: float


def find_gap(first: tuple[float, float], third: tuple[float, float]) -> Gap | None:
    """The gap between candle t-2 and candle t, each given as (high, low).

    Bullish when low[t] > high[t-2] (zone high[t-2]..low[t]); bearish when
    high[t] < low[t-2] (zone high[t]..low[t-2]).
    """
    (high_1, low_1), (high_3, low_3) = first, third
    if low_3 > high_1:
        return Gap("BUY", high_1, low_3)
    if high_3 < low_1:
        return Gap("SELL", high_3, low_1)
    return None


class FVGEntryDetector(OpportunityWorker):
    """Signals an FVG formed within ``max_bars_after_break`` bars of a BOS/CHoCH that
    broke the same way; confidence = gap size / (full_confidence_gap_atr × ATR)."""

    def setup(self) -> None:
        """Read params (manifest defaults); keep the last three candles and an ATR."""
        self.max_bars = int(self.params["max_bars_after_break"])
        self.min_gap_atr = float(self.params["min_gap_atr"])
        self.full_gap_atr = float(self.params["full_confidence_gap_atr"])
        self.atr = ATR(int(self.params["atr_period"]))
        self.candles: deque[tuple[float, float]] = deque(maxlen=3)

    def on_context_assessment(self, context: TradingContext) -> OpportunitySignal | None:
        """Check this bar for a gap that confirms the latest structure break."""
        bar = context.bar
        atr = self.atr.update(bar.high, bar.low, bar.close)
        self.candles.append((bar.high, bar.low))
        structure = context.get(MarketStructure)
        if atr is None or atr <= 0.0 or structure is None or len(self.candles) < 3:
            return None
        gap = find_gap(self.candles[0], self.candles[2])
        if gap is None or not self._after_break(structure, gap):
            return None
        size_atr = (gap.high - gap.low) / atr
        if size_atr < self.min_gap_atr:
            return None
        return self._signal(context, gap, size_atr, structure)

    def _signal(
        self, context: TradingContext, gap: Gap, size_atr: float, structure: MarketStructure
    ) -> OpportunitySignal:
        """The signal of ``gap`` (on ``context.bar``) after the break ``structure`` saw."""
        bar = context.bar
        return OpportunitySignal(
            signal_id=self.new_id("OPP"),
            timestamp=bar.time,
            asset=context.symbol,
            direction="BUY" if gap.direction == "BUY" else "SELL",
            signal_type="fvg_entry",
            confidence=to_score(size_atr / self.full_gap_atr),
            source_worker_id=self.worker_id,
            metadata={
                "gap_low": gap.low,
                "gap_high": gap.high,
                "gap_size": gap.high - gap.low,
                "gap_atr": round(size_atr, 6),
                "break": "choch" if structure.choch else "bos",
                "bars_since_break": structure.bars_since_break,
            },
        )

    def _after_break(self, structure: MarketStructure, gap: Gap) -> bool:
        """True when the last break went the gap's way at most ``max_bars`` bars ago."""
        wanted = "up" if gap.direction == "BUY" else "down"
        since = structure.bars_since_break
        return structure.break_direction == wanted and since is not None and since <= self.max_bars

    def batch(self, bars: BarArrays, upstream: Mapping[str, BatchOutput]) -> BatchOutput:
        """Batch form (stc.runtime.batch): one part of :meth:`batch_stream` over all
        the bars (one code path for both)."""
        return self.batch_stream().part(bars, upstream)

    def batch_stream(self) -> GapStream:
        """The batch form a part at a time (stc.runtime.batch.BatchStream)."""
        return GapStream(self.atr.period, self.max_bars, self.min_gap_atr)

    def result_at(
        self, output: BatchOutput, index: int, context: TradingContext
    ) -> OpportunitySignal | None:
        """The signal ``on_context_assessment`` returns on bar ``index`` (the context
        holds the tick's MarketStructure, as when the handler runs)."""
        direction = output.at("direction", index)
        structure = context.get(MarketStructure)
        if direction == 0 or structure is None:
            return None
        gap = Gap("BUY" if direction > 0 else "SELL", output.at("gap_low", index),
                  output.at("gap_high", index))  # fmt: skip
        return self._signal(context, gap, output.at("gap_atr", index), structure)


class GapStream:
    """FVGEntryDetector's batch form over consecutive parts of the bars: ATR in one
    compiled loop (its state carried: ``ATRCarry``), the gaps of every three-candle
    run and the break conditions element-wise, reading the batch output of the
    MarketStructure provider (``upstream``, over the same bars). Carried besides the
    ATR: the last two highs and lows (candle t-2 of a part's first two bars)."""

    def __init__(self, atr_period: int, max_bars: int, min_gap_atr: float) -> None:
        import numpy as np

        from stc.runtime.indicator_series import ATRCarry

        self.atr_period = atr_period
        self.carry = ATRCarry(atr_period)
        self.max_bars = max_bars
        self.min_gap_atr = min_gap_atr
        self.last_high = self.last_low = np.zeros(0)  # up to the two bars before the part

    def part(self, bars: BarArrays, upstream: Mapping[str, BatchOutput]) -> BatchOutput:
        """The outputs over the next ``bars``."""
        import numpy as np

        from stc.runtime.batch import BatchOutput
        from stc.runtime.indicator_columns import atr_column

        n = len(bars)
        structure = upstream["MarketStructure"]
        high, low = bars.high, bars.low
        atr = atr_column(high, low, bars.close, self.atr_period, carry=self.carry)
        earlier_high = np.concatenate((self.last_high, high))  # NaN-free: t-2 where it exists
        earlier_low = np.concatenate((self.last_low, low))
        before = len(self.last_high)
        first_high, first_low = np.full(n, np.nan), np.full(n, np.nan)
        shift = 2 - before  # bar i's candle t-2 is element i + before - 2 of earlier_*
        candles = max(0, len(earlier_high) - 2)  # the bars that are some bar's t-2
        first_high[shift:] = earlier_high[:candles]
        first_low[shift:] = earlier_low[:candles]
        self.last_high, self.last_low = earlier_high[-2:].copy(), earlier_low[-2:].copy()
        buy = low > first_high
        sell = ~buy & (high < first_low)
        gap_low = np.where(buy, first_high, np.where(sell, high, np.nan))
        gap_high = np.where(buy, low, np.where(sell, first_low, np.nan))
        direction = np.where(buy, 1, np.where(sell, -1, 0))
        since = structure.columns["bars_since_break"]
        after_break = (
            structure.present
            & (structure.columns["break_direction"] == direction)
            & (since >= 0)
            & (since <= self.max_bars)
        )
        usable = ~np.isnan(atr) & (atr > 0.0) & (direction != 0) & after_break
        size_atr = np.divide(gap_high - gap_low, atr, out=np.zeros(n), where=usable)
        present = usable & (size_atr >= self.min_gap_atr)
        columns = {"direction": np.where(present, direction, 0), "gap_low": gap_low,
                   "gap_high": gap_high, "gap_atr": size_atr}  # fmt: skip
        return BatchOutput(present=present, columns=columns)
