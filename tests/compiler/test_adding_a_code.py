"""Adding a diagnostic code touches at most three hand-written files.

In a temporary copy of the package, a throw-away rule STC079 is added to one existing
check module (the rule, its check function, the function appended to ``CHECKS``) and
one broken fixture is written. Then the two generated files are regenerated with the
commands a contributor runs: ``pytest --snapshot-update`` for the fixture's snapshot
and ``python -m stc.compiler.docs_gen`` for ``docs/diagnostics.md``. With no other
edit, the new code must be in ``CODES``, in SARIF's rules, in the docs and in the
LSP's code link, and be reported on the fixture at the position its first line
declares. Finally the copy is compared file by file with the original: exactly the
two hand-written and the two generated files differ.
"""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

RULE = '''

STC079 = Rule(
    "STC079",
    Severity.WARNING,
    "throw-away rule of the adding-a-code test",
    """A blueprint whose name contains ``throwaway``.

    Why it is bad: it proves that a rule needs nothing but its module. Fix: rename.""",
    bad="name: throwaway_strategy",
    fixed="name: strategy",
)


def check_throwaway_name(unit: CompileUnit) -> list[Diagnostic]:
    """Report STC079 (the rule above says why)."""
    if "throwaway" not in unit.blueprint.name:
        return []
    return [unit.diag(STC079, "the name says throwaway", ("name",), "rename the strategy")]


CHECKS = (*CHECKS, check_throwaway_name)
'''

FIXTURE = """\
# STC079 at 3:7: the blueprint's name contains `throwaway`.
blueprint_version: 1
name: throwaway_strategy
symbol: EURUSD
timeframes: [1h]
workforce:
  context_workers:
    - plugin: EMADetector
  opportunity_workers:
    - plugin: EMACrossDetector
  strategy_planner:
    plugin: AdaptiveMomentumPlanner
  planning_workers:
    entry: [{plugin: AggressiveMarketEntryPlanner}]
    size: [{plugin: FixedRiskSizer}]
    exit: [{plugin: FixedRRExitPlanner}]
    routing: [{plugin: MarketOrderRouter}]
"""

COPIED = (
    "stc",
    "pyproject.toml",
    "docs/diagnostics.md",
    "tests/conftest.py",
    "tests/fixtures",
    "tests/sweep/fixtures",
    "tests/compiler/test_diagnostic_codes.py",
    "tests/compiler/__snapshots__/test_diagnostic_codes",
)
"""What a contributor's checkout needs for the two regenerations (the package, the
pytest configuration, the generated page, the fixture test, its fixtures and
snapshots)."""

HAND_EDITED = {"stc/compiler/checks/timeframes.py", "tests/fixtures/stc079_throwaway.yaml"}
GENERATED = {
    "docs/diagnostics.md",
    "tests/compiler/__snapshots__/test_diagnostic_codes/test_snapshot[stc079_throwaway].txt",
}

PROBE = """
import json, sys
import stc
from stc.compiler import compile_blueprint
from stc.compiler.codes import CODES
from stc.compiler.lsp.convert import to_lsp
from stc.compiler.render import render_sarif

result = compile_blueprint("tests/fixtures/stc079_throwaway.yaml")
sarif = json.loads(render_sarif(result.diagnostics, "0"))
found = [d for d in result.diagnostics if d.code == "STC079"]
link = to_lsp(found[0], [], lambda _: [], lambda _: "/x.yaml").code_description
print(json.dumps({
    "package": stc.__file__,
    "codes": CODES.get("STC079"),
    "sarif_rules": sarif["runs"][0]["tool"]["driver"]["rules"],
    "reported": [(d.code, d.severity, d.file, d.line, d.column) for d in result.diagnostics],
    "lsp_href": link.href if link else None,
}))
"""


def _copy(tmp: Path) -> None:
    for relative in COPIED:
        source, target = REPO / relative, tmp / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.so", "*.pyd", "*.c", "build")
            shutil.copytree(source, target, ignore=ignore)
        else:
            shutil.copy2(source, target)


def _run(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """A Python subprocess in the copy: its ``stc`` shadows the installed one."""
    env = {**os.environ, "PYTHONPATH": str(tmp), "STC_PURE_PYTHON": "1"}
    return subprocess.run(
        [sys.executable, *args], cwd=tmp, env=env, capture_output=True, text=True, timeout=300
    )


def _changed(tmp: Path) -> set[str]:
    """Files that differ between the copy and the repository (or exist only in the copy)."""
    changed: set[str] = set()
    for relative in COPIED:
        root = tmp / relative
        files = [root] if root.is_file() else [p for p in root.rglob("*") if p.is_file()]
        for path in files:
            if "__pycache__" in path.parts:
                continue
            name = path.relative_to(tmp).as_posix()
            original = REPO / name
            if not original.is_file() or not filecmp.cmp(path, original, shallow=False):
                changed.add(name)
    return changed


@pytest.mark.slow
def test_a_new_code_needs_one_module_one_fixture_and_two_regenerations(tmp_path: Path) -> None:
    _copy(tmp_path)
    module = tmp_path / "stc/compiler/checks/timeframes.py"
    module.write_text(module.read_text(encoding="utf-8") + RULE, encoding="utf-8")
    (tmp_path / "tests/fixtures/stc079_throwaway.yaml").write_text(FIXTURE, encoding="utf-8")

    snapshots = _run(
        tmp_path, "-m", "pytest", "tests/compiler/test_diagnostic_codes.py", "-k",
        "stc079", "--snapshot-update", "-q", "-p", "no:cacheprovider",
    )  # fmt: skip
    assert snapshots.returncode == 0, snapshots.stdout + snapshots.stderr
    docs = _run(tmp_path, "-m", "stc.compiler.docs_gen")
    assert docs.returncode == 0, docs.stderr

    probe = _run(tmp_path, "-c", PROBE)
    assert probe.returncode == 0, probe.stderr
    seen = json.loads(probe.stdout)
    assert Path(seen["package"]).is_relative_to(tmp_path)  # the copy was tested, not the repo
    assert seen["codes"] == ["warning", "throw-away rule of the adding-a-code test"]
    (rule,) = [r for r in seen["sarif_rules"] if r["id"] == "STC079"]
    assert "name: throwaway_strategy" in rule["help"]["markdown"]
    assert rule["helpUri"].endswith("#stc079") and seen["lsp_href"] == rule["helpUri"]
    assert seen["reported"] == [["STC079", "warning", "tests/fixtures/stc079_throwaway.yaml", 3, 7]]
    page = (tmp_path / "docs/diagnostics.md").read_text(encoding="utf-8")
    assert "## STC079" in page and "the name says throwaway" in page

    again = _run(
        tmp_path, "-m", "pytest", "tests/compiler/test_diagnostic_codes.py", "-k",
        "stc079 or every_rule", "-q", "-p", "no:cacheprovider",
    )  # fmt: skip
    assert again.returncode == 0, again.stdout + again.stderr
    assert _changed(tmp_path) == HAND_EDITED | GENERATED
