"""Issue 26's plugin-fault suite: runs the SWOT fixture with one hostile plugin per case
and summarises every run as plain data (faults with their workers, trades, metrics and
the journal without tracebacks).

``test_hostile_plugins.py`` checks the summaries in-process; the differential test runs
``python tests/runtime/hostile_suite.py OUT`` under the compiled and the pure build and
requires byte-identical JSON, so the two builds cannot drift apart on faults again
(a NaN score crashed one and was blamed on another worker by the other).
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from rt_helpers import EURUSD, PLUGIN_ROOTS, plugin_worker, subscribe, wiring

from stc.runtime.api import RunResult, run

BARS = 400
Plan = dict[str, Any]


def hostile_context(mode: str, **params: Any) -> Callable[[list[str]], Plan]:
    """The fixture plus a HostileContext (first in the context chain) failing on ``ticks``."""

    def build(ticks: list[str]) -> Plan:
        plan = wiring("swot")
        worker = plugin_worker(
            "hostile", "hostile_context", "HostileContext", "context_worker",
            params={"mode": mode, "fail_at": ticks, **params},
            capabilities={"ledger": "read"}, provides=[],
        )  # fmt: skip
        plan["workers"].insert(0, worker)
        subscribe(plan, "TICK_RECEIVED", "hostile", "on_tick")
        return plan

    return build


def hostile_sizer(mode: str) -> Callable[[list[str]], Plan]:
    """The fixture with ``fixed_size`` swapped for a HostileSizer failing on ``ticks``."""

    def build(ticks: list[str]) -> Plan:
        plan = wiring("swot")
        for worker in plan["workers"]:
            if worker["id"] == "fixed_size":
                worker["source"] = {"origin": "root", "module": "worker",
                                    "class": "HostileSizer", "folder": "hostile_sizer"}  # fmt: skip
                worker["params"] = {**worker["params"], "fail_at": ticks, "mode": mode}
        return plan

    return build


CASES: dict[str, Callable[[list[str]], Plan]] = {
    "nan score": hostile_context("nan_score"),
    "inf score": hostile_context("inf_score"),
    "score above 1": hostile_context("high_score"),
    "score with worker id None": hostile_context("none_worker"),
    "score that is a str": hostile_context("str_score"),
    "sys.exit(0)": hostile_context("sys_exit", code=0),
    "sys.exit(3)": hostile_context("sys_exit", code=3),
    "KeyboardInterrupt": hostile_context("keyboard_interrupt"),
    "GeneratorExit": hostile_context("generator_exit"),
    "custom BaseException": hostile_context("base_exception"),
    "MemoryError": hostile_context("memory_error"),
    "write to the ledger": hostile_context("ledger_write"),
    "SizePlan of 1E+400": hostile_sizer("huge"),
    "size 1e300 through model_copy": hostile_sizer("copy_1e300"),
    "float size through model_copy": hostile_sizer("float_size"),
    "int size 10**309 through model_copy": hostile_sizer("int_huge"),
}
"""Case → plan builder; each misbehaves on the ticks it is given only."""


def data_file(folder: Path) -> Path:
    """The first BARS bars of the bundled EURUSD sample."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "eurusd.csv"
    lines = EURUSD.read_text().splitlines(keepends=True)[: BARS + 1]
    path.write_text("".join(lines))
    return path


def decision_ticks(result: RunResult, picks: tuple[int, ...] = (1, 3)) -> list[str]:
    """The ticks (ISO) of some trade decisions of the clean run."""
    stamps = sorted({t.execution_directive_id[4:19] for t in result.trades})
    return [datetime.strptime(stamps[n], "%Y%m%d_%H%M%S").isoformat() + "+00:00" for n in picks]


def summary(result: RunResult) -> dict[str, Any]:
    """A run as plain, comparable data (tracebacks left out: they name files)."""
    with sqlite3.connect(result.paths["journal"]) as db:
        journal = {
            table: [list(row) for row in db.execute(f"SELECT {cols} FROM {table} ORDER BY 1, 2")]
            for table, cols in (
                ("flows", "*"),
                ("faults", "flow_id, worker, tick_time, error"),
                ("dtos", "flow_id, dto_id, type, worker"),
            )
        }
    return {
        "faults": [[f.worker, f.tick_time, f.error] for f in result.faults],
        "trades": result.paths["trades"].read_text(),
        "metrics": result.metrics,
        "journal": journal,
    }


REFERENCE_STRATEGIES = (
    "blueprints/ema_trend.yaml",
    "blueprints/ict_smc.yaml",
    "blueprints/direct_planning.yaml",
    "blueprints/managed_trend.yaml",
    "blueprints/dca_weekly.operation.yaml",
)
"""The reference strategies (as ``tests/conftest.py``), run over ``REFERENCE_BARS``."""
REFERENCE_BARS = 3_000


def run_suite(out: Path) -> dict[str, Any]:
    """Every case's summary, plus the clean fixture run's."""
    data = data_file(out)
    clean = run(wiring("swot"), data=data, out_dir=out / "clean", plugin_roots=PLUGIN_ROOTS)
    ticks = decision_ticks(clean)
    summaries = {"clean": summary(clean)}
    for index, (name, build) in enumerate(CASES.items()):
        result = run(build(ticks), data=data, out_dir=out / f"case{index}",
                     plugin_roots=PLUGIN_ROOTS)  # fmt: skip
        summaries[name] = summary(result)
    return {"ticks": ticks, "runs": summaries}


def run_contract_cases(out: Path) -> dict[str, Any]:
    """``test_faults.CASES`` (issue 8's contract faults) on their decision tick."""
    from test_faults import CASES as CONTRACT_CASES
    from test_faults import _decision_tick

    data = data_file(out)
    clean = run(wiring("swot"), data=data, out_dir=out / "clean", plugin_roots=PLUGIN_ROOTS)
    tick = _decision_tick(clean, 2)
    return {
        name: summary(
            run(
                case.build(tick),
                data=data,
                out_dir=out / f"contract{index}",
                plugin_roots=PLUGIN_ROOTS,
            )
        )
        for index, (name, case) in enumerate(CONTRACT_CASES.items())
    }


def run_references(out: Path) -> dict[str, Any]:
    """The reference strategies, compiled and run over the first REFERENCE_BARS bars."""
    import yaml

    from stc.compiler.pipeline import Session, compile_path

    out.mkdir(parents=True, exist_ok=True)
    data = out / "reference.csv"
    lines = EURUSD.read_text().splitlines(keepends=True)[: REFERENCE_BARS + 1]
    data.write_text("".join(lines))
    repo = Path(__file__).resolve().parents[2]
    summaries = {}
    for name in REFERENCE_STRATEGIES:
        outcomes = compile_path(repo / name, name, Session())
        [compiled] = [o.wiring_data for o in outcomes if o.wiring_data is not None]
        plan = yaml.safe_load(yaml.safe_dump(compiled))
        summaries[name] = summary(run(plan, data=data, out_dir=out / Path(name).stem))
    return summaries


if __name__ == "__main__":
    import stc.runtime as runtime

    target = Path(sys.argv[1])
    target.mkdir(parents=True, exist_ok=True)
    every = {
        "build": runtime.native_status(),
        **run_suite(target / "hostile"),
        "contract": run_contract_cases(target / "contract"),
        "references": run_references(target / "references"),
    }
    print(json.dumps(every, sort_keys=True))
