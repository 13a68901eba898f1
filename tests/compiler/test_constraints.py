"""stc.compiler.constraints: the manifest's cross-field rules are interpreted, never eval'd."""

from __future__ import annotations

import pytest

from stc.compiler.constraints import RuleError, holds, names_in, parse_rule


@pytest.mark.parametrize(
    ("rule", "params", "expected"),
    [
        ("fast < slow", {"fast": 20, "slow": 50}, True),
        ("fast < slow", {"fast": 50, "slow": 20}, False),
        ("fast < slow", {"fast": 50, "slow": 50}, False),
        ("params.fast * 2 <= params.slow", {"fast": 20, "slow": 40}, True),
        ("0 < a <= b < 1", {"a": 0.2, "b": 0.5}, True),
        ("0 < a <= b < 1", {"a": 0.6, "b": 0.5}, False),
        ("not flag or a > 1", {"flag": False, "a": 0}, True),
        ("len(periods) >= 1 and min(periods) > 0", {"periods": [3, 1]}, True),
        ("max(periods) - min(periods) > 10", {"periods": [20, 25]}, False),
        ("a / b != 2", {"a": 4, "b": 2}, False),
        ("flag == true", {"flag": True}, True),
        ("-a < b", {"a": 1, "b": 0}, True),
    ],
)
def test_rules_evaluate_like_python_would(
    rule: str, params: dict[str, object], expected: bool
) -> None:
    assert holds(rule, params) is expected
    # the independent reference: Python itself, on the same text with names bound
    text = rule.replace("params.", "").replace("true", "True")
    assert bool(eval(text, {"len": len, "min": min, "max": max}, dict(params))) is expected


@pytest.mark.parametrize(
    "rule",
    [
        "__import__('os').system('true')",
        "fast.__class__ < slow",
        "[x for x in range(10)]",
        "open('/etc/passwd')",
        "a if b else c",
        "fast ** 999999 > 1",
        "lambda: 1",
        "getattr(params, 'fast') < 1",
        "'text' < fast",
        "fast <",
    ],
)
def test_anything_outside_the_form_is_refused(rule: str) -> None:
    with pytest.raises(RuleError):
        parse_rule(rule)
        holds(rule, {"fast": 1, "slow": 2, "a": 1, "b": 1, "c": 1})


def test_names_in_order_of_first_use() -> None:
    assert names_in("params.fast < slow and fast > 0") == ["fast", "slow"]


def test_a_param_without_value_or_a_type_clash_is_a_rule_error() -> None:
    with pytest.raises(RuleError, match="no value"):
        holds("fast < slow", {"fast": 1})
    with pytest.raises(RuleError, match="cannot be evaluated"):
        holds("fast < slow", {"fast": 1, "slow": "x"})
