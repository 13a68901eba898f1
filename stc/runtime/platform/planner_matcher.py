"""PlannerMatcher: config-driven filtering of trade planners (SPEC §4.2, §6).

Planners never filter themselves: the platform builds one matcher per planner from
its blueprint ``triggers`` and only calls the planner when the matcher accepts the
directive. A range ``[lo, hi]`` accepts ``lo <= x < hi``; a range ending at 1.0 also
accepts 1.0, so ``[0.8, 1.0]`` covers the top of the confidence scale.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel

from stc.runtime.dtos import directives as d
from stc.runtime.dtos.directives import StrategyDirective

SUB_DIRECTIVE = {
    "entry_planner": "entry_directive",
    "size_planner": "size_directive",
    "exit_planner": "exit_directive",
    "routing_planner": "routing_directive",
}
"""Planner type → the sub-directive whose fields its trigger keys name."""

_SUB_CLASSES: dict[str, type[BaseModel]] = {
    "entry_directive": d.EntryDirective,
    "size_directive": d.SizeDirective,
    "exit_directive": d.ExitDirective,
    "routing_directive": d.RoutingDirective,
}


def in_range(value: float, lo: float, hi: float) -> bool:
    """``lo <= value < hi``, with ``hi == 1.0`` inclusive."""
    if value < lo:
        return False
    return value <= hi if hi == 1.0 else value < hi


class PlannerMatcher:
    """Decides whether one planner handles a directive."""

    __slots__ = ("_checks", "kind")

    def __init__(self, kind: str, triggers: Mapping[str, tuple[float, float]]) -> None:
        if kind not in SUB_DIRECTIVE:
            raise ValueError(f"no matcher for worker type {kind!r}")
        self.kind = kind
        sub = SUB_DIRECTIVE[kind]
        sub_cls = _SUB_CLASSES[sub]
        checks: list[tuple[str | None, str, float, float]] = []
        for key, (lo, hi) in sorted(triggers.items()):
            if key == "confidence":
                checks.append((None, key, lo, hi))
            elif key in sub_cls.model_fields:
                checks.append((sub, key, lo, hi))
            else:
                raise ValueError(f"trigger key {key!r} is neither confidence nor a {sub} field")
        self._checks = tuple(checks)

    def matches(self, directive: StrategyDirective) -> bool:
        """True when every trigger range accepts the directive (no triggers: always)."""
        for sub, key, lo, hi in self._checks:
            holder = directive if sub is None else getattr(directive, sub)
            value = getattr(holder, key, None)
            if value is None or not in_range(float(value), lo, hi):
                return False
        return True
