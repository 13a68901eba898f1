"""Trigger-range analysis per planner kind (SPEC §4.2 semantics: ``[lo, hi]`` means
lo ≤ x < hi, except hi = 1.0 which includes 1.0).

Each planner's triggers form a box in the space of the trigger dimensions its kind
uses (a dimension a planner does not mention spans all of [0, 1]). The space is cut
into cells at every range end; a cell is covered by a planner when its box contains
it. Exact region arithmetic — no sampling.
"""

from __future__ import annotations

from itertools import pairwise, product

from stc.compiler.diagnostics import Diagnostic, Severity
from stc.compiler.rules import Rule
from stc.compiler.unit import CompileUnit, WorkerInstance

KINDS = ("entry", "size", "exit", "routing")
Box = dict[str, tuple[float, float]]


def _box(worker: WorkerInstance, dims: list[str]) -> Box:
    return {d: tuple(worker.triggers.get(d, [0.0, 1.0])) for d in dims}  # type: ignore[misc]


def _fmt(lo: float, hi: float) -> str:
    return f"[{lo:g}, {hi:g}]" if hi >= 1.0 else f"[{lo:g}, {hi:g})"


def _region(box: Box) -> str:
    return " and ".join(f"{d} in {_fmt(*box[d])}" for d in box)


def _planners_by_kind(unit: CompileUnit) -> dict[str, list[WorkerInstance]]:
    """Resolved planners of each kind, in blueprint order (one pass over the workers)."""
    found: dict[str, list[WorkerInstance]] = {kind: [] for kind in KINDS}
    for worker in unit.resolved():
        if worker.slot in found:
            found[worker.slot].append(worker)
    return found


def _dims(planners: list[WorkerInstance]) -> list[str]:
    return sorted({d for p in planners for d in p.triggers})


def _contains(box: Box, cell: Box) -> bool:
    return all(box[d][0] <= cell[d][0] and cell[d][1] <= box[d][1] for d in cell)


def _cells(planners: list[WorkerInstance], dims: list[str]) -> list[Box]:
    """Elementary cells inside the hull of all boxes (below/above it is intended)."""
    axes = []
    for d in dims:
        ends = sorted({v for p in planners for v in p.triggers.get(d, [0.0, 1.0])})
        axes.append(list(pairwise(ends)))
    return [dict(zip(dims, combo, strict=True)) for combo in product(*axes)]


def _uncovered(planners: list[WorkerInstance], dims: list[str]) -> list[Box]:
    """The cells no planner's box contains, in ``_cells`` order."""
    boxes = [_box(p, dims) for p in planners]
    if len(dims) == 1:
        return _uncovered_1d(boxes, _cells(planners, dims), dims[0])
    return [c for c in _cells(planners, dims) if not any(_contains(b, c) for b in boxes)]


def _uncovered_1d(boxes: list[Box], cells: list[Box], dim: str) -> list[Box]:
    """One dimension as a sweep: the cells are sorted and adjacent, so a cell is
    covered exactly when the boxes starting at or before it reach its end — k
    planners cost O(k log k) instead of k² containment tests."""
    ranges = sorted(box[dim] for box in boxes)
    uncovered: list[Box] = []
    reach, started = float("-inf"), 0
    for cell in cells:
        low, high = cell[dim]
        while started < len(ranges) and ranges[started][0] <= low:
            reach = max(reach, ranges[started][1])
            started += 1
        if reach < high:
            uncovered.append(cell)
    return uncovered


def _merge_1d(cells: list[Box], dim: str) -> list[Box]:
    merged: list[Box] = []
    for cell in sorted(cells, key=lambda c: c[dim]):
        if merged and merged[-1][dim][1] == cell[dim][0]:
            merged[-1] = {dim: (merged[-1][dim][0], cell[dim][1])}
        else:
            merged.append(dict(cell))
    return merged


STC040 = Rule(
    "STC040",
    Severity.WARNING,
    "trigger ranges of one planner kind leave a gap",
    """Trigger ranges of one planner kind leave a gap; the uncovered region is printed.

    Why it is bad: a directive whose scores fall in the gap reaches no planner of that
    kind and the flow ends without a trade, silently. Example: entry planners on
    ``confidence: [0.8, 1.0]`` and ``[0.3, 0.7]`` leave ``confidence in [0.7, 0.8)``
    uncovered. Fix: widen a range so the ranges meet. Scores below the lowest range (or
    above the highest) are treated as intended "no trade" zones, not gaps.""",
    bad=(
        "entry:\n"
        "  - {plugin: AggressiveMarketEntryPlanner, triggers: {confidence: [0.8, 1.0]}}\n"
        "  - {plugin: PatientLimitEntryPlanner, triggers: {confidence: [0.3, 0.7]}}"
    ),
    fixed=(
        "entry:\n"
        "  - {plugin: AggressiveMarketEntryPlanner, triggers: {confidence: [0.8, 1.0]}}\n"
        "  - {plugin: PatientLimitEntryPlanner, triggers: {confidence: [0.3, 0.8]}}"
    ),
)


def check_gaps(unit: CompileUnit) -> list[Diagnostic]:
    """Report STC040 (the rule above says why)."""
    problems = []
    for kind, planners in _planners_by_kind(unit).items():
        dims = _dims(planners)
        if len(planners) < 2 or not dims:
            continue
        gaps = _uncovered(planners, dims)
        if len(dims) == 1:
            gaps = _merge_1d(gaps, dims[0])
        for gap in gaps:
            problems.append(
                unit.diag(
                    STC040,
                    f"{_region(gap)} reaches no {kind} planner",
                    ("workforce", "planning_workers", kind),
                    _gap_help(planners, dims, gap),
                    key=True,
                    subjects=tuple(p.id for p in planners),
                )
            )
    return problems


STC041 = Rule(
    "STC041",
    Severity.ERROR,
    "trigger ranges of two planners of one kind overlap",
    """Trigger ranges of two planners of one kind overlap; the overlap is printed.

    Why it is bad: a directive in the overlap matches both planners, so two entry (or
    size, exit, routing) plans would compete for one trade. Example: ``[0.5, 0.9]`` and
    ``[0.8, 1.0]`` both match ``confidence in [0.8, 0.9)``. Planners without triggers
    match everything. Fix: make the ranges meet without overlapping (``[0.5, 0.8]``).""",
    bad=(
        "entry:\n"
        "  - {plugin: PatientLimitEntryPlanner, triggers: {confidence: [0.5, 0.9]}}\n"
        "  - {plugin: AggressiveMarketEntryPlanner, triggers: {confidence: [0.8, 1.0]}}"
    ),
    fixed=(
        "entry:\n"
        "  - {plugin: PatientLimitEntryPlanner, triggers: {confidence: [0.5, 0.8]}}\n"
        "  - {plugin: AggressiveMarketEntryPlanner, triggers: {confidence: [0.8, 1.0]}}"
    ),
)


def check_overlaps(unit: CompileUnit) -> list[Diagnostic]:
    """Report STC041 (the rule above says why)."""
    problems = []
    for kind, planners in _planners_by_kind(unit).items():
        dims = _dims(planners) or ["confidence"]
        for first, second, overlap in _overlapping_pairs(planners, dims):
            problems.append(
                unit.diag(
                    STC041,
                    f"{kind} planners `{first.id}` and `{second.id}` both match {_region(overlap)}",
                    (*second.loc, "triggers") if second.triggers else (*second.loc, "plugin"),
                    _overlap_help(first, second, dims),
                    key=bool(second.triggers),
                    related=(unit.related(f"`{first.id}` is declared here", first.loc),),
                    subjects=(first.id, second.id),
                )
            )
    return problems


def _num(value: float) -> str:
    """A bound as a user writes it: ``0.7``, ``1.0``."""
    text = f"{value:g}"
    return text if "." in text or "e" in text else f"{text}.0"


def _gap_help(planners: list[WorkerInstance], dims: list[str], gap: Box) -> str:
    """A literal fix for a 1-D gap: the planner whose range starts where the gap ends
    is widened down to where it begins (``[0.8, 1.0]`` → ``[0.7, 1.0]``)."""
    if len(dims) == 1:
        (dim,) = dims
        low, high = gap[dim]
        above = next((p for p in planners if _box(p, dims)[dim][0] == high), None)
        if above is not None:
            top = _box(above, dims)[dim][1]
            return (
                f"widen `{above.id}` down to meet the range below: "
                f"`triggers: {{{dim}: [{_num(low)}, {_num(top)}]}}`"
            )
    return "widen one of the trigger ranges so that they meet (the upper end is exclusive)"


def _overlap_help(first: WorkerInstance, second: WorkerInstance, dims: list[str]) -> str:
    """A literal fix for a 1-D overlap: one planner's range starts where the other's
    ends (or, when that would empty it, ends where the other starts)."""
    if len(dims) == 1 and first.triggers and second.triggers:
        (dim,) = dims
        (a_low, a_high), (b_low, b_high) = _box(first, dims)[dim], _box(second, dims)[dim]
        if a_low <= b_low and a_high < b_high:
            return _meet(second.id, "start", first.id, "ends", dim, a_high, b_high)
        if b_low <= a_low and b_high < a_high:
            return _meet(first.id, "start", second.id, "ends", dim, b_high, a_high)
        if a_low < b_low:
            return _meet(first.id, "end", second.id, "starts", dim, a_low, b_low)
    return (
        "make the ranges meet without overlapping (the upper end is exclusive, except 1.0), "
        "or add `triggers:` to a planner that has none"
    )


def _meet(moved: str, verb: str, other: str, verb2: str, dim: str, lo: float, hi: float) -> str:
    return f"let `{moved}` {verb} where `{other}` {verb2}: `{dim}: [{_num(lo)}, {_num(hi)}]`"


def _overlapping_pairs(
    planners: list[WorkerInstance], dims: list[str]
) -> list[tuple[WorkerInstance, WorkerInstance, Box]]:
    """Every overlapping pair, in blueprint order.

    A sweep over the first dimension (sorted by lower end) compares a planner only
    with those whose range on that axis has not ended yet, so k planners with
    disjoint ranges cost O(k log k) instead of k² box intersections.
    """
    boxes = [_box(p, dims) for p in planners]
    order = sorted(range(len(planners)), key=lambda i: boxes[i][dims[0]][0])
    found: list[tuple[int, int, Box]] = []
    active: list[int] = []
    for i in order:
        low = boxes[i][dims[0]][0]
        active = [j for j in active if boxes[j][dims[0]][1] > low]
        for j in active:
            overlap = _intersection(boxes[j], boxes[i])
            if overlap is not None:
                found.append((min(i, j), max(i, j), overlap))
        active.append(i)
    return [(planners[a], planners[b], box) for a, b, box in sorted(found, key=lambda f: f[:2])]


def _intersection(a: Box, b: Box) -> Box | None:
    out: Box = {}
    for d in a:
        lo, hi = max(a[d][0], b[d][0]), min(a[d][1], b[d][1])
        if lo >= hi:
            return None
        out[d] = (lo, hi)
    return out


CHECKS = (check_gaps, check_overlaps)
