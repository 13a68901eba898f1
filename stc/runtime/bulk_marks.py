"""Mark-to-market of a skipped stretch in bulk (the fast engine, issue 23).

On a quiet stretch (no fill, no stop or target touched, no flow) the incremental
engine calls ``Ledger.mark`` once a bar; that feeds the equity curve, the peak, the
exposure and ``MetricsStream.add_equity``. Here the same numbers come from numpy over
the stretch's closes, and the result must be the same *bits* (metrics.json is compared
byte for byte), so every float operation is the one the per-bar code does, in the
same order:

* equity: ``cash_f``, then ``+= sign · close · size_f`` per open trade in the ledger's
  order — element-wise, which numpy evaluates with the same IEEE operations;
* running peak and worst drawdown: ``max`` is exact, so an accumulated maximum and a
  maximum over the stretch equal the per-bar ``max`` chain;
* bar returns ``value / previous − 1`` element-wise; their running sums are *sequential*
  sums (``np.add.accumulate``, left to right from the stream's running value — not
  ``np.sum``, whose pairwise summation rounds differently);
* the ledger's own peak (a rounded money value whose float it compares against) is
  updated by its per-bar rule, called only for the bars that can raise it (a superset:
  every bar within a rounding margin of the running maximum).
"""

from __future__ import annotations

from array import array
from typing import TYPE_CHECKING

from stc.runtime.batch import BarArrays
from stc.runtime.dtos.market import Bar
from stc.runtime.ledger import Ledger

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray


def mark_stretch(ledger: Ledger, arrays: BarArrays, lo: int, hi: int, last: Bar) -> None:
    """Mark bars ``lo..hi-1`` (``last`` is bar ``hi - 1``) as ``hi - lo`` calls of
    ``ledger.mark`` would."""
    count = hi - lo
    if count <= 0:
        return
    equity = equities(ledger, arrays.close[lo:hi])
    ledger.mark_quiet(
        last, count, float(arrays.high[lo:hi].max()), float(arrays.low[lo:hi].min()),
        array("d", equity.tobytes()),
    )  # fmt: skip
    _raise_peak(ledger, equity)
    _feed_metrics(ledger, equity)


def equities(ledger: Ledger, closes: NDArray[np.float64]) -> NDArray[np.float64]:
    """Each bar's equity at its close: ``Ledger.equity_at`` over an array (the same float
    operations in the same order, so the bulk and the per-bar marks agree bit for bit)."""
    import numpy as np

    equity = np.full(len(closes), ledger.cash_f, dtype=np.float64)
    for trade in ledger.open.values():
        equity = equity + (float(trade.sign) * closes) * trade.size_f
    return equity


def _raise_peak(ledger: Ledger, equity: NDArray[np.float64]) -> None:
    """The ledger's peak rule on every bar that may raise it, in order."""
    import numpy as np

    before = np.maximum.accumulate(np.concatenate(([ledger.peak_f], equity)))[:-1]
    margin = 1e-9 + np.abs(before) * 1e-12  # money rounding: 10 decimals, or float spacing
    for value in equity[equity > before - margin].tolist():
        ledger.raise_peak(value)


def _feed_metrics(ledger: Ledger, equity: NDArray[np.float64]) -> None:
    """``MetricsStream.add_equity`` for every bar of the stretch, in bulk."""
    import numpy as np

    stream = ledger.metrics
    previous, peak, worst, return_sum, downside_sum = stream.state()
    peaks = np.maximum.accumulate(np.concatenate(([peak], equity)))[1:]
    positive = peaks > 0
    if positive.any():
        drawdowns = (peaks[positive] - equity[positive]) / peaks[positive]
        worst = max(worst, float(drawdowns.max()))
    bases = np.concatenate(([previous], equity[:-1]))
    valid = bases != 0
    returns = equity[valid] / bases[valid] - 1.0
    if len(returns):
        return_sum = float(np.add.accumulate(np.concatenate(([return_sum], returns)))[-1])
        down = np.minimum(returns, 0.0)
        downside_sum = float(np.add.accumulate(np.concatenate(([downside_sum], down * down)))[-1])
    stream.add_stretch(
        len(equity), float(equity[-1]), float(peaks[-1]), worst,
        array("d", returns.tobytes()), return_sum, downside_sum,
    )  # fmt: skip
