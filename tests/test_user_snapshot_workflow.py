"""Issue 6 acceptance: a user's own test suite in a directory outside the project, with
only the installed package, snapshot-tests a wiring map with ``snapshot_wiring``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

USER_TEST = """
from stc.compiler import compile_blueprint


def test_wiring(snapshot_wiring):
    assert compile_blueprint("bp.yaml").wiring_map == snapshot_wiring


def test_broken_blueprint_messages(snapshot_diagnostics):
    assert compile_blueprint("broken.yaml") == snapshot_diagnostics
"""


def _pytest(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_snapshot_workflow_in_a_fresh_directory(tmp_path: Path) -> None:
    blueprint = (REPO / "blueprints" / "ict_smc.yaml").read_text(encoding="utf-8")
    (tmp_path / "bp.yaml").write_text(blueprint, encoding="utf-8")
    (tmp_path / "broken.yaml").write_text(
        blueprint.replace("FVGEntryDetector", "FVGEntryDetektor"), encoding="utf-8"
    )
    (tmp_path / "test_wiring.py").write_text(USER_TEST, encoding="utf-8")

    first = _pytest(tmp_path, "--snapshot-update")
    assert first.returncode == 0, first.stdout + first.stderr
    snapshots = sorted(p.name for p in (tmp_path / "__snapshots__").rglob("*.*"))
    assert snapshots == ["test_broken_blueprint_messages.txt", "test_wiring.yaml"]
    stored = (tmp_path / "__snapshots__" / "test_wiring" / "test_wiring.yaml").read_text()
    assert "ict_smc" in stored and "sha256" not in stored  # readable, normalised
    assert (
        "did you mean `FVGEntryDetector`"
        in (
            tmp_path / "__snapshots__" / "test_wiring" / "test_broken_blueprint_messages.txt"
        ).read_text()
    )

    again = _pytest(tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr

    (tmp_path / "bp.yaml").write_text(blueprint + "\n# a comment changes nothing\n")
    assert _pytest(tmp_path).returncode == 0

    (tmp_path / "bp.yaml").write_text(blueprint.replace("period: 14,", "period: 21,"))
    changed = _pytest(tmp_path)
    assert changed.returncode == 1
    assert "regime.params.period: 14 → 21" in changed.stdout  # visible without -vv
    verbose = _pytest(tmp_path, "-vvv")  # -q is passed too; -vv of a user disables truncation
    assert "-    period: 14" in verbose.stdout and "+    period: 21" in verbose.stdout
