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

import math
import os
import tempfile
from array import array
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, BinaryIO

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
    """All metrics of a run as a JSON-ready dict (floats rounded to 10 places), from a
    kept equity curve and trade list: fed through the same :class:`MetricsStream` a
    run feeds bar by bar, so both give the same bits."""
    stream = MetricsStream(starting_capital)
    for value in equity:
        stream.add_equity(value)
    for trade in trades:  # one pass: a TradeLog rebuilds each Trade it yields
        stream.add_trade(float(trade.pnl))
    return stream.metrics(times, exposed_bars, faults, gaps=gaps,
                          bad_bars_skipped=bad_bars_skipped)  # fmt: skip


class MetricsStream:
    """The metrics of a run, accumulated as the ledger marks each bar and closes each
    trade, so a run need not hold its equity curve or its trades (issue 27: memory flat
    in the length of the data).

    Every float operation happens in the order the list-based formulas did (left-to-
    right sums from 0, ``max`` in the same argument order), so the results are the same
    bits. The one quantity no running sum can give bit for bit is the sample variance
    ``Σ (r − mean)²``: its terms need the final mean. The bar returns are therefore
    spilled (8 bytes a bar, to an anonymous temporary file past 64k bars,
    :class:`_ReturnSpill`) and read back once in :meth:`metrics`.
    """

    def __init__(self, starting_capital: float) -> None:
        self.starting_capital = starting_capital
        self.bars = 0
        self.final = starting_capital
        self._previous = starting_capital
        self._peak = starting_capital
        self._worst = 0.0
        self._returns = _ReturnSpill()
        self._return_sum = 0.0
        self._downside_sum = 0.0
        self.trades = 0
        self._wins = 0
        self._win_sum = 0.0
        self._loss_sum = 0.0

    def add_equity(self, value: float) -> None:
        """One bar's equity (marked at its close)."""
        self.bars += 1
        self.final = value
        peak = max(self._peak, value)
        self._peak = peak
        if peak > 0:
            self._worst = max(self._worst, (peak - value) / peak)
        base = self._previous
        self._previous = value
        if base != 0:
            r = value / base - 1.0
            self._returns.append(r)
            self._return_sum += r
            down = min(r, 0.0)
            self._downside_sum += down * down

    def add_stretch(
        self,
        count: int,
        last: float,
        peak: float,
        worst: float,
        returns: array[float],
        return_sum: float,
        downside_sum: float,
    ) -> None:
        """``count`` calls of :meth:`add_equity` at once, their results computed by the
        caller with the same float operations in the same order
        (``stc.runtime.bulk_marks``): the new running values and the bar returns."""
        self.bars += count
        self.final = last
        self._previous = last
        self._peak = peak
        self._worst = worst
        self._returns.extend(returns)
        self._return_sum = return_sum
        self._downside_sum = downside_sum

    def state(self) -> tuple[float, float, float, float, float]:
        """(previous equity, peak, worst drawdown, return sum, downside sum): what a
        bulk caller continues from."""
        return self._previous, self._peak, self._worst, self._return_sum, self._downside_sum

    def add_trade(self, pnl: float) -> None:
        """One closed trade's net P&L."""
        self.trades += 1
        if pnl > 0:
            self._wins += 1
            self._win_sum += pnl
        else:
            self._loss_sum += pnl

    def metrics(
        self,
        times: Sequence[datetime],
        exposed_bars: int,
        faults: int,
        *,
        gaps: GapCounter | None = None,
        bad_bars_skipped: int = 0,
    ) -> dict[str, Any]:
        """All metrics of the run so far as a JSON-ready dict (floats rounded to 10
        places); ``times`` holds the first and last bar time (the span)."""
        start, final, bars, trades = self.starting_capital, self.final, self.bars, self.trades
        years = _years(times)
        periods = bars / years if years > 0 else 0.0
        gross_loss = -self._loss_sum
        metrics: dict[str, Any] = {
            "starting_capital": start,
            "final_equity": final,
            "total_return": final / start - 1.0 if start else 0.0,
            "cagr": _cagr(start, final, years),
            "max_drawdown": self._worst,
            "sharpe": self._sharpe(periods),
            "sortino": self._sortino(periods),
            "win_rate": self._wins / trades if trades else 0.0,
            "profit_factor": (self._win_sum / gross_loss) if gross_loss > 0 else None,
            "exposure": exposed_bars / bars if bars else 0.0,
            "trades": trades,
            "bars": bars,
            "periods_per_year": periods,
            "faults": faults,
            **data_quality(gaps, bad_bars_skipped),
        }
        return {k: _round(v) for k, v in metrics.items()}

    def _sharpe(self, periods_per_year: float) -> float:
        """Annualised Sharpe ratio of bar returns (risk-free 0; 0 when undefined)."""
        n = len(self._returns)
        if n < 2:
            return 0.0
        mean = self._return_sum / n
        squares = 0.0
        for r in self._returns:  # the second pass: (r - mean)² needs the final mean
            squares += (r - mean) * (r - mean)  # ** overflows
        var = squares / (n - 1)
        if not math.isfinite(var):  # returns beyond the float range: undefined, not a crash
            return math.nan
        return mean / math.sqrt(var) * math.sqrt(periods_per_year) if var > 0 else 0.0

    def _sortino(self, periods_per_year: float) -> float:
        """Annualised Sortino ratio (downside deviation about 0; 0 when undefined)."""
        n = len(self._returns)
        if n == 0:
            return 0.0
        mean = self._return_sum / n
        downside = math.sqrt(self._downside_sum / n)
        return mean / downside * math.sqrt(periods_per_year) if downside > 0 else 0.0


class _ReturnSpill:
    """The bar returns in arrival order: the latest ``_CHUNK`` in memory, older ones in
    an anonymous temporary file (deleted by the OS when closed), so a run of millions
    of bars holds at most 512 kB of them."""

    def __init__(self) -> None:
        self._tail = array("d")
        self._file: BinaryIO | None = None
        self._spilled = 0

    def append(self, value: float) -> None:
        tail = self._tail
        tail.append(value)
        if len(tail) >= _CHUNK:
            self._spill()

    def extend(self, values: array[float]) -> None:
        """Append ``values`` in order (as many :meth:`append` calls)."""
        start = 0
        while start < len(values):
            room = _CHUNK - len(self._tail)
            chunk = values[start : start + room]
            start += len(chunk)
            self._tail.extend(chunk)
            if len(chunk) == room:
                self._spill()

    def _spill(self) -> None:
        """Write the full tail to the temporary file and start a new one."""
        tail = self._tail
        if self._file is None:
            self._file = tempfile.TemporaryFile()  # noqa: SIM115 (lives with the stream)
        self._file.seek(0, os.SEEK_END)
        tail.tofile(self._file)
        self._spilled += len(tail)
        self._tail = array("d")

    def __len__(self) -> int:
        return self._spilled + len(self._tail)

    def __iter__(self) -> Iterator[float]:
        spill = self._file
        if spill is not None:
            spill.seek(0)
            left = self._spilled
            while left > 0:
                chunk = array("d")
                chunk.frombytes(spill.read(min(left, _CHUNK) * 8))
                left -= len(chunk)
                yield from chunk
        yield from self._tail


_CHUNK = 1 << 16
"""Returns held in memory before they go to the spill file (8 bytes each)."""


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


def _cagr(start: float, final: float, years: float) -> float:
    if years <= 0 or start <= 0 or final <= 0:
        return 0.0
    try:
        return float((final / start) ** (1.0 / years) - 1.0)
    except OverflowError:  # a float ** raises where * gives inf; metrics are total
        return math.nan
