"""The bar windows of one run: the tick window, the resampled higher timeframes, and
the warm-up count.

Per tick bar the loop calls :meth:`TickWindows.advance`: the bar joins the tick window,
each resampler releases the higher bars the tick closed (kept in ``released`` for the
workers driven by those timeframes), and the run turns warm once every timeframe has
closed as many bars as its longest warm-up. What it may touch: the windows and
resamplers only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

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

    def skip(self, bars: Sequence[Bar], count: int) -> None:
        """Account for quiet tick bars at once (the fast engine): ``bars`` are the
        skipped bars, of which there are ``count``, or, with one timeframe, at least the
        tick window's capacity's worth of the last of them. The tick window keeps the
        last bars, the warm-up count advances as ``advance`` would; with higher
        timeframes every skipped bar goes through their resamplers (a Python call a
        bar; :meth:`jump` is the shortcut when the closed bars are known ahead), and
        ``released`` is left as the last run tick set it (``stc.runtime.frame_carry``
        carries what the workers on those timeframes would have left)."""
        if self.resamplers:
            for bar in bars:
                self._skip_one(bar)
            return
        self._skip_tick(bars, count)

    def jump(
        self,
        tail: Sequence[Bar],
        count: int,
        stretches: Sequence[tuple[list[Bar], int, list[Bar] | None]],
        skipped: Sequence[Bar],
    ) -> None:
        """``skip`` of ``count`` quiet tick bars, ``tail`` the last of them (at least
        the tick window's capacity's worth), with each higher timeframe's part known
        ahead (``stretches``, in the resamplers' order, from
        ``stc.runtime.batched.HigherAhead.stretch``): the closed bars its window
        receives, how many closed, and the ticks of the period still open to restart
        its resampler with; None: every tick of the stretch (``skipped``) goes through
        its resampler as in ``skip``. A restarted resampler holds the same partial bar
        the pushed one would (the same ticks, pushed in the same order from an empty
        period), and these ticks close nothing."""
        resamplers: list[tuple[Resampler, OHLCVWindow]] = []
        for (resampler, window), (closed, closes, open_ticks) in zip(
            self.resamplers, stretches, strict=True
        ):
            if open_ticks is None:
                for bar in skipped:
                    for higher in resampler.push(bar):
                        window.append(higher)
                        self.closed[window.timeframe] += 1
            else:
                for higher in closed:
                    window.append(higher)
                self.closed[window.timeframe] += closes
                resampler = Resampler(resampler.tf, self.tick_timeframe)
                for bar in open_ticks:
                    if resampler.push(bar):
                        raise AssertionError("a tick of the open period closed it")
            resamplers.append((resampler, window))
        self.resamplers = tuple(resamplers)
        self._skip_tick(tail, count)

    def _skip_tick(self, bars: Sequence[Bar], count: int) -> None:
        """The tick window and the warm-up count over ``count`` skipped tick bars
        (``bars``: at least the window's capacity's worth of the last of them)."""
        for bar in bars:
            self.tick_window.append(bar)
        if not self.warm:  # ``advance`` counts up to the bar that makes the run warm
            closed = self.closed[self.tick_timeframe]
            until_warm = max(self.needs.get(self.tick_timeframe, 0) - closed, 1)
            self.closed[self.tick_timeframe] = closed + min(count, until_warm)
            self.warm = self._is_warm()

    def _skip_one(self, bar: Bar) -> None:
        """``advance`` of one quiet bar, without recording the released bars."""
        self.tick_window.append(bar)
        for resampler, window in self.resamplers:
            for higher in resampler.push(bar):
                window.append(higher)
                self.closed[window.timeframe] += 1
        if not self.warm:
            self.closed[self.tick_timeframe] += 1
            self.warm = self._is_warm()

    def _is_warm(self) -> bool:
        closed = self.closed
        return all(closed[tf] >= need for tf, need in self.needs.items())
