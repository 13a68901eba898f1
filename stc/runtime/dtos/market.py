"""Market data seen by workers: bounded OHLCV windows and the per-tick TradingContext.

These two live on the per-tick hot path, so they are slotted plain classes rather
than pydantic models (validation happens once, when the data is loaded). Workers
must treat them as read-only and must not keep a reference past the tick.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from stc.runtime.errors import ScoreError

if TYPE_CHECKING:
    from stc.runtime.dtos.signals import AggregatedContextAssessment

T = TypeVar("T")


class Bar:
    """One closed OHLCV bar (floats: market data is not money)."""

    __slots__ = ("close", "high", "low", "open", "time", "volume")

    def __init__(
        self, time: datetime, open: float, high: float, low: float, close: float, volume: float
    ) -> None:
        self.time = time
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume

    def __repr__(self) -> str:
        return (
            f"Bar({self.time.isoformat()}, o={self.open}, h={self.high}, "
            f"l={self.low}, c={self.close}, v={self.volume})"
        )


class OHLCVWindow:
    """The last ``capacity`` closed bars of one timeframe (a bounded ring buffer)."""

    __slots__ = ("_bars", "timeframe")

    def __init__(self, timeframe: str, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("window capacity must be at least 1")
        self.timeframe = timeframe
        self._bars: deque[Bar] = deque(maxlen=capacity)

    def append(self, bar: Bar) -> None:
        """Add a newly closed bar; the oldest one falls out when full."""
        self._bars.append(bar)

    @property
    def capacity(self) -> int:
        """Maximum number of bars kept."""
        return self._bars.maxlen or 0

    @property
    def last(self) -> Bar:
        """The most recently closed bar."""
        return self._bars[-1]

    def __len__(self) -> int:
        return len(self._bars)

    def __iter__(self) -> Iterator[Bar]:
        return iter(self._bars)

    def __getitem__(self, index: int) -> Bar:
        return self._bars[index]

    def column(self, name: str) -> list[float]:
        """One column (``open``, ``high``, ``low``, ``close``, ``volume``) oldest first."""
        return [getattr(bar, name) for bar in self._bars]


class TradingContext:
    """Everything the workers of one tick see: windows per timeframe, the DTOs the
    context workers provided so far, the factor scores, and (after phase 1b) the
    aggregated assessment.

    **My timeframe's bar and window.** A worker is driven by its timeframe (the
    blueprint's ``timeframe:``, default the tick timeframe): while it runs,
    ``bar``/``close`` are the closed bar of *its* timeframe that the engine calls it
    for, ``window()`` is *its* timeframe's window (ending with that bar) and
    ``timeframe`` names it. ``tick_bar`` is always the tick's bar and ``timestamp``
    the tick's time (docs/runtime.md, "Multiple timeframes").

    One instance is reused across ticks by the engine (``begin_tick`` resets it);
    that keeps the per-tick cost to a few attribute writes.
    """

    __slots__ = (
        "_assessment", "_frame", "_frame_bar", "_tick_frame", "dtos", "factors", "symbol",
        "tick", "timestamp", "windows",
    )  # fmt: skip

    def __init__(self, symbol: str, windows: dict[str, OHLCVWindow]) -> None:
        self.symbol = symbol
        self.windows = windows
        self.dtos: dict[str, Any] = {}
        self.factors: dict[str, tuple[float, str, str]] = {}
        self._assessment: AggregatedContextAssessment | None = None
        self.tick: Bar | None = None
        self.timestamp: datetime | None = None
        self._tick_frame = next(iter(windows), "")
        self._frame = self._tick_frame
        self._frame_bar: Bar | None = None

    @property
    def assessment(self) -> AggregatedContextAssessment | None:
        """The tick's aggregated assessment (after phase 1b; None before).

        A property here, not a plain attribute, because :class:`LazyContext` overrides
        it with one that builds the assessment and can raise: the compiled build treats
        a read of an always-set attribute as infallible and skipped the error check
        when a subclass's property raised, which crashed the process (issue 26)."""
        return self._assessment

    @assessment.setter
    def assessment(self, value: AggregatedContextAssessment | None) -> None:
        self._assessment = value

    def begin_tick(self, bar: Bar) -> None:
        """Start a new tick: forget last tick's DTOs, factors and assessment."""
        self.tick = self._frame_bar = bar
        self.timestamp = bar.time
        self.dtos.clear()
        self.factors.clear()
        self._assessment = None

    def enter_frame(self, bar: Bar, timeframe: str) -> None:
        """Engine: a worker of ``timeframe`` runs for its closed ``bar`` now."""
        self._frame_bar, self._frame = bar, timeframe

    def leave_frame(self) -> None:
        """Engine: back to the tick timeframe."""
        self._frame_bar, self._frame = self.tick, self._tick_frame

    @property
    def bar(self) -> Bar:
        """The closed bar of the running worker's timeframe (the tick's bar for a
        worker on the tick timeframe)."""
        if self._frame_bar is None:
            raise RuntimeError("no tick has started")
        return self._frame_bar

    @property
    def tick_bar(self) -> Bar:
        """The tick's closed bar (of the first, tick timeframe), whatever the worker's."""
        if self.tick is None:
            raise RuntimeError("no tick has started")
        return self.tick

    @property
    def timeframe(self) -> str:
        """The running worker's timeframe."""
        return self._frame

    @property
    def close(self) -> float:
        """Close of ``bar`` (the running worker's timeframe)."""
        return self.bar.close

    def window(self, timeframe: str | None = None) -> OHLCVWindow:
        """The window of ``timeframe`` (default: the running worker's timeframe)."""
        return self.windows[self._frame if timeframe is None else timeframe]

    def provide(self, dto: Any) -> None:
        """Record a DTO under its class name (done by the engine for context workers)."""
        self.dtos[type(dto).__name__] = dto

    def get(self, dto_type: type[T]) -> T | None:
        """The DTO of ``dto_type`` provided earlier this tick, or None."""
        found = self.dtos.get(dto_type.__name__)
        return found if isinstance(found, dto_type) else None

    def score(self, factor: Any, value: Any, worker_id: Any, polarity: Any = "strength") -> None:
        """Score a named context factor in 0..1 as ``strength`` or ``weakness``.

        The values are checked here, where they enter the platform: a score that is not
        a finite number in 0..1 (NaN, inf, -0.2, 1.5, a str) or a factor / worker id
        that is not a non-empty string raises :class:`~stc.runtime.errors.ScoreError` in the
        scoring worker's own call, so the flow's fault names that worker. The
        parameters are typed ``Any`` on purpose: the compiled build would otherwise
        reject a wrong type with its own TypeError before this check, and both builds
        must fail the same way (clamping is the plugin's job).
        """
        if type(value) is not float and (  # the fast path: one type test
            isinstance(value, bool) or not isinstance(value, (int, float))
        ):
            raise ScoreError(f"score {factor!r}: {value!r} is a {type(value).__name__}, "
                             "not a number in 0..1")  # fmt: skip
        number = float(value)
        if not 0.0 <= number <= 1.0:  # False for NaN too
            raise ScoreError(f"score {factor!r}: {value!r} is not a finite number in 0..1")
        if type(factor) is not str or not factor:
            raise ScoreError(f"score: the factor name {factor!r} is not a non-empty string")
        if type(worker_id) is not str or not worker_id:
            raise ScoreError(f"score {factor!r}: worker_id {worker_id!r} is not a non-empty "
                             "string (pass self.worker_id)")  # fmt: skip
        if polarity != "strength" and polarity != "weakness":
            raise ScoreError(f"score {factor!r}: polarity {polarity!r} is neither "
                             "'strength' nor 'weakness'")  # fmt: skip
        self.factors[factor] = (number, polarity, worker_id)


class LazyContext(TradingContext):
    """TradingContext whose ``assessment`` is built on first read in a tick (the engine's:
    most ticks nobody reads it, so the aggregation is skipped)."""

    __slots__ = ("_builder", "_cached")

    def __init__(self, symbol: str, windows: dict[str, OHLCVWindow]) -> None:
        self._builder: Callable[[], AggregatedContextAssessment | None] | None = None
        self._cached: AggregatedContextAssessment | None = None
        super().__init__(symbol, windows)

    def set_assessment_builder(
        self, builder: Callable[[], AggregatedContextAssessment | None]
    ) -> None:
        """Engine-internal: how ``assessment`` is built on its first read in a tick."""
        self._builder = builder

    def built_assessment(self) -> AggregatedContextAssessment | None:
        """Engine-internal: the tick's assessment if something already built it, else
        None (never builds: the journal records it only when it was needed)."""
        return self._cached

    def begin_tick(self, bar: Bar) -> None:
        """Start a new tick (as TradingContext.begin_tick, without the property setter)."""
        self.tick = self._frame_bar = bar
        self.timestamp = bar.time
        self.dtos.clear()
        self.factors.clear()
        self._cached = None

    @property
    def assessment(self) -> AggregatedContextAssessment | None:
        """The tick's aggregated assessment (built on demand, then cached)."""
        if self._cached is None and self._builder is not None:
            self._cached = self._builder()
        return self._cached

    @assessment.setter
    def assessment(self, value: AggregatedContextAssessment | None) -> None:
        self._cached = value
