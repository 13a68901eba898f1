"""Outputs are byte-identical for identical inputs: across PYTHONHASHSEED values,
working directories and repeated runs (SPEC §5.3, issue 3 acceptance)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

SCRIPT = """
import sys
from stc.compiler import compile_blueprint
ok = compile_blueprint(sys.argv[1])
broken = compile_blueprint(sys.argv[2])
sys.stdout.write(ok.wiring_map + "\\x00" + ok.dot + "\\x00" + broken.rendered_diagnostics()
                 + "\\x00" + broken.dot)
"""


def _compile_in_subprocess(seed: int, cwd: Path, blueprint: Path, broken: Path) -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": str(seed)}
    rel = [os.path.relpath(p, cwd) for p in (blueprint, broken)]
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, *rel], cwd=cwd, env=env, capture_output=True, check=True
    )
    return done.stdout


def test_byte_identical_across_hash_seeds_and_directories(tmp_path: Path) -> None:
    blueprint = REPO / "blueprints" / "ict_smc.yaml"
    broken = tmp_path / "broken.yaml"
    text = blueprint.read_text(encoding="utf-8")
    broken.write_text(
        text.replace("MarketStructureDetector\n", "MarketStructureDetecter\n")
        .replace("[0.3, 0.6]", "[0.3, 0.55]")
        .replace("[0.6, 1.0]", "[0.5, 1.0]"),
        encoding="utf-8",
    )
    elsewhere = tmp_path / "deep" / "er"
    elsewhere.mkdir(parents=True)
    runs = {
        (seed, str(cwd)): _compile_in_subprocess(seed, cwd, blueprint, broken)
        for seed in range(5)
        for cwd in (REPO, elsewhere)
    }
    for cwd in (REPO, elsewhere):
        per_seed = {out for (_, where), out in runs.items() if where == str(cwd)}
        assert len(per_seed) == 1, f"outputs differ between hash seeds (cwd {cwd})"
    parts = {tuple(out.decode().split("\x00")) for out in runs.values()}
    # diagnostics name the file as the user typed it, so only they may differ by cwd
    assert len({(p[0], p[1], p[3]) for p in parts}) == 1, "outputs differ between directories"
    wiring_map, _dot, diagnostics, broken_dot = next(iter(parts))
    assert "error[STC003]" in diagnostics and "error[STC041]" in diagnostics
    assert "STC010" not in diagnostics  # no cascade from the unknown provider
    assert "#dc2626" in broken_dot  # the failing node is drawn red
    assert str(REPO) not in wiring_map and str(tmp_path) not in wiring_map
