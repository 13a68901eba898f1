"""Inline SVG charts, written as text: no plotting library, no fonts, no network.

A chart is a ``<svg viewBox>`` that scales to its container: a plot area with a few
horizontal grid lines and value labels, date labels under it, one polyline (or a
filled area) per series and optional markers. Series longer than ``MAX_POINTS`` are
decimated to the min and max of each bucket, so spikes survive and the file stays
small whatever the length of the run.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

MAX_POINTS = 2000
WIDTH, LEFT, RIGHT, TOP, BOTTOM = 1000.0, 64.0, 12.0, 10.0, 22.0


@dataclass(frozen=True)
class Marker:
    """A point on a chart: an entry (triangle) or exit (circle) of a trade."""

    x: float
    y: float
    kind: str  # "long", "short" or "exit"
    trade_id: str
    tip: str


@dataclass(frozen=True)
class Segment:
    """A line from a trade's entry to its exit, green for a win, red for a loss."""

    x0: float
    y0: float
    x1: float
    y1: float
    win: bool
    trade_id: str


def decimate(xs: Sequence[float], ys: Sequence[float], limit: int = MAX_POINTS) -> list[int]:
    """Indexes of at most ``limit`` points: the first, last, and per bucket its min and max."""
    n = len(xs)
    if n <= limit:
        return list(range(n))
    buckets = max(1, (limit - 2) // 2)
    keep = {0, n - 1}
    size = (n - 2) / buckets
    for b in range(buckets):
        lo, hi = 1 + int(b * size), min(1 + int((b + 1) * size), n - 1)
        if lo >= hi:
            continue
        window = range(lo, hi)
        keep.add(min(window, key=ys.__getitem__))
        keep.add(max(window, key=ys.__getitem__))
    return sorted(keep)


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round values between ``lo`` and ``hi`` for grid lines."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return []
    if hi <= lo:
        return [lo]
    raw = (hi - lo) / max(count, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step) * step
    out = []
    value = first
    while value <= hi + step * 1e-9:
        out.append(round(value, 12))
        value += step
    return out


class Frame:
    """Maps data coordinates into the plot area of a chart of ``height`` units."""

    def __init__(
        self, x0: float, x1: float, y0: float, y1: float, height: float, pad: float = 0.04
    ) -> None:
        if y1 <= y0:
            y0, y1 = y0 - 1.0, y1 + 1.0
        span = y1 - y0
        self.x0, self.x1 = x0, x1 if x1 > x0 else x0 + 1.0
        self.y0, self.y1 = y0 - span * pad, y1 + span * pad
        self.height = height

    def x(self, value: float) -> float:
        return LEFT + (value - self.x0) / (self.x1 - self.x0) * (WIDTH - LEFT - RIGHT)

    def y(self, value: float) -> float:
        plot = self.height - TOP - BOTTOM
        return TOP + (self.y1 - value) / (self.y1 - self.y0) * plot


def _num(value: float) -> str:
    return f"{value:.1f}"


def _points(frame: Frame, xs: Sequence[float], ys: Sequence[float]) -> str:
    idx = decimate(xs, ys)
    return " ".join(f"{_num(frame.x(xs[i]))},{_num(frame.y(ys[i]))}" for i in idx)


def chart(
    xs: Sequence[float],
    ys: Sequence[float],
    *,
    css: str,
    label: str,
    height: float = 240.0,
    y_format: Callable[[float], str] = lambda v: f"{v:g}",
    x_labels: Sequence[tuple[float, str]] = (),
    area: bool = False,
    y_range: tuple[float, float] | None = None,
    markers: Sequence[Marker] = (),
    segments: Sequence[Segment] = (),
) -> str:
    """One chart as an inline ``<svg>``; ``area`` fills between the line and zero."""
    if not xs:
        return f'<p class="empty">{escape(label)}: no data</p>'
    lo, hi = y_range if y_range is not None else (min(ys), max(ys))
    for marker in markers:
        lo, hi = min(lo, marker.y), max(hi, marker.y)
    frame = Frame(xs[0], xs[-1], lo, hi, height)
    out = [
        f'<svg class="chart {css}" viewBox="0 0 {WIDTH:g} {height:g}" role="img" '
        f'aria-label="{escape(label)}">'
    ]
    out.append(f'<rect class="plot" x="{LEFT:g}" y="{TOP:g}" width="{WIDTH - LEFT - RIGHT:g}" '
               f'height="{height - TOP - BOTTOM:g}"/>')  # fmt: skip
    for tick in nice_ticks(frame.y0, frame.y1, 6):
        y = _num(frame.y(tick))
        out.append(f'<line class="grid" x1="{LEFT:g}" x2="{WIDTH - RIGHT:g}" y1="{y}" y2="{y}"/>')
        out.append(f'<text class="ylab" x="{LEFT - 6:g}" y="{y}">{escape(y_format(tick))}</text>')
    for x_value, text in x_labels:
        x = _num(frame.x(x_value))
        out.append(f'<line class="tick" x1="{x}" x2="{x}" y1="{TOP:g}" y2="{height - BOTTOM:g}"/>')
        out.append(f'<text class="xlab" x="{x}" y="{height - 6:g}">{escape(text)}</text>')
    points = _points(frame, xs, ys)
    if area:
        base = _num(frame.y(0.0))
        first, last = _num(frame.x(xs[0])), _num(frame.x(xs[-1]))
        out.append(f'<polygon class="area" points="{first},{base} {points} {last},{base}"/>')
    out.append(f'<polyline class="line" points="{points}"/>')
    for seg in segments:
        cls = "seg win" if seg.win else "seg loss"
        out.append(
            f'<line class="{cls}" data-trade="{escape(seg.trade_id)}" '
            f'x1="{_num(frame.x(seg.x0))}" y1="{_num(frame.y(seg.y0))}" '
            f'x2="{_num(frame.x(seg.x1))}" y2="{_num(frame.y(seg.y1))}"/>'
        )
    for marker in markers:
        out.append(_marker(frame, marker))
    out.append("</svg>")
    return "".join(out)


def _marker(frame: Frame, marker: Marker) -> str:
    x, y = frame.x(marker.x), frame.y(marker.y)
    tip = f"<title>{escape(marker.tip)}</title>"
    attrs = f'class="mk {marker.kind}" data-trade="{escape(marker.trade_id)}"'
    if marker.kind == "exit":
        return f'<circle {attrs} cx="{_num(x)}" cy="{_num(y)}" r="3.5">{tip}</circle>'
    d = 6.0
    # long: a triangle pointing up under the price; short: pointing down above it
    base, tip_y = (y + d + 3, y + 2) if marker.kind == "long" else (y - d - 3, y - 2)
    pts = f"{_num(x - d)},{_num(base)} {_num(x + d)},{_num(base)} {_num(x)},{_num(tip_y)}"
    return f'<polygon {attrs} points="{pts}">{tip}</polygon>'
