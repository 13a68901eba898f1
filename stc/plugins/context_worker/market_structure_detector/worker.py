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
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from stc.plugins._lib.structure import TREND_CODE, StructureState, fold_rows
from stc.plugins.dtos import MarketStructure, Trend
from stc.runtime.dtos.market import TradingContext
from stc.runtime.workers import ContextWorker

if TYPE_CHECKING:
    from stc.runtime.batch import BarArrays, BatchOutput


class MarketStructureDetector(ContextWorker):
    """Tracks swing highs/lows and reports structure breaks on the bar they happen."""

    def setup(self) -> None:
        """Read params (with the manifest's defaults) and reset the structure state
        (compiled: ``stc.plugins._lib.structure``)."""
        self.lookback = int(self.params["lookback"])
        self.decay_bars = float(self.params["decay_bars"])
        self.structure = StructureState(self.lookback, self.decay_bars)

    def on_tick(self, context: TradingContext) -> MarketStructure | None:
        """Fold in the tick's bar; None until the first swing could be confirmed."""
        bar = context.bar
        state = self.structure
        if not state.update(bar.high, bar.low, bar.close):
            return None
        structure = MarketStructure(
            trend=state.trend,
            last_swing_high=state.last_high(),
            last_swing_low=state.last_low(),
            prev_swing_high=state.prev_high(),
            prev_swing_low=state.prev_low(),
            bos=state.bos,
            choch=state.choch,
            break_direction=state.break_direction,
            bars_since_break=state.bars_since_break,
        )
        context.score("structure_quality", state.quality(), self.worker_id)
        return structure

    def batch(self, bars: BarArrays, upstream: Mapping[str, BatchOutput]) -> BatchOutput:
        """Batch form (stc.runtime.batch): one part of :meth:`batch_stream` over all
        the bars (one code path for both)."""
        return self.batch_stream().part(bars, upstream)

    def batch_stream(self) -> StructureStream:
        """The batch form a part at a time (stc.runtime.batch.BatchStream)."""
        return StructureStream(self.lookback, self.decay_bars)

    def result_at(
        self, output: BatchOutput, index: int, context: TradingContext
    ) -> MarketStructure | None:
        """The MarketStructure ``on_tick`` returns on bar ``index``."""
        return _structure_at(output, index)


_CODE_TREND: dict[int, Trend] = {int(code): trend for trend, code in TREND_CODE.items()}


class StructureStream:
    """MarketStructureDetector's batch form over consecutive parts of the bars: the
    swings by sliding-window maxima, then one pass over the bars with the handler's
    own state machine (``record`` and ``check_break`` on a fresh copy of the state:
    breaks depend on the trend, which depends on earlier breaks, so this part is
    causal and sequential by nature); the columns it fills hold plain numbers, and
    ``structure_quality`` is computed element-wise from them.

    Carried between parts: the state machine, how many bars came before, and the last
    ``2 · lookback`` highs and lows (a swing is confirmed ``lookback`` bars after its
    centre, from the ``2 · lookback + 1`` bars around it: a swing confirmed on a
    part's first bars has its window partly in the part before)."""

    def __init__(self, lookback: int, decay_bars: float) -> None:
        import numpy as np

        self.lookback = lookback
        self.decay_bars = decay_bars
        self.state = StructureState(lookback, decay_bars)
        self.seen = 0
        self.tail_high = self.tail_low = np.zeros(0)

    def part(self, bars: BarArrays, upstream: Mapping[str, BatchOutput]) -> BatchOutput:
        """The outputs over the next ``bars``."""
        import numpy as np

        from stc.plugins._lib.swing_arrays import fractal_swings
        from stc.runtime.batch import CHUNK_BARS, BatchOutput

        n, lookback, seen, state = len(bars), self.lookback, self.seen, self.state
        high = np.concatenate((self.tail_high, bars.high))
        low = np.concatenate((self.tail_low, bars.low))
        before = len(self.tail_high)  # element ``before + i`` of high/low is bar i of the part
        high_at, low_at = np.full(n, np.nan), np.full(n, np.nan)
        highs, lows = fractal_swings(high, low, lookback)  # confirmed on centre + lookback
        high_at[highs + lookback - before] = high[highs]
        low_at[lows + lookback - before] = low[lows]
        first_kept = max(0, len(high) - 2 * lookback)  # the last 2 · lookback bars (or all)
        self.tail_high, self.tail_low = high[first_kept:].copy(), low[first_kept:].copy()
        del high, low
        names = ("trend", "last_high", "last_low", "prev_high", "prev_low", "bos", "choch",
                 "break_direction", "bars_since_break")  # fmt: skip
        # raw doubles (8 bytes a bar, not a list's 32: issue 23's memory), read back as
        # arrays; the state machine's pass runs compiled a chunk at a time (``fold_rows``)
        rows: dict[str, array[float]] = {name: array("d") for name in names}
        for start in range(0, n, CHUNK_BARS):
            stop = min(n, start + CHUNK_BARS)
            chunk = fold_rows(state, bars.close[start:stop].tolist(),
                              high_at[start:stop].tolist(), low_at[start:stop].tolist(),
                              seen + start, lookback)  # fmt: skip
            for name, values in zip(names, chunk, strict=True):
                rows[name].extend(values)
        self.seen = seen + n
        columns = {name: np.frombuffer(values, dtype=np.float64) for name, values in rows.items()}
        for name in ("trend", "break_direction", "bars_since_break"):
            columns[name] = columns[name].astype(np.int64)
        for name in ("bos", "choch"):
            columns[name] = columns[name].astype(np.bool_)
        present = np.arange(seen, seen + n) >= 2 * lookback
        quality = _quality(self.decay_bars, columns)
        factors = {"structure_quality": np.where(present, quality, np.nan)}
        return BatchOutput(present=present, columns=columns, factors=factors)


def _quality(decay_bars: float, columns: Mapping[str, Any]) -> Any:
    """``stc.plugins._lib.structure.quality`` element-wise: alignment × decay / (decay +
    bars since the break)."""
    import numpy as np

    trend, since = columns["trend"], columns["bars_since_break"]

    def step(previous: Any, last: Any) -> Any:
        return np.where(last > previous, 1, np.where(last < previous, -1, 0))  # NaN: 0

    agreeing = (step(columns["prev_high"], columns["last_high"]) * trend > 0).astype(np.int64)
    agreeing += step(columns["prev_low"], columns["last_low"]) * trend > 0
    alignment = np.array([0.25, 0.5, 1.0])[agreeing]
    quality = alignment * decay_bars / (decay_bars + np.maximum(since, 0))
    return np.where((trend == 0) | (since < 0), 0.0, quality)


def _structure_at(output: BatchOutput, index: int) -> MarketStructure | None:
    """The MarketStructure on bar ``index`` of ``output`` (None where there is none).
    Read on every tick the fast engine runs: one bound ``at``, no closure a call."""
    if not output.is_present(index):
        return None
    at = output.at
    last_high: float = at("last_high", index)
    last_low: float = at("last_low", index)
    prev_high: float = at("prev_high", index)
    prev_low: float = at("prev_low", index)
    since = at("bars_since_break", index)
    return MarketStructure(
        trend=_CODE_TREND[at("trend", index)],
        last_swing_high=None if last_high != last_high else last_high,
        last_swing_low=None if last_low != last_low else last_low,
        prev_swing_high=None if prev_high != prev_high else prev_high,
        prev_swing_low=None if prev_low != prev_low else prev_low,
        bos=at("bos", index),
        choch=at("choch", index),
        break_direction=_CODE_TREND[at("break_direction", index)],
        bars_since_break=None if since < 0 else since,
    )
