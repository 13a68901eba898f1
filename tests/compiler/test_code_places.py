"""Carets in plugin code (issue 20): a syntax error or failing import of ``worker.py``
is reported at its line, the manifest and the blueprint as notes."""

from __future__ import annotations

import shutil
from pathlib import Path

from stc.compiler.pipeline import Session, compile_path
from tests.conftest import REPO

ROOT = REPO / "tests" / "fixtures" / "plugin_roots" / "stc080"
BLUEPRINT = REPO / "tests" / "fixtures" / "stc080_import_error.yaml"


def test_a_syntax_error_in_worker_py_is_reported_at_its_line(tmp_path: Path) -> None:
    plugin = tmp_path / "plugins" / "import_error"
    shutil.copytree(ROOT / "import_error", plugin)
    lines = (plugin / "worker.py").read_text(encoding="utf-8").splitlines()
    lines[4] = "import os"  # the missing package is not the fault this time
    lines.append("    def broken(self:")  # line len(lines) + 1: an unclosed parenthesis
    (plugin / "worker.py").write_text("\n".join(lines) + "\n", encoding="utf-8")
    blueprint = tmp_path / "bp.yaml"
    blueprint.write_text(BLUEPRINT.read_text(encoding="utf-8"), encoding="utf-8")
    session = Session(plugin_dirs=[tmp_path / "plugins"], emit=False, entry_points=False)
    [diagnostic] = [d for o in compile_path(blueprint, "bp.yaml", session) for d in o.diagnostics]
    assert diagnostic.code == "STC080" and "SyntaxError" in diagnostic.message
    assert diagnostic.file is not None and diagnostic.file.endswith("import_error/worker.py")
    assert diagnostic.line == len(lines)
    assert [r.file for r in diagnostic.related] == [
        f"{tmp_path / 'plugins'}/import_error/plugin_manifest.yaml".replace("\\", "/"),
        "bp.yaml",
    ]
    assert diagnostic.file in session.sources  # the snippet can be shown
