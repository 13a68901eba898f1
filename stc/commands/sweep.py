"""``stc sweep``: compile every variant of a blueprint's space, then run them on an
executor (a local process pool, Dask or Ray) into OUT/results.csv, OUT/study.sqlite
and OUT/report.html. ``--resume OUT`` finishes a killed sweep. See docs/sweeps.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import yaml

from stc.commands.options import DEFAULT_ENGINE, Commands
from stc.commands.sweep_options import add_sweep_arguments
from stc.compiler.pipeline import Session
from stc.compiler.sweep_compile import Compiled, compile_variants
from stc.compiler.sweep_space import (
    COMMAND_LINE,
    Space,
    Variant,
    command_line_space,
    expand,
    file_space,
)

ARGUMENTS = ("file", "param", "variant", "data", "executor", "workers", "keep_runs", "metric",
             "direction", "plugins_dir", "platform", "engine")  # fmt: skip
"""What the study records of the command line, so that ``--resume OUT`` needs nothing else."""


@dataclass
class Prepared:
    """A sweep ready to dispatch: its variants, compiled, and where it writes."""

    blueprint: Path
    variants: list[Variant]
    compiled: Compiled
    data: Path
    settings: dict[str, Any]
    sweep_file: Any = None
    space: Space | None = None


def add_parser(commands: Commands) -> argparse.ArgumentParser:
    """The ``sweep`` sub-command's arguments."""
    sub = commands.add_parser("sweep", help="run a blueprint over a space of params/variants")
    add_sweep_arguments(sub)
    return sub


def run(args: argparse.Namespace) -> int:
    """Compile the space, dispatch the valid variants, write results and report."""
    from stc.runtime.api import ExecutorError

    try:
        args = _with_recorded(args)
        prepared = prepare(args)
    except (OSError, ValueError, ExecutorError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    if prepared is None:
        return 1
    out: Path = args.out
    try:
        rows = execute(prepared, out, args, resume=args.resume is not None)
    except (OSError, ValueError, ExecutorError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    from stc.runtime.api import write_sweep_report

    commands = write_top_variants(prepared, rows, out)
    report = write_sweep_report(out, rows, prepared.settings, commands)
    _print_summary(rows, out, report, prepared.settings)
    return 1 if prepared.compiled.invalid else 0


def _with_recorded(args: argparse.Namespace) -> argparse.Namespace:
    """``--resume OUT``: the arguments the study recorded (an --executor/--workers given
    now wins: a sweep started locally may finish on a cluster; so does an --engine: both
    engines give the same rows)."""
    if args.resume is None:
        if args.file is None:
            raise ValueError("give a blueprint or sweep.yaml FILE (or --resume OUT)")
        args.out = args.out or Path("runs/sweep")
        return args
    from stc.runtime.api import STUDY_FILE, Study

    study = Study.open_existing(args.resume / STUDY_FILE)
    try:
        recorded = json.loads(study.meta()["arguments"])
    finally:
        study.close()
    merged = dict(vars(args))
    for name in ARGUMENTS:
        if name in ("executor", "workers", "engine") and getattr(args, name) is not None:
            continue
        merged[name] = recorded.get(name)
    merged["file"] = Path(merged["file"])
    merged["data"] = Path(merged["data"]) if merged["data"] else None
    merged["plugins_dir"] = [Path(p) for p in merged["plugins_dir"] or []]
    merged["platform"] = Path(merged["platform"]) if merged["platform"] else None
    merged["out"] = args.resume
    return argparse.Namespace(**merged)


def prepare(args: argparse.Namespace) -> Prepared | None:
    """Read the space, compile every variant, print the diagnostics (None: nothing to run)."""
    from stc.compiler.render import render_human, use_color
    from stc.runtime.api import default_data_path, not_a_data_file

    path: Path = args.file
    if not path.is_file():
        raise ValueError(f"no such file: {path}")
    missing = None if args.data is None else not_a_data_file(args.data)
    if missing is not None:  # before compiling: every variant would fail on it
        raise ValueError(f"--data {args.data}: {missing}; give a CSV or Parquet file")
    session = Session(plugin_dirs=list(args.plugins_dir), platform_file=args.platform)
    space, blueprint, data, sweep_file, problems = _space(path, args, session)
    if space is None or blueprint is None:
        sys.stderr.write(render_human(problems, session.sources, color=use_color(sys.stderr)))
        return None
    variants = expand(space)
    compiled = compile_variants(blueprint, str(blueprint), variants, session)
    shown = [*problems, *compiled.blueprint_problems, *compiled.diagnostics]
    if shown:
        sys.stderr.write(render_human(shown, session.sources, color=use_color(sys.stderr)))
    if compiled.blueprint_problems or any(d.is_error for d in problems):
        return None
    if not compiled.plans:
        sys.stderr.write("error: no variant of the sweep compiles; nothing was run\n")
        return None
    if compiled.invalid:
        runs = len(compiled.plans)
        sys.stderr.write(
            f"note: {len(compiled.invalid)} of {len(variants)} variants are not run (status "
            f"`invalid` in results.csv); the other {runs} run\n"
        )
    settings = {
        "blueprint": str(blueprint), "metric": args.metric or getattr(sweep_file, "metric", None)
        or "sharpe", "direction": args.direction or getattr(sweep_file, "direction", None)
        or "maximize", "dimensions": [d.name for d in space.dimensions],
        "arguments": {n: _plain(getattr(args, n, None)) for n in ARGUMENTS},
    }  # fmt: skip
    data_path = (data or default_data_path()).resolve()
    return Prepared(blueprint, variants, compiled, data_path, settings, sweep_file, space)


def _plain(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _space(
    path: Path, args: argparse.Namespace, session: Session
) -> tuple[Space | None, Path | None, Path | None, Any, list[Any]]:
    """The space and blueprint from a sweep.yaml, or from the command line's options."""
    from stc.compiler.memo import validate_known_document
    from stc.compiler.model.sweep import SweepFile

    loaded = session.load(path, str(path))
    is_sweep = isinstance(loaded.data, dict) and "sweep_version" in loaded.data
    if not is_sweep:
        space, source, problems = command_line_space(list(args.param), list(args.variant))
        session.sources[COMMAND_LINE] = source
        return space, path, args.data, None, problems
    sweep, problems = validate_known_document(loaded, SweepFile, "sweep")
    problems = [*loaded.diagnostics, *problems]
    if sweep is None:
        return None, None, None, None, problems
    space, found = file_space(sweep, loaded.data, str(path))
    blueprint = path.parent / sweep.blueprint
    data = args.data or (path.parent / sweep.data if sweep.data else None)
    return space, blueprint, data, sweep, [*problems, *found]


def execute(
    prepared: Prepared, out: Path, args: argparse.Namespace, *, resume: bool
) -> list[dict[str, Any]]:
    """Record the variants in the study, run the unfinished valid ones, write results.csv."""
    from stc.runtime.api import (
        RESULTS_FILE,
        STUDY_FILE,
        Study,
        VariantResult,
        VariantTask,
        make_executor,
        write_results,
    )

    out.mkdir(parents=True, exist_ok=True)
    if not resume:
        for stale in (STUDY_FILE, f"{STUDY_FILE}-wal", f"{STUDY_FILE}-shm", RESULTS_FILE):
            (out / stale).unlink(missing_ok=True)
    study = Study(out / STUDY_FILE)
    try:
        _check_same_sweep(study, prepared, resume)
        study.add_variants(
            (v.index, v.key, v.structure.name,
             json.dumps({d.name: x for d, x in v.params}, sort_keys=True), "pending")
            for v in prepared.variants
        )  # fmt: skip
        done = study.done()
        searched = prepared.space is not None and prepared.space.method == "optuna"
        for key, why in prepared.compiled.invalid.items():
            if key not in done and not searched:  # a search records what it proposes
                study.record(VariantResult(key, "invalid", error=why))
        roots = tuple(str(p.resolve()) for p in args.plugins_dir)
        tasks = [
            VariantTask(
                v.key,
                prepared.compiled.plans[v.key],
                str(prepared.data),
                keep_dir=str((out / "runs" / v.key).resolve()) if args.keep_runs else None,
                plugin_roots=roots,
                engine=args.engine or DEFAULT_ENGINE,
            )
            for v in prepared.variants
            if v.key in prepared.compiled.plans and v.key not in done
        ]

        def start() -> Any:
            return make_executor(args.executor or "local", args.workers)

        if searched:
            from stc.commands.sweep_optuna import search

            assert prepared.space is not None
            search(study, prepared, prepared.space, {t.key: t for t in tasks}, start, args)
        elif tasks:
            _dispatch(study, tasks, start(), args)
        rows = [row for row in study.rows() if row["status"] != "pending"]
    finally:
        study.close()
    write_results(out / RESULTS_FILE, rows)
    return rows


def _check_same_sweep(study: Any, prepared: Prepared, resume: bool) -> None:
    """A resumed study must hold the same variants (same keys in the same order)."""
    import hashlib

    keys = "\n".join(v.key for v in prepared.variants)
    fingerprint = hashlib.sha256(f"{keys}\n{prepared.data}".encode()).hexdigest()
    recorded = study.meta().get("fingerprint")
    if resume and recorded not in (None, fingerprint):
        raise ValueError(
            f"{study.path}: the blueprint, space or data changed since the sweep started; "
            "start a new sweep with another --out"
        )
    study.set_meta(
        {"fingerprint": fingerprint, "arguments": json.dumps(prepared.settings["arguments"])}
    )


COMMIT_ROWS, COMMIT_SECONDS = 256, 0.25
"""Results are committed to the study in batches of up to 256 rows or every 0.25 s: a
kill loses at most that many finished variants, which a resume runs again."""


def _dispatch(
    study: Any,
    tasks: list[Any],
    executor: Any,
    args: argparse.Namespace,
    *,
    close: bool = True,
    full: bool = False,
) -> None:
    """Run ``tasks``, committing each result to the study as it arrives."""
    progress = SweepProgress(sys.stderr, len(tasks), executor.description, quiet=args.quiet)
    batch: list[Any] = []
    flushed = time.perf_counter()
    try:
        for result in executor.map_unordered(tasks):
            batch.append(result)
            progress.advance(result.status)
            if len(batch) >= COMMIT_ROWS or time.perf_counter() - flushed >= COMMIT_SECONDS:
                study.record_many(batch, full=full)
                batch, flushed = [], time.perf_counter()
    finally:
        study.record_many(batch, full=full)  # what arrived before an interrupt is kept
        progress.finish()
        if close:
            executor.close()


TOP_VARIANTS = 10
"""How many of the best variants get a blueprint under OUT/variants/ (and a command)."""


def write_top_variants(prepared: Prepared, rows: list[dict[str, Any]], out: Path) -> dict[str, str]:
    """Write the best variants' blueprints to OUT/variants/KEY.yaml; return, by key,
    the ``stc run`` command line that re-runs each in full (journal included)."""
    from stc.compiler.sweep_compile import variant_document
    from stc.runtime.api import ranked

    by_key = {v.key: v for v in prepared.variants}
    best = ranked(rows, prepared.settings["metric"], prepared.settings["direction"])
    folder = out / "variants"
    commands = {}
    for row in best[:TOP_VARIANTS]:
        variant = by_key[row["key"]]
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{variant.key}.yaml"
        header = (
            f"# variant {variant.index} of the sweep of {prepared.blueprint}: {variant.label()}\n"
            "# generated by stc sweep; re-run in full with the command in report.html\n"
        )
        body = yaml.safe_dump(
            variant_document(prepared.compiled.document, variant), sort_keys=False
        )
        target.write_text(header + body, encoding="utf-8")
        plugins = "".join(
            f" --plugins-dir {p}" for p in prepared.settings["arguments"]["plugins_dir"]
        )
        commands[variant.key] = (
            f"stc run {target} --data {prepared.data}{plugins} --out {out}/runs/{variant.key}"
        )
    return commands


def _print_summary(
    rows: list[dict[str, Any]], out: Path, report: Path | None, settings: dict[str, Any]
) -> None:
    from stc.runtime.api import ranked

    counts: dict[str, int] = {}
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    status = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    metric = settings["metric"]
    lines = [f"sweep finished: {len(rows)} variants ({status})"]
    for row in ranked(rows, metric, settings["direction"])[:5]:
        value = row["result"]["metrics"].get(metric)
        params = " ".join(f"{k}={json.dumps(v)}" for k, v in row["params"].items())
        lines.append(f"  {metric}={value}  {row['structure']} {params}".rstrip())
    lines.append(f"  results        {out / 'results.csv'}")
    lines.append(f"  study          {out / 'study.sqlite'}")
    if report is not None:
        lines.append(f"  report         {report}")
    sys.stdout.write("\n".join(lines) + "\n")


class SweepProgress:
    """A progress bar with variants/s and ETA on a TTY; a line every 5 s otherwise."""

    def __init__(self, stream: TextIO, total: int, where: str, *, quiet: bool) -> None:
        self.stream, self.total, self.quiet = stream, total, quiet
        self.done = self.failed = 0
        self.start = self.last = time.perf_counter()
        self.tty = stream.isatty()
        if not quiet:
            stream.write(f"running {total} variant{'s' if total != 1 else ''} on {where}\n")

    def advance(self, status: str) -> None:
        self.done += 1
        self.failed += status == "error"
        now = time.perf_counter()
        if self.quiet or (now - self.last < (0.1 if self.tty else 5.0) and self.done < self.total):
            return
        self.last = now
        rate = self.done / max(now - self.start, 1e-9)
        eta = (self.total - self.done) / rate if rate else 0.0
        failed = f"  {self.failed} failed" if self.failed else ""
        if self.tty:
            filled = int(30 * self.done / max(self.total, 1))
            bar = "#" * filled + "." * (30 - filled)
            text = f"\r[{bar}] {self.done}/{self.total} variants  {rate:.1f}/s  ETA {eta:.0f}s"
            self.stream.write(text + failed)
        else:
            self.stream.write(
                f"progress: {self.done}/{self.total} variants, {rate:.1f}/s, "
                f"ETA {eta:.0f}s{failed}\n"
            )
        self.stream.flush()

    def finish(self) -> None:
        if self.tty and not self.quiet and self.done:
            self.stream.write("\n")
