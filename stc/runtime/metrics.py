"""Run metrics from the equity curve and the closed trades.

Conventions (also in docs/runtime.md):
- bar returns are simple returns of the equity marked at each bar's close;
- periods per year are estimated from the data: bars / (span in years), so FX data
  with weekend gaps and 24/7 crypto data are both annualised by what they contain;
- Sharpe = mean / stdev (sample, ddof=1) of bar returns × √periods_per_year, risk-free
  rate 0; Sortino uses the downside deviation √(mean(min(r, 0)²));
- max drawdown is the largest fractional fall of equity from its running peak;
- CAGR = (final / initial)^(1 / years) − 1; exposure = share of bars with a position;
- profit factor = gross profit / gross loss (None when there is no loss);
- data quality: ``data_gaps`` (places where at least one tick bar is missing, see
  ``stc.runtime.data.GapCounter``), the largest gap (``largest_gap_bars`` missing bars
  between the bars at ``largest_gap_from`` and ``largest_gap_to``) and
  ``bad_bars_skipped`` (rows dropped by ``on_bad_bar="skip"``).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Collection, Iterator, Sequence
from datetime import datetime
from typing import Any

from stc.runtime.data import GapCounter
from stc.runtime.dtos.ledger import Trade

_YEAR_S = 365.25 * 86400.0


def compute_metrics(
    equity: Sequence[float],
    times: Sequence[datetime],
    trades: Sequence[Trade],
    starting_capital: float,
    exposed_bars: int,
    faults: int,
    *,
    gaps: GapCounter | None = None,
    bad_bars_skipped: int = 0,
) -> dict[str, Any]:
    """All metrics of a run as a JSON-ready dict (floats rounded to 10 places)."""
    final = equity[-1] if equity else starting_capital
    years = _years(times)
    periods = len(equity) / years if years > 0 else 0.0
    returns = _Returns(starting_capital, equity)
    wins: list[float] = []
    losses: list[float] = []
    for trade in trades:  # one pass: a TradeLog rebuilds each Trade it yields
        pnl = trade.pnl
        (wins if pnl > 0 else losses).append(float(pnl))
    gross_loss = -sum(losses)
    metrics: dict[str, Any] = {
        "starting_capital": starting_capital,
        "final_equity": final,
        "total_return": final / starting_capital - 1.0 if starting_capital else 0.0,
        "cagr": _cagr(starting_capital, final, years),
        "max_drawdown": max_drawdown(equity, starting_capital),
        "sharpe": sharpe(returns, periods),
        "sortino": sortino(returns, periods),
        "win_rate": len(wins) / len(trades) if trades else 0.0,
        "profit_factor": (sum(wins) / gross_loss) if gross_loss > 0 else None,
        "exposure": exposed_bars / len(equity) if equity else 0.0,
        "trades": len(trades),
        "bars": len(equity),
        "periods_per_year": periods,
        "faults": faults,
        **data_quality(gaps, bad_bars_skipped),
    }
    return {k: _round(v) for k, v in metrics.items()}


def data_quality(gaps: GapCounter | None, bad_bars_skipped: int) -> dict[str, Any]:
    """The data-quality metrics: gaps in the tick data and skipped bad rows."""
    largest_from = gaps.largest_from if gaps else None
    largest_to = gaps.largest_to if gaps else None
    return {
        "data_gaps": gaps.count if gaps else 0,
        "largest_gap_bars": gaps.largest_bars if gaps else 0,
        "largest_gap_from": largest_from.isoformat() if largest_from else None,
        "largest_gap_to": largest_to.isoformat() if largest_to else None,
        "bad_bars_skipped": bad_bars_skipped,
    }


def _round(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 10) if math.isfinite(value) else None
    return value


def _years(times: Sequence[datetime]) -> float:
    if len(times) < 2:
        return 0.0
    return (times[-1] - times[0]).total_seconds() / _YEAR_S


def _returns(equity: Sequence[float]) -> list[float]:
    return [b / a - 1.0 for a, b in itertools.pairwise(equity) if a != 0]


class _Returns:
    """The bar returns of ``[start, *equity]``, recomputed on each pass instead of
    stored (a million bars would otherwise hold a million floats twice). A
    ``Collection[float]`` by structure (no ABC base: mypyc compiles this module)."""

    def __init__(self, start: float, equity: Sequence[float]) -> None:
        self._start = start
        self._equity = equity
        self._len = sum(1 for a in self._bases() if a != 0)

    def _bases(self) -> Iterator[float]:
        yield self._start
        yield from itertools.islice(self._equity, max(len(self._equity) - 1, 0))

    def __iter__(self) -> Iterator[float]:
        for a, b in zip(self._bases(), self._equity, strict=False):
            if a != 0:
                yield b / a - 1.0

    def __len__(self) -> int:
        return self._len

    def __contains__(self, value: object) -> bool:
        return any(r == value for r in self)


def _cagr(start: float, final: float, years: float) -> float:
    if years <= 0 or start <= 0 or final <= 0:
        return 0.0
    try:
        return float((final / start) ** (1.0 / years) - 1.0)
    except OverflowError:  # a float ** raises where * gives inf; metrics are total
        return math.nan


def max_drawdown(equity: Sequence[float], starting_capital: float) -> float:
    """Largest fractional fall from the running equity peak (0..1)."""
    peak, worst = starting_capital, 0.0
    for value in equity:
        peak = max(peak, value)
        if peak > 0:
            worst = max(worst, (peak - value) / peak)
    return worst


def sharpe(returns: Collection[float], periods_per_year: float) -> float:
    """Annualised Sharpe ratio of bar returns (risk-free 0; 0 when undefined)."""
    if len(returns) < 2:
        return 0.0
    mean = sum(returns) / len(returns)
    var = sum((r - mean) * (r - mean) for r in returns) / (len(returns) - 1)  # ** overflows
    if not math.isfinite(var):  # returns beyond the float range: undefined, not a crash
        return math.nan
    return mean / math.sqrt(var) * math.sqrt(periods_per_year) if var > 0 else 0.0


def sortino(returns: Collection[float], periods_per_year: float) -> float:
    """Annualised Sortino ratio (downside deviation about 0; 0 when undefined)."""
    if not returns:
        return 0.0
    mean = sum(returns) / len(returns)
    downside = math.sqrt(sum(min(r, 0.0) * min(r, 0.0) for r in returns) / len(returns))
    return mean / downside * math.sqrt(periods_per_year) if downside > 0 else 0.0
