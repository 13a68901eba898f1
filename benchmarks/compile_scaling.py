"""Compile scaling: each compiler stage next to its floor, 10 … 10,000 workers, one run.

Usage::

    .venv/bin/python benchmarks/compile_scaling.py [--sizes 10,100,1000,5000,10000]
        [--reps 5] [--write-docs] [--profile 5000] [--skip-cold] [--skip-determinism]
        [--shapes 25,50,100,200,400] [--shapes-only]

Synthetic plugins (``benchmarks/synthetic.py``) are written into a temporary directory
and blueprints of N worker instances are compiled against them. Stages and floors:

- parse: ``stc.compiler.sources.load_yaml_text`` vs ``yaml.load(text, CSafeLoader)``;
- check: validate + discover + resolve + wiring + graph + all checks vs a bare networkx
  ``DiGraph`` of the same nodes and edges plus ``nx.topological_sort``;
- graph+checks: ``build_graph`` + loading the worker classes + every check pass on the
  resolved unit (issue 3's target: ≤ 4× the same networkx floor);
- emit: ``render_wiring_map`` vs ``yaml.dump`` of the same data with ``CSafeDumper``;
- dot: ``render_dot(unit, [])`` (no floor; target ≤ 10 µs per worker);
- e2e: ``compile_blueprint(path)`` + ``.wiring_map``;
- cold start: ``stc check`` as a subprocess, and ``python -X importtime`` on that path;
- shapes (``--shapes``, issue 27): compile cost against the length of a dependency chain
  of context workers and the width of a fan-out and a fan-in
  (``benchmarks/chain_shapes.py``): the first compile of each blueprint (which imports
  its N plugin modules) and the median of warm compiles, with the on-disk cache off,
  per worker; DOT text alone for comparison (no Graphviz layout is measured).

Timings are medians of ``--reps`` runs (3 when one run takes over ``SLOW_SECONDS``),
with the garbage collector disabled while a run is timed (collected between runs); a
run of a stage shorter than ``BATCH_SECONDS`` makes several calls and reports their
mean (``timeit``'s approach), for the stage and its floor alike.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import hashlib
import io
import math
import os
import platform
import pstats
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import yaml

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

from benchmarks import cold_start  # noqa: E402
from benchmarks.chain_shapes import SHAPES, warm_compile_calls, write_shape  # noqa: E402
from benchmarks.synthetic import write_blueprint, write_plugin_root  # noqa: E402
from stc.compiler import classes, wiring  # noqa: E402
from stc.compiler.api import compile_blueprint  # noqa: E402
from stc.compiler.checks import run_checks  # noqa: E402
from stc.compiler.diagnostics import Diagnostic  # noqa: E402
from stc.compiler.emit.dot import render_dot  # noqa: E402
from stc.compiler.emit.wiring_map import build_wiring_data, render_wiring_map  # noqa: E402
from stc.compiler.graph import build_graph  # noqa: E402
from stc.compiler.model.blueprint import StrategyBlueprint  # noqa: E402
from stc.compiler.model.platform import Platform  # noqa: E402
from stc.compiler.pipeline import Session  # noqa: E402
from stc.compiler.resolve import resolve_workers  # noqa: E402
from stc.compiler.sources import Loaded, load_yaml_text  # noqa: E402
from stc.compiler.unit import CompileUnit  # noqa: E402
from stc.compiler.validate import validate_document  # noqa: E402

DEFAULT_SIZES = (10, 100, 1_000, 5_000, 10_000)
SLOW_SECONDS = 2.0
"""A stage whose first run takes longer than this is repeated only 3 times."""
BATCH_SECONDS = 0.05
"""A timed run lasts at least this long: at 1,000 workers graph+checks takes a few ms,
where a single preemption by another process would otherwise decide the median."""
MAX_CALLS = 100
DOCS = PROJECT / "docs" / "performance.md"
SECTION = "## Compile scaling"
COLD_TARGET = "blueprints/ema_trend.yaml"
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


# ------------------------------------------------------------------------ timing


def _run_once(fn: Callable[[], object], number: int = 1) -> float:
    """Seconds per call of ``number`` calls in a row, with the GC off."""
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        for _ in range(number):
            fn()
        return (time.perf_counter() - start) / number
    finally:
        gc.enable()


def _calls_per_run(first: float) -> int:
    """How many calls one timed run makes: a stage shorter than ``BATCH_SECONDS`` is
    repeated within the run and averaged (as ``timeit`` does)."""
    if first >= BATCH_SECONDS:
        return 1
    return min(MAX_CALLS, math.ceil(BATCH_SECONDS / max(first, 1e-6)))


def median_time(
    fn: Callable[[], object], reps: int, floor: Callable[[], object] | None = None
) -> tuple[float, float | None, int]:
    """Median seconds of ``fn`` (and of ``floor``, run alternately with it so that load
    from other processes hits both alike), over ``reps`` runs — 3 if a run is slow.
    The first call of each also sizes its runs; it counts only when runs are single
    calls."""
    first = _run_once(fn)
    number = _calls_per_run(first)
    times = [first] if number == 1 else []
    floors: list[float] = []
    floor_number = 1
    if floor is not None:
        floor_first = _run_once(floor)
        floor_number = _calls_per_run(floor_first)
        floors = [floor_first] if floor_number == 1 else []
    wanted = 3 if first > SLOW_SECONDS else reps
    while len(times) < wanted:
        times.append(_run_once(fn, number))
        if floor is not None:
            floors.append(_run_once(floor, floor_number))
    return statistics.median(times), statistics.median(floors) if floors else None, len(times)


# ------------------------------------------------------------------------ stages


@dataclass
class Row:
    """One measured stage of one blueprint size."""

    workers: int
    stage: str
    seconds: float
    floor: float | None
    runs: int

    @property
    def ratio(self) -> float | None:
        """Stage time over floor time."""
        return None if not self.floor else self.seconds / self.floor

    @property
    def us_per_worker(self) -> float:
        """Microseconds per worker instance."""
        return self.seconds * 1e6 / self.workers


@dataclass
class Checked:
    """The result of the check stage: the unit and how long each pass took."""

    unit: CompileUnit
    passes: dict[str, float] = field(default_factory=dict)


def check_stage(loaded: Loaded, display: str, root: Path) -> Checked:
    """validate → discover → resolve → wiring → graph → checks, as the pipeline runs
    them for a blueprint compiled alone (no platform or operation layer)."""
    passes: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        passes[name] = now - clock
        clock = now

    blueprint, problems = validate_document(loaded, StrategyBlueprint, "strategy_blueprint")
    lap("validate")
    assert blueprint is not None and not problems, problems
    session = Session(plugin_dirs=[root])
    registry = session.registry()
    lap("discover plugins")
    platform_model = Platform(platform_version=1)
    unit = CompileUnit(display, loaded, blueprint, registry, platform_model)
    unit.aggregation = platform_model.aggregation
    if blueprint.aggregation is not None:
        unit.aggregation = blueprint.aggregation
        unit.aggregation_from_blueprint = True
    diagnostics = [*registry.diagnostics, *resolve_workers(unit)]
    lap("resolve")
    wiring.expand(unit)
    lap("expand wiring")
    build_graph(unit)
    lap("build graph")
    diagnostics += graph_checks(unit)
    lap("checks")
    assert not diagnostics, [f"{d.code} {d.message}" for d in diagnostics[:5]]
    return Checked(unit, passes)


def graph_checks(unit: CompileUnit) -> list[Diagnostic]:
    """The checks as the pipeline runs them: worker classes (or the cached verdict that
    the checks against code pass), then every check pass."""
    found, clean_key = classes.load_classes(unit)
    found += run_checks(unit)
    classes.remember_clean(unit, clean_key, found)
    return found


def graph_and_checks(unit: CompileUnit) -> list[Diagnostic]:
    """Issue 3's "graph build + all checks" on an already resolved and wired unit."""
    build_graph(unit)
    return graph_checks(unit)


def networkx_floor(nodes: Sequence[str], edges: Sequence[tuple[str, str]]) -> list[str]:
    """The floor of the check stage: a bare DiGraph build and a topological sort."""
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from(edges)
    return list(nx.topological_sort(graph))


def dump_floor(data: Any) -> str:
    """The floor of the emit stage: libyaml's dumper on the same plain data."""
    text: str = yaml.dump(
        data, Dumper=_DUMPER, sort_keys=False, allow_unicode=True, width=120,
        default_flow_style=False,
    )  # fmt: skip
    return text


def end_to_end(path: Path, root: Path) -> str:
    """What a user pays: compile the file and render the wiring map."""
    result = compile_blueprint(path, plugin_dirs=[root])
    assert result.ok, result.rendered_diagnostics()
    return result.wiring_map


@dataclass
class SizeReport:
    """Everything measured for one blueprint size."""

    workers: int
    rows: list[Row]
    passes: dict[str, float]


def measure_size(workers: int, folder: Path, root: Path, reps: int) -> SizeReport:
    """Every stage of one blueprint size, each next to its floor."""
    path = write_blueprint(folder, workers)
    text = path.read_text(encoding="utf-8")
    display = path.name
    rows: list[Row] = []

    def add(stage: str, fn: Callable[[], object], floor: Callable[[], object] | None) -> None:
        seconds, floor_s, runs = median_time(fn, reps, floor)
        rows.append(Row(workers, stage, seconds, floor_s, runs))

    add("parse", lambda: load_yaml_text(text, display), lambda: yaml.load(text, Loader=_LOADER))
    loaded = load_yaml_text(text, display)
    assert loaded.ok and loaded.data is not None
    checked = check_stage(loaded, display, root)
    nodes = list(checked.unit.graph.nodes)
    edges = [(u, v) for u, v in checked.unit.graph.edges]
    pass_runs: list[dict[str, float]] = []

    def check_and_record() -> None:
        pass_runs.append(check_stage(loaded, display, root).passes)

    add("check", check_and_record, lambda: networkx_floor(nodes, edges))
    unit = checked.unit
    add("graph+checks", lambda: graph_and_checks(unit), lambda: networkx_floor(nodes, edges))
    data = build_wiring_data(unit)
    add("emit", lambda: render_wiring_map(build_wiring_data(unit)), lambda: dump_floor(data))
    add("dot", lambda: render_dot(unit, []), None)
    add("e2e", lambda: end_to_end(path, root), None)
    passes = {name: statistics.median(run[name] for run in pass_runs) for name in pass_runs[0]}
    passes.update(_emit_parts(unit, data, reps))
    return SizeReport(workers, rows, passes)


def _emit_parts(unit: CompileUnit, data: dict[str, Any], reps: int) -> dict[str, float]:
    """Where emit time goes: building the plan's data, writing its YAML text."""
    import json

    return {
        "build_wiring_data (plain data)": median_time(lambda: build_wiring_data(unit), reps)[0],
        "render_wiring_map (YAML text)": median_time(lambda: render_wiring_map(data), reps)[0],
        "json.dumps (reference)": median_time(lambda: json.dumps(data), reps)[0],
    }


# ------------------------------------------------------------------- cold start


@dataclass
class ColdStart:
    """``stc check`` wall time with an empty and a warm cache, and the heaviest imports
    (of a warm-cache run)."""

    target: str
    miss: float
    hit: float
    returncodes: set[int]
    imports: list[tuple[str, float, float]]
    """(module, self ms, cumulative ms), the top 10 by cumulative time."""

    @property
    def ok(self) -> bool:
        """Every run exited 0 (the reference blueprint is clean)."""
        return self.returncodes == {0}


def measure_cold(reps: int) -> ColdStart:
    """Median wall time of fresh ``stc check`` processes (``benchmarks/cold_start.py``):
    each with an empty cache, then with a warm one; plus ``-X importtime`` of a warm run."""
    runs = max(reps, 7)
    miss, _, miss_codes = cold_start.measure("miss", COLD_TARGET, runs)
    hit, _, hit_codes = cold_start.measure("hit", COLD_TARGET, runs)
    return ColdStart(
        COLD_TARGET, miss, hit, miss_codes | hit_codes, cold_start.heaviest_imports(COLD_TARGET, 10)
    )


# ------------------------------------------------------------------ determinism

_DETERMINISM_SCRIPT = """
import sys
from stc.compiler.api import compile_blueprint
result = compile_blueprint(sys.argv[1], plugin_dirs=[sys.argv[2]])
sys.stdout.buffer.write(result.wiring_map.encode("utf-8"))
"""


def determinism(path: Path, root: Path) -> tuple[bool, list[str]]:
    """Wiring map bytes of two subprocesses with PYTHONHASHSEED 0 and 1."""
    digests = []
    for seed in ("0", "1"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", _DETERMINISM_SCRIPT, path.name, str(root)],
            cwd=path.parent,
            env=env,
            capture_output=True,
            check=True,
        )
        digests.append(hashlib.sha256(done.stdout).hexdigest())
    return digests[0] == digests[1], digests


# ----------------------------------------------------------------------- shapes


@dataclass
class ShapeRow:
    """Compile cost of one shape at one size (N workers in its chain or fan)."""

    shape: str
    workers: int
    first: float
    """Seconds of the first compile (plugin discovery + importing N worker modules)."""
    warm: float
    """Median seconds of later compiles (modules imported, no on-disk cache)."""
    dot: float
    """Median seconds of ``render_dot`` on the compiled unit (DOT text, no layout)."""
    runs: int
    calls: int
    """Python function calls of one warm compile (cProfile): deterministic."""

    def per_worker(self, seconds: float) -> float:
        """Milliseconds per worker instance of the blueprint (all of them)."""
        return seconds * 1e3 / self.workers


def measure_shape(shape: str, workers: int, folder: Path, reps: int) -> ShapeRow:
    """One shape at one size: first compile, warm compiles, DOT text."""
    path, root = write_shape(folder, shape, workers)
    started = time.perf_counter()
    first_result = compile_blueprint(path, plugin_dirs=[root])
    assert first_result.ok, first_result.rendered_diagnostics()
    first_result.wiring_map  # noqa: B018 - rendering the map is part of compiling
    first = time.perf_counter() - started
    warm, _, runs = median_time(lambda: end_to_end(path, root), reps)
    unit = _unit_of(path, root)
    dot = median_time(lambda: render_dot(unit, []), reps)[0]
    return ShapeRow(shape, workers, first, warm, dot, runs, warm_compile_calls(path, root))


def _unit_of(path: Path, root: Path) -> CompileUnit:
    """The checked compile unit of ``path`` (for timing ``render_dot`` alone)."""
    text = path.read_text(encoding="utf-8")
    loaded = load_yaml_text(text, path.name)
    return check_stage(loaded, path.name, root).unit


def measure_shapes(sizes: Sequence[int], reps: int) -> list[ShapeRow]:
    """Every shape at every size, with the on-disk compile cache off."""
    previous = os.environ.get("STC_NO_CACHE")
    os.environ["STC_NO_CACHE"] = "1"
    try:
        with tempfile.TemporaryDirectory(prefix="stc-shapes-") as tmp:
            rows = []
            for shape in SHAPES:
                for workers in sizes:
                    print(f"measuring {shape} {workers:,} …", file=sys.stderr, flush=True)
                    rows.append(measure_shape(shape, workers, Path(tmp), reps))
            return rows
    finally:
        if previous is None:
            os.environ.pop("STC_NO_CACHE", None)
        else:
            os.environ["STC_NO_CACHE"] = previous


def shape_table(rows: Sequence[ShapeRow]) -> str:
    """Rows: shape × N; ms per worker of the first and warm compiles, the function calls
    of a warm compile and the marginal calls of one more worker (the slope from the
    previous size): constant when the compile is linear, whatever its fixed part."""
    lines = [
        "| shape | N | first compile ms | ms/N | warm compile ms | ms/N | calls "
        "| marginal calls/worker | DOT text ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    previous: dict[str, ShapeRow] = {}
    for row in rows:
        before = previous.get(row.shape)
        slope = "—"
        if before is not None and row.workers > before.workers:
            slope = f"{(row.calls - before.calls) / (row.workers - before.workers):,.0f}"
        previous[row.shape] = row
        lines.append(
            f"| {row.shape} | {row.workers:,} | {_ms(row.first)} | "
            f"{row.per_worker(row.first):.2f} | {_ms(row.warm)} | "
            f"{row.per_worker(row.warm):.2f} | {row.calls:,} | {slope} | {_ms(row.dot)} |"
        )
    return "\n".join(lines)


# ---------------------------------------------------------------------- profile


def profile_compile(path: Path, root: Path, top: int = 15) -> str:
    """cProfile of one end-to-end compile, top functions by cumulative time."""
    profiler = cProfile.Profile()
    profiler.enable()
    end_to_end(path, root)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    out.write("\n")
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue().replace(str(PROJECT) + "/", "")


# ---------------------------------------------------------------------- report


def _ms(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds * 1e3:,.1f}"


def stage_table(reports: Sequence[SizeReport]) -> str:
    """Rows: workers × stage; columns: time, floor, ratio, µs/worker, runs."""
    lines = [
        "| workers | stage | time ms | floor ms | ratio | µs/worker | runs |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for report in reports:
        for row in report.rows:
            ratio = "—" if row.ratio is None else f"{row.ratio:,.1f}×"
            lines.append(
                f"| {row.workers:,} | {row.stage} | {_ms(row.seconds)} | {_ms(row.floor)} "
                f"| {ratio} | {row.us_per_worker:,.1f} | {row.runs} |"
            )
    return "\n".join(lines)


def pass_table(reports: Sequence[SizeReport]) -> str:
    """Where the check and emit stages spend their time, per pass (ms)."""
    names = list(reports[0].passes)
    header = "| pass | " + " | ".join(f"{r.workers:,}" for r in reports) + " |"
    lines = [header, "|---|" + "---:|" * len(reports)]
    for name in names:
        cells = " | ".join(_ms(r.passes.get(name)) for r in reports)
        lines.append(f"| {name} | {cells} |")
    return "\n".join(lines)


@dataclass
class Target:
    """One quality bar and whether this run met it."""

    what: str
    measured: str
    ok: bool | None


def _row(reports: Sequence[SizeReport], workers: int, stage: str) -> Row | None:
    for report in reports:
        if report.workers == workers:
            return next((r for r in report.rows if r.stage == stage), None)
    return None


def targets(
    reports: Sequence[SizeReport], cold: ColdStart | None, same: bool | None
) -> list[Target]:
    """The targets of the brief, PASS/FAIL (n/a when the size was not measured)."""
    found = [_graph_checks_target(reports)]
    for workers, limit in ((5_000, 0.6), (1_000, 0.15)):
        row = _row(reports, workers, "e2e")
        found.append(
            Target(
                f"end to end, {workers:,} workers < {limit * 1e3:.0f} ms",
                _ms(row.seconds) + " ms" if row else "not measured",
                None if row is None else row.seconds < limit,
            )
        )
    small, big = _row(reports, 1_000, "e2e"), _row(reports, 10_000, "e2e")
    growth = big.seconds / small.seconds if big and small else None
    found.append(
        Target(
            "growth 10,000 / 1,000 workers ≤ 12×",
            f"{growth:.1f}×" if growth else "not measured",
            None if growth is None else growth <= 12,
        )
    )
    dots = [r for rep in reports for r in rep.rows if r.stage == "dot" and r.workers >= 100]
    worst = max(dots, key=lambda r: r.us_per_worker) if dots else None
    found.append(
        Target(
            "DOT ≤ 10 µs/worker (worst size ≥ 100 workers)",
            f"{worst.us_per_worker:.1f} µs at {worst.workers:,}" if worst else "not measured",
            None if worst is None else worst.us_per_worker <= 10,
        )
    )
    for label, seconds in (("warm cache", cold and cold.hit), ("empty cache", cold and cold.miss)):
        found.append(
            Target(
                f"cold `stc check` ≤ 300 ms ({label})",
                f"{_ms(seconds)} ms" if cold else "not measured",
                None if cold is None else bool(seconds) and seconds <= 0.3 and cold.ok,
            )
        )
    found.append(
        Target(
            "wiring map bytes equal under PYTHONHASHSEED=0 and 1 (1,000 workers)",
            "identical" if same else ("differ" if same is False else "not measured"),
            same,
        )
    )
    return found


def _graph_checks_target(reports: Sequence[SizeReport]) -> Target:
    """graph build + all checks ≤ 4× the networkx floor, worst of 1,000–10,000 workers."""
    rows = [
        r
        for rep in reports
        for r in rep.rows
        if r.stage == "graph+checks" and r.workers >= 1_000 and r.ratio is not None
    ]
    worst = max(rows, key=lambda r: r.ratio or 0.0) if rows else None
    return Target(
        "graph build + all checks ≤ 4× networkx floor (worst of 1,000–10,000 workers)",
        f"{worst.ratio:.1f}× at {worst.workers:,}" if worst and worst.ratio else "not measured",
        None if worst is None or worst.ratio is None else worst.ratio <= 4,
    )


def target_table(found: Sequence[Target]) -> str:
    """Targets with their measurement and PASS/FAIL."""
    lines = ["| target | measured | result |", "|---|---:|---|"]
    for target in found:
        verdict = {True: "PASS", False: "FAIL", None: "n/a"}[target.ok]
        lines.append(f"| {target.what} | {target.measured} | {verdict} |")
    return "\n".join(lines)


def import_table(cold: ColdStart) -> str:
    """The top imports of the cold start."""
    lines = ["| module | self ms | cumulative ms |", "|---|---:|---:|"]
    lines += [f"| `{name}` | {own:.1f} | {cum:.1f} |" for name, own, cum in cold.imports]
    return "\n".join(lines)


def machine_facts() -> str:
    """nproc, Python, PyYAML (and whether libyaml is used), networkx, platform."""
    libyaml = "with libyaml" if hasattr(yaml, "CSafeLoader") else "pure Python"
    return (
        f"nproc {os.cpu_count()}, Python {platform.python_version()} "
        f"({platform.python_implementation()}), PyYAML {yaml.__version__} {libyaml}, "
        f"networkx {nx.__version__}, {platform.system()} {platform.machine()}"
    )


def render_report(
    reports: Sequence[SizeReport],
    cold: ColdStart | None,
    same: bool | None,
    command: str,
    load: str = "not recorded",
) -> str:
    """The markdown section (also printed to stdout)."""
    parts = [
        SECTION,
        "",
        f"Measured with `{command}` on: {machine_facts()}; 1-minute load average "
        f"{load} (other processes share the {os.cpu_count()} cores: compare ratios "
        "rather than absolute times across runs). Medians of the runs shown; "
        "the garbage collector is disabled while a run is timed, and a run shorter than "
        f"{BATCH_SECONDS * 1e3:.0f} ms repeats the call and reports the mean. Floors: parse = "
        "`yaml.load(text, CSafeLoader)`; check (validate + plugin discovery + resolve + "
        "wiring + graph + all checks) and graph+checks (issue 3: graph build + all checks "
        "on the resolved unit) = a bare networkx `DiGraph` of the same nodes and "
        "edges + `topological_sort`; emit (`render_wiring_map`) = `yaml.dump(same data, "
        "CSafeDumper)`. e2e = `compile_blueprint(path)` + `.wiring_map`. Blueprints and "
        "plugins are generated by `benchmarks/synthetic.py`.",
        "",
        stage_table(reports),
        "",
        "Time per pass (ms, medians):",
        "",
        pass_table(reports),
        "",
        target_table(targets(reports, cold, same)),
    ]
    if cold is not None:
        parts += [
            "",
            f"Cold start: `stc check {cold.target}`, median of 7+ fresh processes "
            f"(`benchmarks/cold_start.py`): {_ms(cold.hit)} ms with a warm cache, "
            f"{_ms(cold.miss)} ms with an empty one. Heaviest imports of a warm-cache run "
            "(`python -X importtime`, which inflates them):",
            "",
            import_table(cold),
        ]
    return "\n".join(parts) + "\n"


def write_docs(section: str) -> None:
    """Replace (or append) the ``## Compile scaling`` section of docs/performance.md."""
    text = DOCS.read_text(encoding="utf-8") if DOCS.is_file() else "# Performance\n"
    start = text.find(SECTION + "\n")
    if start < 0:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        following = re.search(r"^## ", text[start + len(SECTION) :], flags=re.M)
        end = start + len(SECTION) + following.start() if following else len(text)
        rest = text[end:]
        text = text[:start] + section + ("\n" + rest if rest else "")
    DOCS.parent.mkdir(parents=True, exist_ok=True)
    DOCS.write_text(text, encoding="utf-8")


# ------------------------------------------------------------------------- main


def _sizes(value: str) -> list[int]:
    return [int(part.replace("_", "")) for part in value.split(",") if part.strip()]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--sizes", type=_sizes, default=list(DEFAULT_SIZES))
    parser.add_argument("--reps", type=int, default=5, help="runs per stage (median)")
    parser.add_argument("--profile", type=int, default=5_000, metavar="WORKERS",
                        help="cProfile one compile of this size (0: skip)")  # fmt: skip
    parser.add_argument("--skip-cold", action="store_true", help="no cold-start subprocesses")
    parser.add_argument("--skip-determinism", action="store_true")
    parser.add_argument("--shapes", type=_sizes, default=[], metavar="SIZES",
                        help="also measure chain / fan-out / fan-in blueprints of these "
                             "sizes (e.g. 25,50,100,200,400)")  # fmt: skip
    parser.add_argument("--shapes-only", action="store_true",
                        help="measure only the --shapes blueprints")  # fmt: skip
    parser.add_argument("--write-docs", action="store_true",
                        help=f"replace the '{SECTION}' section of docs/performance.md")  # fmt: skip
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run every measurement, print the report, optionally write the docs section."""
    args = parse_args(argv)
    command = "python benchmarks/compile_scaling.py " + " ".join(
        sys.argv[1:] if argv is None else argv
    )
    load_before = os.getloadavg()[0]
    if args.shapes_only:
        return _shapes_main(args, command.strip(), load_before)
    with tempfile.TemporaryDirectory(prefix="stc-bench-") as tmp:
        folder = Path(tmp)
        root = write_plugin_root(folder)
        end_to_end(write_blueprint(folder, 10), root)  # warm imports and plugin modules
        reports = []
        for workers in args.sizes:
            print(f"measuring {workers:,} workers …", file=sys.stderr, flush=True)
            reports.append(measure_size(workers, folder, root, args.reps))
        same = None
        if not args.skip_determinism:
            same, digests = determinism(write_blueprint(folder, 1_000), root)
            print(f"determinism: sha256 {digests}", file=sys.stderr)
        cold = None if args.skip_cold else measure_cold(args.reps)
        profile = ""
        if args.profile:
            profile = profile_compile(write_blueprint(folder, args.profile), root)
    load = f"{load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    section = render_report(reports, cold, same, command.strip(), load)
    print(section)
    if profile:
        print(f"### cProfile: compile_blueprint + wiring_map, {args.profile:,} workers\n")
        print("```\n" + profile.strip() + "\n```")
    if args.shapes:
        _shapes_main(args, command.strip(), load_before)
    if args.write_docs:
        write_docs(section)
        print(f"wrote the '{SECTION}' section of {DOCS.relative_to(PROJECT)}", file=sys.stderr)
    return 1 if same is False else 0


def _shapes_main(args: argparse.Namespace, command: str, load_before: float) -> int:
    """Measure and print the shapes table (not written into the docs by --write-docs:
    docs/performance.md records it in its own section)."""
    rows = measure_shapes(args.shapes or [25, 50, 100, 200, 400], args.reps)
    load = f"{load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    print(f"Chain length and fan width, `{command}`; 1-minute load average {load}.\n")
    print(shape_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
