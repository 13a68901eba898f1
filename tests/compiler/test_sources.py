"""stc.compiler.sources: positions, duplicate keys, syntax errors and hostile-input limits."""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import stc.compiler.sources as sources
from stc.compiler.sources import (
    LoadLimits,
    Mark,
    PMap,
    PSeq,
    load_yaml_file,
    load_yaml_text,
    locate,
    to_plain,
)

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


DEFAULT_LIMITS = LoadLimits()


def codes(text: str, limits: LoadLimits = DEFAULT_LIMITS) -> list[str]:
    return [d.code for d in load_yaml_text(text, "t.yaml", limits).diagnostics]


def test_values_follow_the_yaml_1_2_core_schema() -> None:
    """docs/decisions.md (issue 20): YAML 1.2 scalars, checked against ruamel.yaml."""
    text = (
        "a: 1\nb: 2.5\nc: .inf\nd: yes\ne: ~\nf: 0x1F\ng: 2020-01-01\nh: '1'\ni: 017\n"
        "j: .NaN\nk: 1:2.5\nl: on\nm: 0o17\nn: 1e5\no: 10_000\np: No\nq: TRUE\n"
    )
    loaded = load_yaml_text(text, "t.yaml")
    assert loaded.ok and loaded.diagnostics == []
    data = loaded.data
    assert data == {
        "a": 1, "b": 2.5, "c": math.inf, "d": "yes", "e": None, "f": 31,
        "g": "2020-01-01", "h": "1", "i": 17, "j": data["j"], "k": "1:2.5", "l": "on",
        "m": 15, "n": 100000.0, "o": 10000, "p": "No", "q": True,
    }  # fmt: skip
    assert math.isnan(data["j"])
    expected = _ruamel_12(text)
    same = ("g", "j")  # ruamel makes a date of `g`; NaN is never equal to itself
    assert {k: v for k, v in data.items() if k not in same} == {
        k: v for k, v in expected.items() if k not in same
    }
    assert all(type(data[k]) is type(expected[k]) for k in data if k not in same)


@pytest.mark.parametrize(
    "spelling",
    ["yes", "No", "off", "y", "1:30", "190:20:30.15", "017", "0o17", "0x1f", "1e5", "-.inf",
     "1_000.5", "+3.25e+10", ".5", "-2.", "NULL", "False", "0.1e-3", "12:30:00"],
)  # fmt: skip
def test_every_scalar_reads_as_ruamel_reads_it_in_yaml_1_2(spelling: str) -> None:
    """The spellings whose YAML 1.1 and 1.2 readings differ, and neighbours of them."""
    text = f"a: {spelling}\n"
    got, want = load_yaml_text(text, "t.yaml").data["a"], _ruamel_12(text)["a"]
    assert (got, type(got)) == (want, type(want))


def _ruamel_12(text: str) -> dict[str, Any]:
    from ruamel.yaml import YAML

    loaded: dict[str, Any] = YAML(typ="safe", pure=True).load(text)
    return loaded


def test_marks_of_keys_values_and_items_are_one_based() -> None:
    text = "name: demo\nworkers:\n  - id: a\n    plugin: EMADetector\n  - [1, 2]\n"
    data = load_yaml_text(text, "t.yaml").data
    assert isinstance(data, PMap)
    assert data.mark == Mark(1, 1, 6, 1)
    assert data.key_marks["name"] == Mark(1, 1, 1, 5)
    assert data.value_marks["name"] == Mark(1, 7, 1, 11)
    workers = data["workers"]
    assert isinstance(workers, PSeq)
    assert workers.item_marks[0].line == 3 and workers.item_marks[0].column == 5
    assert workers.item_marks[1] == Mark(5, 5, 5, 11)
    assert workers[0].key_marks["plugin"] == Mark(4, 5, 4, 11)
    assert workers[0].value_marks["plugin"] == Mark(4, 13, 4, 24)


def test_locate_finds_deepest_node_and_key_marks() -> None:
    data = load_yaml_text("a:\n  b: [x, {c: 3}]\n", "t.yaml").data
    assert locate(data, ["a", "b", 1, "c"]) == Mark(2, 14, 2, 15)
    assert locate(data, ["a", "b", 1, "c"], key=True) == Mark(2, 11, 2, 12)
    assert locate(data, ["a", "missing", "x"]) == Mark(2, 3, 3, 1)  # the parent mapping
    assert locate(data, ["a", "b", 7]) == Mark(2, 6, 2, 17)
    assert locate(data, []) == data.mark
    assert locate(None, ["a"]) is None


def test_duplicate_key_reported_at_second_occurrence_with_related_first() -> None:
    loaded = load_yaml_text("name: a\nsymbol: X\nname: b\n", "bp.yaml")
    [diag] = loaded.diagnostics
    assert (diag.code, diag.line, diag.column, diag.end_column) == ("STC002", 3, 1, 5)
    assert diag.message == "duplicate key `name`"
    assert diag.help == "remove one of them; YAML would silently keep the last"
    assert [(r.file, r.line, r.column) for r in diag.related] == [("bp.yaml", 1, 1)]
    assert loaded.data == {"name": "b", "symbol": "X"}
    assert not loaded.ok


def test_scalar_keys_become_text_and_collection_keys_are_refused() -> None:
    assert load_yaml_text("1: a\nnull: b\ntrue: c\n", "t.yaml").data == {
        "1": "a",
        "null": "b",
        "true": "c",
    }
    loaded = load_yaml_text("? [1, 2]\n: x\nok: 1\n", "t.yaml")
    [diag] = loaded.diagnostics
    assert diag.code == "STC002" and "keys must be strings" in diag.message
    assert (diag.line, diag.column) == (1, 3)
    assert loaded.data == {"ok": 1}


def test_merge_keys_are_honoured_and_explicit_keys_win() -> None:
    text = "base: &b {plugin: A, timeframe: 1h}\nw:\n  <<: *b\n  timeframe: 4h\n"
    data = load_yaml_text(text, "t.yaml").data
    assert data["w"] == {"plugin": "A", "timeframe": "4h"}
    assert data["w"].value_marks["plugin"].line == 1  # where the merged value is written


def test_syntax_error_at_problem_mark_with_readable_message_and_help() -> None:
    [diag] = load_yaml_text("name: demo\nsymbol: a: b\n", "t.yaml").diagnostics
    assert (diag.code, diag.line, diag.column) == ("STC001", 2, 10)
    assert diag.message == "YAML syntax error: mapping values are not allowed here"
    assert diag.help is not None and "quote" in diag.help and "indentation" in diag.help


def test_tab_indentation_gets_a_tab_hint() -> None:
    [diag] = load_yaml_text("a:\n\t- 1\n", "t.yaml").diagnostics
    assert diag.code == "STC001" and diag.line == 2
    assert diag.help == "YAML does not allow tabs for indentation: use spaces"


def test_more_than_one_document_is_a_syntax_error() -> None:
    [diag] = load_yaml_text("a: 1\n---\nb: 2\n", "t.yaml").diagnostics
    assert (diag.code, diag.line) == ("STC001", 2)
    assert diag.message == "more than one YAML document in this file"


def test_billion_laughs_is_refused_fast() -> None:
    start = time.perf_counter()
    loaded = load_yaml_text(BILLION_LAUGHS, "bomb.yaml")
    elapsed = time.perf_counter() - start
    [diag] = loaded.diagnostics
    assert diag.code == "STC009" and "alias bomb" in diag.message
    assert loaded.data is None
    assert elapsed < 1.0  # generous guard; typically a few milliseconds


def test_node_limit_counts_alias_expansion() -> None:
    text = "a: &a [1, 2, 3]\nb: [*a, *a, *a]\n"
    assert codes(text, LoadLimits(max_nodes=1000)) == []
    assert codes(text, LoadLimits(max_nodes=10)) == ["STC009"]


def test_recursive_alias_is_refused() -> None:
    assert codes("a: &x [1, *x]\n") == ["STC009"]


def test_huge_file_rejected_by_size_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: no data is written
    start = time.perf_counter()
    loaded = load_yaml_file(path, "huge.yaml")
    assert time.perf_counter() - start < 1.0
    [diag] = loaded.diagnostics
    assert diag.code == "STC009" and "52428800 bytes" in diag.message
    assert diag.file == "huge.yaml" and diag.line is None


def test_text_over_the_size_limit_is_refused() -> None:
    assert codes("a: 1\n" * 10, LoadLimits(max_file_bytes=20)) == ["STC009"]


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, "- " * 5000 + "x"])
def test_deep_nesting_is_refused_not_a_recursion_error(text: str) -> None:
    [diag] = load_yaml_text(text, "deep.yaml").diagnostics
    assert diag.code == "STC009" and "nests deeper" in diag.message


def test_depth_limit_applies_to_the_walk() -> None:
    text = "[" * 10 + "]" * 10
    assert codes(text, LoadLimits(max_depth=10)) == []
    assert codes(text, LoadLimits(max_depth=9)) == ["STC009"]


def test_pure_python_composer_recursion_becomes_stc009(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "_LOADER", yaml.SafeLoader)
    assert codes("- " * 3000 + "x") == ["STC009"]
    assert load_yaml_text("a: [1, {b: c}]\n", "t.yaml").data == {"a": [1, {"b": "c"}]}


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("x: !!python/object:os.system ls\n", "!!python/object:os.system"),
        ("x: !!python/object/apply:os.system [ls]\n", "!!python/object/apply:os.system"),
        ("x: !custom 1\n", "!custom"),
        ("!!python/name:os.system : 1\n", "!!python/name:os.system"),
        ("x: !!binary aGVsbG8=\n", "!!binary"),
    ],
)
def test_unsafe_tags_are_refused_naming_the_tag(text: str, shown: str) -> None:
    loaded = load_yaml_text(text, "t.yaml")
    [diag] = loaded.diagnostics
    assert diag.code == "STC009" and f"`{shown}`" in diag.message
    assert loaded.data is None


def test_explicit_safe_tags_are_accepted() -> None:
    assert load_yaml_text("a: !!str 12\nb: !!int '7'\nc: !!float 1\n", "t").data == {
        "a": "12",
        "b": 7,
        "c": 1.0,
    }


def test_long_string_is_refused() -> None:
    assert codes("a: " + "x" * 100 + "\n", LoadLimits(max_string_length=50)) == ["STC009"]
    assert codes("a: " + "x" * 50 + "\n", LoadLimits(max_string_length=50)) == []


def test_invalid_utf8_reports_byte_offset_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(b"a: 1\nb: caf\xe9\n")
    [diag] = load_yaml_file(path, "bad.yaml").diagnostics
    assert diag.code == "STC009"
    assert "offset 11" in diag.message and "0xe9" in diag.message
    assert (diag.line, diag.column) == (2, 7)


def test_nul_bytes_mean_binary(tmp_path: Path) -> None:
    path = tmp_path / "bin.yaml"
    path.write_bytes(b"a: 1\n\x00\x01\x02")
    [diag] = load_yaml_file(path).diagnostics
    assert diag.code == "STC009" and "NUL byte at offset 5 (line 2)" in diag.message
    assert diag.file == str(path)
    assert codes("a: \x00") == ["STC009"]


def test_control_characters_are_refused() -> None:
    [diag] = load_yaml_text("a: b\x07\n", "t.yaml").diagnostics
    assert diag.code == "STC009" and (diag.line, diag.column) == (1, 5)


def test_missing_file_and_directory_are_stc009(tmp_path: Path) -> None:
    [missing] = load_yaml_file(tmp_path / "nope.yaml", "nope.yaml").diagnostics
    assert missing.code == "STC009" and missing.line is None and "nope.yaml" in missing.message
    [directory] = load_yaml_file(tmp_path, "dir").diagnostics
    assert directory.code == "STC009" and "not a regular file" in directory.message


def test_file_display_name_is_kept_verbatim(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text("\ufeffa: 1\n", encoding="utf-8")
    loaded = load_yaml_file(path, "blueprints/ok.yaml")
    assert loaded.ok and loaded.data == {"a": 1}
    assert loaded.source is not None and loaded.source.display_name == "blueprints/ok.yaml"
    assert loaded.source.line_text(1) == "a: 1" and loaded.source.line_text(9) == ""
    assert loaded.data.key_marks["a"] == Mark(1, 1, 1, 2)  # BOM does not shift columns


def test_empty_document_loads_as_none() -> None:
    loaded = load_yaml_text("# only a comment\n", "t.yaml")
    assert loaded.ok and loaded.data is None and loaded.source is not None


def test_to_plain_drops_position_types() -> None:
    data = load_yaml_text("a: [{b: 1}]\n", "t.yaml").data
    plain = to_plain(data)
    assert type(plain) is dict and type(plain["a"]) is list and type(plain["a"][0]) is dict
    assert yaml.safe_dump(plain) == "a:\n- b: 1\n"


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_arbitrary_text_never_raises(text: str) -> None:
    loaded = load_yaml_text(text, "fuzz.yaml")
    assert all(d.code in {"STC001", "STC002", "STC009"} for d in loaded.diagnostics)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="[]{}:-,&*!'\"# \n\tab1", max_size=60))
def test_yaml_punctuation_soup_never_raises(text: str) -> None:
    load_yaml_text(text, "fuzz.yaml")
