"""One broken fixture per diagnostic code (ruff-style: a fixture and a snapshot per code).

Every ``tests/fixtures/stcNNN_*.yaml`` (not the ``.blueprint.yaml`` an operation
links) is a case. Its first line says which code it must produce and where, so the
expectation sits in the file it describes::

    # STC021 at 19:5 (also STC013): the router is wired to ENTRY_PLAN_CREATED, ...
    # STC007 at plugin_roots/stc007/ema_detector_copy/plugin_manifest.yaml:4:9: ...

``at [FILE:]LINE:COLUMN`` is the 1-based position (FILE relative to ``tests/fixtures``
when the diagnostic points into another file: a manifest, the plugin's code, the
blueprint an operation links). The optional parenthesis holds ``;``-separated
options: ``also STCnnn, ...`` (codes that legitimately accompany the problem),
``platform FILE`` (compile with ``--platform``), ``no plugin roots`` (do not add
``plugin_roots/stcnnn``, which is otherwise added when it exists). For every case the
tests check, separately:

- the code is reported at exactly that position, with its rule's severity
  (``test_position``);
- the diagnostic carries a ``help:`` line (``test_help``);
- the rendered text shows the offending source line (``test_source_line``);
- no unrelated codes are reported (``test_no_unrelated_codes``);
- the rendered human text matches its snapshot (``test_snapshot``, files under
  ``__snapshots__/test_diagnostic_codes/``; update with ``--snapshot-update``).

A rule without a fixture in its ``fixture_dir`` fails ``test_every_rule_has_a_fixture``.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from stc.compiler import compile_blueprint
from stc.compiler.api import CompileResult
from stc.compiler.codes import CODES
from stc.compiler.diagnostics import Diagnostic
from stc.compiler.rules import all_rules

REPO = Path(__file__).resolve().parents[2]
FIXTURES = "tests/fixtures"
ROOTS = f"{FIXTURES}/plugin_roots"

HEADER = re.compile(
    r"^# (?P<code>STC[0-9]{3}) at (?:(?P<file>[^\s:]+):)?(?P<line>[0-9]+):(?P<column>[0-9]+)"
    r"(?: \((?P<options>[^)]*)\))?: \S"
)
"""The first line of a case fixture: code, position and options (see the module doc)."""


@dataclass(frozen=True)
class Case:
    """A fixture, the plugin roots it needs, and where its code must be reported."""

    fixture: str
    plugin_dirs: tuple[str, ...]
    code: str
    line: int
    column: int
    file: str | None = None
    """The file the diagnostic points into, when not the fixture."""
    also: tuple[str, ...] = ()
    """Other codes that legitimately accompany this fixture's problem."""
    platform: str | None = None
    """A platform.yaml to compile with (``--platform``), relative to the repository."""

    @property
    def path(self) -> str:
        """The fixture path relative to the repository root."""
        return f"{FIXTURES}/{self.fixture}"

    @property
    def target(self) -> str:
        """The file the expected diagnostic must name."""
        return self.file or self.path

    @property
    def id(self) -> str:
        """Test id: the fixture name without extensions."""
        return self.fixture.split(".", 1)[0]


def parse_case(name: str, first_line: str) -> Case:
    """The case a fixture's first line declares (a ValueError says what is wrong)."""
    match = HEADER.match(first_line)
    if match is None:
        raise ValueError(f"{name}: the first line must read `# STCnnn at LINE:COLUMN: why`")
    code = match["code"]
    roots = (f"{ROOTS}/{code.lower()}",) if (REPO / ROOTS / code.lower()).is_dir() else ()
    also: tuple[str, ...] = ()
    platform = None
    for option in filter(None, (o.strip() for o in (match["options"] or "").split(";"))):
        word, _, rest = option.partition(" ")
        if option == "no plugin roots":
            roots = ()
        elif word == "also":
            also = tuple(c.strip() for c in rest.split(","))
        elif word == "platform":
            platform = f"{FIXTURES}/{rest}"
        else:
            raise ValueError(f"{name}: unknown option `{option}`")
    file = f"{FIXTURES}/{match['file']}" if match["file"] else None
    return Case(name, roots, code, int(match["line"]), int(match["column"]), file, also, platform)


def case_fixtures() -> list[Path]:
    """The top-level ``stcNNN_*`` inputs (a ``.blueprint.yaml`` is reached through the
    operation beside it)."""
    return sorted(
        p for p in (REPO / FIXTURES).glob("stc*.yaml") if not p.name.endswith(".blueprint.yaml")
    )


def _first_line(path: Path) -> str:
    return path.read_text(encoding="utf-8").split("\n", 1)[0]


CASES: tuple[Case, ...] = tuple(parse_case(p.name, _first_line(p)) for p in case_fixtures())


def cases_for() -> list[Any]:
    """``CASES`` as pytest params."""
    return [pytest.param(case, id=case.id) for case in CASES]


_RESULTS: dict[Case, CompileResult] = {}


@pytest.fixture
def compiled(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Compile a case from the repository root (relative paths in every message)."""
    monkeypatch.chdir(REPO)

    def run(case: Case) -> CompileResult:
        if case not in _RESULTS:
            _RESULTS[case] = compile_blueprint(
                case.path, plugin_dirs=list(case.plugin_dirs), platform=case.platform
            )
        return _RESULTS[case]

    return run


def reported(case: Case, result: CompileResult) -> Diagnostic:
    """The first diagnostic with the case's code in the case's file (any position)."""
    for diagnostic in result.diagnostics:
        if (diagnostic.code, diagnostic.file) == (case.code, case.target):
            return diagnostic
    found = "\n".join(f"  {d.code} {d.file}:{d.line}:{d.column}" for d in result.diagnostics)
    pytest.fail(f"expected {case.code} in {case.target}, found:\n{found or '  nothing'}")


def expected(case: Case, result: CompileResult) -> Diagnostic:
    """The diagnostic the case asks for, or a failure listing what was found instead."""
    for diagnostic in result.diagnostics:
        if (diagnostic.code, diagnostic.file) == (case.code, case.target) and (
            diagnostic.line,
            diagnostic.column,
        ) == (case.line, case.column):
            return diagnostic
    found = "\n".join(
        f"  {d.code} {d.file}:{d.line}:{d.column} {d.message}" for d in result.diagnostics
    )
    pytest.fail(
        f"expected {case.code} at {case.target}:{case.line}:{case.column}, found:\n"
        f"{found or '  nothing'}"
    )


@pytest.mark.parametrize("case", cases_for())
def test_position(case: Case, compiled: Any) -> None:
    """The code is reported at exactly the expected 1-based line and column."""
    diagnostic = expected(case, compiled(case))
    assert diagnostic.severity == all_rules()[case.code].severity


@pytest.mark.parametrize("case", cases_for())
def test_help(case: Case, compiled: Any) -> None:
    """Every diagnostic says how to fix the problem."""
    diagnostic = reported(case, compiled(case))
    assert diagnostic.help and diagnostic.help.strip(), f"{case.code} has no help"


@pytest.mark.parametrize("case", cases_for())
def test_source_line(case: Case, compiled: Any) -> None:
    """The rendered diagnostic quotes the offending source line with a caret under it."""
    result = compiled(case)
    diagnostic = reported(case, result)
    line, column = diagnostic.line or 0, diagnostic.column or 0
    block = _block(result.rendered_diagnostics(color=False), diagnostic)
    source = (REPO / case.target).read_text(encoding="utf-8").splitlines()[line - 1]
    rows = block.splitlines()
    quoted = next((r for r in rows if r.rstrip() == f"{line} | {source}".rstrip()), None)
    assert quoted is not None, f"line {line} is not quoted:\n{block}"
    caret = rows[rows.index(quoted) + 1]
    text_start = quoted.index(" | ") + 3
    assert caret.index("^") == text_start + column - 1, block


def _block(rendered: str, diagnostic: Diagnostic) -> str:
    """The rendered paragraph of one diagnostic (headline up to the blank line)."""
    headline = f"[{diagnostic.code}]: {diagnostic.message}\n"
    location = f"--> {diagnostic.file}:{diagnostic.line}:{diagnostic.column}\n"
    for paragraph in rendered.split("\n\n"):
        if headline in paragraph + "\n" and location in paragraph + "\n":
            return paragraph
    pytest.fail(f"no rendered block for {diagnostic.code} at {location.strip()}:\n{rendered}")


@pytest.mark.parametrize("case", cases_for())
def test_no_unrelated_codes(case: Case, compiled: Any) -> None:
    """A fixture with one problem reports that problem, not a cascade of others."""
    codes = {d.code for d in compiled(case).diagnostics}
    assert codes <= {case.code, *case.also}, sorted(codes)
    assert case.code in codes


@pytest.mark.parametrize("case", cases_for())
def test_snapshot(case: Case, compiled: Any, snapshot_diagnostics: Any) -> None:
    """The rendered human text (read every snapshot: it must explain problem and fix)."""
    assert compiled(case) == snapshot_diagnostics


# --------------------------------------------------------------------------- coverage


def test_every_rule_has_a_fixture() -> None:
    """A rule without a broken fixture (first line naming its code) fails here, and a
    fixture naming a code no rule declares fails too."""
    missing = []
    for code, rule in all_rules().items():
        folder = REPO / rule.fixture_dir
        named = [p for p in folder.glob(f"{code.lower()}_*.yaml") if code in _first_line(p)]
        if not named:
            missing.append(f"{code} in {rule.fixture_dir}")
    assert missing == []
    assert sorted({case.code for case in CASES} - set(CODES)) == []


def test_every_case_declares_a_position() -> None:
    """Each case fixture's first line parses (``parse_case`` raises otherwise) and
    names the code of its file name."""
    for case in CASES:
        assert case.fixture.startswith(case.code.lower() + "_"), case.fixture


def test_header_parser_rejects_what_it_cannot_read() -> None:
    """A header without a position or with an unknown option is an error, not a pass."""
    with pytest.raises(ValueError, match="first line"):
        parse_case("stc003_x.yaml", "# STC003: no position")
    with pytest.raises(ValueError, match="unknown option"):
        parse_case("stc003_x.yaml", "# STC003 at 9:15 (alsoo STC002): typo")
    case = parse_case("stc009_x.yaml", "# STC009 at 6:1 (platform p.yaml; also STC031): x")
    assert (case.line, case.column, case.also) == (6, 1, ("STC031",))
    assert case.platform == f"{FIXTURES}/p.yaml"


def _fixture_files() -> list[Path]:
    return sorted((REPO / FIXTURES).rglob("*.yaml"))


@pytest.mark.parametrize(
    "path", _fixture_files(), ids=lambda p: p.relative_to(REPO / FIXTURES).as_posix()
)
def test_fixture_starts_with_a_comment(path: Path) -> None:
    """Each fixture's first line is a comment saying what is wrong with it."""
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# ") and len(first) > 10, first
    if path.parent == REPO / FIXTURES and path.name.startswith("stc"):
        code = path.name[:6].upper()
        assert code in first, f"the first line of {path.name} should name {code}"


def test_clean_fixture_compiles() -> None:
    """The baseline the broken fixtures vary compiles without any diagnostic."""
    result = compile_blueprint(REPO / FIXTURES / "clean.yaml")
    assert result.diagnostics == []


# --------------------------------------------------------------------------- messages


def test_stc051_help_inside_an_operation(compiled: Any) -> None:
    """Compiling the operation already: the help must not tell the user to do that."""
    case = next(c for c in CASES if c.fixture == "stc051_missing_schedule.operation.yaml")
    diagnostic = expected(case, compiled(case))
    assert "instead of the blueprint" not in (diagnostic.help or "")


def test_stc070_message_has_no_python_repr(compiled: Any) -> None:
    """Messages quote the user's YAML, not Python objects."""
    case = next(c for c in CASES if c.fixture == "stc070_worker_timeframe.yaml")
    assert "['" not in expected(case, compiled(case)).message


def test_misspelt_required_key_is_reported_once(compiled: Any) -> None:
    """One typo, one diagnostic."""
    case = next(c for c in CASES if c.fixture == "stc002_misspelt_top_key.yaml")
    assert [d.message for d in compiled(case).diagnostics] == [
        "unknown key `workfroce` in strategy_blueprint"
    ]


def test_stc010_help_names_a_providing_plugin(compiled: Any) -> None:
    """The fix names the plugin to add."""
    case = next(c for c in CASES if c.code == "STC010")
    assert "MarketStructureDetector" in (expected(case, compiled(case)).help or "")


# --------------------------------------------------------------------------- CLI


def stc(*args: str) -> subprocess.CompletedProcess[str]:
    """Run ``stc`` in a subprocess from the repository root."""
    return subprocess.run(
        [sys.executable, "-m", "stc.commands.cli", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


JSON_KEYS = {"code", "severity", "message", "file", "line", "column", "help"}


def test_check_json_output() -> None:
    """``--format json``: one array, exactly the SPEC keys, 1-based positions, the file
    as given on the command line; sorted by file, line, column, code."""
    first = next(c for c in CASES if c.code == "STC003")
    second = next(c for c in CASES if c.code == "STC011")
    args = ["check", first.path, second.path, *[f"--plugins-dir={d}" for d in second.plugin_dirs]]
    done = stc(*args, "--format", "json")
    assert done.returncode == 1, done.stderr
    items = json.loads(done.stdout)
    assert isinstance(items, list) and items
    for item in items:
        assert set(item) - {"suggestions"} == JSON_KEYS  # suggestions: only with fixes
        assert item["severity"] in ("error", "warning", "note")
        assert isinstance(item["line"], int) and item["line"] >= 1
        assert isinstance(item["column"], int) and item["column"] >= 1
        assert item["help"] is None or isinstance(item["help"], str)
    got = {(i["code"], i["file"], i["line"], i["column"]) for i in items}
    for case in (first, second):
        assert (case.code, case.path, case.line, case.column) in got
    keys = [(i["file"], i["line"], i["column"], i["code"]) for i in items]
    assert keys == sorted(keys)


def test_check_sarif_output() -> None:
    """``--format sarif`` is a SARIF 2.1.0 log with one result per diagnostic."""
    case = next(c for c in CASES if c.code == "STC041")
    done = stc("check", case.path, "--format", "sarif")
    assert done.returncode == 1, done.stderr
    log = json.loads(done.stdout)
    assert log["version"] == "2.1.0"
    assert "sarif" in log["$schema"] and "2.1.0" in log["$schema"]
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "stc"
    rule_ids = [rule["id"] for rule in driver["rules"]]
    assert case.code in rule_ids
    (result,) = [r for r in run["results"] if r["ruleId"] == case.code]
    assert result["level"] == "error"
    assert result["message"]["text"]
    assert rule_ids[result["ruleIndex"]] == case.code
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == case.path
    assert location["region"]["startLine"] == case.line
    assert location["region"]["startColumn"] == case.column


@pytest.mark.parametrize(
    ("args", "exit_code"),
    [
        pytest.param([f"{FIXTURES}/clean.yaml"], 0, id="clean"),
        pytest.param([f"{FIXTURES}/stc010_missing_provider.yaml"], 1, id="errors"),
        pytest.param([f"{FIXTURES}/no_such_blueprint.yaml"], 2, id="missing-file"),
        pytest.param([f"{FIXTURES}/stc040_trigger_gap.yaml"], 0, id="warning"),
        pytest.param(["--strict", f"{FIXTURES}/stc040_trigger_gap.yaml"], 1, id="strict-warning"),
    ],
)
def test_check_exit_codes(args: list[str], exit_code: int) -> None:
    """0 without errors, 1 with errors (or warnings under ``--strict``), 2 for I/O errors."""
    done = stc("check", *args)
    assert done.returncode == exit_code, done.stdout + done.stderr
