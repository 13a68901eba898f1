"""``stc walkforward``: optimise a metric on each in-sample window over the sweep's
space, evaluate the chosen variant on the following out-of-sample window, stitch the
out-of-sample equity and trades. Same space, executors and study file as ``stc sweep``
(resumable: ``--resume OUT``). See docs/sweeps.md.

Windows count bars of the data. Rolling: in-sample ``[k·step, k·step + IS)``;
anchored: ``[0, k·step + IS)``; out-of-sample: the ``OOS`` bars after it. An
out-of-sample run is fed the chosen plan's warm-up bars before its window (the
engine trades only once warm), so it trades from the window's first bar as a live
deployment of the chosen variant would; its curve is cut at the window's start.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stc.commands.options import DEFAULT_ENGINE, Commands
from stc.commands.sweep import Prepared, _dispatch, _with_recorded, prepare
from stc.commands.sweep_options import add_sweep_arguments

WF_ARGUMENTS = ("in_sample", "out_of_sample", "step", "anchored")


@dataclass(frozen=True)
class Window:
    """One walk-forward window, as bar indices (end exclusive) and ISO times."""

    number: int
    is_start: int
    is_end: int
    oos_end: int

    def label(self, times: list[str]) -> tuple[str, str]:
        """(in-sample, out-of-sample) as ``first → last`` bar times."""
        return (
            f"{times[self.is_start]} → {times[self.is_end - 1]}",
            f"{times[self.is_end]} → {times[self.oos_end - 1]}",
        )


def windows(
    bars: int, in_sample: int, out_of_sample: int, step: int, anchored: bool
) -> list[Window]:
    """Every window whose out-of-sample part fits in the data."""
    found = []
    k = 0
    while k * step + in_sample + out_of_sample <= bars:
        start = 0 if anchored else k * step
        is_end = k * step + in_sample
        found.append(Window(k, start, is_end, is_end + out_of_sample))
        k += 1
    return found


def add_parser(commands: Commands) -> argparse.ArgumentParser:
    """The ``walkforward`` sub-command's arguments."""
    sub = commands.add_parser(
        "walkforward", help="optimise in-sample, evaluate out-of-sample, window by window"
    )
    add_sweep_arguments(sub)
    sub.add_argument("--in-sample", type=int, default=None, metavar="BARS",
                     help="bars of each in-sample window")  # fmt: skip
    sub.add_argument("--out-of-sample", type=int, default=None, metavar="BARS",
                     help="bars of each out-of-sample window")  # fmt: skip
    sub.add_argument("--step", type=int, default=None, metavar="BARS",
                     help="bars between window starts (default: --out-of-sample)")  # fmt: skip
    sub.add_argument("--anchored", action="store_true", default=None,
                     help="every in-sample window starts at the first bar")  # fmt: skip
    return sub


def run(args: argparse.Namespace) -> int:
    """Run the in-sample sweeps, then the out-of-sample runs; write results and report."""
    from stc.runtime.api import ExecutorError

    try:
        args = _with_recorded(args)
        if args.resume is not None:
            _recorded_windows(args)
        prepared = prepare(args)
        if prepared is None:
            return 1
        config = _config(args, prepared)
        return _walkforward(prepared, args, config)
    except (OSError, ValueError, ExecutorError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2


def _recorded_windows(args: argparse.Namespace) -> None:
    from stc.runtime.api import STUDY_FILE, Study

    study = Study.open_existing(args.out / STUDY_FILE)
    try:
        recorded = json.loads(study.meta().get("walkforward", "{}"))
    finally:
        study.close()
    for name in WF_ARGUMENTS:
        setattr(args, name, recorded.get(name))


def _config(args: argparse.Namespace, prepared: Prepared) -> dict[str, Any]:
    """Window sizes: the command line, else the sweep file's ``walkforward:``."""
    section = getattr(prepared.sweep_file, "walkforward", None)

    def pick(name: str) -> Any:
        given = getattr(args, name, None)
        return given if given is not None else getattr(section, name, None)

    config = {name: pick(name) for name in WF_ARGUMENTS}
    if not config["in_sample"] or not config["out_of_sample"]:
        raise ValueError(
            "walk-forward needs window sizes: --in-sample BARS --out-of-sample BARS "
            "(or a `walkforward:` section in the sweep file)"
        )
    config["step"] = config["step"] or config["out_of_sample"]
    config["anchored"] = bool(config["anchored"])
    return config


def _walkforward(prepared: Prepared, args: argparse.Namespace, config: dict[str, Any]) -> int:
    from stc.runtime.api import (
        RESULTS_FILE,
        STUDY_FILE,
        Study,
        make_executor,
        sweep_bars,
        write_results,
        write_sweep_report,
    )

    out: Path = args.out
    times = [b.time.isoformat() for b in sweep_bars(str(prepared.data))]
    found = windows(len(times), config["in_sample"], config["out_of_sample"], config["step"],
                    config["anchored"])  # fmt: skip
    if not found:
        raise ValueError(
            f"the data has {len(times)} bars: too few for one window of "
            f"{config['in_sample']} + {config['out_of_sample']} bars"
        )
    out.mkdir(parents=True, exist_ok=True)
    if args.resume is None:
        for stale in (STUDY_FILE, f"{STUDY_FILE}-wal", f"{STUDY_FILE}-shm"):
            (out / stale).unlink(missing_ok=True)
    study = Study(out / STUDY_FILE)
    executor = _Lazy(lambda: make_executor(args.executor or "local", args.workers))
    try:
        _check(study, prepared, config, args.resume is not None)
        is_rows = _in_sample(study, prepared, found, times, executor, args)
        oos = _out_of_sample(study, prepared, found, times, is_rows, executor, args)
    finally:
        executor.close()
        study.close()
    write_results(out / RESULTS_FILE, is_rows)
    metric, direction = prepared.settings["metric"], prepared.settings["direction"]
    summary = _write_outputs(out, prepared, found, times, is_rows, oos, metric, direction)
    report = write_sweep_report(out, is_rows, prepared.settings, {}, summary)
    sys.stdout.write(_summary_text(summary, out, report))
    return 1 if prepared.compiled.invalid else 0


class _Lazy:
    """The executor, started on first use: a resumed walk-forward with nothing left to
    run never connects to a cluster."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self._make = make
        self._made: Any = None

    def get(self) -> Any:
        if self._made is None:
            self._made = self._make()
        return self._made

    def close(self) -> None:
        if self._made is not None:
            self._made.close()


def _check(study: Any, prepared: Prepared, config: dict[str, Any], resume: bool) -> None:
    from stc.commands.sweep import _check_same_sweep

    recorded = study.meta().get("walkforward")
    text = json.dumps(config, sort_keys=True)
    if resume and recorded not in (None, text):
        raise ValueError(f"{study.path}: the windows changed since the walk-forward started")
    _check_same_sweep(study, prepared, resume)
    study.set_meta({"walkforward": text})


def _in_sample(
    study: Any, prepared: Prepared, found: list[Window], times: list[str], executor: Any,
    args: argparse.Namespace,
) -> list[dict[str, Any]]:  # fmt: skip
    """Every valid variant on every in-sample window (rows with a ``window`` param)."""
    from stc.runtime.api import VariantResult, VariantTask

    valid = [v for v in prepared.variants if v.key in prepared.compiled.plans]
    entries = []
    for window in found:
        for v in prepared.variants:
            params = {"window": window.number, **{d.name: x for d, x in v.params}}
            index = window.number * len(prepared.variants) + v.index
            entries.append((index, f"{v.key}@is{window.number}", v.structure.name,
                            json.dumps(params, sort_keys=True), "pending"))  # fmt: skip
    study.add_variants(entries)
    done = study.done()
    for window in found:
        for key, why in prepared.compiled.invalid.items():
            if f"{key}@is{window.number}" not in done:
                study.record(VariantResult(f"{key}@is{window.number}", "invalid", error=why))
    roots = tuple(str(p.resolve()) for p in args.plugins_dir)
    tasks = [
        VariantTask(f"{v.key}@is{w.number}", prepared.compiled.plans[v.key], str(prepared.data),
                    start=times[w.is_start], end=_end(times, w.is_end), plugin_roots=roots,
                    engine=args.engine or DEFAULT_ENGINE)
        for w in found for v in valid if f"{v.key}@is{w.number}" not in done
    ]  # fmt: skip
    if tasks:
        _dispatch(study, tasks, executor.get(), args, close=False)
    return [r for r in study.rows() if "@is" in r["key"]]


def _end(times: list[str], index: int) -> str | None:
    return times[index] if index < len(times) else None


def _out_of_sample(
    study: Any, prepared: Prepared, found: list[Window], times: list[str],
    is_rows: list[dict[str, Any]], executor: Any, args: argparse.Namespace,
) -> dict[int, dict[str, Any]]:  # fmt: skip
    """The best in-sample variant of each window, run on its out-of-sample window."""
    from stc.runtime.api import VariantTask, ranked

    metric, direction = prepared.settings["metric"], prepared.settings["direction"]
    chosen: dict[int, dict[str, Any]] = {}
    for window in found:
        rows = [r for r in is_rows if r["params"]["window"] == window.number]
        best = ranked(rows, metric, direction)
        if best:
            chosen[window.number] = best[0]
    base = (len(found) + 1) * len(prepared.variants)
    entries = []
    tasks = []
    done = study.done()
    roots = tuple(str(p.resolve()) for p in args.plugins_dir)
    for window in found:
        if window.number not in chosen:
            continue
        key = chosen[window.number]["key"].split("@")[0]
        task_key = f"{key}@oos{window.number}"
        params = dict(chosen[window.number]["params"])
        entries.append((base + window.number, task_key, chosen[window.number]["structure"],
                        json.dumps(params, sort_keys=True), "pending"))  # fmt: skip
        plan = prepared.compiled.plans[key]
        lead = max((int(w.get("warmup") or 0) for w in plan["workers"]), default=0)
        if task_key not in done:
            tasks.append(VariantTask(task_key, plan, str(prepared.data),
                                     start=times[max(0, window.is_end - lead)],
                                     end=_end(times, window.oos_end), plugin_roots=roots,
                                     curve=True, engine=args.engine or DEFAULT_ENGINE))  # fmt: skip
    study.add_variants(entries)
    if tasks:
        _dispatch(study, tasks, executor.get(), args, close=False, full=True)
    results = {r["key"]: r for r in study.rows() if "@oos" in r["key"]}
    found_oos = {}
    for number, picked in chosen.items():
        key = picked["key"].split("@")[0]
        found_oos[number] = {"chosen": picked, "oos": results[f"{key}@oos{number}"]}
    return found_oos


def _write_outputs(
    out: Path, prepared: Prepared, found: list[Window], times: list[str],
    is_rows: list[dict[str, Any]], oos: dict[int, dict[str, Any]], metric: str, direction: str,
) -> dict[str, Any]:  # fmt: skip
    """windows.csv, oos_trades.csv, oos_equity.csv; the report's walk-forward data."""
    table, trades, equity = [], [], []
    capital = None
    start_capital = None
    for window in found:
        if window.number not in oos:
            continue
        picked, result = oos[window.number]["chosen"], oos[window.number]["oos"]["result"] or {}
        metrics = result.get("metrics") or {}
        is_value = (picked["result"]["metrics"] or {}).get(metric)
        in_label, out_label = window.label(times)
        params = {k: v for k, v in picked["params"].items() if k != "window"}
        shown = " ".join(f"{k}={json.dumps(v)}" for k, v in params.items())
        table.append({
            "window": window.number, "in_sample": in_label, "out_of_sample": out_label,
            "chosen": f"{picked['structure']} {shown}".strip(), "is_metric": is_value,
            "oos_metric": metrics.get(metric), "oos_trades": metrics.get("trades"),
            "oos_return": metrics.get("total_return"), "status": result.get("status", ""),
            "error": result.get("error", ""),
        })  # fmt: skip
        start_capital = start_capital or metrics.get("starting_capital") or 0.0
        capital = capital if capital is not None else start_capital
        oos_start = times[window.is_end]
        curve = [(t, v) for t, v in result.get("equity") or [] if t >= oos_start]
        base = metrics.get("starting_capital") or 1.0
        for t, v in curve:
            equity.append((t, capital * v / base))
        if curve:
            capital = capital * curve[-1][1] / base
        trades += _window_trades(window.number, result.get("trades_csv", ""))
    _write_csv(out / "windows.csv", table)
    _write_csv(out / "oos_trades.csv", trades)
    _write_csv(out / "oos_equity.csv", [{"time": t, "equity": repr(v)} for t, v in equity])
    summary = _summary(table, start_capital, capital, metric)
    return {"windows": table, "equity": equity, "summary": summary}


def _window_trades(number: int, text: str) -> list[dict[str, Any]]:
    rows = list(csv.DictReader(io.StringIO(text)))
    return [{"window": number, **row} for row in rows]


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        if not rows:
            handle.write("")
            return
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _summary(
    table: list[dict[str, Any]], start: float | None, final: float | None, metric: str
) -> dict[str, Any]:
    is_values = [w["is_metric"] for w in table if isinstance(w["is_metric"], int | float)]
    oos_values = [w["oos_metric"] for w in table if isinstance(w["oos_metric"], int | float)]
    mean_is = sum(is_values) / len(is_values) if is_values else None
    mean_oos = sum(oos_values) / len(oos_values) if oos_values else None
    efficiency = mean_oos / mean_is if mean_is and mean_oos is not None else None
    return {
        "windows": len(table),
        f"mean in-sample {metric}": _round(mean_is),
        f"mean out-of-sample {metric}": _round(mean_oos),
        "walk-forward efficiency (OOS / IS)": _round(efficiency),
        "stitched out-of-sample return": _round(final / start - 1.0 if start and final else None),
        "out-of-sample trades": sum(int(w["oos_trades"] or 0) for w in table),
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def _summary_text(summary: dict[str, Any], out: Path, report: Path | None) -> str:
    lines = [f"walk-forward finished: {summary['summary']['windows']} windows"]
    lines += [f"  {k}: {v}" for k, v in summary["summary"].items() if k != "windows"]
    for name in ("windows.csv", "oos_equity.csv", "oos_trades.csv", "results.csv"):
        lines.append(f"  {name:<15}{out / name}")
    if report is not None:
        lines.append(f"  {'report':<15}{report}")
    return "\n".join(lines) + "\n"
