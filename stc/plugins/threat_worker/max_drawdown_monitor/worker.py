"""MaxDrawdownMonitor: warns as the account's drawdown from its equity peak nears the
allowed maximum, on every ``LEDGER_UPDATE``."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from stc.runtime.dtos.ledger import LedgerSnapshot
from stc.runtime.dtos.signals import ThreatSignal
from stc.runtime.workers import ThreatWorker

_SIX = Decimal("0.000001")


class MaxDrawdownMonitor(ThreatWorker):
    """Threat when drawdown ≥ warn_fraction × max_drawdown; severity = min(1, dd / max).

    At the warning level the severity equals ``warn_fraction``; it reaches 1 at the
    maximum, where the threat type turns from DRAWDOWN_WARNING into
    MAX_DRAWDOWN_BREACH. Computed in Decimal, as the ledger is.
    """

    def setup(self) -> None:
        """Read params (manifest defaults) as Decimals (via str, so 0.05 stays 0.05)."""
        self.max_drawdown = Decimal(str(self.params["max_drawdown"]))
        self.warn_fraction = Decimal(str(self.params["warn_fraction"]))
        if self.max_drawdown <= 0:
            raise ValueError("MaxDrawdownMonitor: max_drawdown must be > 0")
        self.warn_level = self.warn_fraction * self.max_drawdown

    def on_ledger_update(self, snapshot: LedgerSnapshot) -> ThreatSignal | None:
        """Assess the snapshot's drawdown; None while below the warning level.

        At or above the peak (every ledger change of a winning account) the drawdown is
        0, so the division ``snapshot.drawdown`` does is not asked for."""
        if snapshot.equity >= snapshot.peak_equity:
            return None
        drawdown = snapshot.drawdown
        if drawdown < self.warn_level or drawdown <= 0:
            return None
        breach = drawdown >= self.max_drawdown
        severity = min(Decimal(1), drawdown / self.max_drawdown)
        return ThreatSignal(
            threat_id=self.new_id("THR", when=snapshot.timestamp),
            timestamp=snapshot.timestamp,
            threat_type="MAX_DRAWDOWN_BREACH" if breach else "DRAWDOWN_WARNING",
            severity=severity.quantize(_SIX, rounding=ROUND_HALF_EVEN),
            source_worker_id=self.worker_id,
            affected_asset=None,
            metadata={
                "current_dd": float(drawdown),
                "max_allowed": float(self.max_drawdown),
                "equity": str(snapshot.equity),
                "peak_equity": str(snapshot.peak_equity),
            },
        )
