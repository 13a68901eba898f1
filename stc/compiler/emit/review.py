"""The review diff of two wiring maps: every semantic change, classified as Buf
classifies API changes, with the impact set of each (dbt's ``state:modified+``).

Classes, strictest first (the exit code of ``stc diff`` follows the strictest found):

- **breaking**: a consumer loses its provider (a DTO it requires is provided by no
  worker any more, or its provider now runs after it in the context chain), a DTO's
  producer changes, a worker's type changes, a planner kind (entry, size, exit,
  routing) loses its last planner;
- **behavioural**: anything else that changes what runs or how: workers added or
  removed, chain order, plugin/version, params, trigger(s), timeframe, warm-up,
  event publishers/subscribers, aggregation and the other strategy settings;
- **cosmetic**: the order of workers where order has no effect (parallel groups),
  the input file list; formatting and comments never reach the wiring map at all.

Each change names the workers it impacts downstream, each with the reason it is
affected (the event or DTO by which the change reaches it).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Klass = Literal["breaking", "behavioural", "cosmetic"]
RANK: dict[str, int] = {"breaking": 0, "behavioural": 1, "cosmetic": 2}
SETTINGS = (
    "symbol",
    "mode",
    "environment",
    "timeframes",
    "starting_capital",
    "data_source",
    "execution",
    "aggregation",
    "schedules",
)
WORKER_FIELDS = ("plugin", "version", "timeframe", "warmup", "trigger", "triggers")
PLANNER_KINDS = ("entry_planner", "size_planner", "exit_planner", "routing_planner")
PLATFORM = frozenset(
    {"platform", "ledger", "context_aggregator", "planning_aggregator", "flow_terminator"}
)


@dataclass(frozen=True)
class Impact:
    """A worker affected by a change, and why."""

    worker: str
    reason: str


@dataclass
class ReviewChange:
    """One semantic change."""

    klass: Klass
    kind: str
    """``worker-added``, ``worker-removed``, ``chain-order``, ``param``, ``warmup``, ..."""
    subject: str
    """The worker (or setting, DTO, event) the change is about."""
    message: str
    old: Any = None
    new: Any = None
    impact: list[Impact] = field(default_factory=list)


@dataclass
class Review:
    """All changes between map A and map B, strictest first."""

    changes: list[ReviewChange] = field(default_factory=list)

    def count(self, klass: Klass) -> int:
        """How many changes of ``klass``."""
        return sum(1 for c in self.changes if c.klass == klass)

    @property
    def exit_code(self) -> int:
        """0 no semantic change (cosmetic at most), 1 changes, 3 breaking changes."""
        if self.count("breaking"):
            return 3
        return 1 if self.count("behavioural") else 0

    def summary(self) -> str:
        """One line: counts per class."""
        if not self.changes:
            return "No semantic change in the wiring."
        counts = ", ".join(f"{self.count(k)} {k}" for k in RANK if self.count(k))  # type: ignore[arg-type]
        return f"{len(self.changes)} change(s): {counts}."

    def headline(self) -> str:
        """The strictest class and the changes of it, on one line (what pytest shows
        first): ``behavioural: regime.params.period: 14 → 21; ...``."""
        if not self.changes:
            return self.summary()
        strictest = self.changes[0].klass
        same = [c.message for c in self.changes if c.klass == strictest]
        return f"{strictest}: " + "; ".join(same)

    def lines(self) -> list[str]:
        """One line per change, ``[class] message``, then its impact set indented."""
        out = []
        for change in self.changes:
            out.append(f"[{change.klass}] {change.message}")
            out += [f"    ↳ {i.worker}: {i.reason}" for i in change.impact]
        return out

    def to_json(self) -> str:
        """The review as JSON (sorted keys, stable order)."""
        data = {
            "exit_code": self.exit_code,
            "summary": {k: self.count(k) for k in RANK},  # type: ignore[arg-type]
            "changes": [asdict(c) for c in self.changes],
        }
        return json.dumps(data, indent=2, sort_keys=True, default=str) + "\n"


def review_maps(a: dict[str, Any], b: dict[str, Any]) -> Review:
    """Compare two wiring maps given as plain data."""
    old, new = _Side(a), _Side(b)
    changes: list[ReviewChange] = []
    changes += _settings(a, b)
    changes += _workers(old, new)
    changes += _chain(old, new)
    changes += _orders(old, new)
    changes += _dtos(old, new)
    changes += _events(old, new)
    changes += _coverage(old, new)
    manifests_a, manifests_b = _manifests(a), _manifests(b)
    if manifests_a != manifests_b:
        changes.append(
            ReviewChange(
                "cosmetic",
                "inputs",
                "inputs",
                "plugin manifests read changed",
                manifests_a,
                manifests_b,
            )
        )
    for change in changes:
        if not change.impact and change.klass != "cosmetic" and change.subject in new.workers:
            change.impact = new.downstream(change.subject)
    changes.sort(key=lambda c: RANK[c.klass])  # stable: the order of discovery within a class
    return Review(changes)


class _Side:
    """One map, indexed for the comparisons."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.workers: dict[str, dict[str, Any]] = {
            str(w["id"]): w for w in data.get("workers") or () if isinstance(w, dict) and "id" in w
        }
        self.order = list(self.workers)
        self.chain = [w for w in self.order if self.workers[w].get("type") == "context_worker"]
        self.publishes: dict[str, list[str]] = {}
        self.subscribers: dict[str, list[str]] = {}
        self.payloads: dict[str, str] = {}
        for wiring in data.get("event_wirings") or ():
            event = str(wiring.get("event"))
            self.payloads[event] = str(wiring.get("payload"))
            for publisher in wiring.get("publishers") or ():
                self.publishes.setdefault(str(publisher), []).append(event)
            self.subscribers[event] = [
                str(s.get("worker")) for s in wiring.get("subscribers") or ()
            ]
        self.providers: dict[str, list[str]] = {}
        self.consumers: dict[str, list[str]] = {}
        for worker_id, worker in self.workers.items():
            for dto in worker.get("provides") or ():
                self.providers.setdefault(dto, []).append(worker_id)
            for dto in worker.get("requires") or ():
                self.consumers.setdefault(dto, []).append(worker_id)

    def consumes(self, worker: str) -> list[str]:
        """The events ``worker`` subscribes to."""
        return [e for e, subs in self.subscribers.items() if worker in subs]

    def downstream(self, start: str) -> list[Impact]:
        """Workers reached from ``start`` through events it (transitively) publishes and
        DTOs it provides, each with the first reason it was reached by."""
        found: dict[str, str] = {}
        frontier = [start]
        for node in frontier:
            for event in self.publishes.get(node, ()):
                for sub in self.subscribers.get(event, ()):
                    if sub != start and sub not in found and sub not in PLATFORM:
                        found[sub] = f"subscribes to {event}, published by {node}"
                        frontier.append(sub)
                    elif sub in PLATFORM and sub not in frontier:
                        frontier.append(sub)  # through the aggregators, not listed
            for dto in self.workers.get(node, {}).get("provides") or ():
                for consumer in self.consumers.get(dto, ()):
                    if consumer != start and consumer not in found:
                        found[consumer] = f"consumes {dto}, provided by {node}"
                        frontier.append(consumer)
        return [Impact(w, r) for w, r in found.items()]


def _settings(a: dict[str, Any], b: dict[str, Any]) -> list[ReviewChange]:
    out = []
    for name in SETTINGS:
        for path, old, new in _leaves(name, a.get(name), b.get(name)):
            out.append(
                ReviewChange(
                    "behavioural", "setting", path, f"{path}: {_show(old)} → {_show(new)}", old, new
                )
            )
    return out


def _workers(old: _Side, new: _Side) -> list[ReviewChange]:
    out = []
    for worker_id in new.order:
        if worker_id not in old.workers:
            w = new.workers[worker_id]
            pubs = new.publishes.get(worker_id, [])
            message = (
                f"worker `{worker_id}` added: plugin {w.get('plugin')} ({w.get('type')}), "
                f"params {_show(w.get('params') or {})}, publishes {_list(pubs)}, "
                f"consumes events {_list(new.consumes(worker_id))}, "
                f"requires {_list(w.get('requires'))}, provides {_list(w.get('provides'))}"
            )
            out.append(ReviewChange("behavioural", "worker-added", worker_id, message, None, w))
    for worker_id in old.order:
        if worker_id not in new.workers:
            w = old.workers[worker_id]
            message = f"worker `{worker_id}` removed (plugin {w.get('plugin')}, {w.get('type')})"
            change = ReviewChange("behavioural", "worker-removed", worker_id, message, w, None)
            change.impact = [i for i in old.downstream(worker_id) if i.worker in new.workers]
            out.append(change)
    for worker_id in (w for w in new.order if w in old.workers):
        before, after = old.workers[worker_id], new.workers[worker_id]
        if before.get("type") != after.get("type"):
            out.append(
                ReviewChange(
                    "breaking",
                    "type",
                    worker_id,
                    f"`{worker_id}` changed type: {before.get('type')} → {after.get('type')}",
                    before.get("type"),
                    after.get("type"),
                )
            )
        for name in WORKER_FIELDS:
            for path, a, b in _leaves(f"{worker_id}.{name}", before.get(name), after.get(name)):
                kind = "warmup" if name == "warmup" else name
                text = f"{path}: {_show(a)} → {_show(b)}"
                if name == "warmup":
                    text = f"`{worker_id}` warm-up: {a} → {b} bars"
                out.append(ReviewChange("behavioural", kind, worker_id, text, a, b))
        out += _params(worker_id, before, after)
    return out


def _params(worker_id: str, before: dict[str, Any], after: dict[str, Any]) -> list[ReviewChange]:
    """Param values old → new, each marked default or set; a param that only went from
    defaulted to set in the blueprint (or back) with the same value is cosmetic."""
    out = []
    old_params, new_params = before.get("params") or {}, after.get("params") or {}
    was_default = set(before.get("params_defaulted") or ())
    is_default = set(after.get("params_defaulted") or ())

    def origin(name: str, defaulted: set[str], params: dict[str, Any]) -> str:
        if name not in params:
            return "absent"
        return "default" if name in defaulted else "set"

    for name in sorted(set(old_params) | set(new_params)):
        a, b = old_params.get(name), new_params.get(name)
        was, now = origin(name, was_default, old_params), origin(name, is_default, new_params)
        path = f"{worker_id}.params.{name}"
        if a != b:
            text = f"{path}: {_show(a)} → {_show(b)}"  # both set: the common case
            if (was, now) != ("set", "set"):
                text = f"{path}: {_show(a)} ({was}) → {_show(b)} ({now})"
            out.append(ReviewChange("behavioural", "param", worker_id, text, a, b))
        elif was != now and "absent" not in (was, now):
            text = (
                f"{path}: {_show(b)} now {now} explicitly"
                if now == "set"
                else (f"{path}: {_show(b)} now left to its default")
            )
            out.append(ReviewChange("cosmetic", "param-origin", worker_id, text, was, now))
    return out


def _chain(old: _Side, new: _Side) -> list[ReviewChange]:
    """The context chain runs in order: a different order of the same workers changes
    what each one sees; a provider moved after its consumer breaks the consumer."""
    kept_old = [w for w in old.chain if w in new.workers]
    kept_new = [w for w in new.chain if w in old.workers]
    if kept_old == kept_new:
        return []
    change = ReviewChange(
        "behavioural",
        "chain-order",
        "context chain",
        f"context chain order: {' → '.join(kept_old)}  ⇒  {' → '.join(kept_new)}",
        kept_old,
        kept_new,
    )
    out = [change]
    position = {w: i for i, w in enumerate(new.chain)}
    moved = [w for w in kept_new if kept_old.index(w) != kept_new.index(w)]
    for worker in moved:
        change.impact += [i for i in new.downstream(worker) if i not in change.impact]
    for consumer in new.order:
        for dto in new.workers[consumer].get("requires") or ():
            providers = [p for p in new.providers.get(dto, ()) if p in position]
            if not providers or consumer not in position:
                if providers and any(p in moved for p in providers):
                    change.impact.append(
                        Impact(consumer, f"consumes {dto}, whose provider {providers[0]} moved")
                    )
                continue
            if all(position[p] > position[consumer] for p in providers):
                out.append(
                    ReviewChange(
                        "breaking",
                        "provider-after-consumer",
                        consumer,
                        f"`{consumer}` loses its provider of {dto}: "
                        f"{providers[0]} now runs after it",
                        impact=[
                            Impact(
                                consumer,
                                f"consumes {dto}, whose provider {providers[0]} moved after it",
                            )
                        ],
                    )
                )
    return out


def _orders(old: _Side, new: _Side) -> list[ReviewChange]:
    """Order changes among workers of one type outside the chain: no effect."""
    out = []
    types = {w.get("type") for w in new.workers.values()} - {"context_worker"}
    for kind in sorted(t for t in types if t):
        a = [w for w in old.order if old.workers[w].get("type") == kind and w in new.workers]
        b = [w for w in new.order if new.workers[w].get("type") == kind and w in old.workers]
        if a != b and sorted(a) == sorted(b):
            out.append(
                ReviewChange(
                    "cosmetic", "order", kind, f"order of {kind}s: {_list(a)} ⇒ {_list(b)}", a, b
                )
            )
    return out


def _dtos(old: _Side, new: _Side) -> list[ReviewChange]:
    out = []
    for dto in sorted(set(old.providers) | set(new.providers) | set(new.consumers)):
        before, after = sorted(old.providers.get(dto, [])), sorted(new.providers.get(dto, []))
        consumers = new.consumers.get(dto, [])
        if before and after and set(before) <= set(after) and before != after:
            impact = [Impact(c, f"consumes {dto}, now also from {_list(after)}") for c in consumers]
            out.append(
                ReviewChange(
                    "behavioural",
                    "dto-producers",
                    dto,
                    f"{dto}: producers {_list(before)} → {_list(after)}",
                    before,
                    after,
                    impact,
                )
            )
        elif before and after and before != after:
            impact = [
                Impact(c, f"consumes {dto}, now provided by {_list(after)}") for c in consumers
            ]
            out.append(
                ReviewChange(
                    "breaking",
                    "dto-producer",
                    dto,
                    f"{dto}: producer {_list(before)} → {_list(after)}",
                    before,
                    after,
                    impact,
                )
            )
        elif sorted(old.consumers.get(dto, [])) != sorted(consumers) and after:
            was = sorted(old.consumers.get(dto, []))
            out.append(
                ReviewChange(
                    "behavioural", "dto-consumers", dto,
                    f"{dto} consumers: {_list(was)} → {_list(sorted(consumers))}",
                    was, sorted(consumers),
                )
            )  # fmt: skip
        if before and not after and consumers:
            impact = [
                Impact(c, f"requires {dto}, which no worker provides any more") for c in consumers
            ]
            out.append(
                ReviewChange(
                    "breaking",
                    "dto-provider-lost",
                    dto,
                    f"{dto}: provider {_list(before)} removed, still consumed by "
                    f"{_list(consumers)}",
                    before,
                    after,
                    impact,
                )
            )
    return out


def _events(old: _Side, new: _Side) -> list[ReviewChange]:
    out = []
    for event in sorted(set(old.subscribers) | set(new.subscribers)):
        pubs_a = sorted(p for p, evs in old.publishes.items() if event in evs)
        pubs_b = sorted(p for p, evs in new.publishes.items() if event in evs)
        subs_a, subs_b = old.subscribers.get(event, []), new.subscribers.get(event, [])
        payload_a, payload_b = old.payloads.get(event), new.payloads.get(event)
        if payload_a and payload_b and payload_a != payload_b:
            impact = [
                Impact(s, f"receives {event} as {payload_a}") for s in subs_b if s not in PLATFORM
            ]
            out.append(
                ReviewChange(
                    "breaking", "payload-type", event,
                    f"{event} payload type: {payload_a} → {payload_b}",
                    payload_a, payload_b, impact,
                )
            )  # fmt: skip
        if pubs_a != pubs_b:
            impact = [Impact(s, f"subscribes to {event}") for s in subs_b if s not in PLATFORM]
            out.append(
                ReviewChange(
                    "behavioural",
                    "event-publishers",
                    event,
                    f"{event} publishers: {_list(pubs_a)} → {_list(pubs_b)}",
                    pubs_a,
                    pubs_b,
                    impact,
                )
            )
        if sorted(subs_a) != sorted(subs_b):
            out.append(
                ReviewChange(
                    "behavioural",
                    "event-subscribers",
                    event,
                    f"{event} subscribers: {_list(subs_a)} → {_list(subs_b)}",
                    subs_a,
                    subs_b,
                )
            )
    return out


def _coverage(old: _Side, new: _Side) -> list[ReviewChange]:
    out = []
    for kind in PLANNER_KINDS:
        had = [w for w in old.order if old.workers[w].get("type") == kind]
        has = [w for w in new.order if new.workers[w].get("type") == kind]
        if had and not has:
            out.append(
                ReviewChange(
                    "breaking", "coverage", kind, f"no {kind} left: {_list(had)} removed", had, has
                )
            )
    return out


def _manifests(data: dict[str, Any]) -> list[str]:
    """The plugin manifests among the inputs (the blueprint's own name is no change)."""
    names = [str(i.get("file") if isinstance(i, dict) else i) for i in data.get("inputs") or ()]
    return [name for name in names if name.endswith("plugin_manifest.yaml")]


def _leaves(path: str, old: Any, new: Any) -> Iterable[tuple[str, Any, Any]]:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new), key=str):
            yield from _leaves(f"{path}.{key}", old.get(key), new.get(key))
    elif old != new:
        yield path, old, new


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def _list(values: Iterable[Any] | None) -> str:
    items = list(values or ())
    return ", ".join(str(v) for v in items) if items else "—"


def to_markdown(review: Review, title: str = "stc diff") -> str:
    """A pull-request comment: a summary table, the changes, and a Mermaid graph of the
    change (added green, removed red, changed amber, impacted outlined)."""
    lines = [f"### {title}", "", "| class | changes |", "| --- | ---: |"]
    lines += [f"| {k} | {review.count(k)} |" for k in RANK]  # type: ignore[arg-type]
    lines += ["", f"exit code {review.exit_code}: {review.summary()}", ""]
    for change in review.changes:
        lines.append(f"- **{change.klass}** · {_md(change.message)}")
        lines += [f"  - `{i.worker}`: {_md(i.reason)}" for i in change.impact]
    if review.changes:
        lines += ["", "```mermaid", *mermaid_of_change(review), "```"]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def mermaid_of_change(review: Review) -> list[str]:
    """A Mermaid flowchart: each changed subject, linked to the workers it impacts."""
    state: dict[str, str] = {}
    edges: dict[tuple[str, str], None] = {}
    for change in review.changes:
        if change.klass == "cosmetic":
            continue
        mark = {"worker-added": "added", "worker-removed": "removed"}.get(change.kind, "changed")
        if state.get(change.subject) not in ("added", "removed"):
            state[change.subject] = mark
        for impact in change.impact:
            state.setdefault(impact.worker, "impacted")
            if impact.worker != change.subject:
                edges[change.subject, impact.worker] = None
    ids = {name: f"n{i}" for i, name in enumerate(state)}
    out = ["flowchart TB"]
    out += [f'  {ids[name]}["{_label(name)}"]:::{kind}' for name, kind in state.items()]
    out += [f"  {ids[a]} --> {ids[b]}" for a, b in edges]
    out += [
        "  classDef added fill:#dcfce7,stroke:#16a34a,color:#14532d",
        "  classDef removed fill:#fee2e2,stroke:#dc2626,color:#7f1d1d",
        "  classDef changed fill:#fef3c7,stroke:#d97706,color:#78350f",
        "  classDef impacted fill:#ffffff,stroke:#d97706,stroke-width:3px,stroke-dasharray:4",
    ]
    return out


def _label(text: str) -> str:
    return text.replace('"', "#quot;")
