"""Fuzz cases for the compiler: files in a folder plus the ``stc check`` arguments.

Two families of generators:

- **structure-aware** (``blueprint``, ``manifest``, ``operation``, ``platform``):
  documents generated from the JSON schemas in ``schemas/`` (``$ref``, ``anyOf``,
  enums, bounds), with the domain filled in from the real plugins so a case gets past
  the schema into resolution and the checks (real plugin names in fitting slots,
  params drawn from each plugin's own ``config_schema``, real events, DTOs and
  factors), then corrupted by ``tools.fuzz_yaml.corrupt``;
- **mutation** (``mutate_blueprint``, ``mutate_manifest``): line and byte edits of
  the reference blueprints in ``blueprints/`` and the manifests in ``stc/plugins/``.

A manifest is fuzzed through a plugin root of its own (``root/<type>/<folder>/``,
the manifest plus a copy of the real ``worker.py``), renamed ``Fuzz<Name>`` so it
does not clash with the packaged plugin, and used by a reference blueprint; the
compiler then discovers, validates, resolves and imports it like any extra root.

``build_case(generator, rng, domain)`` is a pure function of ``rng``.
"""

from __future__ import annotations

import copy
import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from tools.fuzz_yaml import HOSTILE_STRINGS, Emitter, corrupt, double_quoted

REPO = Path(__file__).resolve().parents[1]
SCHEMAS = REPO / "schemas"
BLUEPRINTS = REPO / "blueprints"
PLUGINS = REPO / "stc" / "plugins"

SLOT_TYPES = {
    "context_workers": "context_worker", "opportunity_workers": "opportunity_worker",
    "threat_workers": "threat_worker", "strategy_planner": "strategy_planner",
    "entry": "entry_planner", "size": "size_planner", "exit": "exit_planner",
    "routing": "routing_planner",
}  # fmt: skip
EVENTS = (
    "TICK_RECEIVED", "LEDGER_UPDATE", "POSITION_UPDATE", "OPPORTUNITY_DETECTED",
    "THREAT_DETECTED", "EXIT_PLAN_UPDATED", "ENTRY_PLAN_CREATED", "CONTEXT_READY",
    "WEEKLY_DCA_TICK", "DAILY_TICK", "TICK_RECIEVED", "_flow_stop", "NOPE",
)  # fmt: skip
TIMEFRAMES = ("1h", "4h", "1d", "15m", "1w", "1M", "0h", "1y", "60m")
TRIGGER_KEYS = (
    "confidence", "timing_preference", "aggressiveness", "account_risk_pct",
    "profit_taking_preference", "stop_loss_tolerance", "execution_urgency", "bogus",
)  # fmt: skip
FACTORS = ("trend_strength", "regime_clarity", "structure_quality", "volatility", "bogus")
WORKER_IDS = ("a", "b", "w_1", "ema_detector", "platform", "ledger", "x" * 129)
METHODS = ("on_tick", "on_event", "on_ledger_update", "on_position_update", "plan", "nope")
HOSTILE_PLUGIN_NAMES = (
    "evil", "evil.Worker", "../evil", "os.path", "/etc/passwd", "a/b", "a\\b",
    "stc.plugins.context_worker.ema_detector.worker", "EMADetecter", "", "__init__",
)  # fmt: skip
HOSTILE_ENTRYPOINTS = (
    "../../evil.py", "evil:Worker", "/tmp/evil:Worker", "os:system", "worker.py:X",
    "worker:", ":Worker", "worker:Missing", "__init__:X", "worker:Worker:extra",
)  # fmt: skip
WARMUPS: tuple[Any, ...] = (
    0, 5, -1, "max(params.periods)", "params.period * 2 + 1", "params.periods + 1",
    "params.period // 0", "params.periods * 1000000000", "sum(params.periods) - 1",
    "min()", "len(params)", "__import__('os').system('touch PWNED')", "params.nope",
    "1 +", "max(params.period, 3)", "params.period ** 99", "9" * 199, 10**30,
)  # fmt: skip
"""Warm-up expressions a manifest author could write (some broken, some hostile)."""
REMOTE_REFS = (
    "file:///etc/passwd", "http://127.0.0.1:9/schema.json", "other.json",
    "#/$defs/missing", "urn:nope", "https://json-schema.org/draft/2020-12/schema",
)  # fmt: skip
"""``$ref`` targets of a hostile config_schema: jsonschema must never fetch them."""


@dataclass(frozen=True)
class PluginInfo:
    """What a generator needs to know about one packaged plugin."""

    name: str
    type: str
    folder: str
    """Relative to ``stc/plugins/``, e.g. ``context_worker/ema_detector``."""
    config_schema: dict[str, Any]


@dataclass
class Domain:
    """The real plugins and the reference inputs, loaded once per process."""

    plugins: dict[str, PluginInfo] = field(default_factory=dict)
    dtos: tuple[str, ...] = ()

    @classmethod
    def load(cls) -> Domain:
        """Read every packaged manifest (with the compiler's loader, so no tags run)."""
        from stc.compiler.registry import default_roots, discover

        registry = discover(default_roots(entry_points=False))
        domain = cls()
        dtos: set[str] = {"OHLCVWindow", "TradingContext", "NoSuchDto"}
        for name in registry.names():
            record = registry.plugins[name]
            manifest = record.manifest
            dtos.update(manifest.dependencies.requires_dtos, manifest.dependencies.provides_dtos)
            domain.plugins[name] = PluginInfo(
                name, manifest.identification.type, record.relative_folder,
                copy.deepcopy(manifest.config_schema),
            )  # fmt: skip
        domain.dtos = tuple(sorted(dtos))
        return domain

    def of_type(self, worker_type: str) -> list[str]:
        """Plugin names of one worker type, sorted."""
        return [n for n, p in sorted(self.plugins.items()) if p.type == worker_type]

    @cached_property
    def schemas(self) -> dict[str, dict[str, Any]]:
        """The published JSON schemas by kind."""
        return {
            p.name.removesuffix(".schema.json"): json.loads(p.read_text(encoding="utf-8"))
            for p in sorted(SCHEMAS.glob("*.schema.json"))
        }

    @cached_property
    def blueprint_texts(self) -> dict[str, str]:
        """The reference blueprints (and the operation) by file name."""
        return {p.name: p.read_text(encoding="utf-8") for p in sorted(BLUEPRINTS.glob("*.yaml"))}


@dataclass
class Case:
    """Files to write (relative paths) and the arguments after ``stc check``."""

    generator: str
    files: dict[str, bytes]
    argv: list[str]
    command: str = "check"
    """Other commands (``compile``, ``graph``, ``report``) run once, in human format."""
    specials: dict[str, str] = field(default_factory=dict)
    """Paths to create as something other than a regular file: ``dir``, ``fifo``,
    ``loop`` (a symlink to itself), ``dangling`` (to nothing), ``devzero``."""


# --------------------------------------------------------------------------- schema values


class SchemaGen:
    """Values for a JSON schema, mostly valid, with domain knowledge by key name."""

    def __init__(self, rng: random.Random, domain: Domain, root: dict[str, Any]) -> None:
        self.rng = rng
        self.domain = domain
        self.root = root
        self.plugin: str | None = None
        """The plugin chosen for the worker being generated (its params follow)."""

    def value(self, schema: Any, path: tuple[str | int, ...] = ()) -> Any:
        """A value for ``schema`` found at ``path`` of the document."""
        schema = self._resolve(schema)
        key = next((p for p in reversed(path) if isinstance(p, str)), "")
        hook = _HOOKS.get(key)
        if hook is not None and isinstance(path[-1], str):
            return hook(self, path)
        if not isinstance(schema, dict):
            return self.anything(2)
        return self._typed(schema, path)

    def _typed(self, schema: dict[str, Any], path: tuple[str | int, ...]) -> Any:
        options = schema.get("anyOf") or schema.get("oneOf")
        if options:
            real = [o for o in options if o.get("type") != "null"] or options
            return self.value(self.rng.choice(real if self.rng.random() < 0.9 else options), path)
        if schema.get("enum"):
            return self.rng.choice(schema["enum"])
        if "const" in schema:
            return schema["const"]
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = self.rng.choice(kind) if kind else None
        if kind == "object" or (kind is None and "properties" in schema):
            return self._object(schema, path)
        if kind == "array" or (kind is None and "items" in schema):
            return self._array(schema, path)
        makers: dict[Any, Callable[[dict[str, Any]], Any]] = {
            "string": self._string, "integer": self._integer, "number": self._number,
            "boolean": lambda s: self.rng.random() < 0.5, "null": lambda s: None,
        }  # fmt: skip
        maker = makers.get(kind)
        return maker(schema) if maker else self.anything(2)

    def _resolve(self, schema: Any) -> Any:
        while isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
            ref = schema["$ref"]
            if not ref.startswith("#/"):
                return {}
            target: Any = self.root
            for part in ref[2:].split("/"):
                target = target.get(part, {}) if isinstance(target, dict) else {}
            schema = target
        return schema

    def _object(self, schema: dict[str, Any], path: tuple[str | int, ...]) -> dict[str, Any]:
        properties: dict[str, Any] = schema.get("properties", {}) or {}
        required = set(schema.get("required", []))
        result: dict[str, Any] = {}
        for name in sorted(properties, key=lambda n: (n != "plugin", n)):
            if name in required or self.rng.random() < 0.5:
                result[name] = self.value(properties[name], (*path, name))
        extra = schema.get("additionalProperties")
        if not properties and isinstance(extra, dict) and self.rng.random() < 0.7:
            for i in range(self.rng.randrange(4)):
                result[f"key_{i}"] = self.value(extra, (*path, i))
        return result

    def _array(self, schema: dict[str, Any], path: tuple[str | int, ...]) -> list[Any]:
        low = int(schema.get("minItems", 0))
        high = int(schema.get("maxItems", low + 3))
        count = self.rng.randint(low, max(low, min(high, low + 3)))
        items = schema.get("items", {})
        values = [self.value(items, (*path, i)) for i in range(count)]
        if schema.get("uniqueItems") and self.rng.random() < 0.8:
            values = list({json.dumps(v, sort_keys=True, default=str): v for v in values}.values())
        return values

    def _string(self, schema: dict[str, Any]) -> str:
        if self.rng.random() < 0.1:
            return self.rng.choice(HOSTILE_STRINGS)
        pattern = schema.get("pattern", "")
        if "m|h|d|w|M" in pattern:
            return self.rng.choice(TIMEFRAMES)
        if pattern.startswith("^_?[A-Z]"):
            return self.rng.choice(EVENTS)
        if pattern.startswith("^[A-Z]"):
            return self.rng.choice(self.domain.dtos)
        if pattern.startswith("^\\d+\\."):
            return self.rng.choice(("1.0.0", "2.1.3", "0.1.0-beta", "1.0", "v1"))
        words = ("alpha", "beta", "x", "snake_case", "CamelCase", "a-b", "v1")
        fitting = [w for w in words if re.fullmatch(pattern, w)] if pattern else list(words)
        word = self.rng.choice(fitting or words)
        return word[: int(schema.get("maxLength", 64))]

    def _integer(self, schema: dict[str, Any]) -> int:
        low = _bound(schema, "minimum", "exclusiveMinimum", -5, 1)
        high = _bound(schema, "maximum", "exclusiveMaximum", max(int(low) + 300, 10), -1)
        low, high = int(low), int(high)
        return self.rng.randint(min(low, high), max(low, high))

    def _number(self, schema: dict[str, Any]) -> float:
        low = float(_bound(schema, "minimum", "exclusiveMinimum", -1.0, 1e-6))
        high = float(_bound(schema, "maximum", "exclusiveMaximum", max(low + 10.0, 1.0), -1e-6))
        return round(self.rng.uniform(min(low, high), max(low, high)), self.rng.choice((1, 3, 9)))

    def anything(self, depth: int) -> Any:
        """A random JSON-like value (for ``Any`` fields such as connector settings)."""
        roll = self.rng.random()
        if depth <= 0 or roll < 0.6:
            scalars: tuple[Any, ...] = (None, True, 0, -3, 2.5, "text", "", 10**6)
            return self.rng.choice(scalars)
        if roll < 0.8:
            return [self.anything(depth - 1) for _ in range(self.rng.randrange(3))]
        return {f"k{i}": self.anything(depth - 1) for i in range(self.rng.randrange(3))}

    # ---- domain hooks (by key name)

    def plugin_name(self, path: tuple[str | int, ...]) -> str:
        """A plugin that fits the slot (mostly), another plugin, or a hostile name."""
        slot = next((p for p in path if isinstance(p, str) and p in SLOT_TYPES), None)
        fitting = self.domain.of_type(SLOT_TYPES[slot]) if slot else []
        roll = self.rng.random()
        if fitting and roll < 0.8:
            name = self.rng.choice(fitting)
        elif roll < 0.93:
            name = self.rng.choice(sorted(self.domain.plugins))
        else:
            name = self.rng.choice(HOSTILE_PLUGIN_NAMES)
        self.plugin = name
        return name

    def params(self, path: tuple[str | int, ...]) -> Any:
        """Params drawn from the chosen plugin's own ``config_schema``."""
        info = self.domain.plugins.get(self.plugin or "")
        if info is None or self.rng.random() < 0.1:
            return self.anything(2) if self.rng.random() < 0.3 else {}
        return SchemaGen(self.rng, self.domain, info.config_schema).value(info.config_schema)

    def triggers(self, path: tuple[str | int, ...]) -> dict[str, Any]:
        """Trigger ranges ``[lo, hi]``: mostly ordered in 0..1, sometimes not."""
        result: dict[str, Any] = {}
        for _ in range(self.rng.randrange(3)):
            lo, hi = sorted(round(self.rng.random(), 2) for _ in range(2))
            pair: list[Any] = [lo, hi] if self.rng.random() < 0.85 else [hi, lo, 2]
            result[self.rng.choice(TRIGGER_KEYS)] = pair
        return result

    def weights(self, path: tuple[str | int, ...]) -> dict[str, float]:
        """Aggregation weights over real and unknown factor names."""
        names = self.rng.sample(FACTORS, self.rng.randrange(len(FACTORS)))
        return {n: round(self.rng.random(), 2) for n in names}

    def entrypoint(self, path: tuple[str | int, ...]) -> str:
        """Entrypoints are set by the manifest generator; this is the hostile fallback."""
        return self.rng.choice(HOSTILE_ENTRYPOINTS)

    def pick(self, options: tuple[Any, ...]) -> Callable[[tuple[str | int, ...]], Any]:
        """A hook that picks from ``options``."""
        return lambda path: self.rng.choice(options)


def _bound(schema: dict[str, Any], inclusive: str, exclusive: str, default: Any, nudge: Any) -> Any:
    """A bound of the schema (exclusive bounds nudged inwards), or ``default``."""
    if isinstance(schema.get(inclusive), int | float):
        return schema[inclusive]
    if isinstance(schema.get(exclusive), int | float):
        return schema[exclusive] + nudge
    return default


def _choice_hook(options: tuple[Any, ...]) -> Callable[[SchemaGen, tuple[str | int, ...]], Any]:
    return lambda gen, path: gen.rng.choice(options)


_HOOKS: dict[str, Callable[[SchemaGen, tuple[str | int, ...]], Any]] = {
    "plugin": SchemaGen.plugin_name,
    "params": SchemaGen.params,
    "triggers": SchemaGen.triggers,
    "weights": SchemaGen.weights,
    "entrypoint": SchemaGen.entrypoint,
    "trigger": _choice_hook(EVENTS),
    "event": _choice_hook(EVENTS),
    "id": _choice_hook(WORKER_IDS),
    "worker": _choice_hook(WORKER_IDS),
    "method": _choice_hook(METHODS),
    "timeframe": _choice_hook(TIMEFRAMES),
    "every": _choice_hook(TIMEFRAMES),
    "symbol": _choice_hook(("EURUSD", "BTCUSDT", "")),
    "bars": _choice_hook(WARMUPS),
    "plugin_roots": _choice_hook((["extra_root"], [], ["../nope"], ["/nonexistent/root"],
                                  ["extra_root", "extra_root"], ["/dev/null"], [""])),
}  # fmt: skip
"""Keys whose values come from the domain, not from the schema alone."""


# --------------------------------------------------------------------------- helpers


def _emit(rng: random.Random, doc: Any) -> bytes:
    return Emitter(rng, flow_bias=rng.choice((0.0, 0.2, 0.6))).document(doc).encode("utf-8")


def _corruptions(rng: random.Random) -> int:
    return rng.choice((0, 0, 1, 1, 1, 2, 2, 3, 5))


def _timeframes(rng: random.Random) -> list[str]:
    return rng.sample(["1h", "4h", "1d"], rng.randint(1, 3))


def _reference_doc(rng: random.Random, domain: Domain) -> Any:
    """A reference blueprint as data, with the params of some workers redrawn from
    their plugin's ``config_schema``: valid, so corruptions land deep in the passes."""
    names = [n for n in sorted(domain.blueprint_texts) if ".operation." not in n]
    doc = yaml.safe_load(domain.blueprint_texts[rng.choice(names)])
    for workers in _worker_lists(doc.get("workforce", {})):
        for worker in workers:
            if isinstance(worker, dict) and rng.random() < 0.3:
                gen = SchemaGen(rng, domain, {})
                gen.plugin = worker.get("plugin")
                worker["params"] = gen.params(("params",))
    return doc


def _worker_lists(workforce: dict[str, Any]) -> list[list[Any]]:
    lists = [v for v in workforce.values() if isinstance(v, list)]
    lists += [[v] for v in workforce.values() if isinstance(v, dict) and "plugin" in v]
    planning = workforce.get("planning_workers", {})
    return lists + [v for v in planning.values() if isinstance(v, list)]


def _blueprint_doc(rng: random.Random, domain: Domain) -> Any:
    if rng.random() < 0.5:
        return _reference_doc(rng, domain)
    gen = SchemaGen(rng, domain, domain.schemas["strategy_blueprint"])
    doc = gen.value(domain.schemas["strategy_blueprint"])
    doc["name"], doc["symbol"] = "fuzz", "EURUSD"
    doc["timeframes"] = _timeframes(rng)
    if rng.random() < 0.03:  # many workers: exercises scale and the worker limit
        count = rng.choice((200, 2000, 21_000))
        doc["workforce"]["context_workers"] = [{"plugin": "EMADetector", "id": f"w{i}"}
                                               for i in range(count)]  # fmt: skip
    return doc


def _data_file() -> bytes:
    return b"timestamp,open,high,low,close,volume\n2024-01-01T00:00:00,1,1,1,1,1\n"


# --------------------------------------------------------------------------- generators


def gen_blueprint(rng: random.Random, domain: Domain) -> Case:
    """A schema-generated blueprint, corrupted; sometimes with a generated platform."""
    doc = corrupt(rng, _blueprint_doc(rng, domain), _corruptions(rng))
    files = {"bp.yaml": _emit(rng, doc)}
    argv = ["bp.yaml"]
    if rng.random() < 0.15:
        files["platform.yaml"] = _emit(rng, _platform_doc(rng, domain, corrupted=False))
        files["extra_root/README.txt"] = b"an empty plugin root\n"
        argv += ["--platform", "platform.yaml"]
    return Case("blueprint", files, argv)


def _platform_doc(rng: random.Random, domain: Domain, *, corrupted: bool = True) -> Any:
    gen = SchemaGen(rng, domain, domain.schemas["platform"])
    doc = gen.value(domain.schemas["platform"])
    doc["platform_version"] = 1
    if rng.random() < 0.4:  # tight limits make refusals reachable from small files
        doc["limits"] = {
            k: rng.choice(v)
            for k, v in {
                "max_workers": (1, 3, 20_000), "max_depth": (4, 6, 64),
                "max_string_length": (64, 65_536), "max_nodes": (100, 2_000_000),
                "max_file_bytes": (1024, 2_097_152),
            }.items()
            if rng.random() < 0.5
        }  # fmt: skip
    return corrupt(rng, doc, _corruptions(rng)) if corrupted else doc


def gen_platform(rng: random.Random, domain: Domain) -> Case:
    """A platform file checked alone, or used with ``--platform`` by a reference blueprint."""
    files = {"platform.yaml": _emit(rng, _platform_doc(rng, domain))}
    files["extra_root/README.txt"] = b"an empty plugin root\n"
    if rng.random() < 0.5:
        return Case("platform", files, ["platform.yaml"])
    name = rng.choice(["ema_trend.yaml", "ict_smc.yaml", "direct_planning.yaml"])
    files["bp.yaml"] = domain.blueprint_texts[name].encode("utf-8")
    return Case("platform", files, ["bp.yaml", "--platform", "platform.yaml"])


def gen_operation(rng: random.Random, domain: Domain) -> Case:
    """An operation linking a reference or generated blueprint, with data and platform."""
    gen = SchemaGen(rng, domain, domain.schemas["operation"])
    plain = rng.random() < 0.4  # only the parts below: mostly clean, so it goes deep
    doc = {} if plain else gen.value(domain.schemas["operation"])
    doc["operation_version"] = 1
    timeframe = "1h" if plain else rng.choice(TIMEFRAMES[:4])
    source = {"path": "data.csv", "symbol": "EURUSD", "timeframe": timeframe}
    doc["data_sources"] = {"main": source, **doc.get("data_sources", {})}
    link = {"blueprint": "bp.yaml", "data_source": "main", "starting_capital": 10_000}
    doc["strategy_links"] = [link, *doc.get("strategy_links", [])[:2]]
    if rng.random() < 0.5:
        doc["schedules"] = {"WEEKLY_DCA_TICK": {"every": "1w"}, **doc.get("schedules", {})}
    files = {"data.csv": _data_file()}
    if rng.random() < 0.3:
        doc["platform"] = "platform.yaml"
        files["platform.yaml"] = _emit(rng, _platform_doc(rng, domain))
    if rng.random() < 0.5:
        name = rng.choice(["dca_weekly.yaml", "ema_trend.yaml", "managed_trend.yaml"])
        files["bp.yaml"] = domain.blueprint_texts[name].encode("utf-8")
    else:
        files["bp.yaml"] = _emit(rng, corrupt(rng, _blueprint_doc(rng, domain), 1))
    files["op.yaml"] = _emit(rng, corrupt(rng, doc, _corruptions(rng)))
    argv = ["op.yaml", "bp.yaml"] if rng.random() < 0.2 else ["op.yaml"]
    return Case("operation", files, argv)


def gen_manifest(rng: random.Random, domain: Domain) -> Case:
    """A schema-generated manifest modelled on a real plugin, in its own plugin root."""
    info = domain.plugins[rng.choice(sorted(domain.plugins))]
    gen = SchemaGen(rng, domain, domain.schemas["plugin_manifest"])
    doc = gen.value(domain.schemas["plugin_manifest"])
    doc["manifest_version"] = 1
    ident = doc["identification"]
    ident["name"] = "Fuzz" + info.name if rng.random() < 0.95 else info.name
    if rng.random() < 0.85:
        ident["type"] = info.type
    ident["subtype"] = _subtype(rng, ident.get("type", info.type))
    manifest_text = _plugin_manifest_text(domain, info)
    real_entry = re.search(r"^entrypoint: (\S+)", manifest_text, re.M)
    if rng.random() < 0.85 and real_entry:
        doc["entrypoint"] = real_entry.group(1)
    doc["config_schema"] = _config_schema(rng, gen, info)
    if rng.random() < 0.7:
        doc["warmup"] = {"bars": _warmup(rng, info)}
    doc = corrupt(rng, doc, rng.choice((0, 0, 0, 1, 1, 2, 3)))  # mostly valid: goes deep
    return _plugin_case("manifest", rng, domain, info, _emit(rng, doc))


def _warmup(rng: random.Random, info: PluginInfo) -> Any:
    """A warm-up expression over the plugin's real param names (so it is evaluated
    against real params), or one of the fixed ``WARMUPS``."""
    names = sorted(info.config_schema.get("properties", {})) or ["period"]
    a, b = rng.choice(names), rng.choice(names)
    shapes = (f"params.{a} + 1", f"params.{a} // params.{b}", f"params.{a} * params.{b}",
              f"max(params.{a}) - params.{b}", f"params.{a} // 0", f"sum(params.{a})",
              f"len(params.{a}) * 1000000000", f"min(params.{a}, params.{b}) - 1")  # fmt: skip
    return rng.choice(shapes) if rng.random() < 0.7 else rng.choice(WARMUPS)


def _subtype(rng: random.Random, worker_type: str) -> str:
    from stc.compiler.model.manifest import SUBTYPES

    options = SUBTYPES.get(worker_type, ("unknown",))
    return rng.choice(options) if rng.random() < 0.9 else "not_a_subtype"


def _config_schema(rng: random.Random, gen: SchemaGen, info: PluginInfo) -> Any:
    """The real plugin's schema (so blueprint params still fit), or a hostile one."""
    roll = rng.random()
    if roll < 0.6:
        return copy.deepcopy(info.config_schema)
    if roll < 0.8:
        ref = rng.choice(REMOTE_REFS)
        return {"type": "object", "properties": {"period": {"$ref": ref}}, "$ref": ref}
    hostile: tuple[Any, ...] = (
        {"type": "intger"}, {"type": "object", "properties": {"p": {"pattern": "(["}}},
        {"type": "object", "properties": {"p": {"minimum": "low"}}}, [], "schema",
        {"type": "object", "required": ["period"], "additionalProperties": False},
        {"$schema": "http://127.0.0.1:9/meta", "type": "object"},
        {"type": "object", "properties": {"p": {"type": "number", "maximum": float("nan")}}},
        {"type": "object", "properties": {"p": {"format": "email"}}},
        {"type": "object", "$defs": {"a": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"},
    )  # fmt: skip
    return rng.choice(hostile) if roll < 0.95 else gen.anything(3)


def _plugin_manifest_text(domain: Domain, info: PluginInfo) -> str:
    return (PLUGINS / info.folder / "plugin_manifest.yaml").read_text(encoding="utf-8")


def _plugin_case(
    generator: str, rng: random.Random, domain: Domain, info: PluginInfo, manifest: bytes
) -> Case:
    """The manifest in ``root/<folder>/`` with the real worker.py, plus a blueprint using
    ``Fuzz<Name>`` (a reference blueprint with the plugin renamed), checked together."""
    folder = f"root/{info.folder}"
    files = {f"{folder}/plugin_manifest.yaml": manifest}
    for source in sorted((PLUGINS / info.folder).glob("*.py")):
        files[f"{folder}/{source.name}"] = source.read_bytes()
    using = [t for _, t in sorted(domain.blueprint_texts.items())
             if re.search(rf"\bplugin: {info.name}\b", t)]  # fmt: skip
    text = rng.choice(using) if using else domain.blueprint_texts["ema_trend.yaml"]
    files["bp.yaml"] = re.sub(
        rf"\bplugin: {info.name}\b", f"plugin: Fuzz{info.name}", text
    ).encode()
    argv = ["bp.yaml", f"{folder}/plugin_manifest.yaml", "--plugins-dir", "root"]
    return Case(generator, files, argv)


# --------------------------------------------------------------------------- mutation


def _mutate_lines(rng: random.Random, text: str) -> bytes:
    """1-5 line edits, then (sometimes) byte flips of the encoded result."""
    lines = text.split("\n")
    for _ in range(rng.randint(1, 5)):
        if not lines:
            break
        edit = rng.choice(_LINE_EDITS)
        lines = edit(rng, lines, rng.randrange(len(lines)))
    data = bytearray("\n".join(lines).encode("utf-8"))
    if data and rng.random() < 0.2:
        for _ in range(rng.randint(1, 3)):
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    return bytes(data)


def _delete(rng: random.Random, lines: list[str], i: int) -> list[str]:
    return lines[:i] + lines[i + 1 :]


def _duplicate(rng: random.Random, lines: list[str], i: int) -> list[str]:
    return lines[: i + 1] + lines[i:]


def _swap(rng: random.Random, lines: list[str], i: int) -> list[str]:
    j = rng.randrange(len(lines))
    lines = list(lines)
    lines[i], lines[j] = lines[j], lines[i]
    return lines


def _truncate(rng: random.Random, lines: list[str], i: int) -> list[str]:
    cut = rng.randrange(len(lines[i]) + 1)
    return [*lines[:i], lines[i][:cut], *lines[i + 1 :]]


def _reindent(rng: random.Random, lines: list[str], i: int) -> list[str]:
    shift = rng.choice((-4, -2, -1, 1, 2, 3, 4))
    line = lines[i]
    line = " " * shift + line if shift > 0 else line[min(-shift, len(line) - len(line.lstrip())) :]
    return [*lines[:i], line, *lines[i + 1 :]]


def _insert_tab(rng: random.Random, lines: list[str], i: int) -> list[str]:
    at = rng.choice((0, rng.randrange(len(lines[i]) + 1)))
    return [*lines[:i], lines[i][:at] + "\t" + lines[i][at:], *lines[i + 1 :]]


_PUNCTUATION = (":", "- ", "[", "]", "{", "}", "&a ", "*a", "!!python/name:os.system ", "'",
                '"', " #", "|", ">", "? ", ",", "<<: *a", "%", "@", "`", "\ufeff", "\u202e",
                "\u2028", "\r", "---", "...")  # fmt: skip


def _insert_punctuation(rng: random.Random, lines: list[str], i: int) -> list[str]:
    at = rng.randrange(len(lines[i]) + 1)
    return [*lines[:i], lines[i][:at] + rng.choice(_PUNCTUATION) + lines[i][at:], *lines[i + 1 :]]


def _replace_value(rng: random.Random, lines: list[str], i: int) -> list[str]:
    line = lines[i]
    head, sep, _ = line.partition(": ")
    if not sep:
        return lines
    value = rng.choice(("1e999", ".nan", "-1", "99999999999999999999", "~", "[]", "{}", "yes",
                        "0x10", "!!binary aGk=", "*undefined", double_quoted("\ud800"),
                        "EMADetecter", "../../evil", "'" + "x" * 70_000 + "'"))  # fmt: skip
    return [*lines[:i], f"{head}: {value}", *lines[i + 1 :]]


def _join(rng: random.Random, lines: list[str], i: int) -> list[str]:
    if i + 1 >= len(lines):
        return lines
    return [*lines[:i], lines[i] + " " + lines[i + 1].lstrip(), *lines[i + 2 :]]


def _crlf(rng: random.Random, lines: list[str], i: int) -> list[str]:
    return [line + "\r" if rng.random() < 0.5 else line for line in lines]


_LINE_EDITS: tuple[Callable[[random.Random, list[str], int], list[str]], ...] = (
    _delete, _delete, _duplicate, _duplicate, _swap, _truncate, _truncate, _reindent,
    _reindent, _insert_tab, _insert_punctuation, _insert_punctuation, _replace_value,
    _replace_value, _join, _crlf,
)  # fmt: skip


def gen_mutate_blueprint(rng: random.Random, domain: Domain) -> Case:
    """A reference blueprint (or the reference operation with its blueprint), edited."""
    name = rng.choice(sorted(domain.blueprint_texts))
    text = domain.blueprint_texts[name]
    if name.endswith(".operation.yaml"):
        text = text.replace("../data/EURUSD_1h.csv", "data.csv")
        files = {
            "op.yaml": _mutate_lines(rng, text),
            "dca_weekly.yaml": domain.blueprint_texts["dca_weekly.yaml"].encode("utf-8"),
            "data.csv": _data_file(),
        }
        return Case("mutate_blueprint", files, ["op.yaml"])
    return Case("mutate_blueprint", {"bp.yaml": _mutate_lines(rng, text)}, ["bp.yaml"])


def gen_mutate_manifest(rng: random.Random, domain: Domain) -> Case:
    """A packaged manifest, renamed ``Fuzz<Name>`` and edited, in its own plugin root."""
    info = domain.plugins[rng.choice(sorted(domain.plugins))]
    text = _plugin_manifest_text(domain, info)
    text = re.sub(rf"(\n\s+name:\s*){info.name}\b", rf"\1Fuzz{info.name}", text, count=1)
    return _plugin_case("mutate_manifest", rng, domain, info, _mutate_lines(rng, text))


SPECIAL_KINDS = ("dir", "fifo", "loop", "dangling", "devzero")
LONG_NAME = "n" * 300
_UNUSABLE = (*SPECIAL_KINDS, "long", "under_file", "missing")


def _unusable(rng: random.Random, stem: str, specials: dict[str, str]) -> str:
    """A path that cannot be used as a file: special, too long, under a file, missing."""
    kind = rng.choice(_UNUSABLE)
    if kind == "long":
        return f"{LONG_NAME}.{stem}"
    if kind == "under_file":
        return f"a_file/{stem}"
    if kind == "missing":
        return f"missing_{stem}"
    specials[f"{kind}_{stem}"] = kind
    return f"{kind}_{stem}"


def _damaged_run(rng: random.Random, files: dict[str, bytes], specials: dict[str, str]) -> None:
    """A run folder ``run`` with one to three damaged artefacts."""
    metrics = json.dumps({"trades": 1, "starting_capital": 10_000.0}).encode()
    trades = b"trade_id,symbol,pnl\nT1,EURUSD,1.5\n"
    files.update({"run/metrics.json": metrics, "run/trades.csv": trades})
    damage: dict[str, Callable[[], None]] = {
        "metrics.json": lambda: files.update({"run/metrics.json": rng.choice(
            (metrics[: rng.randrange(len(metrics))], bytes(range(256)), b"[1, 2]", b""))}),
        "trades.csv": lambda: files.update({"run/trades.csv": rng.choice(
            (bytes(range(256)) * 4, b'a,b\n"' + b"x" * 200_000, b"", trades[:20]))}),
        "journal.sqlite": lambda: files.update({"run/journal.sqlite": rng.choice(
            (b"SQLite format 3\x00" + bytes(100), bytes(range(256)) * 16, b""))}),
        "report.html": lambda: specials.update({"run/report.html": "dir"}),
        "wiring_map.yaml": lambda: files.update({"run/wiring_map.yaml": rng.choice(
            (b"[", b"strategy: [1", "\ud800".encode("utf-8", "surrogatepass")))}),
    }  # fmt: skip
    for name in rng.sample(sorted(damage), rng.randint(1, 3)):
        damage[name]()


def gen_io(rng: random.Random, domain: Domain) -> Case:
    """Files the commands cannot read or write: a folder, a FIFO, a symlink loop, a
    name over 255 bytes, a path under a file, damaged run artefacts — for ``check``
    (named on the command line, by an operation, or as a plugin manifest),
    ``compile -o``, ``graph -o`` and ``report``."""
    files = {"a_file": b"x\n", "ema.yaml": domain.blueprint_texts["ema_trend.yaml"].encode()}
    specials: dict[str, str] = {}
    scenario = rng.choice(("check", "operation", "manifest", "compile", "graph", "report"))
    if scenario == "check":
        return Case("io", files, [_unusable(rng, "bp.yaml", specials)], specials=specials)
    if scenario == "operation":
        files["bp.yaml"] = files["ema.yaml"]
        data, blueprint = "data.csv", "bp.yaml"
        files["data.csv"] = _data_file()
        if rng.random() < 0.5:
            data = _unusable(rng, "data.csv", specials)
        else:
            blueprint = _unusable(rng, "bp.yaml", specials)
        platform = f"platform: {_unusable(rng, 'platform.yaml', specials)}\n"
        files["op.yaml"] = (
            "operation_version: 1\n" + (platform if rng.random() < 0.3 else "")
            + f"data_sources:\n  main: {{path: '{data}', symbol: EURUSD, timeframe: 1h}}\n"
            f"strategy_links:\n  - {{blueprint: '{blueprint}', data_source: main}}\n"
        ).encode()  # fmt: skip
        return Case("io", files, ["op.yaml"], specials=specials)
    if scenario == "manifest":
        files["root/ok/README.txt"] = b"a plugin folder\n"
        specials["root/ok/plugin_manifest.yaml"] = rng.choice(SPECIAL_KINDS)
        return Case("io", files, ["ema.yaml", "--plugins-dir", "root"], specials=specials)
    if scenario == "compile":
        out = rng.choice(("a_file", "a_file/sub", LONG_NAME, "out"))
        if out == "out":
            specials["out/wiring_map.yaml"] = rng.choice(("dir", "loop", "dangling"))
        return Case("io", files, ["ema.yaml", "-o", out], "compile", specials)
    if scenario == "graph":
        out = rng.choice(("x.unknownext", "a_file/x.svg", LONG_NAME + ".dot", "adir.dot", "/"))
        if out == "adir.dot":
            specials["adir.dot"] = "dir"
        return Case("io", files, ["ema.yaml", "-o", out], "graph", specials)
    _damaged_run(rng, files, specials)
    return Case("io", files, ["run"], "report", specials)


GENERATORS: dict[str, Callable[[random.Random, Domain], Case]] = {
    "blueprint": gen_blueprint,
    "manifest": gen_manifest,
    "operation": gen_operation,
    "platform": gen_platform,
    "mutate_blueprint": gen_mutate_blueprint,
    "mutate_manifest": gen_mutate_manifest,
    "io": gen_io,
}
SCHEDULE: tuple[str, ...] = (
    "blueprint", "mutate_blueprint", "manifest", "mutate_manifest", "operation",
    "blueprint", "mutate_blueprint", "platform", "manifest", "mutate_manifest",
    "io",
)  # fmt: skip
"""Case ``i`` uses ``SCHEDULE[i % len(SCHEDULE)]``: fixed shares, reproducible."""


def build_case(generator: str, rng: random.Random, domain: Domain) -> Case:
    """One case of ``generator`` (a key of ``GENERATORS``)."""
    return GENERATORS[generator](rng, domain)


def case_rng(seed: int, index: int) -> random.Random:
    """The random source of case ``index`` of a run with ``seed`` (independent of order)."""
    return random.Random(f"stc-fuzz:{seed}:{index}")
