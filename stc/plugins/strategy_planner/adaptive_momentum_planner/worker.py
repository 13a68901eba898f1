"""AdaptiveMomentumPlanner: the seed's SWOT confrontation as a strategy planner.

    confidence = S·w_s + O·w_o − T·w_t − W·w_w   (clamped to 0..1)

with S/W the aggregated context strength/weakness, O the confidence of the chosen
opportunity and T the highest threat severity of the tick (0 without threats). The
weakness weight defaults to 0 because, as the seed says, weakness is already implicit
in the strength score; a quant can switch it on.

Choosing the opportunity:

* opportunities whose ``metadata["action"] == "close"`` (e.g. the EMA-cross exit) are
  exit signals: they close the open positions *opposite* to their direction (a SELL
  close closes longs). They win over entries, because opening a trade while the
  strategy says "get out" is contradictory; they are not gated by ``min_confidence``
  (a threat must make leaving easier, not harder). Without open positions to close
  they are ignored (a close signal never opens a short);
* otherwise the entry opportunity with the highest confidence wins, whichever its
  direction. A tie between a BUY and a SELL is ambiguous and gives no directive; a
  tie within one direction keeps the first signal (the join's order is deterministic).

The sub-directives are hints derived from the confidence exactly as the seed shows:
timing_preference = confidence, aggressiveness = confidence·0.8 and
execution_urgency = confidence; the hard limits (risk per trade, stop tolerance,
slippage) are params of the planner.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from stc.plugins.strategy_planner.adaptive_momentum_planner.swot import (
    AGGRESSIVENESS_FACTOR as AGGRESSIVENESS_FACTOR,
)
from stc.plugins.strategy_planner.adaptive_momentum_planner.swot import (
    ONE as ONE,
)
from stc.plugins.strategy_planner.adaptive_momentum_planner.swot import (
    SwotDirector,
    swot_confidence,
)
from stc.plugins.strategy_planner.adaptive_momentum_planner.swot import (
    best_entry as best_entry,
)
from stc.plugins.strategy_planner.adaptive_momentum_planner.swot import (
    is_close_signal as is_close_signal,
)
from stc.runtime.dtos import ExitDirective, OpportunitySignal, StrategyDirective, SWOTInputs
from stc.runtime.workers import StrategyPlanner


def _dec(params: Mapping[str, Any], key: str) -> Decimal:
    """Read a numeric param as an exact Decimal (via ``str`` so 0.3 stays 0.3)."""
    return Decimal(str(params[key]))


class AdaptiveMomentumPlanner(StrategyPlanner):
    """Confronts the four SWOT quadrants into one StrategyDirective per tick."""

    def setup(self) -> None:
        """Read weights and limits (the compiler applied the manifest's defaults)."""
        p = self.params
        self.w_strength = _dec(p, "strength_weight")
        self.w_opportunity = _dec(p, "opportunity_weight")
        self.w_threat = _dec(p, "threat_weight")
        self.w_weakness = _dec(p, "weakness_weight")
        self.min_confidence = _dec(p, "min_confidence")
        self.account_risk_pct = _dec(p, "account_risk_pct")
        raw_max = p["max_risk_amount"]
        self.max_risk_amount = None if raw_max is None else Decimal(str(raw_max))
        self.risk_reward_ratio = _dec(p, "risk_reward_ratio")
        self.stop_loss_tolerance = _dec(p, "stop_loss_tolerance")
        self.profit_taking_preference = _dec(p, "profit_taking_preference")
        self.max_total_slippage_pct = _dec(p, "max_total_slippage_pct")
        # The sub-directives are immutable and depend only on params and confidence:
        # the director builds them once each (its caches), and the whole per-tick
        # decision runs in its compiled code.
        self._director = SwotDirector(
            (self.w_strength, self.w_opportunity, self.w_threat, self.w_weakness),
            self.min_confidence,
            self.max_risk_amount,
            self.account_risk_pct,
            self.max_total_slippage_pct,
            ExitDirective(
                profit_taking_preference=self.profit_taking_preference,
                risk_reward_ratio=self.risk_reward_ratio,
                stop_loss_tolerance=self.stop_loss_tolerance,
            ),
        )

    def confidence(self, swot: SWOTInputs, opportunity: OpportunitySignal) -> Decimal:
        """The seed's SWOT formula for one opportunity, clamped to 0..1."""
        weights = (self.w_strength, self.w_opportunity, self.w_threat, self.w_weakness)
        return swot_confidence(swot, opportunity, weights)

    def on_swot(self, swot: SWOTInputs) -> StrategyDirective | None:
        """Issue a directive for the tick's best opportunity, or None (no trade).

        The rules are the module docstring's, run by the compiled
        :class:`~.swot.SwotDirector`; it draws the directive's id through
        ``self.new_id`` and reads ``self.ledger`` only for a close signal."""
        planner: Any = self
        return self._director.decide(swot, planner)
