"""Issue 27: a plugin's ``config_schema`` is evaluated in bounded time — regexes on RE2
(refused at the manifest when RE2 cannot run them), every jsonschema/``referencing``
exception a positioned diagnostic, a step budget per params document."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stc.commands import cli
from stc.compiler import fastschema, schema_guard
from tests.conftest import REPO

EMA_TREND = (REPO / "blueprints" / "ema_trend.yaml").read_text(encoding="utf-8")
SIZER = REPO / "stc" / "plugins" / "size_planner" / "fixed_risk_sizer"
MANIFEST = "root/fuzz_sizer/plugin_manifest.yaml"

Check = Callable[[str, str], list[dict[str, Any]]]


@pytest.fixture
def check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Check:
    """``check(config_schema, params)``: ema_trend with its sizer replaced by a copy whose
    manifest has ``config_schema`` (YAML, indented by two) and which gets ``params``
    (a YAML flow mapping); the diagnostics of ``stc check --format json``."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("STC_NO_CACHE", "1")

    def run(schema: str, params: str) -> list[dict[str, Any]]:
        manifest = (
            "manifest_version: 1\nidentification: {name: FuzzSizer, version: 1.0.0, "
            "type: size_planner, subtype: fixed_risk}\nentrypoint: worker:FixedRiskSizer\n"
            "warmup: {bars: 0}\ncapabilities: {ledger: read}\n"
            f"dependencies: {{provides_dtos: [SizePlan]}}\nconfig_schema:\n{schema}"
        )
        (tmp_path / "root/fuzz_sizer").mkdir(parents=True, exist_ok=True)
        (tmp_path / MANIFEST).write_text(manifest, encoding="utf-8")
        worker = (SIZER / "worker.py").read_text(encoding="utf-8")
        (tmp_path / "root/fuzz_sizer/worker.py").write_text(worker, encoding="utf-8")
        blueprint = EMA_TREND.replace(
            "size: [{plugin: FixedRiskSizer}]", f"size: [{{plugin: FuzzSizer, params: {params}}}]"
        )
        (tmp_path / "bp.yaml").write_text(blueprint, encoding="utf-8")
        capsys.readouterr()
        started = time.process_time()
        cli.main(["check", "bp.yaml", "--plugins-dir", "root", "--format", "json"])
        assert time.process_time() - started < 10  # a hang shows as minutes, not as this
        items: list[dict[str, Any]] = json.loads(capsys.readouterr().out)
        return items

    return run


def _only(items: list[dict[str, Any]], file: str) -> dict[str, Any]:
    [found] = [i for i in items if i["file"] == file]
    assert found["line"] is not None and found["column"] is not None
    return found


HOSTILE = "^(a+)+$"


def test_backtracking_pattern_runs_on_re2(check: Check) -> None:
    """``^(a+)+$`` against 28 characters ran for minutes on Python's ``re``."""
    schema = f"  type: object\n  properties:\n    name: {{type: string, pattern: '{HOSTILE}'}}\n"
    items = check(schema, "{name: " + "a" * 4000 + "b}")
    found = _only(items, "bp.yaml")
    assert found["code"] == "STC006" and "does not match the pattern" in found["message"]
    assert check(schema, "{name: aaaa}") == []


def test_backtracking_pattern_through_property_names(check: Check) -> None:
    schema = f"  type: object\n  propertyNames: {{pattern: '{HOSTILE}'}}\n"
    found = _only(check(schema, "{" + "a" * 200 + "b: 1}"), "bp.yaml")
    assert found["code"] == "STC006"


def test_backtracking_pattern_properties(check: Check) -> None:
    schema = (
        f"  type: object\n  patternProperties: {{'{HOSTILE}': {{type: integer}}}}\n"
        "  additionalProperties: false\n"
    )
    found = _only(check(schema, "{" + "a" * 200 + "b: 1}"), "bp.yaml")
    assert found["code"] == "STC006" and "unknown key" in found["message"]


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("^(a{1,60000}){1,60000}$", "invalid repetition size"),
        ("^(a)\\\\1$", "invalid escape sequence"),
        ("^(?=a)a$", "invalid perl operator"),
    ],
)
def test_patterns_re2_cannot_run_are_refused_at_the_manifest(
    check: Check, pattern: str, reason: str
) -> None:
    schema = f'  type: object\n  properties:\n    name: {{type: string, pattern: "{pattern}"}}\n'
    found = _only(check(schema, "{}"), MANIFEST)
    assert found["code"] == "STC002" and "pattern `" in found["message"]
    assert (found["line"], found["column"]) == (10, 35)
    assert reason in found["message"]
    assert "RE2" in found["help"]


def test_unevaluated_properties_beside_pattern_properties_is_refused(check: Check) -> None:
    schema = (
        "  type: object\n  patternProperties: {'^a': {type: integer}}\n"
        "  unevaluatedProperties: false\n"
    )
    found = _only(check(schema, "{}"), MANIFEST)
    assert found["code"] == "STC002" and "unevaluatedProperties" in found["message"]
    assert found["line"] == 10


def test_ref_inside_a_nested_id_scope_is_a_diagnostic(check: Check) -> None:
    """``referencing`` raised ``PointerToNowhere`` through a wrapped error: a traceback."""
    schema = (
        "  type: object\n  properties:\n    units:\n      $id: 'https://x.example/inner'\n"
        "      $ref: '#/$defs/n'\n  $defs: {n: {type: integer}}\n"
    )
    found = _only(check(schema, "{units: 1}"), MANIFEST)
    assert found["code"] == "STC002" and "cannot be evaluated" in found["message"]
    assert found["line"] == 8


def test_unique_items_over_thousands_of_items_is_linear(check: Check) -> None:
    """An all-pairs check took 6.3 s over 3,000 items."""
    schema = "  type: object\n  properties:\n    ids: {type: array, uniqueItems: true}\n"
    items = ", ".join(str(i) for i in range(3000))
    assert check(schema, f"{{ids: [{items}]}}") == []
    found = _only(check(schema, f"{{ids: [{items}, 7.0]}}"), "bp.yaml")
    assert found["code"] == "STC006" and "non-unique" in found["message"]


def test_the_step_budget_ends_in_a_diagnostic(check: Check) -> None:
    schema = (
        "  type: object\n  properties:\n    m:\n      type: array\n"
        "      items: {anyOf: [{type: string}, {type: array, items: {anyOf: "
        "[{type: string}, {type: integer, minimum: 0}]}}]}\n"
    )
    row = "[" + ", ".join(["1"] * 400) + "]"
    found = _only(check(schema, "{m: [" + ", ".join([row] * 400) + "]}"), "bp.yaml")
    assert found["code"] == "STC006" and "steps to check" in found["message"]


# ------------------------------------------------------------------ unit properties

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.sampled_from([1.0, 0.0, -0.0, 2.5])
    | st.sampled_from(["", "a", "1"]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from("ab"), inner, max_size=2)
    ),
    max_leaves=8,
)


@given(st.lists(JSON, max_size=6))
def test_all_unique_agrees_with_jsonschema(items: list[Any]) -> None:
    from jsonschema._utils import uniq

    assert schema_guard.all_unique(items) == uniq(items)
    assert fastschema._unique(items) == uniq(items)


KEYWORDS = st.sampled_from(
    [
        "type", "pattern", "patternProperties", "propertyNames", "uniqueItems", "$ref",
        "$id", "$anchor", "$dynamicRef", "anyOf", "oneOf", "not", "if", "then",
        "unevaluatedProperties", "unevaluatedItems", "prefixItems", "contains", "enum",
        "minContains", "dependentSchemas", "format", "const", "items", "$defs",
    ]
)  # fmt: skip
REGEX = st.sampled_from(["^(a+)+$", "(a|a)*b", "^(a{1,60000}){1,60000}$", "(?=x)", "\\1", "[", "a"])
VALUES: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers(-2, 2) | REGEX
    | st.sampled_from(["#", "#/$defs/a", "#/properties/a", "#a", "https://x/y", "string", "array"]),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(KEYWORDS | st.sampled_from("ab"), inner, max_size=4),
    max_leaves=12,
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schema=st.dictionaries(KEYWORDS, VALUES, max_size=5), instance=JSON)
def test_hostile_config_schemas_end_in_an_answer(schema: dict[str, Any], instance: Any) -> None:
    """Hypothesis over JSON Schema documents with hostile keywords: the load-time checks
    and the bounded evaluation never raise anything but the documented outcomes."""
    from jsonschema.exceptions import SchemaError
    from jsonschema_specifications import REGISTRY

    cls = schema_guard.validator_class()
    try:
        cls.check_schema(schema)
    except SchemaError:
        return
    if schema_guard.pattern_problems(schema):
        return
    schema_guard.reset_budget()
    try:
        list(cls(schema, registry=REGISTRY).iter_errors(instance))
    except (RecursionError, schema_guard.SchemaBudgetExceeded):
        pass
    except Exception as exc:  # what stc.compiler.resolve turns into STC002 at the manifest
        assert type(exc).__module__.startswith(("jsonschema", "referencing")), repr(exc)
