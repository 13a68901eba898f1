"""Import confinement (SPEC §8): no input can make the compiler import a module that
is not a plugin's own entrypoint inside its plugin folder.

One scratch folder holds ``evil.py`` and ``evil_pkg/`` twice — in the working
directory and in a folder on ``PYTHONPATH`` — and each writes a marker file when
imported. ``stc check`` and ``stc compile`` run in subprocesses from that folder
(as ``python -m stc.commands.cli``, so the working directory is on ``sys.path`` too) over
blueprints, an operation and a platform file whose plugin references are module
names, dotted paths, relative and absolute paths, and over manifests whose
entrypoints point outside their folder (``../../evil.py``, ``evil:Worker``, an
absolute path, a ``worker.py`` symlinked to ``evil.py``). Every input must get a
diagnostic and the marker must never appear. (``tests/compiler/test_registry.py``
checks the symlink rule on ``load_plugin_class`` directly.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO

EVIL = (
    "import pathlib\npathlib.Path({marker!r}).write_text('imported {name}')\nclass Worker: pass\n"
)
BLUEPRINT = (REPO / "blueprints" / "ema_trend.yaml").read_text(encoding="utf-8")
PLUGIN_LINE = BLUEPRINT.splitlines().index("    - plugin: EMADetector             # scores "
                                          "`trend_strength` for the assessment") + 1  # fmt: skip
HOSTILE_PLUGIN_REFS = {
    "module": "evil",
    "dotted": "evil.Worker",
    "relative": "../evil",
    "stdlib": "os.path",
    "plugin_module": "stc.plugins.context_worker.ema_detector.worker",
    "absolute": "{evil_file}",
    "slash": "evil/Worker",
    "backslash": "evil\\\\Worker",
    "package": "evil_pkg",
}
"""Blueprint ``plugin:`` values (YAML double-quoted, so ``\\\\`` is one backslash)."""
HOSTILE_ENTRYPOINTS = {
    "up_and_out": "../../evil.py",
    "sys_path_module": "evil:Worker",
    "absolute": "{evil_file}:Worker",
    "package": "evil_pkg:Worker",
    "stdlib": "os.path:join",
    "symlink": "worker:Worker",
}
"""Manifest ``entrypoint:`` values; ``symlink`` has a worker.py linking to evil.py."""


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The working directory with the bait modules, the inputs and a plugin root."""
    root = tmp_path_factory.mktemp("confinement")
    marker = root / "MARKER"
    for folder in (root, root / "on_pythonpath"):
        (folder / "evil_pkg").mkdir(parents=True)
        (folder / "evil.py").write_text(EVIL.format(marker=str(marker), name="evil"))
        (folder / "evil_pkg" / "__init__.py").write_text(
            EVIL.format(marker=str(marker), name="evil_pkg")
        )
    for name, ref in HOSTILE_PLUGIN_REFS.items():
        text = BLUEPRINT.replace("plugin: EMADetector", f'plugin: "{ref}"')
        (root / f"bp_{name}.yaml").write_text(text.replace("{evil_file}", str(root / "evil.py")))
    _write_plugins(root)
    _write_operation(root)
    return root


def _write_plugins(root: Path) -> None:
    """One size planner per hostile entrypoint, and a blueprint using each."""
    for name, entrypoint in HOSTILE_ENTRYPOINTS.items():
        folder = root / "plugin_root" / f"evil_{name}"
        folder.mkdir(parents=True)
        plugin = "Evil" + name.title().replace("_", "")
        (folder / "plugin_manifest.yaml").write_text(
            "manifest_version: 1\n"
            f"identification: {{name: {plugin}, version: 1.0.0, type: size_planner, "
            "subtype: fixed_risk}\n"
            f'entrypoint: "{entrypoint.format(evil_file=root / "evil.py")}"\n'
        )
        if name == "symlink":
            (folder / "worker.py").symlink_to(root / "evil.py")
        text = BLUEPRINT.replace("plugin: FixedRiskSizer", f"plugin: {plugin}")
        (root / f"uses_{name}.yaml").write_text(text)


def _write_operation(root: Path) -> None:
    """An operation whose platform adds the bait folders as plugin roots."""
    (root / "data.csv").write_text("timestamp,open,high,low,close,volume\n")
    (root / "platform.yaml").write_text(
        f"platform_version: 1\nplugin_roots: [., on_pythonpath, {root}, ..]\n"
    )
    (root / "op.yaml").write_text(
        "operation_version: 1\nplatform: platform.yaml\n"
        "data_sources: {d: {path: data.csv, symbol: EURUSD, timeframe: 1h}}\n"
        "strategy_links: [{blueprint: bp_module.yaml, data_source: d}]\n"
    )


def stc(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``stc ARGS`` from ``root``, with the bait folder on PYTHONPATH."""
    env = {**os.environ, "PYTHONPATH": str(root / "on_pythonpath"), "STC_NO_CACHE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "stc.commands.cli", *args],
        cwd=root, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def _inputs(root: Path) -> list[str]:
    names = [f"bp_{n}.yaml" for n in HOSTILE_PLUGIN_REFS]
    return [*names, *(f"uses_{n}.yaml" for n in HOSTILE_ENTRYPOINTS), "op.yaml"]


@pytest.fixture(scope="module")
def checked(scratch: Path) -> list[dict[str, Any]]:
    """``stc check --format json`` over every input at once."""
    done = stc(scratch, "check", *_inputs(scratch), "--plugins-dir", "plugin_root",
               "--format", "json")  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert not (scratch / "MARKER").exists(), (scratch / "MARKER").read_text()
    items: list[dict[str, Any]] = json.loads(done.stdout)
    return items


@pytest.mark.parametrize("name", sorted(HOSTILE_PLUGIN_REFS))
def test_plugin_reference_is_a_name_not_a_module(name: str, checked: list[dict[str, Any]]) -> None:
    """A path or module name as ``plugin:`` is refused by the schema (a bare name)
    or is an unknown plugin: never an import."""
    here = [i for i in checked if i["file"] == f"bp_{name}.yaml" and i["line"] == PLUGIN_LINE]
    codes = {i["code"] for i in here}
    assert codes & {"STC002", "STC003"}, [i for i in checked if i["file"] == f"bp_{name}.yaml"]


@pytest.mark.parametrize("name", sorted(HOSTILE_ENTRYPOINTS))
def test_entrypoint_stays_in_its_folder(name: str, checked: list[dict[str, Any]]) -> None:
    """Every escaping entrypoint is a diagnostic at the manifest's ``entrypoint``."""
    manifest = f"plugin_root/evil_{name}/plugin_manifest.yaml"
    found = [i for i in checked if i["file"] == manifest]
    assert [(i["code"], i["line"]) for i in found] in ([("STC002", 3)], [("STC080", 3)]), found


def test_operation_and_platform_roots_import_nothing(checked: list[dict[str, Any]]) -> None:
    """Plugin roots that contain the bait modules (but no manifests) add no plugins."""
    linked = [i for i in checked if i["file"] == "bp_module.yaml"]
    assert {i["code"] for i in linked} == {"STC003"}, linked


def test_compile_imports_nothing_and_writes_nothing(scratch: Path) -> None:
    """``stc compile`` runs the same passes: it fails and never touches the bait."""
    done = stc(scratch, "compile", *_inputs(scratch), "--plugins-dir", "plugin_root",
               "-o", "out")  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert not (scratch / "MARKER").exists()
    assert not (scratch / "out").exists()


def test_the_bait_would_have_been_seen(scratch: Path) -> None:
    """The guard above can fail: importing either bait by name writes the marker (run
    last, after the compiler's runs, and cleaned up)."""
    for module in ("evil", "evil_pkg"):
        done = subprocess.run(
            [sys.executable, "-c", f"import {module}"], cwd=scratch / "plugin_root",
            env={**os.environ, "PYTHONPATH": str(scratch / "on_pythonpath")}, check=True,
        )  # fmt: skip
        assert done.returncode == 0 and (scratch / "MARKER").read_text() == f"imported {module}"
        (scratch / "MARKER").unlink()
