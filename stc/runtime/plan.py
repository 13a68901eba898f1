"""The runtime's view of a compiled ``wiring_map.yaml`` (SPEC §5.3).

The runtime never imports the compiler, so it keeps its own, deliberately small copy
of the wiring-map shape as frozen dataclasses. Loading checks exactly what the engine
relies on and fails with a :class:`PlanError` naming the offending key; anything the
engine does not use is ignored (the compiler already validated it).

Worker classes are imported from the ``source`` the compiler recorded: ``builtin`` and
``entry_point`` sources by dotted module name — only modules of the packaged
``plugins`` and of the packages ``stc.plugins`` entry points register — ``root``
sources by file path, and only from inside the plugin roots the caller passes in
(SPEC §8: a plan cannot make the runtime import a module outside the plugin roots and
entry points).
"""

from __future__ import annotations

import importlib
import importlib.util
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from stc.runtime.plugin_import import import_plugin_file
from stc.runtime.workers import BASE_CLASSES, Worker

_MODULE_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_CLASS_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class PlanError(ValueError):
    """The wiring map is malformed or a worker class cannot be loaded."""


@dataclass(frozen=True)
class PluginSource:
    """Where a worker class lives (see ``stc.compiler.model.wiring_map.PluginSource``)."""

    origin: str
    module: str
    class_name: str
    folder: str


@dataclass(frozen=True)
class WorkerSpec:
    """One resolved worker of the plan."""

    id: str
    plugin: str
    type: str
    subtype: str
    source: PluginSource
    params: Mapping[str, Any]
    warmup: int
    timeframe: str
    capabilities: Mapping[str, Any]
    factors: tuple[tuple[str, str], ...] = ()
    trigger: str | None = None
    triggers: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    version: str = "0.0.0"
    provides: tuple[str, ...] | None = None  # DTO names; None: the map does not say


@dataclass(frozen=True)
class SubscriberSpec:
    """One subscription of an event: worker id, handler method, optional adapter."""

    worker: str
    method: str
    adapter: str | None = None


@dataclass(frozen=True)
class EventSpec:
    """An event with its payload type, publishers and ordered subscribers."""

    event: str
    payload: str
    publishers: tuple[str, ...]
    subscribers: tuple[SubscriberSpec, ...]


@dataclass(frozen=True)
class AggregationSpec:
    """The context aggregation policy (SPEC §4.4)."""

    method: str = "weighted_average"
    weights: Mapping[str, float] = field(default_factory=dict)
    consensus_threshold: float = 0.5


@dataclass(frozen=True)
class ExecutionSpec:
    """Platform execution defaults the routing plan does not carry."""

    twap_duration_bars: int = 4
    slippage_pct: float = 0.0
    fee_pct: float = 0.0
    post_only: bool = False


@dataclass(frozen=True)
class Plan:
    """The whole compiled plan, as the engine consumes it."""

    strategy: str
    symbol: str
    mode: str
    environment: str
    timeframes: tuple[str, ...]
    starting_capital: float
    data_source: Mapping[str, Any] | None
    execution: ExecutionSpec
    aggregation: AggregationSpec
    schedules: Mapping[str, str]
    workers: tuple[WorkerSpec, ...]
    events: tuple[EventSpec, ...]
    base_dir: Path | None = None

    def worker(self, worker_id: str) -> WorkerSpec:
        """The worker with ``worker_id`` (PlanError when absent)."""
        for spec in self.workers:
            if spec.id == worker_id:
                return spec
        raise PlanError(f"no worker {worker_id!r} in the plan")

    def subscribers(self, event: str) -> tuple[SubscriberSpec, ...]:
        """Subscribers of ``event`` in wiring order (empty when nobody listens)."""
        for spec in self.events:
            if spec.event == event:
                return spec.subscribers
        return ()


def load_plan(source: Path | str | Mapping[str, Any]) -> Plan:
    """Load a plan from a wiring-map file or an already parsed mapping."""
    base_dir: Path | None = None
    if isinstance(source, Mapping):
        raw: Any = source
    else:
        path = Path(source)
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise PlanError(f"{path}: cannot read wiring map: {exc}") from exc
        base_dir = path.parent
    if not isinstance(raw, Mapping):
        raise PlanError("wiring map: expected a mapping at the top level")
    return _parse_plan(raw, base_dir)


def _parse_plan(raw: Mapping[str, Any], base_dir: Path | None) -> Plan:
    if raw.get("format_version", 1) != 1:
        raise PlanError(f"wiring map: unsupported format_version {raw.get('format_version')!r}")
    timeframes = tuple(_req(raw, "timeframes", list, "wiring map"))
    if not timeframes:
        raise PlanError("wiring map: `timeframes` must name at least the tick timeframe")
    mode = _req(raw, "mode", str, "wiring map")
    if mode not in ("swot", "direct", "scheduled"):
        raise PlanError(f"wiring map: mode must be swot, direct or scheduled, not {mode!r}")
    workers = tuple(_parse_worker(w, i) for i, w in enumerate(_req(raw, "workers", list, "")))
    ids = [w.id for w in workers]
    if len(set(ids)) != len(ids):
        raise PlanError("wiring map: duplicate worker ids")
    events = tuple(
        _parse_event(e, i) for i, e in enumerate(_req(raw, "event_wirings", list, "wiring map"))
    )
    return Plan(
        strategy=str(raw.get("strategy", "strategy")),
        symbol=_req(raw, "symbol", str, "wiring map"),
        mode=mode,
        environment=str(raw.get("environment", "backtest")),
        timeframes=tuple(str(t) for t in timeframes),
        starting_capital=_starting_capital(raw.get("starting_capital", 10_000.0)),
        data_source=dict(raw["data_source"]) if raw.get("data_source") else None,
        execution=_parse_execution(raw.get("execution") or {}),
        aggregation=_parse_aggregation(raw.get("aggregation") or {}),
        schedules={str(k): str(v) for k, v in (raw.get("schedules") or {}).items()},
        workers=workers,
        events=events,
        base_dir=base_dir,
    )


MIN_CAPITAL, MAX_CAPITAL = 1.0, 1e12
"""The documented range of ``starting_capital`` (stc.compiler.model.operation has the same)."""


def _starting_capital(value: Any) -> float:
    """A finite number in [1, 10^12]: ``.inf`` gave ``total_return None``, ``1e-300``
    −100 % with no trade, a huge capital a ZeroDivisionError in the report."""
    try:
        capital = float(value)
    except (TypeError, ValueError):
        raise PlanError(f"wiring map: `starting_capital` must be a number, not {value!r}") from None
    if not MIN_CAPITAL <= capital <= MAX_CAPITAL:  # NaN fails both comparisons
        raise PlanError(
            f"wiring map: `starting_capital` must be between {MIN_CAPITAL:g} and "
            f"{MAX_CAPITAL:g}, not {capital!r}"
        )
    return capital


def _req(raw: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
    if key not in raw:
        raise PlanError(f"{where or 'wiring map'}: missing key `{key}`")
    value = raw[key]
    if not isinstance(value, kind):
        raise PlanError(f"{where or 'wiring map'}: `{key}` must be a {kind.__name__}")
    return value


def _parse_worker(raw: Any, index: int) -> WorkerSpec:
    where = f"workers[{index}]"
    if not isinstance(raw, Mapping):
        raise PlanError(f"{where}: expected a mapping")
    src = _req(raw, "source", Mapping, where)
    source = PluginSource(
        origin=_req(src, "origin", str, where + ".source"),
        module=_req(src, "module", str, where + ".source"),
        class_name=str(src.get("class") or src.get("class_name") or ""),
        folder=str(src.get("folder", "")),
    )
    if source.origin not in ("builtin", "entry_point", "root"):
        raise PlanError(f"{where}.source: unknown origin {source.origin!r}")
    worker_type = _req(raw, "type", str, where)
    if worker_type not in BASE_CLASSES:
        raise PlanError(f"{where}: unknown worker type {worker_type!r}")
    triggers = {
        str(k): _range(v, f"{where}.triggers.{k}") for k, v in (raw.get("triggers") or {}).items()
    }
    factors = tuple(
        (str(f["name"]), str(f.get("polarity", "strength")))
        if isinstance(f, Mapping)
        else (str(f), "strength")
        for f in raw.get("factors") or ()
    )
    return WorkerSpec(
        id=_req(raw, "id", str, where),
        plugin=str(raw.get("plugin", "")),
        type=worker_type,
        subtype=str(raw.get("subtype", "")),
        source=source,
        params=dict(raw.get("params") or {}),
        warmup=int(raw.get("warmup", 0)),
        timeframe=str(raw.get("timeframe", "")),
        capabilities=dict(raw.get("capabilities") or {}),
        factors=factors,
        trigger=raw.get("trigger"),
        triggers=triggers,
        version=str(raw.get("version", "0.0.0")),
        provides=None if "provides" not in raw else tuple(str(d) for d in raw["provides"] or ()),
    )


def _range(value: Any, where: str) -> tuple[float, float]:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise PlanError(f"{where}: a trigger range is [lo, hi]")
    lo, hi = float(value[0]), float(value[1])
    if lo > hi:
        raise PlanError(f"{where}: lo {lo} exceeds hi {hi}")
    return lo, hi


def _parse_event(raw: Any, index: int) -> EventSpec:
    where = f"event_wirings[{index}]"
    if not isinstance(raw, Mapping):
        raise PlanError(f"{where}: expected a mapping")
    subs = []
    for j, sub in enumerate(raw.get("subscribers") or ()):
        if not isinstance(sub, Mapping):
            raise PlanError(f"{where}.subscribers[{j}]: expected a mapping")
        subs.append(
            SubscriberSpec(
                worker=_req(sub, "worker", str, f"{where}.subscribers[{j}]"),
                method=_req(sub, "method", str, f"{where}.subscribers[{j}]"),
                adapter=sub.get("adapter"),
            )
        )
    return EventSpec(
        event=_req(raw, "event", str, where),
        payload=str(raw.get("payload", "")),
        publishers=tuple(str(p) for p in raw.get("publishers") or ()),
        subscribers=tuple(subs),
    )


def _parse_execution(raw: Mapping[str, Any]) -> ExecutionSpec:
    return ExecutionSpec(
        twap_duration_bars=int(raw.get("twap_duration_bars", 4)),
        slippage_pct=float(raw.get("slippage_pct", 0.0)),
        fee_pct=float(raw.get("fee_pct", 0.0)),
        post_only=bool(raw.get("post_only", False)),
    )


def _parse_aggregation(raw: Mapping[str, Any]) -> AggregationSpec:
    method = str(raw.get("method", "weighted_average"))
    if method not in ("weighted_average", "max", "consensus"):
        raise PlanError(f"aggregation: unknown method {method!r}")
    return AggregationSpec(
        method=method,
        weights={str(k): float(v) for k, v in (raw.get("weights") or {}).items()},
        consensus_threshold=float(raw.get("consensus_threshold", 0.5)),
    )


def load_worker_class(spec: WorkerSpec, plugin_roots: Sequence[Path] = ()) -> type[Worker]:
    """Import the worker class of ``spec`` and check it extends its type's base class."""
    src = spec.source
    if not _MODULE_RE.match(src.module) or not _CLASS_RE.match(src.class_name):
        raise PlanError(f"worker {spec.id!r}: bad module/class {src.module}:{src.class_name}")
    if src.origin == "root":
        module = _import_from_roots(spec, plugin_roots)
    else:
        _refuse_foreign_module(spec)
        try:
            module = importlib.import_module(src.module)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # ImportError, or the module's own failure
            raise PlanError(f"worker {spec.id!r}: cannot import {src.module}: {exc}") from exc
    cls = getattr(module, src.class_name, None)
    base = BASE_CLASSES[spec.type]
    if not isinstance(cls, type) or not issubclass(cls, base):
        raise PlanError(
            f"worker {spec.id!r}: {src.module}:{src.class_name} is not a {base.__name__} subclass"
        )
    return cls


def _refuse_foreign_module(spec: WorkerSpec) -> None:
    """PlanError unless a ``builtin`` source names a module of the packaged ``plugins``
    and an ``entry_point`` source a module of a package an ``stc.plugins`` entry point
    registers: a plan is data, and ``{origin: builtin, module: this}`` must not make the
    runtime import an arbitrary module (issue 26)."""
    module, origin = spec.source.module, spec.source.origin
    if origin == "builtin":
        packages: tuple[str, ...] = ("stc.plugins",)
    else:
        from importlib.metadata import entry_points

        packages = tuple(e.value.split(":", 1)[0] for e in entry_points(group="stc.plugins"))
    if not any(module == p or module.startswith(p + ".") for p in packages):
        where = "the packaged plugins" if origin == "builtin" else "an stc.plugins entry point"
        raise PlanError(f"worker {spec.id!r}: module {module!r} is not a module of {where}")


def _import_from_roots(spec: WorkerSpec, plugin_roots: Sequence[Path]) -> Any:
    src = spec.source
    for root in plugin_roots:
        root_dir = Path(root).resolve()
        folder = (root_dir / src.folder).resolve()
        file = (folder / (src.module.replace(".", "/") + ".py")).resolve()
        if not folder.is_relative_to(root_dir) or not file.is_relative_to(folder):
            raise PlanError(f"worker {spec.id!r}: plugin path escapes its root {root_dir}")
        if file.is_file():
            return _import_file(file)
    raise PlanError(
        f"worker {spec.id!r}: {src.folder}/{src.module}.py not found in plugin roots "
        f"{[str(r) for r in plugin_roots]}"
    )


def _import_file(file: Path) -> Any:
    try:
        return import_plugin_file(file)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # sys.exit at a plugin's top level too: not stc's exit
        raise PlanError(f"importing {file} failed: {type(exc).__name__}: {exc}") from exc
