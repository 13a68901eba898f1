"""stc.compiler.fastschema against jsonschema itself: the fast path may only accept what
jsonschema accepts (a missed STC002/STC006 otherwise), and every fixture's
diagnostics must be the same with and without it."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from stc.compiler import compile_blueprint, fastschema, memo
from stc.compiler.fastschema import instance_is_valid, schema_is_valid
from tests.compiler.test_diagnostic_codes import CASES
from tests.conftest import REFERENCE_STRATEGIES, REPO

MANIFESTS = sorted(REPO.glob("stc/plugins/**/plugin_manifest.yaml")) + sorted(
    REPO.glob("tests/fixtures/plugin_roots/**/plugin_manifest.yaml")
)


def config_schema(path: Path) -> Any:
    """The ``config_schema`` of a manifest (the model's default when absent)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data.get("config_schema", {"type": "object", "additionalProperties": False})


def jsonschema_accepts_schema(schema: Any) -> bool:
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError:
        return False
    return True


# ---------------------------------------------------------------- random data

KEYS = st.sampled_from(["a", "b", "c", "period", "fast"])
NUMBERS = st.one_of(
    st.integers(-5, 5),
    st.sampled_from([0.0, 1.0, 2.5, -1.5, 1e300, math.inf, -math.inf]),
)
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, st.sampled_from(["", "a", "b", "ab"]))
INSTANCES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=4)),
    max_leaves=12,
)
"""JSON-like values as the YAML loader produces them (no NaN: see the NaN test)."""

TYPE_NAMES = st.sampled_from(
    ["array", "boolean", "integer", "null", "number", "object", "string", "intger", 3]
)
ODD = st.one_of(st.none(), st.booleans(), st.just(-1), st.just(2.0), st.just("x"), st.just([]))
"""Values that are wrong for some keywords: the metaschema must judge them."""


def keyword_values(schemas: st.SearchStrategy[Any]) -> dict[str, st.SearchStrategy[Any]]:
    """Each keyword of the subset (and a few outside it), with plausible and odd values."""
    counts = st.one_of(st.integers(0, 4), ODD)
    return {
        "type": st.one_of(TYPE_NAMES, st.lists(TYPE_NAMES, max_size=3)),
        "enum": st.one_of(st.lists(INSTANCES, max_size=4), ODD),
        "const": INSTANCES,
        "properties": st.one_of(st.dictionaries(KEYS, schemas, max_size=3), ODD),
        "additionalProperties": st.one_of(schemas, ODD),
        "items": st.one_of(schemas, ODD),
        "required": st.one_of(st.lists(st.one_of(KEYS, st.just(1)), max_size=3), ODD),
        "minimum": st.one_of(NUMBERS, ODD),
        "maximum": st.one_of(NUMBERS, ODD),
        "exclusiveMinimum": st.one_of(NUMBERS, ODD),
        "exclusiveMaximum": st.one_of(NUMBERS, ODD),
        "minItems": counts,
        "maxItems": counts,
        "minLength": counts,
        "maxLength": counts,
        "uniqueItems": st.one_of(st.booleans(), ODD),
        "default": INSTANCES,
        "description": st.one_of(st.just("text"), ODD),
        "title": st.one_of(st.just("text"), ODD),
        "$comment": st.one_of(st.just("text"), ODD),
        "examples": st.one_of(st.lists(INSTANCES, max_size=2), ODD),
        "pattern": st.just("^a"),
        "anyOf": st.lists(schemas, min_size=1, max_size=2),
        "$ref": st.just("#"),
        "x-vendor": INSTANCES,
    }


def schema_objects(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A mapping of a few keywords, each with a value from ``keyword_values``."""
    options = keyword_values(children)
    return st.lists(st.sampled_from(sorted(options)), max_size=5, unique=True).flatmap(
        lambda names: st.fixed_dictionaries({name: options[name] for name in names})
    )


SCHEMAS = st.recursive(st.booleans() | st.just({}), schema_objects, max_leaves=8)


# ---------------------------------------------------------------- the properties


@settings(max_examples=1500)
@given(SCHEMAS)
def test_a_schema_accepted_fast_passes_jsonschema_meta_validation(schema: Any) -> None:
    if schema_is_valid(schema):
        assert jsonschema_accepts_schema(schema), schema


@settings(max_examples=1500)
@given(SCHEMAS, INSTANCES)
def test_fast_verdict_equals_jsonschema_on_random_schemas(schema: Any, instance: Any) -> None:
    verdict = instance_is_valid(schema, instance)
    assume(verdict is not None)
    assert verdict == Draft202012Validator(schema).is_valid(instance), (schema, instance)


@given(SCHEMAS, st.lists(st.one_of(SCALARS, st.just(math.nan)), max_size=4))
def test_with_nan_an_acceptance_is_still_an_acceptance_of_jsonschema(
    schema: Any, items: list[Any]
) -> None:
    """NaN makes jsonschema's ``uniqueItems`` depend on sort order; the fast path may
    then reject more (jsonschema decides), never accept more."""
    for instance in (items, *items):
        if instance_is_valid(schema, instance):
            assert Draft202012Validator(schema).is_valid(instance), (schema, instance)


@pytest.mark.parametrize("manifest", MANIFESTS, ids=lambda p: p.relative_to(REPO).as_posix())
def test_shipped_schemas_agree_with_jsonschema(manifest: Path) -> None:
    schema = config_schema(manifest)
    if schema_is_valid(schema):
        assert jsonschema_accepts_schema(schema)

    @settings(max_examples=200, deadline=None)  # no timed unit tests: a busy machine is fine
    @given(st.one_of(INSTANCES, st.dictionaries(st.sampled_from(names(schema)), INSTANCES)))
    def agree(instance: Any) -> None:
        verdict = instance_is_valid(schema, instance)
        if verdict is not None:
            assert verdict == Draft202012Validator(schema).is_valid(instance), instance

    agree()


def names(schema: Any) -> list[str]:
    """The schema's property names plus one it does not declare."""
    properties = schema.get("properties", {}) if isinstance(schema, dict) else {}
    return [*sorted(properties), "undeclared"]


def test_every_builtin_plugin_schema_takes_the_fast_path() -> None:
    """The point of the subset: no builtin plugin makes ``stc check`` import jsonschema."""
    outside = [
        path.relative_to(REPO).as_posix()
        for path in MANIFESTS
        if path.relative_to(REPO).parts[:2] == ("stc", "plugins")
        and not schema_is_valid(config_schema(path))
    ]
    assert outside == []


def test_the_misspelt_type_of_the_fixture_is_left_to_jsonschema() -> None:
    folder = REPO / "tests/fixtures/plugin_roots/bad_schema/bad_schema_planner"
    schema = config_schema(folder / "plugin_manifest.yaml")
    assert not schema_is_valid(schema) and not jsonschema_accepts_schema(schema)


@pytest.mark.parametrize(
    ("schema", "instance", "verdict"),
    [
        ({"type": "integer"}, 1.0, True),
        ({"type": "integer"}, True, False),
        ({"type": "number"}, False, False),
        ({"enum": [1]}, True, False),
        ({"enum": [1]}, 1.0, True),
        ({"const": [0]}, [False], False),
        ({"uniqueItems": True}, [1, True], True),
        ({"uniqueItems": True}, [1, 1.0], False),
        ({"minimum": 0}, "text", True),
        ({"properties": {"a": False}}, {"b": 1}, True),
        ({"properties": {"a": False}}, {"a": 1}, False),
        ({"additionalProperties": {"type": "string"}, "properties": {"a": {}}}, {"a": 1}, True),
        ({"additionalProperties": {"type": "string"}}, {"b": 1}, False),
        ({"pattern": "^a"}, "b", None),
        ({"minItems": 1.0}, [], None),
    ],
)
def test_edges(schema: Any, instance: Any, verdict: bool | None) -> None:
    assert instance_is_valid(schema, instance) is verdict
    if verdict is not None:
        assert Draft202012Validator(schema).is_valid(instance) is verdict


# ---------------------------------------------------------------- whole compiles


def compile_case(path: str, plugin_dirs: tuple[str, ...], platform: str | None) -> list[Any]:
    """The diagnostics of one compile, after forgetting every in-process result."""
    memo._SCHEMA_CHECKS.clear()
    memo._VALID.clear()
    memo._IN_SUBSET.clear()
    result = compile_blueprint(path, plugin_dirs=list(plugin_dirs), platform=platform)
    return [d.model_dump() for d in result.diagnostics]


TARGETS = [(case.path, case.plugin_dirs, case.platform) for case in CASES] + [
    (path, (), None) for path in REFERENCE_STRATEGIES
]


@pytest.mark.parametrize(("path", "plugin_dirs", "platform"), TARGETS, ids=lambda v: str(v))
def test_diagnostics_are_the_same_without_the_fast_path(
    path: str,
    plugin_dirs: tuple[str, ...],
    platform: str | None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(REPO)
    monkeypatch.setenv("STC_NO_CACHE", "1")  # jsonschema must really run without it
    fast = compile_case(path, plugin_dirs, platform)
    monkeypatch.setattr(fastschema, "schema_is_valid", lambda schema: False)
    slow = compile_case(path, plugin_dirs, platform)
    assert fast == slow
