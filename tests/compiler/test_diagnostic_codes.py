"""One broken fixture per diagnostic code (ruff-style: a fixture and a snapshot per code).

Every row of ``CASES`` names a fixture under ``tests/fixtures/`` (plus the plugin roots
it needs), the code it must produce, and the exact 1-based line and column the
diagnostic must point at. For every row the tests check, separately:

- the code is reported at exactly that position (``test_position``);
- the diagnostic carries a ``help:`` line (``test_help``);
- the rendered text shows the offending source line (``test_source_line``);
- no unrelated codes are reported (``test_no_unrelated_codes``; ``also`` lists the
  codes that legitimately come with the fixture's problem);
- the rendered human text matches its snapshot (``test_snapshot``, files under
  ``__snapshots__/test_diagnostic_codes/``; update with ``--snapshot-update``).

A compiler bug is recorded as a strict xfail of the one aspect it breaks (``bugs``),
so the snapshot still records today's text and fixing the bug makes the xfail pass
loudly. Adding a code to ``stc.compiler.codes.CODES`` without a row here fails
``test_every_code_has_a_fixture``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from stc.compiler import compile_blueprint
from stc.compiler.api import CompileResult
from stc.compiler.codes import CODES
from stc.compiler.diagnostics import Diagnostic

REPO = Path(__file__).resolve().parents[2]
FIXTURES = "tests/fixtures"
ROOTS = f"{FIXTURES}/plugin_roots"

POSITION, HELP, SOURCE, ONLY = "position", "help", "source", "only"
ASPECTS = (POSITION, HELP, SOURCE, ONLY)


@dataclass(frozen=True)
class Case:
    """A fixture, the plugin roots it needs, and where its code must be reported."""

    fixture: str
    plugin_dirs: tuple[str, ...]
    code: str
    line: int
    column: int
    file: str | None = None
    """The file the diagnostic points into, when not the fixture (a plugin manifest,
    the blueprint an operation links)."""
    also: tuple[str, ...] = ()
    """Other codes that legitimately accompany this fixture's problem."""
    bugs: Mapping[str, str] = field(default_factory=dict, hash=False, compare=False)
    """Known compiler bugs: aspect → precise reason (a strict xfail of that aspect)."""
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


def roots(code: str) -> tuple[str, ...]:
    """The test plugin root of ``code`` (``tests/fixtures/plugin_roots/stcNNN``)."""
    return (f"{ROOTS}/{code.lower()}",)


def manifest(code: str, plugin_folder: str) -> str:
    """The display path of a test plugin's manifest."""
    return f"{ROOTS}/{code.lower()}/{plugin_folder}/plugin_manifest.yaml"


NONE: tuple[str, ...] = ()

CASES: tuple[Case, ...] = (
    Case(
        "stc001_unclosed_bracket.yaml", NONE, "STC001", 5, 13,
    ),
    Case("stc001_bad_indentation.yaml", NONE, "STC001", 4, 9),
    Case("stc002_misspelt_key.yaml", NONE, "STC002", 10, 7),
    Case("stc002_misspelt_top_key.yaml", NONE, "STC002", 6, 1),
    Case("stc002_duplicate_key.yaml", NONE, "STC002", 6, 1),
    Case("stc003_unknown_plugin.yaml", NONE, "STC003", 9, 15),
    Case(
        "stc004_duplicate_id.yaml", NONE, "STC004", 9, 12,
    ),
    Case("stc005_wrong_slot.yaml", NONE, "STC005", 9, 15),
    Case(
        "stc006_param_out_of_range.yaml", NONE, "STC006", 9, 66,
    ),
    Case("stc006_unknown_param.yaml", NONE, "STC006", 9, 16),
    Case(
        "stc007_duplicate_plugin_name.yaml", roots("STC007"), "STC007", 4, 9,
        file=manifest("STC007", "ema_detector_copy"),
    ),
    Case("stc008_param_rule.yaml", NONE, "STC008", 10, 49),
    Case("stc009_python_tag.yaml", NONE, "STC009", 4, 9),
    Case("stc009_alias_bomb.yaml", NONE, "STC009", 11, 4),
    Case(
        "stc009_max_workers.yaml", NONE, "STC009", 6, 1,
        platform=f"{FIXTURES}/platforms/max_workers_8.yaml",
    ),
    Case("stc010_missing_provider.yaml", NONE, "STC010", 10, 15),
    Case("stc011_provider_later.yaml", roots("STC011"), "STC011", 8, 15),
    Case("stc012_two_providers.yaml", NONE, "STC012", 9, 36),
    Case(
        "stc013_payload_type.yaml", roots("STC013"), "STC013", 13, 5,
        file=f"{ROOTS}/stc013/ledger_watcher/worker.py",  # the handler's `def`
    ),
    Case("stc020_wiring_cycle.yaml", roots("STC020"), "STC020", 20, 5),
    Case(
        "stc021_routing_before_join.yaml", NONE, "STC021", 19, 5,
        also=("STC013",),  # ENTRY_PLAN_CREATED carries an EntryPlan, not a RoutingRequest
    ),
    Case("stc022_missing_routing.yaml", NONE, "STC022", 13, 3),
    Case(
        "stc023_no_planning.yaml", NONE, "STC023", 6, 1,
        also=("STC031",),  # OPPORTUNITY_DETECTED then has no subscriber
    ),
    Case(
        "stc030_unpublished_event.yaml", roots("STC030"), "STC030", 22, 13,
    ),
    Case("stc030_platform_event_unpublished.yaml", roots("STC030"), "STC030", 22, 13),
    Case("stc031_unsubscribed_event.yaml", roots("STC031"), "STC031", 8, 15),
    Case("stc032_missing_method.yaml", roots("STC032"), "STC032", 12, 15),
    Case("stc032_wiring_worker_typo.yaml", NONE, "STC032", 20, 36),
    Case("stc040_trigger_gap.yaml", NONE, "STC040", 14, 5),
    Case("stc041_trigger_overlap.yaml", NONE, "STC041", 18, 9),
    Case(
        "stc050_unknown_event.yaml", NONE, "STC050", 13, 16,
    ),
    Case("stc051_no_schedule.yaml", NONE, "STC051", 9, 14),
    Case(
        "stc051_missing_schedule.operation.yaml", NONE, "STC051", 9, 14,
        file=f"{FIXTURES}/stc051_missing_schedule.blueprint.yaml",
    ),
    Case("stc060_unknown_factor.yaml", NONE, "STC060", 21, 13),
    Case("stc061_weights_sum.yaml", NONE, "STC061", 21, 3),
    Case("stc070_worker_timeframe.yaml", NONE, "STC070", 9, 18),
    Case(
        "stc070_data_timeframe.operation.yaml", NONE, "STC070", 5, 14,
        file=f"{FIXTURES}/stc070_data_timeframe.blueprint.yaml",
    ),
    Case("stc071_data_symbol.operation.yaml", NONE, "STC071", 5, 54),
    Case("stc072_data_interval.operation.yaml", NONE, "STC072", 5, 67),
    Case(
        "stc073_month_timeframe.operation.yaml", NONE, "STC073", 5, 18,
        file=f"{FIXTURES}/stc073_month_timeframe.blueprint.yaml",
    ),
    Case(
        "stc074_warmup_longer_than_data.operation.yaml", NONE, "STC074", 8, 16,
        file=f"{FIXTURES}/stc074_warmup_longer_than_data.blueprint.yaml",
    ),
    Case("stc075_volume_absent.operation.yaml", NONE, "STC075", 5, 88),
    Case(
        "stc080_missing_module.yaml", roots("STC080"), "STC080", 9, 13,
        file=manifest("STC080", "missing_module"),
    ),
    Case(
        "stc080_wrong_base.yaml", roots("STC080"), "STC080", 9, 13,
        file=manifest("STC080", "wrong_base"),
    ),
    Case(
        "stc080_import_error.yaml", roots("STC080"), "STC080", 5, 1,
        file=f"{ROOTS}/stc080/import_error/worker.py",  # the failing import line
    ),
    Case(
        "stc080_sys_exit.yaml", roots("STC080"), "STC080", 12, 1,
        file=f"{ROOTS}/stc080/sys_exit/worker.py",  # the `sys.exit` at import
    ),
    Case(
        "stc081_manifest_vs_code.yaml", roots("STC081"), "STC081", 12, 18,
        file=manifest("STC081", "mislabelled_detector"),
    ),
)  # fmt: skip


def cases_for(aspect: str | None = None) -> list[Any]:
    """``CASES`` as pytest params, with a strict xfail where ``aspect`` has a known bug."""
    params = []
    for case in CASES:
        reason = case.bugs.get(aspect) if aspect else None
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        params.append(pytest.param(case, id=case.id, marks=marks))
    return params


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


@pytest.mark.parametrize("case", cases_for(POSITION))
def test_position(case: Case, compiled: Any) -> None:
    """The code is reported at exactly the expected 1-based line and column."""
    diagnostic = expected(case, compiled(case))
    assert diagnostic.severity == CODES[case.code][0]


@pytest.mark.parametrize("case", cases_for(HELP))
def test_help(case: Case, compiled: Any) -> None:
    """Every diagnostic says how to fix the problem."""
    diagnostic = reported(case, compiled(case))
    assert diagnostic.help and diagnostic.help.strip(), f"{case.code} has no help"


@pytest.mark.parametrize("case", cases_for(SOURCE))
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


@pytest.mark.parametrize("case", cases_for(ONLY))
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


def test_every_code_has_a_fixture() -> None:
    """Adding a code to ``stc.compiler.codes.CODES`` without a fixture row fails here."""
    covered = {case.code for case in CASES}
    assert sorted(set(CODES) - covered) == []
    assert sorted(covered - set(CODES)) == []


def test_bug_notes_name_known_aspects() -> None:
    """A typo in a ``bugs`` key would silently drop its xfail."""
    for case in CASES:
        assert set(case.bugs) <= set(ASPECTS), case.id


def _fixture_files() -> list[Path]:
    return sorted((REPO / FIXTURES).rglob("*.yaml"))


def test_every_fixture_is_in_the_table() -> None:
    """No orphan fixture: each top-level ``stcNNN_*`` input is compiled by some row
    (a ``.blueprint.yaml`` is reached through the operation beside it)."""
    listed = {case.fixture for case in CASES}
    on_disk = {
        p.name
        for p in (REPO / FIXTURES).glob("stc*.yaml")
        if not p.name.endswith(".blueprint.yaml")
    }
    assert sorted(on_disk - listed) == []
    assert sorted(listed - on_disk) == []


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
