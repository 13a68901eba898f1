"""The bar windows of one run: the tick window, the resampled higher timeframes, and
the warm-up count.

Per tick bar the loop calls :meth:`TickWindows.advance`: the bar joins the tick window,
each resampler releases the higher bars the tick closed (kept in ``released`` for the
workers driven by those timeframes), and the run turns warm once every timeframe has
closed as many bars as its longest warm-up. What it may touch: the windows and
resamplers only.
"""

from __future__ import annotations

from collections.abc import Mapping

from stc.runtime.data import Resampler
from stc.runtime.dtos.market import Bar, OHLCVWindow


class TickWindows:
    """Windows, resamplers and warm-up state of one run."""

    def __init__(
        self, timeframes: tuple[str, ...], windows: dict[str, OHLCVWindow], needs: Mapping[str, int]
    ) -> None:
        self.tick_timeframe = timeframes[0]
        self.windows = windows
        self.needs = dict(needs)
        self.tick_window = windows[self.tick_timeframe]
        self.resamplers = tuple(
            (Resampler(tf, self.tick_timeframe), windows[tf]) for tf in timeframes[1:]
        )
        self.closed = dict.fromkeys(timeframes, 0)
        self.released: dict[str, list[Bar]] = {}
        """Higher bars closed by the current tick, by timeframe."""
        self.warm = False

    def advance(self, bar: Bar) -> bool:
        """Append ``bar``, release closed higher bars; True once every worker is warm."""
        self.tick_window.append(bar)
        if self.resamplers:
            released = self.released
            if released:
                released.clear()
            for resampler, window in self.resamplers:
                for higher in resampler.push(bar):
                    window.append(higher)
                    self.closed[window.timeframe] += 1
                    released.setdefault(window.timeframe, []).append(higher)
        warm = self.warm
        if not warm:
            self.closed[self.tick_timeframe] += 1
            warm = self.warm = self._is_warm()
        return warm

    def _is_warm(self) -> bool:
        closed = self.closed
        return all(closed[tf] >= need for tf, need in self.needs.items())
