"""The rules are the single source of truth for every diagnostic code.

``stc.compiler.rules.Rule.at`` is the only constructor of a coded diagnostic, and
``CODES``, SARIF's rule metadata, the editor's code links and ``docs/diagnostics.md``
are all read from the rules.
"""

from __future__ import annotations

import ast
import inspect
import json
from pathlib import Path

import pytest

from stc.compiler.codes import CODES
from stc.compiler.diagnostics import Severity
from stc.compiler.lsp.convert import to_lsp
from stc.compiler.render import render_sarif
from stc.compiler.rules import Rule, all_rules, rules_of

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "stc"


def _constructors(path: Path) -> list[int]:
    """Lines of ``path`` that call ``Diagnostic(...)`` directly."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "Diagnostic"
    ]


def test_only_the_rule_constructs_a_coded_diagnostic() -> None:
    """No module but ``rules.py`` builds a ``Diagnostic`` itself, so every code and
    severity a user sees comes from a rule."""
    found = {
        path.relative_to(REPO).as_posix(): lines
        for path in sorted(PACKAGE.rglob("*.py"))
        if (lines := _constructors(path)) and path.name != "rules.py"
    }
    assert found == {}
    assert _constructors(PACKAGE / "compiler" / "rules.py")  # the scan finds real calls


def test_codes_are_derived_from_the_rules() -> None:
    rules = all_rules()
    assert dict(CODES) == {code: (r.severity, r.title) for code, r in rules.items()}
    assert list(CODES) == sorted(CODES)


def test_every_rule_is_complete() -> None:
    """Title, explanation and a bad example that differs from the fixed one."""
    for rule in all_rules().values():
        assert rule.title and rule.title == rule.title.strip(), rule.code
        assert "Why it is bad" in rule.explanation, rule.code
        assert rule.bad.strip() and rule.fixed.strip() and rule.bad != rule.fixed, rule.code
        assert rule.severity in (Severity.ERROR, Severity.WARNING), rule.code


def test_a_code_is_declared_once() -> None:
    """The discovery refuses a second rule object with a taken code."""
    from stc.compiler import checks

    twin = Rule("STC070", Severity.ERROR, "twin", "Why it is bad: twice.", bad="a", fixed="b")
    family = checks.FAMILIES[0]
    all_rules.cache_clear()
    try:
        setattr(family, "_TWIN", twin)  # noqa: B010 (a dynamic attribute the discovery must see)
        with pytest.raises(ValueError, match="STC070 is declared twice"):
            all_rules()
    finally:
        delattr(family, "_TWIN")
        all_rules.cache_clear()


def test_a_rule_refuses_a_malformed_code() -> None:
    with pytest.raises(ValueError, match="STCnnn"):
        Rule("STC70", Severity.ERROR, "t", "Why it is bad: x.", bad="a", fixed="b")


def test_rules_sit_beside_the_code_that_emits_them() -> None:
    """Each rule is declared in a module that reports it (its ``.at`` or ``diag`` call
    is in the same file), not in a central table."""
    for code, rule in all_rules().items():
        homes = [
            m
            for m in _rule_modules()
            if any(r is rule for r in rules_of(m)) and f"{code} = Rule(" in inspect.getsource(m)
        ]
        assert len(homes) == 1, code
        source = inspect.getsource(homes[0])
        assert f"{code}.at(" in source or f"({code}," in source or f"{code}," in source, code


def _rule_modules() -> list[object]:
    import importlib

    from stc.compiler.checks import FAMILIES
    from stc.compiler.rules import RULE_MODULES

    return [importlib.import_module(name) for name in RULE_MODULES] + list(FAMILIES)


def test_sarif_rules_are_the_rules() -> None:
    """shortDescription, fullDescription, help (with both examples), helpUri and the
    default level come from the rule."""
    rule = all_rules()["STC041"]
    diagnostic = rule.at("overlap", "bp.yaml", None, "make them meet")
    (descriptor,) = json.loads(render_sarif([diagnostic], "0"))["runs"][0]["tool"]["driver"][
        "rules"
    ]
    assert descriptor["shortDescription"]["text"] == rule.title
    assert descriptor["fullDescription"]["text"] == inspect.cleandoc(rule.explanation)
    assert rule.bad.splitlines()[0] in descriptor["help"]["markdown"]
    assert rule.fixed.splitlines()[0] in descriptor["help"]["text"]
    assert descriptor["helpUri"] == rule.help_uri
    assert descriptor["defaultConfiguration"]["level"] == "error"


def test_lsp_links_each_code_to_its_rule() -> None:
    rule = all_rules()["STC003"]
    diagnostic = rule.at("unknown plugin `X`", "bp.yaml", None, "did you mean `Y`?")
    converted = to_lsp(diagnostic, [], lambda _: [], lambda _: "/tmp/bp.yaml")
    assert converted.code_description is not None
    assert converted.code_description.href == rule.help_uri


def test_demote_is_the_only_way_to_another_severity() -> None:
    rule = all_rules()["STC009"]
    assert rule.at("m", None, None, "h").severity is Severity.ERROR
    assert rule.at("m", None, None, "h", demote=True).severity is Severity.WARNING
