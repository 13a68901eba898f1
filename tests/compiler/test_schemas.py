"""The committed JSON Schemas are generated from the pydantic models and must not drift."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml

from stc.compiler.resources import schemas_dir
from stc.compiler.schema_export import SCHEMA_MODELS, schema_text
from tests.conftest import BLUEPRINTS


@pytest.mark.parametrize("name", sorted(SCHEMA_MODELS))
def test_committed_schema_matches_the_model(name: str) -> None:
    committed = (schemas_dir() / f"{name}.schema.json").read_text(encoding="utf-8")
    assert committed == schema_text(name), f"run `make schemas`: {name} drifted"


@pytest.mark.parametrize("name", sorted(SCHEMA_MODELS))
def test_schema_is_valid_draft_2020_12(name: str) -> None:
    schema = json.loads(schema_text(name))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("path", sorted(BLUEPRINTS.glob("*.yaml")), ids=lambda p: p.name)
def test_reference_files_validate_against_their_schema_and_name_it(path: object) -> None:
    text = path.read_text(encoding="utf-8")  # type: ignore[attr-defined]
    first = text.splitlines()[0]
    kind = "operation" if "operation_version" in text else "strategy_blueprint"
    assert first == f"# yaml-language-server: $schema=../schemas/{kind}.schema.json"
    schema = json.loads(schema_text(kind))
    jsonschema.validate(yaml.safe_load(text), schema)


def test_stc_schema_prints_a_schema(capsys: pytest.CaptureFixture[str]) -> None:
    from stc.commands.cli import main

    assert main(["schema", "strategy_blueprint"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["title"] == "StrategyBlueprint"
    assert main(["schema", "nonsense"]) == 2
