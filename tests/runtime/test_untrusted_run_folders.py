"""Issue 26: a run folder is input. ``stc run --resume``, ``stc report`` and ``stc
explain`` never import or execute anything a tampered folder names: a worker source
pointing at another module or root, meta ``plugin_roots`` pointing elsewhere, symlinks.
Each refusal is one line on stderr, and the marker code never runs.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from rt_helpers import stc

from stc.runtime.plan import load_plan
from stc.runtime.resume import plan_sha256

REPO = Path(__file__).resolve().parents[2]
ZEN = "Beautiful is better than ugly"  # what importing stdlib `this` prints


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A completed ema_trend run on 300 bars."""
    folder = tmp_path_factory.mktemp("finished")
    data = folder / "bars.csv"
    lines = (REPO / "data" / "EURUSD_1h.csv").read_text().splitlines(keepends=True)[:301]
    data.write_text("".join(lines))
    done = stc("run", "blueprints/ema_trend.yaml", "--data", str(data),
                "--out", str(folder / "run"), "--quiet")  # fmt: skip
    assert done.returncode == 0, done.stderr
    return folder / "run"


def _copy(finished: Path, target: Path) -> Path:
    target.mkdir()
    for name in ("wiring_map.yaml", "journal.sqlite", "trades.csv", "metrics.json"):
        (target / name).write_bytes((finished / name).read_bytes())
    return target


def _tamper(run: Path, edit: Callable[[dict[str, Any]], None], meta: dict[str, str]) -> None:
    """Edit the wiring map, then make the journal consistent with it (as an attacker
    would: the plan's sha256 recomputed) and interrupted (status running)."""
    wiring = yaml.safe_load((run / "wiring_map.yaml").read_text())
    edit(wiring)
    (run / "wiring_map.yaml").write_text(yaml.safe_dump(wiring))
    rows = {"status": "running", "plan_sha256": plan_sha256(load_plan(wiring)), **meta}
    with sqlite3.connect(run / "journal.sqlite") as db:
        db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", rows.items())


def _source(worker_type: str, **source: str) -> Callable[[dict[str, Any]], None]:
    def edit(wiring: dict[str, Any]) -> None:
        worker = next(w for w in wiring["workers"] if w["type"] == worker_type)
        worker["source"] = source

    return edit


def _evil_root(tmp_path: Path) -> Path:
    """A folder with a worker.py that leaves a marker file when executed."""
    root = tmp_path / "elsewhere"
    (root / "evil").mkdir(parents=True)
    marker = tmp_path / "EXECUTED"
    (root / "evil" / "worker.py").write_text(
        f"open({str(marker)!r}, 'w').write('x')\n", encoding="utf-8"
    )
    return root


CASES = {
    "builtin origin naming stdlib `this`": (
        _source("context_worker", origin="builtin", module="this", **{"class": "Zen"}, folder=""),
        {},
    ),
    "entry_point origin naming another module": (
        _source(
            "opportunity_worker", origin="entry_point", module="this", **{"class": "Zen"}, folder=""
        ),
        {},
    ),
    "root origin with meta plugin_roots elsewhere": (
        _source(
            "context_worker", origin="root", module="worker", **{"class": "Evil"}, folder="evil"
        ),
        {"plugin_roots": "ROOTS"},
    ),
    "a packaged plugin's class swapped": (
        _source(
            "context_worker",
            origin="builtin",
            module="stc.plugins.context_worker.ema_detector.worker",
            **{"class": "EMAValues"},
            folder="context_worker/ema_detector",
        ),
        {},
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_tampered_folder_is_refused_before_any_import(
    name: str, finished: Path, tmp_path: Path
) -> None:
    edit, meta = CASES[name]
    root = _evil_root(tmp_path)
    run = _copy(finished, tmp_path / "run")
    meta = {k: json.dumps([str(root)]) if v == "ROOTS" else v for k, v in meta.items()}
    _tamper(run, edit, meta)
    done = stc("run", "--resume", str(run), "--quiet")
    assert done.returncode == 1
    [line] = done.stderr.splitlines()
    assert (
        line.startswith(f"error: {run}: cannot resume: worker ") and "nothing was imported" in line
    )
    assert ZEN not in done.stdout + done.stderr and not (tmp_path / "EXECUTED").exists()
    for command in (("report", str(run)), ("explain", "TRD_0", "--out", str(run))):
        other = stc(*command)
        assert ZEN not in other.stdout + other.stderr and not (tmp_path / "EXECUTED").exists()


def test_a_plugin_outside_this_invocations_roots_is_refused(finished: Path, tmp_path: Path) -> None:
    run = _copy(finished, tmp_path / "run")

    def rename(wiring: dict[str, Any]) -> None:
        wiring["workers"][0]["plugin"] = "NotInstalledAnywhere"

    _tamper(run, rename, {})
    done = stc("run", "--resume", str(run), "--quiet")
    assert done.returncode == 1
    assert "uses plugin 'NotInstalledAnywhere', which is not among this invocation's" in done.stderr


@pytest.mark.parametrize("name", ["journal.sqlite", "wiring_map.yaml"])
def test_a_symlink_in_the_run_folder_is_refused(name: str, finished: Path, tmp_path: Path) -> None:
    run = _copy(finished, tmp_path / "run")
    _tamper(run, lambda wiring: None, {})
    real = tmp_path / f"real_{name}"
    (run / name).rename(real)
    (run / name).symlink_to(real)
    before = real.read_bytes()
    done = stc("run", "--resume", str(run), "--quiet")
    assert done.returncode == 1
    assert (
        done.stderr == f"error: {run / name} is a symbolic link; a run folder holds its own files\n"
    )
    assert real.read_bytes() == before


def test_an_untampered_interrupted_folder_still_resumes(finished: Path, tmp_path: Path) -> None:
    run = _copy(finished, tmp_path / "run")
    _tamper(run, lambda wiring: None, {"plugin_roots": json.dumps([str(tmp_path)])})
    done = stc("run", "--resume", str(run), "--quiet")
    assert done.returncode == 0, done.stderr
    assert (run / "trades.csv").read_bytes() == (finished / "trades.csv").read_bytes()


@pytest.mark.parametrize(
    ("origin", "where"),
    [("builtin", "the packaged plugins"), ("entry_point", "an stc.plugins entry point")],
)
def test_the_runtime_itself_imports_no_module_outside_plugins(
    origin: str, where: str, tmp_path: Path
) -> None:
    """Defence in depth below the CLI: a plan handed to ``stc.runtime.api.run`` cannot name
    an arbitrary module either."""
    from rt_helpers import EURUSD, wiring

    from stc.runtime.api import run
    from stc.runtime.plan import PlanError

    plan = wiring("swot")
    plan["workers"][0]["source"] = {"origin": origin, "module": "this", "class": "Zen"}
    with pytest.raises(PlanError) as raised:
        run(plan, data=EURUSD, out_dir=tmp_path)
    assert str(raised.value) == f"worker 'sma': module 'this' is not a module of {where}"
    assert "this" not in sys.modules
