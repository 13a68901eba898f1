"""Hostile and oversized input: every input limit, and one regression test per crash or
malformed diagnostic that ``tools/fuzz_compiler.py`` found (docs/robustness.md).

Everything goes through ``stc.commands.cli.main`` in-process — the code path of
``stc check`` — and looks at its exit code and its JSON or human output.
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from stc.commands import cli
from stc.compiler.model.platform import Limits
from stc.compiler.sources import LoadLimits, load_yaml_text
from stc.compiler.validate import apply_defaults
from stc.compiler.warmup import WarmupError, evaluate_warmup
from tests.conftest import REPO

CLEAN = (REPO / "tests" / "fixtures" / "clean.yaml").read_text(encoding="utf-8")
EMA_TREND = (REPO / "blueprints" / "ema_trend.yaml").read_text(encoding="utf-8")
SIZER = REPO / "stc" / "plugins" / "size_planner" / "fixed_risk_sizer"

Check = Callable[..., tuple[int, list[dict[str, Any]]]]


@pytest.fixture
def check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Check:
    """``check(files, *args)``: write ``files`` (name → text or bytes) into a scratch
    folder, run ``stc check ARGS --format json`` there; (exit code, diagnostics)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("STC_NO_CACHE", "1")

    def run(files: dict[str, str | bytes], *args: str) -> tuple[int, list[dict[str, Any]]]:
        for name, content in files.items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            data = content.encode("utf-8") if isinstance(content, str) else content
            path.write_bytes(data)
        capsys.readouterr()
        code = cli.main(["check", *args, "--format", "json"])
        return code, json.loads(capsys.readouterr().out)

    return run


def human(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """``stc check ARGS`` in the current folder; (exit code, what the terminal shows)."""
    capsys.readouterr()
    code = cli.main(["check", *args])
    return code, capsys.readouterr().err


def codes(items: list[dict[str, Any]]) -> list[str]:
    return [item["code"] for item in items]


def platform(**limits: int) -> str:
    body = "".join(f"  {key}: {value}\n" for key, value in limits.items())
    return f"platform_version: 1\nlimits:\n{body}"


# --------------------------------------------------------------------------- input limits


def test_loader_defaults_are_the_platform_defaults() -> None:
    """One set of numbers: the table in docs/robustness.md and both models agree."""
    defaults = Limits().model_dump()
    assert defaults.pop("max_workers") == 20_000
    assert defaults == LoadLimits()._asdict()


LIMIT_CASES = {
    "max_file_bytes": (1024, "description: " + "x" * 1100 + "\n", "bytes; the limit is 1024 bytes"),
    "max_depth": (4, "description: [[[[x]]]]\n", "nests deeper than 4 levels"),
    "max_string_length": (64, "description: " + "x" * 65 + "\n", "65 characters; the limit is 64"),
    "max_nodes": (100, "description: [" + "x, " * 100 + "x]\n", "more than 100 nodes"),
}  # fmt: skip
"""limit → (a value that breaks it, the blueprint line that does, what the message says)."""


@pytest.mark.parametrize("limit", sorted(LIMIT_CASES))
def test_each_load_limit_is_enforced_and_set_by_the_platform(check: Check, limit: str) -> None:
    """With ``--platform`` lowering the limit the blueprint is refused (STC009, exit 1);
    under the default limits the same file loads (then fails its schema, STC002)."""
    value, line, message = LIMIT_CASES[limit]
    files = {"bp.yaml": CLEAN.replace("symbol: EURUSD\n", f"symbol: EURUSD\n{line}")}
    files["platform.yaml"] = platform(**{limit: value})
    exit_code, items = check(files, "bp.yaml", "--platform", "platform.yaml")
    assert exit_code == 1 and codes(items) == ["STC009"], items
    assert message in items[0]["message"]
    assert "STC009" not in codes(check({}, "bp.yaml")[1])


def test_alias_expansion_counts_against_max_nodes(check: Check) -> None:
    """Nodes are counted after alias expansion: 4 lines expand to 1,100 nodes."""
    bomb = "blueprint_version: 1\na: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{b}: &{b} [{', '.join([f'*{a}'] * 10)}]\n" for a, b in ("ab", "bc")
    )
    files = {"bp.yaml": bomb, "platform.yaml": platform(max_nodes=1000)}
    _, items = check(files, "bp.yaml", "--platform", "platform.yaml")
    assert (
        codes(items) == ["STC009"] and "more than 1000 nodes (alias bomb?)" in items[0]["message"]
    )
    assert (items[0]["line"], items[0]["column"]) == (4, 4)
    assert "STC009" not in codes(check({}, "bp.yaml")[1])


def test_recursive_alias_under_a_huge_depth_limit(check: Check) -> None:
    """``&self [1, *self]`` under ``max_depth: 1520`` recursed until RecursionError: the
    platform model now caps the limit at 256, and the loader refuses what it cannot walk."""
    files = {"bp.yaml": CLEAN + "x: &self [1, *self]\n", "platform.yaml": platform(max_depth=1520)}
    _, items = check(files, "bp.yaml", "--platform", "platform.yaml")
    assert [(i["code"], i["line"], i["message"]) for i in items] == [
        ("STC009", 31, "the document nests deeper than 64 levels")  # the default applies
    ]
    assert [(i["code"], i["line"]) for i in check({}, "platform.yaml")[1]] == [("STC002", 3)]
    loaded = load_yaml_text("x: &self [1, *self]\n", "t.yaml", LoadLimits(max_depth=100_000))
    assert [(d.code, d.message) for d in loaded.diagnostics] == [
        ("STC009", "the document nests too deeply to be read")
    ]


def test_file_size_is_checked_before_reading(check: Check, tmp_path: Path) -> None:
    """The default 2 MB limit: a sparse 50 MB file is refused from its size alone."""
    with (tmp_path / "huge.yaml").open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    exit_code, items = check({}, "huge.yaml")
    assert exit_code == 1 and codes(items) == ["STC009"]
    assert items[0]["message"] == "the file is 52428800 bytes; the limit is 2097152 bytes"


def test_large_flat_document_is_refused_before_it_is_composed() -> None:
    """Above 64 kB nodes are counted from parser events, in constant memory (composing
    700,000 one-character items took 200 MB before the count could refuse them)."""
    text = "a: [" + "1, " * 40_000 + "1]\n"
    [diag] = load_yaml_text(text, "big.yaml", LoadLimits(max_nodes=30_000)).diagnostics
    assert diag.code == "STC009" and diag.message == "the document has more than 30000 nodes"
    assert (diag.line, diag.column) == (1, 89_996)


def test_max_workers_is_checked_before_plugins_are_resolved(check: Check) -> None:
    """Three unknown plugins over a limit of two: one STC009 at ``workforce``, no STC003
    (the limit stops the passes whose cost grows with the number of workers)."""
    workers = "".join(f"    - plugin: Nope{i}\n" for i in range(3))
    blueprint = "blueprint_version: 1\nname: x\nsymbol: X\ntimeframes: [1h]\nworkforce:\n"
    files = {"bp.yaml": blueprint + "  context_workers:\n" + workers}
    files["platform.yaml"] = platform(max_workers=2)
    exit_code, items = check(files, "bp.yaml", "--platform", "platform.yaml")
    assert exit_code == 1 and codes(items) == ["STC009"]
    assert items[0]["message"] == "the blueprint has 3 worker instances; the limit is 2"
    assert (items[0]["line"], items[0]["column"]) == (5, 1)
    assert "limits.max_workers" in items[0]["help"]


def test_max_workers_default_and_the_operations_platform(check: Check) -> None:
    """20,001 workers break the default limit; an operation's ``platform:`` sets it for
    the strategies it links."""
    many = ", ".join(["{plugin: EMADetector}"] * 20_001)
    header = "blueprint_version: 1\nname: x\nsymbol: X\ntimeframes: [1h]\nworkforce:\n"
    _, items = check({"big.yaml": f"{header}  context_workers: [{many}]\n"}, "big.yaml")
    assert [i["message"] for i in items] == [
        "the blueprint has 20001 worker instances; the limit is 20000"
    ]
    files = {
        "op.yaml": "operation_version: 1\nplatform: p.yaml\ndata_sources: {d: {path: d.csv, "
        "symbol: EURUSD, timeframe: 1h}}\nstrategy_links: [{blueprint: bp.yaml, data_source: d}]\n",
        "p.yaml": platform(max_workers=5),
        "bp.yaml": CLEAN,
        "d.csv": "",
    }
    _, items = check(files, "op.yaml")
    assert [(i["code"], i["file"], i["line"]) for i in items] == [("STC009", "bp.yaml", 6)]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"blueprint_version: 1\nname: caf\xe9\n", "not valid UTF-8: byte 0xe9 at offset 30"),
        ("blueprint_version: 1\n".encode("utf-16"), "the file is UTF-16; save it as UTF-8"),
        (b"blueprint_version: 1\n\x00\x01\x02\x03", "NUL byte at offset 21 (line 2)"),
        (bytes(range(256)), "NUL byte at offset 0 (line 1)"),
    ],
    ids=["latin-1", "utf-16", "binary-tail", "binary"],
)
def test_non_utf8_and_binary_input_is_refused(check: Check, data: bytes, message: str) -> None:
    exit_code, items = check({"bp.yaml": data}, "bp.yaml")
    assert exit_code == 1 and codes(items) == ["STC009"]
    assert message in items[0]["message"] and items[0]["line"] >= 1


# --------------------------------------------------------------------------- fuzz finds


def test_whole_document_problems_have_a_position(check: Check) -> None:
    """A scalar document, an unknown kind and an empty file point at the document's
    first line (they had no line or column at all)."""
    files = {"a.yaml": "# comment\n\n  just text\n", "b.yaml": "# nothing\n", "c.yaml": "[1]\n"}
    _, items = check(files, "a.yaml", "b.yaml", "c.yaml")
    assert [(i["file"], i["line"], i["column"]) for i in items] == [
        ("a.yaml", 3, 3), ("b.yaml", 1, 1), ("c.yaml", 1, 1),
    ]  # fmt: skip


def test_manifest_whose_root_is_not_a_mapping(check: Check) -> None:
    """A plugin manifest that is just ``0`` is an STC002 at line 1 (no position before)."""
    files = {"root/p/plugin_manifest.yaml": "# a manifest\n0\n", "bp.yaml": CLEAN}
    _, items = check(files, "bp.yaml", "--plugins-dir", "root")
    [found] = [i for i in items if i["file"] == "root/p/plugin_manifest.yaml"]
    assert (found["code"], found["line"], found["column"]) == ("STC002", 2, 1)


def test_missing_files_named_by_an_operation_or_platform_point_at_their_key(
    check: Check,
) -> None:
    """An operation's missing ``platform:`` and a platform's missing plugin root are
    reported at their lines (they were "cannot read `x`" / a root without any file)."""
    files = {
        "op.yaml": "operation_version: 1\nplatform: nope.yaml\ndata_sources: {d: {path: d.csv, "
        "symbol: EURUSD, timeframe: 1h}}\nstrategy_links: [{blueprint: bp.yaml, data_source: d}]\n",
        "d.csv": "",
        "bp.yaml": CLEAN,
        "platform.yaml": "platform_version: 1\nplugin_roots: [missing_root]\n",
    }
    _, items = check(files, "op.yaml")
    assert [(i["code"], i["file"], i["line"]) for i in items] == [("STC009", "op.yaml", 2)]
    _, items = check({}, "bp.yaml", "--platform", "platform.yaml")
    assert [(i["code"], i["file"], i["line"]) for i in items] == [("STC009", "platform.yaml", 2)]


@pytest.mark.parametrize("link", ["x" * 300 + ".yaml", "bp\\0.yaml"], ids=["too-long", "nul"])
def test_unusable_paths_in_an_operation_are_diagnostics(check: Check, link: str) -> None:
    """A name too long for the file system raised OSError, a NUL raised ValueError."""
    files = {
        "op.yaml": f'operation_version: 1\nstrategy_links: [{{blueprint: "{link}", '
        'data_source: d, starting_capital: 1}]\ndata_sources: {d: {path: "' + link + '", '
        "symbol: X, timeframe: 1h}}\n",
    }
    exit_code, items = check(files, "op.yaml")
    assert exit_code == 1 and set(codes(items)) == {"STC009"}
    assert all(item["line"] in (2, 3) for item in items)


def test_too_long_file_name_on_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["check", "x" * 300]) == 2
    assert "no such file" in capsys.readouterr().err


@pytest.mark.parametrize("newline", ["\r", "\r\n", "\u2028", "\x85"], ids=repr)
def test_snippets_count_lines_as_yaml_does(
    check: Check, capsys: pytest.CaptureFixture[str], newline: str
) -> None:
    """A lone CR, NEL or LS ends a line for YAML; a refused control character was
    placed by counting ``\\n`` only and its snippet cut by ``str.splitlines``."""
    text = newline.join(["blueprint_version: 1", "name: x", "symbol: \x1a", ""])
    _, items = check({"bp.yaml": text}, "bp.yaml")
    assert [(i["code"], i["line"], i["column"]) for i in items] == [("STC009", 3, 9)]
    _, shown = human(capsys, "bp.yaml")
    assert "3 | symbol: ␚\n" in shown


def test_control_characters_never_reach_the_terminal(
    check: Check, capsys: pytest.CaptureFixture[str]
) -> None:
    """Values quoted in messages and refused lines are shown with visible stand-ins:
    an escape sequence in a plugin name would otherwise drive the terminal."""
    text = CLEAN.replace("plugin: FVGEntryDetector", 'plugin: "\\e[2J\\rEvil\\u202e"')
    check({"bp.yaml": text, "ctl.yaml": "a: b\x1b[31m\n"}, "bp.yaml")
    _, shown = human(capsys, "bp.yaml", "ctl.yaml")
    assert "`␛[2J␍Evil�`" in shown and "1 | a: b␛[31m" in shown
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]", shown)


def test_long_lines_are_cut_around_the_caret(
    check: Check, capsys: pytest.CaptureFixture[str]
) -> None:
    """Minified YAML: 2,000 errors on one 10 kB line printed the line 2,000 times."""
    text = CLEAN.replace("timeframes: [1h, 4h]", "timeframes: [" + "1, " * 2000 + "1]")
    check({"bp.yaml": text}, "bp.yaml")
    _, shown = human(capsys, "bp.yaml")
    snippet = [line for line in shown.splitlines() if line.startswith("5 | ")]
    assert snippet and max(map(len, snippet)) <= 130
    assert snippet[-1].startswith("5 | …") and snippet[-1].endswith("…")


@pytest.mark.parametrize("count", [300, 6000], ids=["many", "very-many"])
def test_schema_errors_are_capped_per_document(check: Check, count: int) -> None:
    """150,000 wrong items took 12 s and 150 MB: 200 diagnostics and a count instead
    (beyond 5,000 errors pydantic's error list is not even built)."""
    text = CLEAN.replace("timeframes: [1h, 4h]", "timeframes: [" + "1, " * (count - 1) + "1]")
    exit_code, items = check({"bp.yaml": text}, "bp.yaml")
    assert exit_code == 1 and len(items) == 201
    [note] = [i for i in items if "in all" in i["message"]]
    assert note["message"] == (
        f"strategy_blueprint: {count} schema errors in all; only the first 200 are reported"
    )


def test_plain_scalar_tags_are_memoised_without_changing_values() -> None:
    """The loader's tag memo (a 3.7 s saving on 700,000 items) keeps YAML 1.2 typing:
    plain and quoted spellings of one text stay different values."""
    text = "a: [1, '1', 1, true, 'true', true, ~, '~', 1.5, '1.5', 1.5, yes]\n"
    assert load_yaml_text(text, "t.yaml").data == {
        "a": [1, "1", 1, True, "true", True, None, "~", 1.5, "1.5", 1.5, "yes"]
    }


@pytest.mark.parametrize("spelling", ["1.5", "-2.", "+3.25e+10", ".5", "-.inf", "1e-3"])
def test_float_spellings_read_as_safe_load_where_yaml_1_1_and_1_2_agree(spelling: str) -> None:
    """The float spellings both YAML versions read alike give ``safe_load``'s value
    (where they differ, tests/compiler/test_sources.py compares with ruamel.yaml)."""
    text = f"a: {spelling}\n"
    assert load_yaml_text(text, "t.yaml").data == yaml.safe_load(text.replace("1e-3", "1.0e-3"))


def test_defaults_are_plain_independent_copies() -> None:
    """A manifest default was ``copy.deepcopy``-ed with its YAML node graph for every
    worker: 18 s for one 150,000-item default. Now a plain copy, still one per worker."""
    default = load_yaml_text("d: [1, [2, 3]]\n", "m.yaml").data["d"]
    schema = {"properties": {"p": {"default": default}}}
    first, second = apply_defaults({}, schema), apply_defaults({}, schema)
    assert type(first["p"]) is list and first["p"] == [1, [2, 3]]
    assert first["p"][1] is not second["p"][1] and first["p"][1] is not default[1]


def _plugin_root(tmp_path: Path, schema: str, warmup: str = "0") -> dict[str, str]:
    """A copy of FixedRiskSizer named ``FuzzSizer`` with ``schema``, and ema_trend using it."""
    manifest = (
        "manifest_version: 1\nidentification: {name: FuzzSizer, version: 1.0.0, "
        "type: size_planner, subtype: fixed_risk}\nentrypoint: worker:FixedRiskSizer\n"
        f"warmup: {{bars: {warmup!r}}}\ncapabilities: {{ledger: read}}\n"
        f"dependencies: {{provides_dtos: [SizePlan]}}\nconfig_schema:\n{schema}"
    )
    return {
        "root/fuzz_sizer/plugin_manifest.yaml": manifest,
        "root/fuzz_sizer/worker.py": (SIZER / "worker.py").read_text(encoding="utf-8"),
        "bp.yaml": EMA_TREND.replace("plugin: FixedRiskSizer", "plugin: FuzzSizer"),
    }


@pytest.mark.parametrize(
    "ref", ["file:///etc/passwd", "http://127.0.0.1:9/s.json", "other.json", "#/$defs/nope"]
)
def test_config_schema_refs_are_never_fetched(
    check: Check, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ref: str
) -> None:
    """jsonschema's default registry fetched unknown ``$ref``s with urllib (a request to
    any host, or a local file) and then raised: now STC002 at the reference."""

    def no_fetch(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"fetched {args}")

    monkeypatch.setattr(urllib.request, "urlopen", no_fetch)
    schema = f"  type: object\n  properties:\n    units: {{$ref: '{ref}'}}\n"
    _, items = check(_plugin_root(tmp_path, schema), "bp.yaml", "--plugins-dir", "root")
    [found] = [i for i in items if i["file"] == "root/fuzz_sizer/plugin_manifest.yaml"]
    assert found["code"] == "STC002" and f"`$ref: {ref}`" in found["message"]
    assert (found["line"], found["column"]) == (10, 19)


def test_config_schema_ref_cycle_is_a_diagnostic(check: Check, tmp_path: Path) -> None:
    """``$ref``s that lead back to themselves made jsonschema recurse until RecursionError."""
    schema = "  $defs: {a: {$ref: '#/$defs/a'}}\n  $ref: '#/$defs/a'\n"
    _, items = check(_plugin_root(tmp_path, schema), "bp.yaml", "--plugins-dir", "root")
    [found] = [i for i in items if i["file"] == "root/fuzz_sizer/plugin_manifest.yaml"]
    assert found["code"] == "STC002" and "refer back to themselves" in found["message"]
    assert found["line"] == 8  # the `config_schema` mapping


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("params.periods + 1", "arithmetic needs numbers, not a list"),
        ("params.periods * 1000000000", "arithmetic needs numbers, not a list"),
        ("params.period // 0", "divides by zero"),
        ("max(params.periods) - params.mode", "arithmetic needs numbers, not a str"),
        ("params.period * 2 + params.flag", "arithmetic needs numbers, not a bool"),
    ],
)
def test_warmup_arithmetic_needs_numbers(expression: str, reason: str) -> None:
    """A TypeError/ZeroDivisionError escaped as a traceback; ``*`` could repeat a list."""
    params = {"periods": [20, 50], "period": 14, "mode": "bullish", "flag": True}
    with pytest.raises(WarmupError, match=re.escape(reason)):
        evaluate_warmup(expression, params)


def test_warmup_division_by_zero_in_a_plugin_is_a_diagnostic(check: Check, tmp_path: Path) -> None:
    """Found by the fuzzer: ``bars: params.x // 0`` crashed ``stc check``."""
    schema = "  type: object\n  properties: {units: {type: integer, default: 0}}\n"
    files = _plugin_root(tmp_path, schema, warmup="params.units // params.units")
    _, items = check(files, "bp.yaml", "--plugins-dir", "root")
    [found] = [i for i in items if i["file"] == "root/fuzz_sizer/plugin_manifest.yaml"]
    assert found["code"] == "STC002" and "divides by zero" in found["message"]
    assert found["line"] == 4


def test_platform_weights_are_reported_in_the_platform_file(check: Check) -> None:
    """Weights inherited from platform.yaml were reported in the blueprint, no position."""
    blueprint = EMA_TREND.split("aggregation:")[0]
    files = {
        "bp.yaml": blueprint,
        "platform.yaml": "platform_version: 1\naggregation:\n  weights: {bogus: 0.5}\n",
    }
    _, items = check(files, "bp.yaml", "--platform", "platform.yaml")
    assert [(i["code"], i["file"], i["line"], i["column"]) for i in items] == [
        ("STC061", "platform.yaml", 3, 3), ("STC060", "platform.yaml", 3, 13),
    ]  # fmt: skip
