"""CorrelationBreachDetector: a short-run correlation that breaks away from its
long-run value.

The context holds one symbol, so the reference series is derived from that symbol's
own data, chosen by ``reference``:

* ``volume`` — |log return| against log volume: volatility and volume normally move
  together (a positive correlation); moves on no volume or volume without moves
  break that relationship;
* ``lagged_return`` — log return against the previous bar's log return (first-order
  autocorrelation): a jump shows the market switching between trending and
  mean-reverting behaviour.

A threat is raised while |short − long| ≥ ``threshold`` (only drops when
``direction`` is ``below``, only rises when ``above``).
"""

from __future__ import annotations

import math

from stc.plugins._lib import to_score
from stc.runtime.dtos.market import Bar, TradingContext
from stc.runtime.dtos.signals import ThreatSignal
from stc.runtime.indicators import RollingCorrelation
from stc.runtime.workers import ThreatWorker


class CorrelationBreachDetector(ThreatWorker):
    """Two rolling correlations of the same pair of series: short and long window."""

    def setup(self) -> None:
        """Read params (manifest defaults) and create both correlation windows."""
        self.reference = str(self.params["reference"])
        self.direction = str(self.params["direction"])
        self.threshold = float(self.params["threshold"])
        self.full = float(self.params["full_severity_deviation"])
        self.short = RollingCorrelation(int(self.params["short_window"]))
        self.long = RollingCorrelation(int(self.params["long_window"]))
        self.prev_close: float | None = None
        self.prev_return: float | None = None

    def on_tick(self, context: TradingContext) -> ThreatSignal | None:
        """Fold in the bar's pair; threat while the short correlation deviates."""
        pair = self._pair(context.bar)
        if pair is None:
            return None
        short, long = self.short.update(*pair), self.long.update(*pair)
        if short is None or long is None:
            return None
        deviation = short - long
        if not self._breached(deviation):
            return None
        return ThreatSignal(
            threat_id=self.new_id("THR"),
            timestamp=context.timestamp or context.bar.time,
            threat_type="CORRELATION_BREACH",
            severity=to_score(abs(deviation) / self.full),
            source_worker_id=self.worker_id,
            affected_asset=context.symbol,
            metadata={
                "reference": self.reference,
                "short_correlation": round(short, 6),
                "long_correlation": round(long, 6),
            },
        )

    def _pair(self, bar: Bar) -> tuple[float, float] | None:
        """This bar's (x, y) for the chosen reference; None when it is undefined."""
        prev_close, self.prev_close = self.prev_close, bar.close
        if prev_close is None or prev_close <= 0.0 or bar.close <= 0.0:
            return None
        ret = math.log(bar.close / prev_close)
        if self.reference == "lagged_return":
            prev_return, self.prev_return = self.prev_return, ret
            return None if prev_return is None else (ret, prev_return)
        return (abs(ret), math.log1p(max(bar.volume, 0.0)))

    def _breached(self, deviation: float) -> bool:
        """|deviation| ≥ threshold, restricted to one side by ``direction``."""
        if self.direction == "below":
            return -deviation >= self.threshold
        if self.direction == "above":
            return deviation >= self.threshold
        return abs(deviation) >= self.threshold
