"""stc.compiler.render: exact human text, JSON keys and SARIF 2.1.0 structure."""

from __future__ import annotations

import io
import json

import pytest

from stc.compiler.diagnostics import Diagnostic, Related, Severity
from stc.compiler.render import render_human, render_json, render_sarif, use_color
from stc.compiler.sources import SourceFile, load_yaml_text

TEXT = "blueprint_version: 1\nname: demo\nworkforce: {}\n\tx: 1\nworkfroce:\n"
SOURCES = {"blueprints/x.yaml": SourceFile("blueprints/x.yaml", TEXT)}


def diag(**kwargs: object) -> Diagnostic:
    base: dict[str, object] = {
        "code": "STC002",
        "severity": Severity.ERROR,
        "message": "unknown key `workfroce` in strategy_blueprint",
        "file": "blueprints/x.yaml",
        "line": 5,
        "column": 1,
        "end_column": 10,
        "help": "did you mean `workforce`?",
    }
    base.update(kwargs)
    return Diagnostic.model_validate(base)


UNKNOWN = diag(
    related=(Related(message="first defined here", file="blueprints/x.yaml", line=3, column=1),)
)
WARNING = diag(
    code="STC031",
    severity=Severity.WARNING,
    message="event `X` is published but nobody subscribes",
    line=4,
    column=2,
    end_column=3,
    help=None,
)


def test_human_exact_text() -> None:
    out = render_human([UNKNOWN, WARNING], SOURCES, color=False)
    assert out == (
        "warning[STC031]: event `X` is published but nobody subscribes\n"
        " --> blueprints/x.yaml:4:2\n"
        "  |\n"
        "4 |     x: 1\n"
        "  |     ^\n"
        "\n"
        "error[STC002]: unknown key `workfroce` in strategy_blueprint\n"
        " --> blueprints/x.yaml:5:1\n"
        "  |\n"
        "5 | workfroce:\n"
        "  | ^^^^^^^^^\n"
        "  |\n"
        "  = help: did you mean `workforce`?\n"
        "  = note: first defined here: blueprints/x.yaml:3:1\n"
        "\n"
        "error: aborting due to 1 error; 1 warning emitted\n"
    )


def test_human_gutter_grows_with_line_number_and_multiline_nodes_get_one_caret() -> None:
    source = SourceFile("a.yaml", "\n" * 11 + "key: value\n")
    d = diag(file="a.yaml", line=12, column=6, end_column=None, help=None, message="bad")
    assert render_human([d], {"a.yaml": source}, color=False) == (
        "error[STC002]: bad\n"
        "  --> a.yaml:12:6\n"
        "   |\n"
        "12 | key: value\n"
        "   |      ^\n"
        "\n"
        "error: aborting due to 1 error\n"
    )


def test_human_without_source_or_position_omits_the_snippet() -> None:
    no_pos = diag(line=None, column=None, end_column=None, message="cannot read `x`", help="check")
    no_file = diag(file=None, line=None, column=None, message="internal", help=None)
    out = render_human([no_pos, no_file], {}, color=False)
    assert out == (
        "error[STC002]: internal\n"
        "\n"
        "error[STC002]: cannot read `x`\n"
        " --> blueprints/x.yaml\n"
        "  = help: check\n"
        "\n"
        "error: aborting due to 2 errors\n"
    )


def test_human_summaries() -> None:
    assert render_human([], {}, color=False) == "ok: no problems found\n"
    assert render_human([WARNING], {}, color=False).endswith("\nwarning: 1 warning emitted\n")
    note = diag(severity=Severity.NOTE, file=None, help=None)
    assert render_human([note], {}, color=False).endswith("\nok: no problems found (1 note)\n")


def test_human_color_only_when_asked() -> None:
    plain = render_human([UNKNOWN], SOURCES, color=False)
    colored = render_human([UNKNOWN], SOURCES, color=True)
    assert "\x1b[" not in plain
    assert "\x1b[1;31merror[STC002]\x1b[0m" in colored
    assert "\x1b[1;34m |\x1b[0m" not in plain


def test_human_renders_a_real_load_diagnostic() -> None:
    loaded = load_yaml_text("name: a\nname: b\n", "d.yaml")
    assert loaded.source is not None
    out = render_human(loaded.diagnostics, {"d.yaml": loaded.source}, color=False)
    assert "2 | name: b\n  | ^^^^\n" in out
    assert "  = note: first defined here: d.yaml:1:1\n" in out


def test_use_color_respects_tty_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    assert use_color(Tty()) is True
    assert use_color(io.StringIO()) is False
    assert use_color(object()) is False
    monkeypatch.setenv("NO_COLOR", "1")
    assert use_color(Tty()) is False
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert use_color(io.StringIO()) is True


def test_json_has_exactly_the_spec_keys_sorted_with_trailing_newline() -> None:
    out = render_json([UNKNOWN, WARNING])
    assert out.endswith("]\n")
    items = json.loads(out)
    assert [list(item) for item in items] == [
        ["code", "severity", "message", "file", "line", "column", "help"]
    ] * 2
    assert items[0] == {
        "code": "STC031",
        "severity": "warning",
        "message": "event `X` is published but nobody subscribes",
        "file": "blueprints/x.yaml",
        "line": 4,
        "column": 2,
        "help": None,
    }
    assert items[1]["code"] == "STC002"
    assert render_json([WARNING, UNKNOWN]) == out
    assert render_json([]) == "[]\n"


def test_sarif_structure() -> None:
    windows = diag(file="blueprints\\w.yaml", line=None, column=None, help=None)
    log = json.loads(render_sarif([UNKNOWN, WARNING, windows], "0.1.0"))
    assert log["version"] == "2.1.0" and "sarif-2.1.0" in log["$schema"]
    [run] = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "stc" and driver["version"] == "0.1.0"
    assert [rule["id"] for rule in driver["rules"]] == ["STC002", "STC031"]
    assert all(rule["shortDescription"]["text"] for rule in driver["rules"])
    results = run["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [
        ("STC031", "warning"),
        ("STC002", "error"),
        ("STC002", "error"),
    ]
    for result in results:
        assert set(result) >= {"ruleId", "level", "message", "locations"}
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
    second = results[1]
    assert second["message"]["text"] == (
        "unknown key `workfroce` in strategy_blueprint\nhelp: did you mean `workforce`?"
    )
    physical = second["locations"][0]["physicalLocation"]
    assert physical == {
        "artifactLocation": {"uri": "blueprints/x.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 5, "startColumn": 1, "endColumn": 10},
    }
    assert second["relatedLocations"][0]["physicalLocation"]["region"] == {
        "startLine": 3,
        "startColumn": 1,
    }
    third = results[2]["locations"][0]["physicalLocation"]
    assert third == {"artifactLocation": {"uri": "blueprints/w.yaml", "uriBaseId": "%SRCROOT%"}}
