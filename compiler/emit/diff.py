"""Semantic diff of two wiring maps: what a change does to the wiring.

Used by ``stc diff A B`` (A/B may be wiring maps or blueprints, which are compiled
first) and by the ``snapshot_wiring`` fixture to explain a failing snapshot in one
paragraph: workers added/removed, params changed old → new, wirings changed.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

HEADER_FIELDS = (
    "strategy", "symbol", "mode", "environment", "timeframes", "starting_capital",
    "data_source", "execution", "aggregation", "schedules",
)  # fmt: skip
WORKER_FIELDS = ("plugin", "version", "type", "subtype", "timeframe", "trigger", "triggers")


@dataclass
class Change:
    """One changed value: where, old → new."""

    path: str
    old: Any
    new: Any


@dataclass
class WiringDiff:
    """Everything that differs between wiring map A and B."""

    workers_added: list[str] = field(default_factory=list)
    workers_removed: list[str] = field(default_factory=list)
    params_changed: list[Change] = field(default_factory=list)
    workers_changed: list[Change] = field(default_factory=list)
    settings_changed: list[Change] = field(default_factory=list)
    wirings_added: list[str] = field(default_factory=list)
    wirings_removed: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """True when A and B wire the same strategy the same way."""
        return not any(asdict(self).values())

    def summary(self) -> str:
        """One paragraph a reviewer can read."""
        if self.empty:
            return "No semantic change in the wiring."
        parts = []
        if self.workers_added:
            parts.append("workers added: " + ", ".join(self.workers_added))
        if self.workers_removed:
            parts.append("workers removed: " + ", ".join(self.workers_removed))
        for label, changes in (
            ("params changed", self.params_changed),
            ("workers changed", self.workers_changed),
            ("settings changed", self.settings_changed),
        ):
            if changes:
                parts.append(f"{label}: " + "; ".join(_fmt(c) for c in changes))
        if self.wirings_added:
            parts.append("wirings added: " + ", ".join(self.wirings_added))
        if self.wirings_removed:
            parts.append("wirings removed: " + ", ".join(self.wirings_removed))
        return ". ".join(parts) + "."

    def lines(self) -> list[str]:
        """The diff as one line per change (``+``/``-``/``~``)."""
        out = [f"+ worker {w}" for w in self.workers_added]
        out += [f"- worker {w}" for w in self.workers_removed]
        out += [f"~ {_fmt(c)}" for c in self.params_changed + self.workers_changed]
        out += [f"~ {_fmt(c)}" for c in self.settings_changed]
        out += [f"+ wiring {w}" for w in self.wirings_added]
        out += [f"- wiring {w}" for w in self.wirings_removed]
        return out


def _fmt(change: Change) -> str:
    return f"{change.path}: {_show(change.old)} → {_show(change.new)}"


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    return json.dumps(value, sort_keys=True) if not isinstance(value, str) else value


def diff_maps(a: dict[str, Any], b: dict[str, Any]) -> WiringDiff:
    """Compare two wiring maps given as plain data."""
    result = WiringDiff()
    for name in HEADER_FIELDS:
        result.settings_changed += _changes(name, a.get(name), b.get(name))
    workers_a = {w["id"]: w for w in a.get("workers", [])}
    workers_b = {w["id"]: w for w in b.get("workers", [])}
    result.workers_added = [w for w in workers_b if w not in workers_a]
    result.workers_removed = [w for w in workers_a if w not in workers_b]
    for worker_id in (w for w in workers_a if w in workers_b):
        old, new = workers_a[worker_id], workers_b[worker_id]
        prefix = f"{worker_id}.params"
        result.params_changed += _changes(prefix, old.get("params"), new.get("params"))
        for name in WORKER_FIELDS:
            result.workers_changed += _changes(f"{worker_id}.{name}", old.get(name), new.get(name))
    wires_a, wires_b = _wires(a), _wires(b)
    result.wirings_added = [w for w in wires_b if w not in wires_a]
    result.wirings_removed = [w for w in wires_a if w not in wires_b]
    return result


def _changes(path: str, old: Any, new: Any) -> list[Change]:
    """Leaf-level changes between two values (mappings are walked key by key)."""
    if isinstance(old, dict) and isinstance(new, dict):
        found = []
        for key in sorted(set(old) | set(new), key=str):
            found += _changes(f"{path}.{key}", old.get(key), new.get(key))
        return found
    return [] if old == new else [Change(path, old, new)]


def _wires(data: dict[str, Any]) -> list[str]:
    return [
        f"{wiring['event']} → {sub['worker']}.{sub['method']}"
        for wiring in data.get("event_wirings", [])
        for sub in wiring.get("subscribers", [])
    ]


def load_map(path: Path, plugin_dirs: list[Path]) -> dict[str, Any]:
    """A wiring map as data: read it, or compile the blueprint at ``path``."""
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if isinstance(data, dict) and "format_version" in data and "event_wirings" in data:
        return data
    from compiler.api import compile_blueprint

    result = compile_blueprint(path, plugin_dirs=plugin_dirs)
    if not result.ok:
        raise ValueError(f"{path} does not compile:\n{result.rendered_diagnostics()}")
    loaded: dict[str, Any] = yaml.safe_load(result.wiring_map)
    return loaded


def diff_command(args: argparse.Namespace) -> int:
    """``stc diff A B``: print the semantic diff; exit 1 when A and B differ."""
    try:
        a = load_map(args.a, list(args.plugins_dir))
        b = load_map(args.b, list(args.plugins_dir))
    except (OSError, ValueError, yaml.YAMLError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    result = diff_maps(a, b)
    if args.format == "json":
        sys.stdout.write(json.dumps(asdict(result), indent=2, sort_keys=True, default=str) + "\n")
    else:
        body = "\n".join(result.lines())
        sys.stdout.write((body + "\n\n" if body else "") + result.summary() + "\n")
    return 0 if result.empty else 1
