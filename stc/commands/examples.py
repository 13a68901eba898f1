"""``stc examples DIR``: a working project for an installed user's first steps.

Why: an installed stc has its reference blueprints, schemas and sample data inside
``site-packages``, where a user cannot (and should not) work. This command writes a
self-contained folder — every reference blueprint, an operation whose data path
resolves *there*, a ``platform.yaml``, the JSON Schemas the blueprints' editor headers
point at, the sample data, a scaffolded plugin and a pytest file that snapshot-tests the
wiring — in which every file passes ``stc check`` and every blueprint runs. The
README's tour starts here.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from stc.commands.new import scaffold
from stc.commands.options import Commands
from stc.compiler.resources import blueprints_dir, schemas_dir
from stc.runtime.api import default_data_path

SAMPLE_PLUGIN = ("MyBreakoutDetector", "opportunity_worker")
"""The plugin scaffolded under ``plugins/``: an opportunity worker, the kind users
write first."""

PLATFORM_YAML = """\
# yaml-language-server: $schema=schemas/platform.schema.json
#
# Platform limits for blueprints compiled alone (stc check/compile --platform platform.yaml).
platform_version: 1
limits:
  max_workers: 64
"""

WIRING_TEST = '''\
"""Snapshot tests of the wiring: `pytest` stores each wiring map under __snapshots__/
the first time (`pytest --snapshot-update`), then fails with a semantic diff whenever a
change to a blueprint or a plugin changes what is wired."""

from pathlib import Path

import pytest

from stc.compiler import compile_blueprint

HERE = Path(__file__).resolve().parent.parent
# every file that compiles on its own: the blueprints, and the operation in place of
# the blueprint it links (that one needs the operation's schedule)
BLUEPRINTS = {names}


@pytest.mark.parametrize("name", BLUEPRINTS)
def test_wiring(name: str, snapshot_wiring) -> None:
    assert compile_blueprint(HERE / name).wiring_map == snapshot_wiring
'''

README = """\
# stc examples

Written by `stc examples`. Every file here passes `stc check`; try:

    stc check *.yaml
    stc compile ict_smc.yaml -o out/ict_smc        # wiring_map.yaml and the diagram
    stc run ema_trend.yaml --out runs/ema_trend     # a backtest on data/EURUSD_1h.csv
    stc explain TRD_20170423_210000_00008 --out runs/ema_trend  # the first trade: why
    stc run dca_weekly.operation.yaml --out runs/dca
    stc sweep ema_trend.yaml --param ema_cross_detector.fast=10,20 --out runs/sweep
    stc walkforward sweeps/ema_trend.sweep.yaml --out runs/wf
    pytest tests --snapshot-update && pytest tests  # snapshot-test the wiring

`plugins/my_breakout_detector/` is a plugin scaffold (`stc new plugin`): use it with
`--plugins-dir plugins`. The JSON Schemas in `schemas/` give editors completion
(the first line of each YAML file points at its schema).
"""


def write_examples(target: Path) -> list[Path]:
    """Write the example project into ``target`` (created; must be empty) and return
    the files written, sorted."""
    target.mkdir(parents=True, exist_ok=True)
    for blueprint in sorted(blueprints_dir().glob("*.yaml")):
        text = blueprint.read_text("utf-8").replace("$schema=../schemas/", "$schema=schemas/")
        text = text.replace("path: ../data/", "path: data/")
        (target / blueprint.name).write_text(text, "utf-8")
    _write_sweeps(target)
    shutil.copytree(schemas_dir(), target / "schemas")
    (target / "data").mkdir()
    shutil.copy(default_data_path(), target / "data" / default_data_path().name)
    (target / "platform.yaml").write_text(PLATFORM_YAML, "utf-8")
    (target / "plugins").mkdir()
    scaffold(SAMPLE_PLUGIN[0], SAMPLE_PLUGIN[1], target / "plugins")
    (target / "tests").mkdir()
    names = _standalone(target)
    (target / "tests" / "test_wiring.py").write_text(
        WIRING_TEST.replace("{names}", repr(names)), "utf-8"
    )
    (target / "README.md").write_text(README, "utf-8")
    return sorted(p for p in target.rglob("*") if p.is_file())


def _write_sweeps(target: Path) -> None:
    """The reference sweeps (``stc sweep`` / ``stc walkforward`` files) into ``sweeps/``:
    their blueprint path (``../x.yaml``) resolves there as it does in the repository."""
    sweeps = blueprints_dir() / "sweeps"
    files = sorted(sweeps.glob("*.yaml")) if sweeps.is_dir() else []
    if files:
        (target / "sweeps").mkdir()
    for sweep in files:
        text = sweep.read_text("utf-8").replace("$schema=../../schemas/", "$schema=../schemas/")
        (target / "sweeps" / sweep.name).write_text(text, "utf-8")


def _standalone(folder: Path) -> list[str]:
    """The YAML files of ``folder`` that compile alone: every operation, and every
    blueprint that no operation links (a linked one needs its operation's schedules)."""
    files = sorted(p for p in folder.glob("*.yaml") if p.name != "platform.yaml")
    operations = [p for p in files if p.name.endswith(".operation.yaml")]
    linked = {
        line.split(":", 1)[1].strip()
        for op in operations
        for line in op.read_text("utf-8").splitlines()
        if line.strip().startswith("- blueprint:")
    }
    return [p.name for p in files if p.name not in linked]


def add_parser(commands: Commands) -> argparse.ArgumentParser:
    """The ``examples`` sub-command's arguments."""
    sub = commands.add_parser(
        "examples", help="write a working example project (blueprints, data, a plugin, a test)"
    )
    sub.add_argument("dir", type=Path, metavar="DIR", help="a new or empty folder")
    return sub


def run(args: argparse.Namespace) -> int:
    """Refuse a folder that already holds something (nothing a user wrote is ever
    overwritten), write the project, say what to do next."""
    target: Path = args.dir
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        what = "a file" if not target.is_dir() else "a folder that is not empty"
        sys.stderr.write(f"error: {target} is {what}; choose a new folder for the examples\n")
        return 2
    try:
        written = write_examples(target)
    except OSError as exc:
        sys.stderr.write(f"error: cannot write the examples into {target}: {exc.strerror}\n")
        return 2
    sys.stdout.write(
        f"wrote {len(written)} files into {target}/\n"
        f"next: stc check {target}/*.yaml  ·  stc run {target}/ema_trend.yaml --out runs/ema\n"
    )
    return 0
