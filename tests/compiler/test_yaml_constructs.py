"""Issue 27: every YAML construct ends in a diagnostic — explicit tags with empty or odd
values on keys and values, unhashable keys, huge numbers in every spelling."""

from __future__ import annotations

import pytest

from stc.compiler.sources import load_yaml_text


def _messages(text: str) -> list[tuple[str, str, int | None]]:
    loaded = load_yaml_text(text, "t.yaml")
    return [(d.code, d.message, d.line) for d in loaded.diagnostics]


@pytest.mark.parametrize(
    "value",
    [
        '!!int ""', '!!float ""', "!!int", "!!float", '!!int "0x"', '!!int "-"',
        '!!int "0b"', '!!float "."', '!!int "1:"', '!!float ":"', '!!float "1e"',
    ],
)  # fmt: skip
@pytest.mark.parametrize("where", ["value", "key"])
def test_explicit_tags_with_empty_or_odd_values(value: str, where: str) -> None:
    """``!!int ""`` raised IndexError inside PyYAML's constructor (only ValueError was caught)."""
    text = f"name: x\nv: {value}\n" if where == "value" else f"name: x\n? {value}\n: 1\n"
    [(code, message, line)] = _messages(text)
    assert code == "STC001" and "is not" in message and line == 2


@pytest.mark.parametrize("key", ["!!str [1, 2]", "!!str {a: 1}", "!!int [1]", "[1, 2]", "{a: 1}"])
def test_unhashable_keys(key: str) -> None:
    """``? !!str [1, 2]`` crashed with ``TypeError: unhashable type: 'list'``."""
    [(code, _, line)] = _messages(f"name: x\n? {key}\n: 1\n")
    assert code in ("STC002", "STC009") and line == 2


@pytest.mark.parametrize(
    "spelling",
    [
        "0x" + "f" * 3600, "-0x" + "f" * 84, "0b" + "1" * 400, "0" + "7" * 200, "9" * 101,
        "1" + ":59" * 200, "1" + ":59" * 3000, "1" + ":59" * 200 + ".5", "9" * 5000,
        "1" + "0" * 400 + ".0", "1e99999", "0o" + "7" * 200,
    ],
)  # fmt: skip
def test_huge_numbers_in_every_spelling(spelling: str) -> None:
    """A 3,600-digit hex number hit Python's 4,300-digit limit when formatted, a long
    base-60 float raised OverflowError: a number is either a finite float, an int below
    10^100, or a positioned STC001 (a spelling YAML 1.1 does not read stays text)."""
    loaded = load_yaml_text(f"name: x\nv: {spelling}\n", "t.yaml")
    value = loaded.data["v"] if loaded.data is not None else None
    if loaded.diagnostics:
        [diagnostic] = loaded.diagnostics
        assert diagnostic.code == "STC001" and diagnostic.line == 2
        assert len(diagnostic.message) < 200
    else:
        assert isinstance(value, str | float) or abs(value) < 10**100
        str(value)  # formatting never meets the 4,300-digit limit
