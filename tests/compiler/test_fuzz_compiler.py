"""Random blueprints never crash the compiler: every outcome is a list of well-formed
diagnostics (or a clean compile). Two generators: structure-aware (well-formed
blueprints over the real plugins, with random slots, params, triggers, wiring and
timeframes) and mutation (line edits of the reference blueprints).

A few cases of the standalone fuzzer's manifest and operation generators run here too,
judged by its properties (``tools/fuzz_compiler.py``; its long run is not part of
``make test``, see docs/robustness.md)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stc.compiler.codes import CODES
from stc.compiler.diagnostics import Diagnostic
from stc.compiler.pipeline import Session, compile_path
from stc.compiler.registry import default_roots, discover
from tests.conftest import REFERENCE_STRATEGIES, REPO
from tools.fuzz_compiler import Caps, check_case
from tools.fuzz_inputs import Domain, build_case

PLUGINS = discover(default_roots()).names()
EVENTS = ["TICK_RECEIVED", "LEDGER_UPDATE", "POSITION_UPDATE", "WEEKLY_DCA_TICK",
          "THREAT_DETECTED", "NOPE_EVENT", "EXIT_PLAN_UPDATED"]  # fmt: skip
KEYS = ["confidence", "timing_preference", "aggressiveness", "execution_urgency", "bogus"]
SCALARS = st.one_of(
    st.integers(-5, 500), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8), st.booleans(), st.none(),
)  # fmt: skip
PARAMS = st.dictionaries(
    st.sampled_from(["period", "periods", "fast", "slow", "risk_reward", "x", "lookback"]),
    st.one_of(SCALARS, st.lists(st.integers(-3, 300), max_size=4)),
    max_size=3,
)
RANGE = st.tuples(st.floats(0, 1), st.floats(0, 1)).map(lambda t: sorted(t))


@st.composite
def worker(draw: st.DrawFn, planner: bool = False, trigger: bool = False) -> dict[str, Any]:
    entry: dict[str, Any] = {"plugin": draw(st.sampled_from([*PLUGINS, "NoSuchPlugin"]))}
    if draw(st.booleans()):
        entry["id"] = draw(st.sampled_from(["a", "b", "w_1", "ema_detector"]))
    if draw(st.booleans()):
        entry["params"] = draw(PARAMS)
    if planner and draw(st.booleans()):
        entry["triggers"] = draw(st.dictionaries(st.sampled_from(KEYS), RANGE, max_size=2))
    if trigger and draw(st.booleans()):
        entry["trigger"] = draw(st.sampled_from(EVENTS))
    if draw(st.integers(0, 5)) == 0:
        entry["timeframe"] = draw(st.sampled_from(["1h", "4h", "1d", "15m"]))
    return entry


@st.composite
def blueprints(draw: st.DrawFn) -> dict[str, Any]:
    lists = lambda **kw: st.lists(worker(**kw), max_size=3)  # noqa: E731
    workforce: dict[str, Any] = {
        "context_workers": draw(lists()),
        "opportunity_workers": draw(lists()),
        "threat_workers": draw(lists(trigger=True)),
        "planning_workers": {
            kind: draw(lists(planner=True)) for kind in ("entry", "size", "exit", "routing")
        },
    }  # fmt: skip
    if draw(st.booleans()):
        workforce["strategy_planner"] = draw(st.one_of(worker(trigger=True), lists(trigger=True)))
    doc: dict[str, Any] = {
        "blueprint_version": 1,
        "name": "fuzz",
        "symbol": "EURUSD",
        "timeframes": draw(st.lists(st.sampled_from(["1h", "4h", "1d", "15m", "1w"]),
                                    min_size=1, max_size=3, unique=True)),
        "workforce": workforce,
    }  # fmt: skip
    if draw(st.booleans()):
        doc["aggregation"] = {
            "method": draw(st.sampled_from(["weighted_average", "max", "consensus"])),
            "weights": draw(st.dictionaries(
                st.sampled_from(["trend_strength", "regime_clarity", "bogus"]),
                st.floats(0, 1), max_size=3,
            )),
        }  # fmt: skip
    if draw(st.booleans()):
        doc["wiring"] = draw(st.lists(st.fixed_dictionaries({
            "event": st.sampled_from(EVENTS),
            "worker": st.sampled_from(["a", "b", "ema_detector", "ghost"]),
            "method": st.sampled_from(["on_tick", "on_event", "on_nothing"]),
        }), max_size=2))  # fmt: skip
    return doc


def _well_formed(diagnostics: list[Diagnostic]) -> None:
    for diag in diagnostics:
        assert diag.code in CODES
        assert diag.message
        assert diag.line is None or diag.line >= 1
        assert diag.column is None or diag.column >= 1


def _compile(path: Path) -> None:
    outcomes = compile_path(path, path.name, Session())
    for outcome in outcomes:
        _well_formed(outcome.diagnostics)
        if outcome.ok and outcome.wiring_data is not None:
            from stc.compiler.emit.dot import render_dot
            from stc.compiler.emit.wiring_map import render_wiring_map

            assert yaml.safe_load(render_wiring_map(outcome.wiring_data))["strategy"]
            render_dot(outcome.unit, outcome.diagnostics)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(doc=blueprints())
def test_random_well_formed_blueprints_never_crash(tmp_path: Path, doc: dict[str, Any]) -> None:
    path = tmp_path / "bp.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    _compile(path)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    source=st.sampled_from(REFERENCE_STRATEGIES[:4]),
    edits=st.lists(st.tuples(st.sampled_from(["delete", "duplicate", "indent", "dedent", "cut"]),
                             st.integers(0, 60)), min_size=1, max_size=4),
)  # fmt: skip
def test_mutated_reference_blueprints_never_crash(
    tmp_path: Path, source: str, edits: list[tuple[str, int]]
) -> None:
    path = tmp_path / "mutated.yaml"
    path.write_text(mutated(source, edits), encoding="utf-8")
    _compile(path)


def mutated(source: str, edits: list[tuple[str, int]]) -> str:
    """The reference blueprint ``source`` with line ``edits`` (delete, duplicate,
    indent, dedent, cut) applied; also the language server's fuzz input."""
    lines = (REPO / source).read_text(encoding="utf-8").splitlines()
    for action, index in edits:
        if not lines:
            break
        i = index % len(lines)
        if action == "delete":
            del lines[i]
        elif action == "duplicate":
            lines.insert(i, lines[i])
        elif action == "indent":
            lines[i] = "  " + lines[i]
        elif action == "dedent":
            lines[i] = lines[i][2:]
        else:
            lines[i] = lines[i][: len(lines[i]) // 2]
    return "\n".join(lines) + "\n"


DOMAIN = Domain.load()
NO_CAPS = Caps(seconds=60, megabytes=10_000)
"""Resource caps are the long run's business (no timed unit tests): properties only."""


@settings(max_examples=32, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    generator=st.sampled_from(["manifest", "mutate_manifest", "operation", "io"]),
    rng=st.randoms(use_true_random=False),
)
def test_random_manifests_and_operations_never_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, generator: str, rng: Any
) -> None:
    """A manifest in its own plugin root (with a real worker.py) used by a blueprint,
    or an operation with its blueprint, data and platform: ``stc check`` returns 0 or
    1 with well-formed diagnostics in every format."""
    monkeypatch.setenv("STC_NO_CACHE", "1")  # temporary plugins stay out of the cache
    case = build_case(generator, rng, DOMAIN)
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    result = check_case(case, folder, NO_CAPS, trace=False)
    assert result.problems == [], "\n".join(result.problems)
