"""Cold start of ``stc check``: wall time of fresh subprocesses, median of ``--runs``.

Usage::

    .venv/bin/python benchmarks/cold_start.py [--runs 9] [--target blueprints/ema_trend.yaml]
        [--mode miss|hit|edit|off|all] [--importtime [--importtime-mode miss|hit|off]]

Each run is a new ``python .venv/bin/stc check TARGET`` process (what a user types), so
interpreter start-up, every import and the whole check are counted. Modes of the
on-disk cache (``stc.compiler.cache``, under ``$XDG_CACHE_HOME/stc``):

- ``miss``: every run gets a new, empty cache directory (a first run after an install
  or an edit of every manifest);
- ``hit``: one warm-up run fills a cache directory that the timed runs then read;
- ``edit``: the same warm cache, but each run checks a new copy of the target with one
  more comment line (the edit-and-check loop: every input but the blueprint cached);
- ``off``: ``STC_NO_CACHE=1`` (no cache read or written).

Besides the wall-clock median it prints the median CPU time (user + system) of the
child, which is steadier than wall time on a shared machine, and the load averages
before and after. ``--importtime`` prints the heaviest imports of one more run
(``python -X importtime``) in ``--importtime-mode`` (a warm cache by default).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
DEFAULT_TARGET = "blueprints/ema_trend.yaml"
MODES = ("miss", "hit", "edit", "off")


def stc_command() -> list[str]:
    """The console script of this interpreter's environment (what a user runs)."""
    script = Path(sys.executable).with_name("stc")
    if script.is_file():
        return [sys.executable, str(script)]
    code = "import sys; from stc.commands.cli import console; sys.exit(console())"
    return [sys.executable, "-c", code]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(command: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, exit code) of one fresh process."""
    cpu = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run(command, cwd=PROJECT, env=env, capture_output=True, check=False)
    return time.perf_counter() - start, _children_cpu() - cpu, done.returncode


def measure(mode: str, target: str, runs: int) -> tuple[float, float, set[int]]:
    """Median wall and CPU seconds of ``runs`` cold ``stc check`` runs in ``mode``."""
    command = [*stc_command(), "check", target]
    walls, cpus, codes = [], [], set()
    with tempfile.TemporaryDirectory(prefix="stc-cold-") as tmp:
        env = {**os.environ, "XDG_CACHE_HOME": str(Path(tmp) / "warm")}
        env.pop("STC_NO_CACHE", None)
        if mode == "off":
            env["STC_NO_CACHE"] = "1"
        if mode in ("hit", "edit"):
            run_once(command, env)
        text = (PROJECT / target).read_text(encoding="utf-8") if mode == "edit" else ""
        for index in range(runs):
            if mode == "miss":
                env["XDG_CACHE_HOME"] = str(Path(tmp) / f"empty-{index}")
            timed = command
            if mode == "edit":
                edited = Path(tmp) / f"edit-{index}.yaml"
                edited.write_text(f"{text}# edit {index}\n", encoding="utf-8")
                timed = [*command[:-1], str(edited)]
            wall, cpu, code = run_once(timed, env)
            walls.append(wall)
            cpus.append(cpu)
            codes.add(code)
    return statistics.median(walls), statistics.median(cpus), codes


_IMPORT_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)")


def heaviest_imports(
    target: str, mode: str = "hit", count: int = 15
) -> list[tuple[str, float, float]]:
    """(module, self ms, cumulative ms) of one ``-X importtime`` run in cache ``mode``
    (``hit``: what a repeated check imports; ``miss``/``off``: a first check),
    heaviest first."""
    command = [*stc_command(), "check", target]
    with tempfile.TemporaryDirectory(prefix="stc-cold-") as tmp:
        env = {**os.environ, "XDG_CACHE_HOME": tmp}
        env.pop("STC_NO_CACHE", None)
        if mode == "off":
            env["STC_NO_CACHE"] = "1"
        if mode == "hit":
            run_once(command, env)
        done = subprocess.run(
            [command[0], "-X", "importtime", *command[1:]],
            cwd=PROJECT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    rows = []
    for line in done.stderr.splitlines():
        match = _IMPORT_LINE.match(line)
        if match:
            rows.append((match.group(4), int(match.group(1)) / 1e3, int(match.group(2)) / 1e3))
    return sorted(rows, key=lambda r: -r[2])[:count]


def _load() -> str:
    """The 1/5/15-minute load averages: wall times are only comparable at equal load."""
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=9, help="fresh processes per mode (≥ 7)")
    parser.add_argument("--target", default=DEFAULT_TARGET, help="file given to `stc check`")
    parser.add_argument("--mode", choices=(*MODES, "all"), default="all")
    parser.add_argument("--importtime", action="store_true", help="show the heaviest imports")
    parser.add_argument(
        "--importtime-mode",
        choices=("miss", "hit", "off"),
        default="hit",
        help="cache mode of that run",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Measure the requested modes and print one line per mode."""
    args = parse_args(argv)
    modes = MODES if args.mode == "all" else (args.mode,)
    print(
        f"`stc check {args.target}`, median of {args.runs} fresh processes, nproc {os.cpu_count()}"
    )
    print(f"  load average before: {_load()}")
    failed = False
    for mode in modes:
        wall, cpu, codes = measure(mode, args.target, args.runs)
        failed = failed or codes != {0}
        times = f"wall {wall * 1e3:6.1f} ms   cpu {cpu * 1e3:6.1f} ms"
        print(f"  cache {mode:<4}  {times}   exit {sorted(codes)}")
    print(f"  load average after:  {_load()}")
    if args.importtime:
        print(f"heaviest imports, cache {args.importtime_mode} (self ms, cumulative ms):")
        for name, own, cumulative in heaviest_imports(args.target, args.importtime_mode):
            print(f"  {name:<50} {own:7.1f} {cumulative:8.1f}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
