"""Fractal swings over whole arrays: the batch counterpart of ``swings`` (issue 23).

``FractalSwingDetector`` confirms the bar ``lookback`` bars back when its high (low)
is strictly above (below) every other high (low) of the ``2 · lookback + 1`` bars
around it. Over a whole array that is one sliding-window maximum on each side of every
candidate centre: comparisons only, so the swings found are exactly the detector's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    FloatArray = NDArray[np.float64]
    IntArray = NDArray[np.int64]


def fractal_swings(high: FloatArray, low: FloatArray, lookback: int) -> tuple[IntArray, IntArray]:
    """Positions (bar indexes, ascending) of the swing highs and of the swing lows; each
    becomes known on bar ``position + lookback``."""
    import numpy as np
    from numpy.lib.stride_tricks import sliding_window_view

    size = 2 * lookback + 1
    if len(high) < size:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty.copy()
    high_windows = sliding_window_view(high, size)
    low_windows = sliding_window_view(low, size)
    centre_high = high_windows[:, lookback]
    centre_low = low_windows[:, lookback]
    left, right = slice(None, lookback), slice(lookback + 1, None)
    others_high = np.maximum(high_windows[:, left].max(1), high_windows[:, right].max(1))
    others_low = np.minimum(low_windows[:, left].min(1), low_windows[:, right].min(1))
    highs = np.flatnonzero(centre_high > others_high).astype(np.int64) + lookback
    lows = np.flatnonzero(centre_low < others_low).astype(np.int64) + lookback
    return highs, lows


def pair_columns(
    centres: IntArray, price: FloatArray, tag: FloatArray, lookback: int, bars: int
) -> dict[str, Any]:
    """Each swing at ``centres`` with the swing before it, on its confirmation bar.

    Columns of length ``bars``, set on the bar each swing is confirmed (``centre +
    lookback``): ``paired`` (a previous swing exists), ``price``/``position``/``tag``
    of the swing, and ``previous_price``/``previous_position``/``previous_tag`` of the
    one before it (NaN / -1 where there is none).
    """
    import numpy as np

    confirm = centres + lookback
    columns: dict[str, Any] = {
        "paired": np.zeros(bars, dtype=np.bool_),
        "price": np.full(bars, np.nan),
        "position": np.full(bars, -1, dtype=np.int64),
        "tag": np.full(bars, np.nan),
        "previous_price": np.full(bars, np.nan),
        "previous_position": np.full(bars, -1, dtype=np.int64),
        "previous_tag": np.full(bars, np.nan),
    }
    columns["price"][confirm] = price[centres]
    columns["position"][confirm] = centres
    columns["tag"][confirm] = tag[centres]
    if len(centres) > 1:
        later, earlier = confirm[1:], centres[:-1]
        columns["paired"][later] = True
        columns["previous_price"][later] = price[earlier]
        columns["previous_position"][later] = earlier
        columns["previous_tag"][later] = tag[earlier]
    return columns
