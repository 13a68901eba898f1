"""Cost of loading a compiled plan (``load_plan``) and of emitting one, in process.

Usage::

    .venv/bin/python benchmarks/plan_load.py [--reps 200] [--save DIR] [--before REV]

For each reference blueprint (and a synthetic blueprint of 500 workers) it compiles the
wiring map once, then times ``load_plan`` of the parsed mapping (what a sweep does per
variant) and of the file (YAML parse included), and a whole compile that renders the
map (``compile_blueprint(...).wiring_map``, in-process caches warm). Each
figure is the median of ``--reps`` calls, printed next to ``yaml.safe_load`` of the same
text measured in the same process (a ratio that survives a loaded machine). ``--save``
writes each wiring map's text to DIR, to compare the emitted bytes of two versions.
``--before REV`` also times the hand-written loader of ``stc/runtime/plan.py`` at git
revision REV (before issue 24), imported beside the current one, on the same mapping
(before and after alternate in one process, so machine load hits both alike).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(PROJECT / "benchmarks"))

from synthetic import write_blueprint, write_plugin_root  # noqa: E402

from stc.compiler.api import compile_blueprint  # noqa: E402
from stc.runtime.plan import load_plan  # noqa: E402

SYNTHETIC_WORKERS = 500


def median_us(fn: Callable[[], object], reps: int) -> float:
    """Median wall time of one call of ``fn`` in microseconds (after one warm-up call)."""
    fn()
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def old_loader(revision: str, folder: Path) -> Callable[[object], object]:
    """``load_plan`` of ``stc/runtime/plan.py`` at ``revision``, as a separate module."""
    source = subprocess.run(
        ["git", "show", f"{revision}:stc/runtime/plan.py"],
        cwd=PROJECT, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    file = folder / "plan_before.py"
    file.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("plan_before", file)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["plan_before"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    loader: Callable[[object], object] = module.load_plan
    return loader


def targets(folder: Path) -> list[tuple[str, Path, list[Path]]]:
    """(name, file, plugin roots) of every plan measured."""
    found: list[tuple[str, Path, list[Path]]] = [
        (p.name, p, [])
        for p in sorted((PROJECT / "blueprints").glob("*.yaml"))
        if p.name != "dca_weekly.yaml"  # compiled through its operation
    ]
    root = write_plugin_root(folder)
    found.append(
        (f"synthetic_{SYNTHETIC_WORKERS}", write_blueprint(folder, SYNTHETIC_WORKERS), [root])
    )
    return found


def measure(
    name: str,
    path: Path,
    roots: list[Path],
    tmp: Path,
    reps: int,
    save: Path | None,
    before: Callable[[object], object] | None,
) -> str:
    """One table row: the load and compile figures of one plan."""
    result = compile_blueprint(path, plugin_dirs=roots)
    assert result.ok, result.rendered_diagnostics()
    text = result.wiring_map
    if save:
        save.mkdir(parents=True, exist_ok=True)
        (save / f"{Path(name).stem}.wiring_map.yaml").write_text(text, "utf-8")
    mapping = yaml.safe_load(text)
    file = tmp / f"{name}.wiring_map.yaml"
    file.write_text(text, encoding="utf-8")
    reps = reps if name.endswith(".yaml") else max(reps // 20, 5)
    compiled = median_us(
        lambda: compile_blueprint(path, plugin_dirs=roots).wiring_map, max(reps // 10, 3)
    )
    old = f"{median_us(lambda: before(mapping), reps):>14.0f}" if before else ""
    return (
        f"{name:<28}{old}{median_us(lambda: load_plan(mapping), reps):>18.0f}"
        f"{median_us(lambda: load_plan(file), reps):>16.0f}"
        f"{median_us(lambda: yaml.safe_load(text), reps):>14.0f}{compiled / 1000:>18.1f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--save", type=Path)
    parser.add_argument("--before", metavar="REV")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f}; median of {args.reps} calls")
    old = f"{'before µs':>14}" if args.before else ""
    print(f"{'plan':<28}{old}{'load(mapping) µs':>18}{'load(file) µs':>16}{'safe_load µs':>14}"
          f"{'compile+emit ms':>18}")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        before = old_loader(args.before, Path(tmp)) if args.before else None
        for name, path, roots in targets(Path(tmp)):
            print(measure(name, path, roots, Path(tmp), args.reps, args.save, before))
    print(f"load average {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
