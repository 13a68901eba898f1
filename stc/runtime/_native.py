"""The compiled hot path: which modules ``tools/build_native.py`` compiles with mypyc,
and the guard that keeps a stale build from shadowing edited sources.

Why: the per-bar path (engine, ledger, venue, fill model, data stream, market
windows, aggregators, contract checks, incremental indicators) is a chain of small
Python calls; compiled by mypyc (C extensions built from the same type-annotated
sources, ``make`` builds them at install) it runs ~2× faster. The sources stay the
truth: nothing else changes, and without a C compiler everything runs as plain Python.

The danger of in-place extensions is that Python imports ``engine.*.so`` in
preference to an edited ``engine.py``. The build records the sha256 of every source it
compiled (``NATIVE_MANIFEST``); on import, :func:`guard` compares them, and when any
source differs (or ``STC_PURE_PYTHON=1`` is set) it makes *all* these modules load from
source — all, because compiled modules call each other natively and a mix would run
old code or reject each other's objects. ``stc.runtime.native_status()`` says which
mode is active.
"""

from __future__ import annotations

import importlib.machinery
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

REPO_ROOT = Path(__file__).resolve().parents[2]

NATIVE_RUNTIME_MODULES: tuple[str, ...] = (
    "stc.runtime.batch_ids",
    "stc.runtime.bus",
    "stc.runtime.contracts",
    "stc.runtime.data",
    "stc.runtime.data_csv",
    "stc.runtime.data_parquet",
    "stc.runtime.data_rows",
    "stc.runtime.data_time",
    "stc.runtime.dispatch",
    "stc.runtime.dtos.ids",
    "stc.runtime.dtos.market",
    "stc.runtime.dtos.trusted",
    "stc.runtime.engine",
    "stc.runtime.execution.fill_model",
    "stc.runtime.execution.venue",
    "stc.runtime.flow_recorder",
    "stc.runtime.journal_codec",
    "stc.runtime.ledger",
    "stc.runtime.metrics",
    "stc.runtime.platform.context_aggregator",
    "stc.runtime.platform.planner_matcher",
    "stc.runtime.planning_stage",
    "stc.runtime.quiet_bars",
    "stc.runtime.precision",
    "stc.runtime.platform.planning_aggregator",
    "stc.runtime.run_result",
    "stc.runtime.tick_windows",
    "stc.runtime.indicators",
    "stc.runtime.indicator_series",
)
"""The runtime's modules of the group: its per-bar path."""

NATIVE_PLUGIN_MODULES: tuple[str, ...] = (
    "stc.plugins._lib.exits",
    "stc.plugins._lib.risk",
    "stc.plugins._lib.scores",
    "stc.plugins._lib.structure",
    "stc.plugins._lib.swings",
    "stc.plugins.context_worker.ema_detector.tick",
    "stc.plugins.strategy_planner.adaptive_momentum_planner.swot",
)
"""The reference plugins' modules of the group: the arithmetic of a trade's flows (the
SWOT confidence and causality chain, risk sizing, stops and targets, signal scores),
the per-bar swing detector and the EMA stack's tick (``ema_detector/tick.py``).
Functions and helper classes only, never a worker class: the compiler reads a worker's
handlers as Python functions (their signatures and annotations for the payload check,
their code for the id-draw analysis, their source lines for diagnostics), which a
compiled method is not. The worker modules import these; a package ``__init__`` is
never listed (the guard's finder leaves packages to the normal finders, so a stale
``__init__`` extension would shadow its source). docs/decisions.md, "Session 13,
plugnative"."""

NATIVE_MODULES: tuple[str, ...] = NATIVE_RUNTIME_MODULES + NATIVE_PLUGIN_MODULES
"""Modules compiled together (one mypyc group): the runtime's and the plugins'. One
group, so a plugin calls the runtime's compiled code (indicators, precision grids)
directly, and one manifest, so an edit to any of them makes the guard load every one
from source: the plugins and the runtime never mix builds."""

_PACKAGES = ("stc.runtime.", "stc.plugins.")  # what the fallback finder redirects

NATIVE_MANIFEST = REPO_ROOT / "stc" / "runtime" / "_native_build.txt"
"""Written by the build: one line per module, ``name sha256 size mtime_ns`` of its source."""

PURE_ENV = "STC_PURE_PYTHON"


def source_path(module: str) -> Path:
    """The ``.py`` file of ``module`` in this checkout."""
    return REPO_ROOT.joinpath(*module.split(".")).with_suffix(".py")


def source_digest(module: str) -> str:
    """sha256 of ``module``'s source, as the build records it."""
    import hashlib  # only when a build exists: keeps ``import runtime`` cheap

    return hashlib.sha256(source_path(module).read_bytes()).hexdigest()


def compiled_files() -> list[Path]:
    """Extension modules in the folders of the native modules (ours are all mypyc's;
    one left over from an older module list counts too). One ``os.listdir`` per folder:
    this runs on every ``import runtime``, also on the compiler's cold start."""
    found: list[Path] = []
    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    for folder in sorted({source_path(m).parent for m in NATIVE_MODULES}):
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        found.extend(folder / name for name in names if name.endswith(suffixes))
    return sorted(found)


def stale_reason(manifest: Path = NATIVE_MANIFEST, built: list[Path] | None = None) -> str | None:
    """Why the compiled modules must not be used, or None when they may.

    None also when nothing is compiled (there is nothing to shadow)."""
    built = compiled_files() if built is None else built
    if not built:
        return None
    if os.environ.get(PURE_ENV, "") not in ("", "0"):
        return f"{PURE_ENV} is set"
    recorded = read_manifest(manifest)
    if recorded is None:
        return f"no readable build manifest {manifest.name}"
    if sorted(recorded) != sorted(NATIVE_MODULES):
        return "the build compiled another module list"
    for module in NATIVE_MODULES:
        if not _unchanged(module, *recorded[module]):
            return f"{source_path(module).relative_to(REPO_ROOT)} changed since the build"
    expected = {source_path(m).parent / source_path(m).stem for m in NATIVE_MODULES}
    for file in built:
        if file.parent / file.name.split(".", 1)[0] not in expected:
            return f"{file.relative_to(REPO_ROOT)} is not part of the build"
    return None


def manifest_line(module: str) -> str:
    """The manifest line of ``module`` as it is now (what the build writes)."""
    stat = source_path(module).stat()
    return f"{module} {source_digest(module)} {stat.st_size} {stat.st_mtime_ns}"


def read_manifest(manifest: Path) -> dict[str, tuple[str, int, int]] | None:
    """module → (sha256, size, mtime_ns) as recorded, or None when unreadable."""
    try:
        lines = manifest.read_text(encoding="utf-8").splitlines()
        return {name: (digest, int(size), int(mtime)) for name, digest, size, mtime in (
            line.split() for line in lines if line.strip()
        )}  # fmt: skip
    except (OSError, ValueError):
        return None


def _unchanged(module: str, digest: str, size: int, mtime_ns: int) -> bool:
    """True when the source still has the recorded content. Size and mtime equal to
    the build's settle it without reading the file (``import runtime`` is on the
    compiler's cold start); otherwise the sha256 decides (a checkout that only
    touched the file keeps its build)."""
    try:
        stat = source_path(module).stat()
    except OSError:
        return False
    if stat.st_size == size and stat.st_mtime_ns == mtime_ns:
        return True
    return stat.st_size == size and source_digest(module) == digest


class _SourceFirst:
    """A ``sys.meta_path`` finder: loads every module of ``runtime``/``plugins`` that
    has a ``.py`` file from that file, never from an extension beside it. (No
    ``importlib.abc`` base: importing it costs ~10 ms on every ``import runtime``.)"""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if not fullname.startswith(_PACKAGES):
            return None
        source = source_path(fullname)
        if not source.is_file():
            return None  # a package (its __init__.py) or not ours: the normal finders
        import importlib.util

        return importlib.util.spec_from_file_location(fullname, source)


_STATUS: list[str] = []


def guard() -> None:
    """Run once, before any native module is imported (from ``stc/runtime/__init__``)."""
    if _STATUS:
        return
    built = compiled_files()
    reason = stale_reason(built=built)
    if reason is None:
        _STATUS.append("compiled" if built else "pure Python (not built)")
        return
    sys.meta_path.insert(0, _SourceFirst())
    _STATUS.append(f"pure Python ({reason})")


def status() -> str:
    """``compiled`` or ``pure Python (why)``: which runtime this process uses."""
    guard()
    return _STATUS[0]
