"""``stc lsp``: how fast an edit is re-checked, and whether memory stays bounded.

Usage::

    .venv/bin/python benchmarks/lsp_incremental.py [--workers 1000] [--edits 40]
        [--memory-workers 100] [--memory-edits 2000] [--no-stdio]

Three measurements, all on synthetic plugins and blueprints
(``benchmarks/synthetic.py``) written to a temporary folder:

1. **re-check after a one-line edit** (in process, what the server runs per edit):
   a ``--workers`` blueprint is opened in :class:`stc.compiler.lsp.analysis.Analysis` and
   checked once (cold: discovery, imports); then each of ``--edits`` edits changes one
   param value of a worker in the middle of the file and the unit is checked again.
   Wall time (``perf_counter``) and CPU time of the process (``process_time``, steadier
   on a shared machine) per re-check: median, 90th percentile, minimum. Also the
   re-check of an unchanged text (the server's skip).
2. **memory across hours of edits**: ``--memory-edits`` edit/check cycles on a
   ``--memory-workers`` blueprint (2,000 checks ≈ an hour of one re-check every two
   seconds), with the Python heap (``tracemalloc``) after each quarter.
3. **end to end over stdio** (unless ``--no-stdio``): a real ``stc lsp`` process; the
   time from ``didOpen`` of ``tests/fixtures/stc003_unknown_plugin.yaml`` to its
   published ``STC003`` (the acceptance's "within 1 s"), and from a ``didChange`` of
   the ``--workers`` blueprint to its published diagnostics (``--debounce 0``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from benchmarks.synthetic import write_blueprint, write_plugin_root  # noqa: E402
from stc.compiler.lsp.analysis import Analysis, editor_process  # noqa: E402


def _edits(text: str, count: int) -> list[str]:
    """``count`` versions of ``text``, each with one param value in the middle changed."""
    lines = text.split("\n")
    params = [i for i, line in enumerate(lines) if "period: " in line]
    target = params[len(params) // 2]
    versions = []
    for k in range(count):
        edited = list(lines)
        edited[target] = edited[target].replace("period: ", f"period: {10 + k % 7}", 1)
        versions.append("\n".join(edited))
    return versions


def _stats(values: list[float]) -> str:
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]
    return f"median {statistics.median(ordered):7.1f}  p90 {p90:7.1f}  min {ordered[0]:7.1f}"


def recheck(root: Path, blueprint: Path, edits: int) -> None:
    analysis = Analysis(plugin_dirs=[root])
    path, text = str(blueprint), blueprint.read_text("utf-8")
    analysis.open(path, text)
    start = time.perf_counter()
    result = analysis.check(path)
    cold = (time.perf_counter() - start) * 1000
    problems = sum(len(found) for found in result.by_file.values())
    print(f"  cold first check: {cold:.0f} ms ({problems} diagnostics)")
    walls, cpus = [], []
    for version in _edits(text, edits):
        analysis.change(path, version)
        wall, cpu = time.perf_counter(), time.process_time()
        analysis.check(path)
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    print(f"  one-line edit, wall ms: {_stats(walls)}")
    print(f"  one-line edit, CPU ms:  {_stats(cpus)}")
    wall = time.perf_counter()
    analysis.check(path)
    print(f"  unchanged text (skipped): {(time.perf_counter() - wall) * 1000:.3f} ms")


def memory(root: Path, blueprint: Path, edits: int) -> None:
    analysis = Analysis(plugin_dirs=[root])
    path, text = str(blueprint), blueprint.read_text("utf-8")
    analysis.open(path, text)
    analysis.check(path)
    tracemalloc.start()
    versions = _edits(text, 7)
    marks = []
    for k in range(edits):
        analysis.change(path, versions[k % len(versions)] + f"\n# edit {k}\n")
        analysis.check(path)
        if (k + 1) % max(edits // 4, 1) == 0:
            current, _ = tracemalloc.get_traced_memory()
            marks.append(f"{k + 1}: {current / 1e6:.1f} MB")
    tracemalloc.stop()
    print(f"  traced heap after edits: {', '.join(marks)}")


def stdio(root: Path, blueprint: Path) -> None:
    from tests.compiler.lsp.stdio_client import StdioClient

    server = [sys.executable, "-m", "stc.commands.cli", "lsp", "--debounce", "0",
              "--plugins-dir", str(root)]  # fmt: skip
    client = StdioClient(server, cwd=PROJECT)
    try:
        client.initialize(PROJECT)
        fixture = PROJECT / "tests" / "fixtures" / "stc003_unknown_plugin.yaml"
        start = time.perf_counter()
        client.open(fixture.as_uri(), fixture.read_text("utf-8"))
        found = client.wait_diagnostics(fixture.as_uri())
        took = (time.perf_counter() - start) * 1000
        codes = [d["code"] for d in found]
        print(f"  didOpen STC003 fixture -> published {codes}: {took:.0f} ms")
        text = blueprint.read_text("utf-8")
        client.open(blueprint.as_uri(), text)
        client.wait_diagnostics(blueprint.as_uri(), timeout=60)
        times = []
        for k, version in enumerate(_edits(text, 10), start=2):
            start = time.perf_counter()
            client.change(blueprint.as_uri(), version, k)
            client.wait_diagnostics(blueprint.as_uri(), timeout=60)
            times.append((time.perf_counter() - start) * 1000)
        print(f"  didChange of the big blueprint -> published, wall ms: {_stats(times)}")
    finally:
        client.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=1000)
    parser.add_argument("--edits", type=int, default=40)
    parser.add_argument("--memory-workers", type=int, default=100)
    parser.add_argument("--memory-edits", type=int, default=2000)
    parser.add_argument("--no-stdio", action="store_true")
    args = parser.parse_args()
    editor_process()  # as `stc lsp` runs
    print(f"load average before: {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        root = write_plugin_root(folder)
        big = write_blueprint(folder, args.workers)
        print(f"re-check of a {args.workers}-worker blueprint after a one-line edit:")
        recheck(root, big, args.edits)
        if args.memory_edits:
            small = write_blueprint(folder, args.memory_workers)
            print(f"memory, {args.memory_edits} edits of a {args.memory_workers}-worker blueprint:")
            memory(root, small, args.memory_edits)
        if not args.no_stdio:
            print("end to end over stdio (stc lsp --debounce 0):")
            stdio(root, big)
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
