"""stc lives under one import root (``stc``) and never collides with a user's packages.

A user's project naturally has its own ``plugins/`` (where their stc plugins go), and
often a ``compiler/`` or ``runtime/`` package. Before the ``stc`` import root, stc
installed top-level packages with those names: the user's shadowed ours (every built-in
plugin vanished) or ours broke every pytest run of the environment. These tests build
such a project and run ``python -m pytest`` and ``stc`` in it, and check the layering
contract and the pytest plugin's cost.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

USER_TEST = """
import compiler, plugins, runtime
from stc.compiler import compile_blueprint


def test_own_packages_win():
    assert (compiler.OWNER, plugins.OWNER, runtime.OWNER) == ("user", "user", "user")


def test_wiring(snapshot_wiring):
    assert compile_blueprint("ema_trend.yaml").wiring_map == snapshot_wiring
"""


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS")}
    return env


def _user_project(root: Path) -> Path:
    """A project with its own ``compiler``, ``runtime`` and ``plugins`` packages."""
    for name in ("compiler", "runtime", "plugins"):
        (root / name).mkdir(parents=True)
        (root / name / "__init__.py").write_text('OWNER = "user"\n', encoding="utf-8")
    shutil.copy(REPO / "blueprints" / "ema_trend.yaml", root / "ema_trend.yaml")
    (root / "test_user.py").write_text(USER_TEST, encoding="utf-8")
    return root


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=_env(), capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_a_project_with_its_own_compiler_runtime_plugins_packages(tmp_path: Path) -> None:
    project = _user_project(tmp_path / "project")
    pytest_cmd = [str(BIN / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    first = _run([*pytest_cmd, "--snapshot-update", "test_user.py"], project)
    assert first.returncode == 0, first.stdout + first.stderr
    snapshots = list((project / "__snapshots__").rglob("*.yaml"))
    assert len(snapshots) == 1 and "EMACrossDetector" in snapshots[0].read_text("utf-8")
    again = _run([*pytest_cmd, "test_user.py"], project)
    assert again.returncode == 0 and "2 passed" in again.stdout, again.stdout + again.stderr
    check = _run([str(BIN / "stc"), "check", "ema_trend.yaml"], project)
    assert check.returncode == 0 and check.stderr.startswith("ok"), check.stdout + check.stderr


def test_the_pytest_plugin_imports_nothing_of_stc_until_a_fixture_is_used() -> None:
    probe = (
        "import sys, stc.pytest_plugin; "
        "print(sorted(m for m in sys.modules if m.startswith('stc.') and m != 'stc.pytest_plugin'))"
    )
    out = _run([str(BIN / "python"), "-c", probe], REPO)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def _lint_imports(config: Path) -> subprocess.CompletedProcess[str]:
    return _run([str(BIN / "lint-imports"), "--no-cache", "--config", str(config)], REPO)


def test_the_layering_contract_holds_and_would_catch_a_breach(tmp_path: Path) -> None:
    kept = _lint_imports(REPO / "pyproject.toml")
    assert kept.returncode == 0, kept.stdout
    assert "0 broken" in kept.stdout
    # the same tool on a contract the code breaks (the commands do import the compiler):
    # a contract that cannot fail would pass here too
    breach = tmp_path / "breach.toml"
    breach.write_text(
        '[tool.importlinter]\nroot_package = "stc"\n\n'
        "[[tool.importlinter.contracts]]\n"
        'name = "commands must not import the compiler (false on purpose)"\n'
        'type = "forbidden"\nsource_modules = ["stc.commands"]\n'
        'forbidden_modules = ["stc.compiler"]\n',
        encoding="utf-8",
    )
    broken = _lint_imports(breach)
    assert broken.returncode != 0 and "BROKEN" in broken.stdout
