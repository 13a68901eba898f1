"""Measure a rendered wiring SVG: aspect ratio, edge-label boxes, font sizes at a width.

Used by the layout test (issue 21's targets) and by ``benchmarks/diagram_layout.py``.
Label boxes come from the SVG itself: each ``<text>`` of an edge or hub is a box at
its ``x``/``y`` with its ``font-size``; its width is the sum of Helvetica's advance
widths (the Adobe AFM metrics Graphviz also uses to size labels, ``HELVETICA`` below,
in 1/1000 em) and its height the font size. Two labels overlap when their boxes
intersect by more than ``TOLERANCE`` points on both axes.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

SVG = "{http://www.w3.org/2000/svg}"
TOLERANCE = 0.5
# Helvetica advance widths (Adobe Core14 AFM, 1/1000 em) for printable ASCII 32..126
_WIDTHS = (
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
)  # fmt: skip
HELVETICA = {chr(32 + i): w for i, w in enumerate(_WIDTHS)}


@dataclass(frozen=True)
class Box:
    """A label's box in SVG user units (points), and its text."""

    text: str
    left: float
    top: float
    right: float
    bottom: float

    def overlaps(self, other: Box) -> bool:
        """True when the two boxes share an area wider and taller than the tolerance."""
        dx = min(self.right, other.right) - max(self.left, other.left)
        dy = min(self.bottom, other.bottom) - max(self.top, other.top)
        return dx > TOLERANCE and dy > TOLERANCE


@dataclass(frozen=True)
class Metrics:
    """What the layout test checks."""

    width: float
    height: float
    label_boxes: list[Box]
    node_font_min: float
    legend_font: float

    @property
    def aspect(self) -> float:
        """Width over height."""
        return self.width / self.height

    def overlapping_labels(self) -> list[tuple[str, str]]:
        """Pairs of edge/hub labels whose boxes intersect."""
        boxes = sorted(self.label_boxes, key=lambda b: b.left)
        found = []
        for i, box in enumerate(boxes):
            for other in boxes[i + 1 :]:
                if other.left >= box.right:
                    break
                if box.overlaps(other):
                    found.append((box.text, other.text))
        return found

    def node_font_at(self, shown_width: float) -> float:
        """The smallest node text size in CSS pixels when the SVG is shown
        ``shown_width`` pixels wide (1 SVG point drawn as ``shown_width / width`` px)."""
        return self.node_font_min * shown_width / self.width


def text_width(text: str, size: float) -> float:
    """The advance width of ``text`` in Helvetica at ``size``."""
    return sum(HELVETICA.get(ch, 1000) for ch in text) * size / 1000.0


def measure(svg: str) -> Metrics:
    """The metrics of a Graphviz SVG written by ``stc graph``."""
    root = ET.fromstring(svg)
    view = [float(v) for v in root.attrib["viewBox"].split()]
    boxes: list[Box] = []
    node_sizes: list[float] = []
    legend = 0.0
    for group in root.iter(f"{SVG}g"):
        classes = group.attrib.get("class", "").split()
        texts = list(group.iter(f"{SVG}text"))
        if "edge" in classes or {"event", "dto_hub"} & set(classes):
            boxes += [_box(t) for t in texts]
        elif "legend" in classes:
            legend = max([legend, *(_size(t) for t in texts)])
        elif "node" in classes:
            node_sizes += [_size(t) for t in texts]
    return Metrics(view[2], view[3], boxes, min(node_sizes, default=0.0), legend)


def _size(text: ET.Element) -> float:
    return float(text.attrib.get("font-size", "14"))


def _box(text: ET.Element) -> Box:
    size = _size(text)
    content = "".join(text.itertext())
    width = text_width(content, size)
    x, y = float(text.attrib["x"]), float(text.attrib["y"])
    anchor = text.attrib.get("text-anchor", "start")
    left = x - width / 2 if anchor == "middle" else x - width if anchor == "end" else x
    # the baseline is at y: the glyphs sit above it, descenders ~0.21 em below
    return Box(content, left, y - 0.79 * size, left + width, y + 0.21 * size)
