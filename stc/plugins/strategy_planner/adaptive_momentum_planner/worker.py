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
from decimal import Decimal, DecimalTuple
from typing import Any

from stc.plugins.dtos import MarketStructure
from stc.plugins.strategy_planner.adaptive_momentum_planner.swot import (
    ONE as ONE,
)
from stc.plugins.strategy_planner.adaptive_momentum_planner.swot import (
    ZERO,
    causality_chain,
    swot_confidence,
)
from stc.plugins.strategy_planner.adaptive_momentum_planner.swot import (
    best_entry as best_entry,
)
from stc.plugins.strategy_planner.adaptive_momentum_planner.swot import (
    is_close_signal as is_close_signal,
)
from stc.runtime.dtos import (
    EntryDirective,
    ExitDirective,
    OpportunitySignal,
    PriceZone,
    RoutingDirective,
    SizeDirective,
    StrategyDirective,
    SWOTInputs,
)
from stc.runtime.dtos.common import Direction
from stc.runtime.dtos.directives import Scope
from stc.runtime.workers import StrategyPlanner

AGGRESSIVENESS_FACTOR = Decimal("0.8")
"""The seed's ``aggressiveness = confidence * 0.8``."""


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
        # The sub-directives are immutable and depend only on params and confidence
        # (a handful of distinct values): built once each, not per directive.
        self._exit = ExitDirective(
            profit_taking_preference=self.profit_taking_preference,
            risk_reward_ratio=self.risk_reward_ratio,
            stop_loss_tolerance=self.stop_loss_tolerance,
        )
        self._by_confidence: dict[DecimalTuple, tuple[SizeDirective, RoutingDirective]] = {}
        # entry hints without a price zone: as immutable, and as few distinct values
        self._entries: dict[tuple[str, Direction, DecimalTuple], EntryDirective] = {}

    def confidence(self, swot: SWOTInputs, opportunity: OpportunitySignal) -> Decimal:
        """The seed's SWOT formula for one opportunity, clamped to 0..1."""
        weights = (self.w_strength, self.w_opportunity, self.w_threat, self.w_weakness)
        return swot_confidence(swot, opportunity, weights)

    def on_swot(self, swot: SWOTInputs) -> StrategyDirective | None:
        """Issue a directive for the tick's best opportunity, or None (no trade)."""
        closing = self._close_directive(swot)
        if closing is not None:
            return closing
        opportunity = best_entry(s for s in swot.opportunity_signals if not is_close_signal(s))
        if opportunity is None:
            return None
        confidence = self.confidence(swot, opportunity)
        if confidence <= ZERO or confidence < self.min_confidence:
            return None
        return self._directive(swot, opportunity, confidence, "NEW_TRADE", ())

    def _close_directive(self, swot: SWOTInputs) -> StrategyDirective | None:
        """A CLOSE_EXISTING directive for the strongest close signal that has open
        positions to close (read from the ledger), else None."""
        closes = [s for s in swot.opportunity_signals if is_close_signal(s)]
        for signal in sorted(closes, key=lambda s: s.confidence, reverse=True):
            targets = self._open_trades_against(swot.symbol, signal.direction)
            if targets:
                confidence = self.confidence(swot, signal)
                return self._directive(swot, signal, confidence, "CLOSE_EXISTING", targets)
        return None

    def _open_trades_against(self, symbol: str, direction: Direction) -> tuple[str, ...]:
        """IDs of open positions on ``symbol`` that a ``direction`` order would close."""
        positions = self.ledger.snapshot().open_positions
        return tuple(
            p.trade_id for p in positions if p.symbol == symbol and p.direction != direction
        )

    def _directive(
        self,
        swot: SWOTInputs,
        opportunity: OpportunitySignal,
        confidence: Decimal,
        scope: Scope,
        targets: tuple[str, ...],
    ) -> StrategyDirective:
        """Build the directive and its four hint/constraint sub-directives."""
        directive_id = self.new_id("STR", when=swot.timestamp)
        size, routing = self._hints(confidence)
        causality = causality_chain(swot, directive_id)
        return StrategyDirective(
            directive_id=directive_id,
            timestamp=swot.timestamp,
            causality=causality,
            confidence=confidence,
            reference_price=swot.reference_price,
            entry_directive=self._entry(swot, opportunity.direction, confidence),
            size_directive=size,
            exit_directive=self._exit,
            routing_directive=routing,
            scope=scope,
            target_trade_ids=targets,
            source_worker_id=self.worker_id,
        )

    def _hints(self, confidence: Decimal) -> tuple[SizeDirective, RoutingDirective]:
        """The size and routing sub-directives for ``confidence`` (cached)."""
        key = confidence.as_tuple()  # not the value: 0.9 and 0.90 must stay distinct
        found = self._by_confidence.get(key)
        if found is None:
            found = (
                SizeDirective(
                    aggressiveness=confidence * AGGRESSIVENESS_FACTOR,
                    max_risk_amount=self.max_risk_amount,
                    account_risk_pct=self.account_risk_pct,
                ),
                RoutingDirective(
                    execution_urgency=confidence,
                    max_total_slippage_pct=self.max_total_slippage_pct,
                ),
            )
            if len(self._by_confidence) < 4096:  # bounded, whatever the inputs
                self._by_confidence[key] = found
        return found

    def _entry(self, swot: SWOTInputs, direction: Direction, confidence: Decimal) -> EntryDirective:
        """Entry hints: urgency = confidence, and a price zone when structure is known
        (without a zone the hints are cached like the size and routing hints)."""
        zone = self._price_zone(swot.reference_price, direction)
        if zone is not None:
            return EntryDirective(
                symbol=swot.symbol,
                direction=direction,
                timing_preference=confidence,
                preferred_price_zone=zone,
            )
        key = (swot.symbol, direction, confidence.as_tuple())  # 0.9 and 0.90 stay distinct
        found = self._entries.get(key)
        if found is None:
            found = EntryDirective(
                symbol=swot.symbol,
                direction=direction,
                timing_preference=confidence,
                preferred_price_zone=None,
            )
            if len(self._entries) < 4096:  # bounded, whatever the inputs
                self._entries[key] = found
        return found

    def _price_zone(self, reference: Decimal, direction: Direction) -> PriceZone | None:
        """Between the last swing and the price (BUY: swing low … price, SELL: price …
        swing high) when a MarketStructure is in the context; optional, never required."""
        structure = self.context.get(MarketStructure) if self.context is not None else None
        if structure is None:
            return None
        if direction == "BUY" and structure.last_swing_low is not None:
            low = Decimal(str(structure.last_swing_low))
            return PriceZone(low=low, high=reference) if ZERO < low < reference else None
        if direction == "SELL" and structure.last_swing_high is not None:
            high = Decimal(str(structure.last_swing_high))
            return PriceZone(low=reference, high=high) if high > reference else None
        return None
