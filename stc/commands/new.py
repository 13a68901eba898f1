"""``stc new plugin NAME --type T``: scaffold a plugin that compiles right away.

The folder gets a manifest (type, first subtype, DTOs, a config_schema with one
example parameter), a worker deriving from the right base class with the handler
the base wiring calls, and a passing test. Templates are small on purpose: they
show the contract, not a strategy.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from stc.commands.options import Commands
from stc.compiler.model.blueprint import snake_case
from stc.compiler.model.manifest import SUBTYPES


@dataclass(frozen=True)
class Template:
    """What differs per worker type."""

    base: str
    imports: str
    provides: str
    handler: str
    test_call: str


_CONTEXT = Template(
    base="ContextWorker",
    imports="from stc.runtime.dtos import TradingContext",
    provides="{name}Values",
    handler='''
@dataclass(frozen=True, slots=True)
class {name}Values:
    """What this worker adds to the TradingContext each tick."""

    mean_close: float


class {name}(ContextWorker):
    """Rolling mean of the close over `period` bars (O(1) per tick)."""

    def setup(self) -> None:
        self.period = int(self.params["period"])
        self._closes: deque[float] = deque(maxlen=self.period)
        self._total = 0.0

    def on_tick(self, context: TradingContext) -> {name}Values | None:
        if len(self._closes) == self.period:
            self._total -= self._closes[0]
        self._closes.append(context.close)
        self._total += context.close
        if len(self._closes) < self.period:
            return None  # still warming up
        return {name}Values(mean_close=self._total / self.period)
''',
    test_call="""    context = make_context()
    worker = {name}({{**PARAMS, "period": 2}})
    worker.bind("w", IdFactory(), context=context)
    assert worker.on_tick(context) is None
    context.begin_tick(Bar(context.bar.time, 1, 1, 1, 3.0, 1))
    assert worker.on_tick(context).mean_close == 2.0
""",
)

_OPPORTUNITY = Template(
    base="OpportunityWorker",
    imports="from stc.runtime.dtos import OpportunitySignal, TradingContext",
    provides="OpportunitySignal",
    handler='''
class {name}(OpportunityWorker):
    """Signals BUY when the close rises more than `threshold` (a fraction) in one bar."""

    def setup(self) -> None:
        self.threshold = float(self.params["threshold"])
        self._previous: float | None = None

    def on_context_assessment(self, context: TradingContext) -> OpportunitySignal | None:
        previous, self._previous = self._previous, context.close
        if previous is None or context.close <= previous * (1 + self.threshold):
            return None
        return OpportunitySignal(
            signal_id=self.new_id("OPP"),
            timestamp=context.bar.time,
            asset=context.symbol,
            direction="BUY",
            signal_type="{snake}",
            confidence=Decimal("0.6"),
            source_worker_id=self.worker_id,
        )
''',
    test_call="""    context = make_context()
    worker = {name}({{**PARAMS, "threshold": 0.01}})
    worker.bind("w", IdFactory(), context=context)
    assert worker.on_context_assessment(context) is None
    context.begin_tick(Bar(context.bar.time, 1, 1, 1, 1.5, 1))
    signal = worker.on_context_assessment(context)
    assert signal is not None and signal.direction == "BUY"
""",
)

_THREAT = Template(
    base="ThreatWorker",
    imports="from stc.runtime.dtos import ThreatSignal, TradingContext",
    provides="ThreatSignal",
    handler='''
class {name}(ThreatWorker):
    """Warns when one bar's range exceeds `max_range` (a fraction of the close)."""

    def setup(self) -> None:
        self.max_range = float(self.params["max_range"])

    def on_tick(self, context: TradingContext) -> ThreatSignal | None:
        bar = context.bar
        spread = (bar.high - bar.low) / bar.close
        if spread <= self.max_range:
            return None
        return ThreatSignal(
            threat_id=self.new_id("THR"),
            timestamp=bar.time,
            threat_type="WIDE_RANGE",
            severity=Decimal(str(round(min(1.0, spread / (2 * self.max_range)), 6))),
            source_worker_id=self.worker_id,
        )
''',
    test_call="""    context = make_context()
    worker = {name}({{**PARAMS, "max_range": 0.1}})
    worker.bind("w", IdFactory(), context=context)
    assert worker.on_tick(context) is None
    context.begin_tick(Bar(context.bar.time, 1, 2, 1, 1.5, 1))
    assert worker.on_tick(context) is not None
""",
)

_PLAN_TEST = """    context = make_context()
    worker = {name}(PARAMS)
    worker.bind("w", IdFactory(), context=context)
    plan = worker.on_strategy_directive(make_directive(context))
    assert plan is not None
"""

_ENTRY = Template(
    base="EntryPlanner",
    imports="from stc.runtime.dtos import EntryPlan, StrategyDirective",
    provides="EntryPlan",
    handler='''
class {name}(EntryPlanner):
    """Enters at market (a template: change the order type to your specialism)."""

    def on_strategy_directive(self, directive: StrategyDirective) -> EntryPlan | None:
        return EntryPlan(
            plan_id=self.new_id("ENT", when=directive.timestamp),
            symbol=directive.entry_directive.symbol,
            direction=directive.entry_directive.direction,
            order_type="MARKET",
        )
''',
    test_call=_PLAN_TEST,
)

_SIZE = Template(
    base="SizePlanner",
    imports="from stc.runtime.dtos import SizePlan, StrategyDirective",
    provides="SizePlan",
    handler='''
class {name}(SizePlanner):
    """A fixed position size of `units`."""

    def setup(self) -> None:
        self.units = Decimal(str(self.params["units"]))

    def on_strategy_directive(self, directive: StrategyDirective) -> SizePlan | None:
        value = self.units * directive.reference_price
        risk = value * directive.exit_directive.stop_loss_tolerance
        return SizePlan(
            plan_id=self.new_id("SIZ", when=directive.timestamp),
            position_size=self.units,
            position_value=value,
            risk_amount=risk,
        )
''',
    test_call=_PLAN_TEST,
)

_EXIT = Template(
    base="ExitPlanner",
    imports="from stc.runtime.dtos import ExitPlan, StrategyDirective",
    provides="ExitPlan",
    handler='''
class {name}(ExitPlanner):
    """Stop at the directive's tolerance, target at `risk_reward` times the risk."""

    def setup(self) -> None:
        self.risk_reward = Decimal(str(self.params["risk_reward"]))

    def on_strategy_directive(self, directive: StrategyDirective) -> ExitPlan | None:
        price = directive.reference_price
        distance = price * directive.exit_directive.stop_loss_tolerance
        sign = 1 if directive.entry_directive.direction == "BUY" else -1
        return ExitPlan(
            plan_id=self.new_id("EXT", when=directive.timestamp),
            stop_loss_price=price - sign * distance,
            take_profit_price=price + sign * distance * self.risk_reward,
        )
''',
    test_call=_PLAN_TEST,
)

_ROUTING = Template(
    base="RoutingPlanner",
    imports="from stc.runtime.dtos import RoutingPlan, RoutingRequest",
    provides="RoutingPlan",
    handler='''
class {name}(RoutingPlanner):
    """Immediate execution for market orders, patient otherwise."""

    def setup(self) -> None:
        self.max_slippage = Decimal(str(self.params["max_slippage_pct"]))

    def on_routing_request(self, request: RoutingRequest) -> RoutingPlan | None:
        market = request.entry_plan.order_type == "MARKET"
        return RoutingPlan(
            plan_id=self.new_id("ROU", when=request.strategy_directive.timestamp),
            timing="IMMEDIATE" if market else "PATIENT",
            time_in_force="IOC" if market else "GTC",
            max_slippage_pct=self.max_slippage,
        )
''',
    test_call="""    context = make_context()
    worker = {name}(PARAMS)
    worker.bind("w", IdFactory(), context=context)
    directive = make_directive(context)
    ids = IdFactory(100)
    request = RoutingRequest(
        strategy_directive=directive,
        entry_plan=EntryPlan(plan_id=ids.new("ENT", directive.timestamp), symbol="X",
                             direction="BUY", order_type="MARKET"),
        size_plan=SizePlan(plan_id=ids.new("SIZ", directive.timestamp), position_size=Decimal(1),
                           position_value=Decimal(100), risk_amount=Decimal(2)),
        exit_plan=ExitPlan(plan_id=ids.new("EXT", directive.timestamp),
                           stop_loss_price=Decimal(98)),
    )
    assert worker.on_routing_request(request).timing == "IMMEDIATE"
""",
)

_STRATEGY = Template(
    base="StrategyPlanner",
    imports=(
        "from stc.runtime.dtos import (\n"
        "    CausalityChain, EntryDirective, StrategyDirective, SWOTInputs,\n)"
    ),
    provides="StrategyDirective",
    handler='''
class {name}(StrategyPlanner):
    """SWOT confrontation: confidence = best opportunity − worst threat, if ≥ `min_confidence`."""

    def setup(self) -> None:
        self.min_confidence = Decimal(str(self.params["min_confidence"]))

    def on_swot(self, swot: SWOTInputs) -> StrategyDirective | None:
        if not swot.opportunity_signals:
            return None
        best = max(swot.opportunity_signals, key=lambda s: s.confidence)
        worst = max((t.severity for t in swot.threat_signals), default=Decimal(0))
        confidence = max(Decimal(0), best.confidence - worst)
        if confidence < self.min_confidence:
            return None
        causality = CausalityChain(
            tick_time=swot.timestamp,
            context_assessment_id=swot.context_assessment.assessment_id,
            opportunity_ids=tuple(s.signal_id for s in swot.opportunity_signals),
            threat_ids=tuple(t.threat_id for t in swot.threat_signals),
        )
        return StrategyDirective(
            directive_id=self.new_id("STR", when=swot.timestamp),
            timestamp=swot.timestamp,
            causality=causality,
            confidence=confidence,
            reference_price=swot.reference_price,
            entry_directive=EntryDirective(symbol=swot.symbol, direction=best.direction),
        )
''',
    test_call="""    context = make_context()
    worker = {name}(PARAMS)
    worker.bind("w", IdFactory(), context=context)
    swot = make_swot(context)
    assert worker.on_swot(swot) is not None
""",
)

TEMPLATES: dict[str, Template] = {
    "context_worker": _CONTEXT,
    "opportunity_worker": _OPPORTUNITY,
    "threat_worker": _THREAT,
    "strategy_planner": _STRATEGY,
    "entry_planner": _ENTRY,
    "size_planner": _SIZE,
    "exit_planner": _EXIT,
    "routing_planner": _ROUTING,
}
"""Worker types a blueprint can place (execution handlers are chosen by the platform)."""

EXAMPLE_PARAM = {
    "context_worker": ("period", "integer", 14, "minimum: 1, maximum: 5000", "Bars averaged."),
    "opportunity_worker": ("threshold", "number", 0.002, "exclusiveMinimum: 0, maximum: 1",
                           "Minimum one-bar rise (fraction of the close)."),
    "threat_worker": ("max_range", "number", 0.01, "exclusiveMinimum: 0, maximum: 1",
                      "Largest calm bar range (fraction of the close)."),
    "strategy_planner": ("min_confidence", "number", 0.3, "minimum: 0, maximum: 1",
                         "Lowest confidence that still issues a directive."),
    "entry_planner": ("note", "string", "market", "maxLength: 64", "Free text (example param)."),
    "size_planner": ("units", "number", 1.0, "exclusiveMinimum: 0", "Units per trade."),
    "exit_planner": ("risk_reward", "number", 2.0, "exclusiveMinimum: 0, maximum: 20",
                     "Target distance in multiples of the stop distance."),
    "routing_planner": ("max_slippage_pct", "number", 0.001, "minimum: 0, maximum: 1",
                        "Slippage limit (fraction)."),
}  # fmt: skip

HANDLER_IMPORTS = """from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from decimal import Decimal

{imports}
from stc.runtime.workers import {base}
"""


def render_manifest(name: str, worker_type: str) -> str:
    """The plugin_manifest.yaml text."""
    template = TEMPLATES[worker_type]
    param, kind, default, bounds, description = EXAMPLE_PARAM[worker_type]
    provides = template.provides.format(name=name)
    warmup = "params.period" if worker_type == "context_worker" else "0"
    return f"""# yaml-language-server: $schema=https://s1mpletrader.dev/schemas/plugin_manifest.schema.json
manifest_version: 1
identification:
  name: {name}
  version: 0.1.0
  type: {worker_type}
  subtype: {SUBTYPES[worker_type][0]}
  description: TODO describe what {name} does.
entrypoint: worker:{name}
capabilities: {{state: false, events: false, journaling: false, ledger: none}}
dependencies:
  requires_dtos: []
  provides_dtos: [{provides}]
  provides_factors: []
  publishes: []
warmup: {{bars: "{warmup}"}}
config_schema:
  type: object
  properties:
    {param}: {{type: {kind}, default: {default!r}, {bounds}, description: "{description}"}}
  additionalProperties: false
"""


def render_worker(name: str, worker_type: str) -> str:
    """The worker.py text."""
    template = TEMPLATES[worker_type]
    head = HANDLER_IMPORTS.format(imports=template.imports, base=template.base)
    body = template.handler.format(name=name, snake=snake_case(name))
    return f'"""{name}: a {worker_type} plugin for stc."""\n\n{head}\n{body}'


TEST_HEADER = '''"""Tests of {name}; run with `pytest` from anywhere."""

from __future__ import annotations

import importlib.util
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from stc.runtime.dtos import (
    AggregatedContextAssessment, Bar, CausalityChain, EntryDirective, EntryPlan, ExitPlan,
    IdFactory, OHLCVWindow, OpportunitySignal, RoutingRequest, SizePlan, StrategyDirective,
    SWOTInputs, TradingContext,
)

_SPEC = importlib.util.spec_from_file_location(
    "_{snake}_worker", Path(__file__).with_name("worker.py")
)
assert _SPEC is not None and _SPEC.loader is not None
_MODULE = importlib.util.module_from_spec(_SPEC)
sys.modules[_SPEC.name] = _MODULE  # dataclasses look their module up here
_SPEC.loader.exec_module(_MODULE)
{name} = _MODULE.{name}
T0 = datetime(2024, 1, 1, tzinfo=UTC)


def manifest_defaults() -> dict[str, Any]:
    """The params a worker gets when the blueprint sets none: the config_schema
    defaults of plugin_manifest.yaml (the compiler fills them in; the worker reads
    ``self.params["name"]`` and never repeats a default in code)."""
    manifest = yaml.safe_load(Path(__file__).with_name("plugin_manifest.yaml").read_text("utf-8"))
    properties = manifest["config_schema"].get("properties", {{}})
    return {{name: spec["default"] for name, spec in properties.items() if "default" in spec}}


PARAMS = manifest_defaults()


def make_context() -> TradingContext:
    context = TradingContext("TEST", {{"1h": OHLCVWindow("1h", 10)}})
    context.begin_tick(Bar(T0, 1.0, 1.0, 1.0, 1.0, 1.0))
    return context


def make_directive(context: TradingContext) -> StrategyDirective:
    ids = IdFactory(50)
    return StrategyDirective(
        directive_id=ids.new("STR", T0), timestamp=T0, causality=CausalityChain(tick_time=T0),
        confidence=Decimal("0.8"), reference_price=Decimal(100),
        entry_directive=EntryDirective(symbol="TEST", direction="BUY"),
    )


def make_swot(context: TradingContext) -> SWOTInputs:
    ids = IdFactory(80)
    assessment = AggregatedContextAssessment(
        assessment_id=ids.new("CTX", T0), timestamp=T0, strength=Decimal("0.5"),
        weakness=Decimal("0.1"),
    )
    signal = OpportunitySignal(
        signal_id=ids.new("OPP", T0), timestamp=T0, asset="TEST", direction="BUY",
        signal_type="test", confidence=Decimal("0.9"),
    )
    return SWOTInputs(
        timestamp=T0, symbol="TEST", reference_price=Decimal(100),
        context_assessment=assessment, opportunity_signals=(signal,),
    )


def test_{snake}_handles_its_event() -> None:
'''


def render_test(name: str, worker_type: str) -> str:
    """The test file text (imports the worker by path, so plugins never collide)."""
    header = TEST_HEADER.format(name=name, snake=snake_case(name))
    return header + TEMPLATES[worker_type].test_call.format(name=name)


def scaffold(name: str, worker_type: str, parent: Path) -> Path:
    """Create ``parent/<snake_name>/`` with manifest, worker and test; return it."""
    folder = parent / snake_case(name)
    folder.mkdir(parents=True, exist_ok=False)
    snake = snake_case(name)
    (folder / "plugin_manifest.yaml").write_text(render_manifest(name, worker_type), "utf-8")
    (folder / "worker.py").write_text(render_worker(name, worker_type), "utf-8")
    (folder / f"test_{snake}.py").write_text(render_test(name, worker_type), "utf-8")
    return folder


def add_parser(commands: Commands) -> argparse.ArgumentParser:
    """The ``new`` sub-command's arguments."""
    sub = commands.add_parser("new", help="scaffold a new plugin")
    sub.add_argument("what", choices=("plugin",))
    sub.add_argument("name", metavar="NAME")
    sub.add_argument("--type", required=True, dest="worker_type")
    sub.add_argument("--dir", type=Path, default=Path("."), help="where to create it")
    return sub


def run(args: argparse.Namespace) -> int:
    """Validate the arguments, scaffold, and say what to do next."""
    if not re.fullmatch(r"[A-Z][A-Za-z0-9]*", args.name):
        sys.stderr.write("error: NAME must be a CamelCase class name, e.g. MyBreakoutDetector\n")
        return 2
    if args.worker_type not in TEMPLATES:
        sys.stderr.write(f"error: --type must be one of: {', '.join(TEMPLATES)}\n")
        return 2
    try:
        folder = scaffold(args.name, args.worker_type, args.dir)
    except FileExistsError:
        sys.stderr.write(f"error: {args.dir / snake_case(args.name)} already exists\n")
        return 2
    sys.stdout.write(
        f"created {folder}/ (plugin_manifest.yaml, worker.py, "
        f"test_{snake_case(args.name)}.py)\n"
        f"next: pytest {folder}  ·  stc check your_blueprint.yaml --plugins-dir {args.dir}\n"
    )
    return 0
