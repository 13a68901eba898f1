"""A wheel (not an editable install) works: built from the tree, installed into a
fresh venv, the ``stc`` it installs finds its schemas, plugins and blueprints."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow


def _run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(
        args, cwd=cwd, env={**clean, **env}, capture_output=True, text=True, timeout=600
    )


def test_installed_wheel_runs_check_schema_and_plugins(tmp_path: Path) -> None:
    built = _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(REPO)],
        tmp_path,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("s1mpletrader-*.whl")
    with zipfile.ZipFile(wheel) as archive:  # the report's vendored charting library ships
        vendored = {n for n in archive.namelist() if "/report/vendor/" in n}
    assert {n.rsplit("/", 1)[1] for n in vendored} >= {
        "lightweight-charts.standalone.production.js", "LICENSE", "NOTICE"
    }  # fmt: skip
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    installed = _run([str(python), "-m", "pip", "install", "-q", str(wheel)], tmp_path)
    assert installed.returncode == 0, installed.stderr
    stc = str(env_dir / "bin" / "stc")
    elsewhere = tmp_path / "work"
    elsewhere.mkdir()
    schema = _run([stc, "schema", "strategy_blueprint"], elsewhere)
    assert schema.returncode == 0 and '"StrategyBlueprint"' in schema.stdout
    listing = _run([stc, "plugins", "list"], elsewhere)
    assert listing.returncode == 0 and "29 plugins" in listing.stdout
    blueprint = elsewhere / "bp.yaml"
    blueprint.write_text((REPO / "blueprints" / "ict_smc.yaml").read_text(), encoding="utf-8")
    checked = _run([stc, "check", "bp.yaml"], elsewhere)
    assert checked.returncode == 0, checked.stderr
    where = _run(
        [
            str(python),
            "-c",
            "import stc.compiler, stc.runtime; print(stc.compiler.__file__, stc.runtime.__file__)",
        ],
        elsewhere,
    )
    assert str(REPO) not in where.stdout, "the test must exercise the wheel, not the checkout"
    count = (
        "from stc.compiler.resources import blueprints_dir as b, schemas_dir as s;"
        "print(len(list(b().glob('*.yaml'))), len(list(s().glob('*.json'))))"
    )
    bundled = _run([str(python), "-c", count], elsewhere)
    in_repo = [
        len(list((REPO / d).glob(g))) for d, g in (("blueprints", "*.yaml"), ("schemas", "*.json"))
    ]
    assert bundled.stdout.split() == [str(n) for n in in_repo]  # every one is bundled
    version = _run([stc, "--version"], elsewhere).stdout
    if shutil.which("cc") or shutil.which("gcc"):  # the build hook compiles the hot path
        assert "-py3-none-any" not in wheel.name, wheel.name
        assert version.endswith("(runtime: compiled)\n"), version
    tour = _readme_tour(env_dir / "bin", elsewhere)
    assert tour == [], tour


def _readme_tour(bin_dir: Path, cwd: Path) -> list[str]:
    """The README's installed-user tour, command by command, against the wheel: write
    the examples, check every file, run a backtest and explain its first trade."""
    stc = str(bin_dir / "stc")
    failures = []
    steps: list[list[str]] = [[stc, "examples", "ex"]]
    for args in steps:
        done = _run(args, cwd)
        if done.returncode != 0:
            failures.append(f"{args[1:]}: {done.stderr}")
    yamls = sorted(str(p.relative_to(cwd)) for p in (cwd / "ex").glob("*.yaml"))
    for args in (
        [stc, "check", *yamls],
        [stc, "compile", "ex/ict_smc.yaml", "-o", "out/ict_smc"],
        [stc, "graph", "ex/ict_smc.yaml", "-o", "out/ict_smc/wiring.mmd"],
        [stc, "run", "ex/ema_trend.yaml", "--out", "runs/ema_trend", "--quiet"],
        [str(bin_dir / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "ex/tests", "--snapshot-update"],
    ):  # fmt: skip
        done = _run(args, cwd)
        if done.returncode != 0:
            failures.append(f"{args[1:]}: {done.stdout[-500:]} {done.stderr[-500:]}")
    trades = (cwd / "runs/ema_trend/trades.csv").read_text("utf-8").splitlines()
    explained = _run([stc, "explain", trades[1].split(",")[0], "--out", "runs/ema_trend"], cwd)
    if explained.returncode != 0 or "by ema_cross_detector" not in explained.stdout:
        failures.append(f"explain: {explained.stdout[-500:]} {explained.stderr[-500:]}")
    return failures
