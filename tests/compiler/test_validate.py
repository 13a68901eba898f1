"""stc.compiler.validate and stc.compiler.suggest: positioned STC002/STC006 diagnostics."""

from __future__ import annotations

from typing import Any

from stc.compiler.diagnostics import Diagnostic
from stc.compiler.model.blueprint import StrategyBlueprint
from stc.compiler.resolve import STC006
from stc.compiler.sources import load_yaml_text
from stc.compiler.suggest import did_you_mean, help_for
from stc.compiler.validate import (
    apply_defaults,
    format_path,
    validate_against_schema,
    validate_document,
)

HEADER = "blueprint_version: 1\nname: demo\nsymbol: BTCUSDT\ntimeframes: [1h]\n"


def check(text: str) -> tuple[StrategyBlueprint | None, list[Diagnostic]]:
    return validate_document(
        load_yaml_text(text, "bp.yaml"), StrategyBlueprint, "strategy_blueprint"
    )


def test_valid_blueprint_gives_a_model_and_no_diagnostics() -> None:
    model, diags = check(HEADER + "workforce:\n  context_workers:\n    - plugin: EMADetector\n")
    assert diags == []
    assert model is not None and model.workforce.context_workers[0].worker_id == "ema_detector"


def test_unknown_key_at_key_mark_with_did_you_mean() -> None:
    _, [diag] = check(HEADER + "workfroce: {}\n")  # not also "missing `workforce`"
    assert diag.code == "STC002" and diag.file == "bp.yaml"
    assert diag.message == "unknown key `workfroce` in strategy_blueprint"
    assert (diag.line, diag.column, diag.end_column) == (5, 1, 10)
    assert diag.help == "did you mean `workforce`?"


def test_unknown_key_in_nested_model_suggests_that_models_keys() -> None:
    text = HEADER + "workforce:\n  context_workers:\n    - plugin: A\n      parms: {}\n"
    _, [diag] = check(text)
    assert diag.message == (
        "unknown key `parms` in `workforce.context_workers[0]` of strategy_blueprint"
    )
    assert (diag.line, diag.column) == (8, 7)
    assert diag.help == "did you mean `params`?"


def test_unknown_key_without_close_match_lists_allowed_keys() -> None:
    _, [diag] = check(HEADER + "workforce:\n  context_workers:\n    - plugin: A\n      zzz: 1\n")
    assert diag.help == "allowed keys: `id`, `params`, `plugin`, `timeframe`"


def test_missing_key_reported_at_parent_mapping() -> None:
    _, [diag] = check("blueprint_version: 1\nname: demo\ntimeframes: [1h]\nworkforce: {}\n")
    assert diag.message == "missing required key `symbol` in strategy_blueprint"
    assert (diag.line, diag.column, diag.end_column) == (1, 1, None)
    assert diag.help == "add it, e.g. `symbol: ...`"


def test_missing_key_in_flow_mapping_underlines_the_mapping() -> None:
    _, [diag] = check(HEADER + "workforce:\n  context_workers:\n    - {id: x}\n")
    assert diag.message == (
        "missing required key `plugin` in `workforce.context_workers[0]` of strategy_blueprint"
    )
    assert (diag.line, diag.column, diag.end_column) == (7, 7, 14)


def test_type_error_at_value_mark() -> None:
    text = "blueprint_version: 1\nname: demo\nsymbol: X\ntimeframes: 1h\nworkforce: {}\n"
    _, [diag] = check(text)
    assert diag.message == "`timeframes`: expected a list, found a string `1h`"
    assert (diag.line, diag.column, diag.end_column) == (4, 13, 15)


def test_literal_and_pattern_errors_are_readable() -> None:
    text = HEADER + "workforce:\n  threat_workers:\n    - {plugin: T, trigger: tick}\n"
    text += "aggregation: {method: maxx}\n"
    _, diags = check(text)
    assert [d.message for d in diags] == [
        "`workforce.threat_workers[0].trigger`: `tick` does not match the pattern "
        "`^_?[A-Z][A-Z0-9_]*$`",
        "`aggregation.method`: `maxx` is not one of `weighted_average`, `max` or `consensus`",
    ]
    assert diags[0].help == (
        "did you mean `TICK`? (event names are UPPER_CASE, such as `TICK_RECEIVED`)"
    )
    assert [s.replacement for s in diags[0].suggestions] == ["TICK"]
    assert [s.replacement for s in diags[1].suggestions] == ["max"]
    assert diags[1].help == "did you mean `max`?"
    assert [(d.line, d.column) for d in diags] == [(7, 28), (8, 23)]


def test_union_errors_collapse_into_one_diagnostic() -> None:
    _, [diag] = check(HEADER + "workforce:\n  strategy_planner: swot\n")
    assert diag.message == (
        "`workforce.strategy_planner`: expected a list or a mapping, found a string `swot`"
    )
    assert (diag.line, diag.column) == (6, 21)


def test_union_member_matching_the_shape_wins() -> None:
    _, [diag] = check(HEADER + "workforce:\n  strategy_planner: {plugin: P, trigerr: X}\n")
    assert diag.message == (
        "unknown key `trigerr` in `workforce.strategy_planner` of strategy_blueprint"
    )
    assert diag.help == "did you mean `trigger`?"
    _, [item] = check(HEADER + "workforce:\n  strategy_planner: [{plugin: P, idd: x}]\n")
    assert item.message.startswith("unknown key `idd` in `workforce.strategy_planner[0]`")


def test_dict_key_error_points_at_the_key_and_validator_message_is_kept() -> None:
    text = HEADER + (
        "workforce:\n  planning_workers:\n    entry:\n"
        "      - plugin: P\n        triggers: {Bad: [0.1, 0.2]}\n"
        "      - plugin: Q\n        triggers: {ok: [0.5, 0.2]}\n"
    )
    _, diags = check(text)
    assert [(d.line, d.column) for d in diags] == [(9, 20), (11, 19)]
    assert "`Bad` does not match the pattern" in diags[0].message
    assert diags[1].message.endswith("trigger ok: [lo, hi] needs 0 <= lo < hi <= 1, got [0.5, 0.2]")


def test_all_errors_are_reported_sorted() -> None:
    text = "blueprint_version: 2\nname: a b\nsymbol: X\ntimeframes: []\nworkforce: []\n"
    _, diags = check(text)
    assert [d.line for d in diags] == [1, 2, 4, 5]
    assert diags[2].message == "`timeframes`: needs at least 1 item, found 0"
    assert diags[3].message == "`workforce`: expected a mapping, found a list"


def test_empty_document_and_failed_load() -> None:
    _, [diag] = check("# nothing\n")
    assert diag.message == "the file is empty; expected a strategy_blueprint mapping"
    assert diag.file == "bp.yaml" and (diag.line, diag.column) == (1, 1)  # a position
    assert check("a: b: c\n") == (None, [])


def test_duplicate_key_does_not_hide_schema_errors() -> None:
    loaded = load_yaml_text(HEADER + "symbol: Y\nworkfroce: {}\n", "bp.yaml")
    _, diags = validate_document(loaded, StrategyBlueprint, "strategy_blueprint")
    assert [d.message for d in loaded.diagnostics] == ["duplicate key `symbol`"]
    assert [d.line for d in diags] == [6]  # unknown `workfroce` (did you mean `workforce`?)


def test_missing_key_without_a_misspelling_is_still_reported() -> None:
    _, [diag] = check(HEADER + "workers: {}\n")
    _, diags = check(HEADER)
    assert [d.message for d in diags] == ["missing required key `workforce` in strategy_blueprint"]
    assert diag.message == "unknown key `workers` in strategy_blueprint"


SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "periods": {"type": "array", "items": {"type": "integer", "minimum": 1}},
        "source": {"enum": ["close", "open"], "default": "close"},
        "smoothing": {
            "type": "object",
            "properties": {"factor": {"type": "number", "default": 2.0}, "on": {"default": True}},
            "default": {},
        },
    },
    "required": ["periods"],
    "additionalProperties": False,
}
SUBJECT = "params of worker `ema_detector` (EMADetector)"
PARAMS_DOC = "workers:\n  - plugin: EMADetector\n    params:\n      periods: [5, 0]\n"


def schema_check(text: str) -> list[Diagnostic]:
    root = load_yaml_text(text, "bp.yaml").data
    params = apply_defaults(root["workers"][0]["params"], SCHEMA)
    loc: list[str | int] = ["workers", 0, "params"]
    return validate_against_schema(params, SCHEMA, root, loc, "bp.yaml", STC006, SUBJECT)


def test_schema_error_at_the_offending_item() -> None:
    [diag] = schema_check(PARAMS_DOC)
    assert diag.code == "STC006"
    assert diag.message == f"{SUBJECT}: `periods[1]` must be >= 1, got 0"
    assert (diag.file, diag.line, diag.column, diag.end_column) == ("bp.yaml", 4, 20, 21)


def test_schema_unknown_key_with_did_you_mean_and_enum_hint() -> None:
    diags = schema_check(PARAMS_DOC.replace("[5, 0]", "[5]") + "      sorce: close\n")
    [diag] = diags
    assert diag.message == f"{SUBJECT}: unknown key `sorce`"
    assert (diag.line, diag.column) == (5, 7)
    assert diag.help == "did you mean `source`?"
    [enum] = schema_check(PARAMS_DOC.replace("[5, 0]", "[5]") + "      source: clse\n")
    assert enum.message == f"{SUBJECT}: `source` must be one of `close` or `open`, got `clse`"
    assert enum.help == "did you mean `close`?" and enum.line == 5


def test_schema_missing_and_type_errors_are_deterministic() -> None:
    text = "workers:\n  - params:\n      smoothing: {factor: fast}\n"
    diags = schema_check(text)
    assert [d.message for d in diags] == [
        f"{SUBJECT}: is missing the required key `periods`",
        f"{SUBJECT}: `smoothing.factor` must be a number, found a string `fast`",
    ]
    assert [(d.line, d.column) for d in diags] == [(3, 7), (3, 27)]


def test_apply_defaults_fills_nested_objects_without_mutating() -> None:
    given = {"periods": [1], "smoothing": {"factor": 3}}
    result = apply_defaults(given, SCHEMA)
    assert result == {
        "periods": [1],
        "source": "close",
        "smoothing": {"factor": 3, "on": True},
    }
    assert given == {"periods": [1], "smoothing": {"factor": 3}}
    fresh = apply_defaults({"periods": [1]}, SCHEMA)
    assert fresh["smoothing"] == {"factor": 2.0, "on": True}
    assert SCHEMA["properties"]["smoothing"]["default"] == {}


def test_did_you_mean_is_case_insensitive_and_deterministic() -> None:
    assert did_you_mean("workfroce", ["wiring", "workforce", "name"]) == "workforce"
    assert did_you_mean("emadetector", ["EMADetector", "RSIDetector"]) == "EMADetector"
    assert did_you_mean("xyz", ["workforce"]) is None
    assert did_you_mean("abcd", ["abce", "abcf"]) == "abce"  # tie: alphabetical
    assert did_you_mean("abcd", ["abcf", "abce"]) == "abce"
    assert help_for("symbl", ["symbol"]) == "did you mean `symbol`?"
    assert help_for("q", []) is None


def test_format_path() -> None:
    assert format_path(["workforce", "context_workers", 0, "params"]) == (
        "workforce.context_workers[0].params"
    )
    assert format_path([1, "a"]) == "[1].a"
