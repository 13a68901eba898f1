"""The wiring-map YAML writer reads back as exactly the data it was given."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from stc.compiler.emit.yaml_writer import dump, scalar_text

TRICKY = [
    "yes", "No", "on", "OFF", "true", "null", "~", "", " lead", "trail ", "1h", "4a-routing",
    "0x1F", "1_000", "1:30", "1e3", ".inf", "-.inf", ".nan", "a: b", "a #b", "#x", "- x", "[1]",
    "{a}", "*alias", "&anchor", "!tag", "%x", "@x", "`x", "line\nbreak", "tab\t", "quote\"",
    "é ü ✓", "A\n", "trailing newline\n", "2017-04-19", "2017-04-19 09:00:00", "=", "<<",
    "?", "|", ">", "'", "a'b",
]  # fmt: skip


def test_tricky_strings_round_trip() -> None:
    for text in TRICKY:
        assert yaml.safe_load(f"k: {scalar_text(text)}\n") == {"k": text}, text


def test_nested_layout_matches_pyyaml_block_style() -> None:
    data = {"a": 1, "b": [1, {"c": [], "d": {}}, [2, 3]], "e": {"f": None, "g": 0.5}, "h": []}
    assert dump(data) == yaml.safe_dump(data, sort_keys=False, default_flow_style=False)


def test_floats_keep_a_dot_for_yaml_1_1() -> None:
    data = {"x": 1e-05, "y": 2.5e20, "z": float("inf"), "w": -0.0}
    assert yaml.safe_load(dump(data)) == data


json_scalars = (
    st.none() | st.booleans() | st.integers() | st.text(max_size=20) | st.floats(allow_nan=False)
)
json_data = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(json_data)
def test_any_plain_data_round_trips(data: Any) -> None:
    assert yaml.safe_load(dump(data)) == data


@settings(max_examples=200, deadline=None)
@given(json_data)
def test_flow_lists_round_trip(data: Any) -> None:
    assert yaml.safe_load(dump({"k": data}, flow_lists=True)) == {"k": data}


def test_short_scalar_lists_are_written_on_one_line() -> None:
    text = dump({"timeframes": ["1h", "4h"], "long": ["x" * 40, "y" * 40], "n": [{"a": 1}]},
                flow_lists=True)  # fmt: skip
    assert "timeframes: [1h, 4h]\n" in text and "long:\n- " in text and "n:\n- a: 1" in text
