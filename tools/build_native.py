"""Compile the runtime's hot path with mypyc, in place (``make`` runs this at install).

Usage: ``python tools/build_native.py [--if-stale | --clean] [--jobs N]``. Builds the
modules listed in ``stc.runtime._native.NATIVE_MODULES`` as one mypyc group next to their
sources and records each source's sha256 in ``stc/runtime/_native_build.txt``; the runtime uses the
extensions only while every source still matches (see :mod:`stc.runtime._native`). On a
machine without a C compiler the build fails with a message and the runtime simply
stays pure Python. ``--if-stale`` (what ``make test``/``make demo`` run) builds only
when the build is missing or no longer matches the sources, and never fails: without a
compiler it warns and leaves the pure-Python runtime. ``--clean`` removes the
extensions and the manifest.

Build time: the group is generated as one C file per module (mypyc's ``multi_file``)
and those files are compiled ``--jobs`` at a time (default: the CPUs this process may
use); distutils would compile them one after the other, and one C file for the whole
group could only ever use one core. The group stays one shared library, so calls
between the modules stay direct C calls (docs/decisions.md, "A faster native build").
"""

from __future__ import annotations

import argparse
import importlib
import importlib.machinery
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ["STC_PURE_PYTHON"] = "1"  # never import the extensions this run replaces

from stc.runtime._native import (  # noqa: E402
    NATIVE_MANIFEST,
    NATIVE_MODULES,
    compiled_files,
    manifest_line,
    source_path,
    stale_reason,
)

GROUP = "stc_native"


def clean() -> None:
    """Remove every extension of the native modules, the group library and the manifest —
    also those a build with a longer module list left in other folders (the runtime's
    guard looks only in the folders of the current list, and Python would import such
    a leftover instead of the edited source next to it)."""
    for file in {*compiled_files(), *_leftover_extensions()}:
        file.unlink()
    for file in REPO.glob(f"{GROUP}__mypyc.*"):
        file.unlink()
    NATIVE_MANIFEST.unlink(missing_ok=True)


def _leftover_extensions() -> list[Path]:
    """Extension modules under ``stc/runtime/`` and ``stc/plugins/`` that sit next to the ``.py``
    source they were compiled from."""
    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    found = []
    for package in ("stc/runtime", "stc/plugins"):
        for file in (REPO / package).rglob("*"):
            if not file.name.endswith(suffixes):
                continue
            if file.with_name(file.name.split(".", 1)[0] + ".py").is_file():
                found.append(file)
    return found


def build(jobs: int) -> str:
    """mypyc-compile the group in a scratch build directory, copy the results in place;
    how long each phase took."""
    from mypyc.build import mypycify
    from setuptools import setup

    lines = [manifest_line(m) for m in NATIVE_MODULES]
    clean()  # a half-replaced set would be stale anyway
    sources = [str(source_path(m).relative_to(REPO)) for m in NATIVE_MODULES]
    scratch = Path(tempfile.mkdtemp(prefix="stc-native-"))
    cwd = Path.cwd()
    started = time.perf_counter()
    try:
        os.chdir(REPO)
        try:
            generated_c = generate_c(sources)
        except (AttributeError, TypeError, ValueError) as exc:  # mypyc's internals moved
            print(f"build_native: generating C as mypycify does ({exc!r})", file=sys.stderr)
            generated_c = None
        extensions = mypycify(
            sources, opt_level="3", group_name=GROUP, multi_file=True, skip_cgen_input=generated_c
        )
        generated = time.perf_counter()
        with parallel_compile(jobs):
            setup(
                name="stc-native",
                packages=[],
                py_modules=[],
                ext_modules=extensions,
                script_args=[
                    "--quiet", "build_ext", "--inplace", "--parallel", str(jobs),
                    "--build-temp", str(scratch / "tmp"),
                ],
            )  # fmt: skip
    finally:
        os.chdir(cwd)
        shutil.rmtree(scratch, ignore_errors=True)
        shutil.rmtree(REPO / "build", ignore_errors=True)
    NATIVE_MANIFEST.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = time.perf_counter()
    return f"C generated in {generated - started:.0f} s, compiled in {done - generated:.0f} s"


def generate_c(sources: list[str]) -> tuple[Any, list[tuple[str, list[str], bool]]]:
    """The C of the group: what ``mypycify`` generates, with one difference in how long it
    takes. mypyc asks mypy to keep every module's syntax tree (``preserve_asts``), and
    mypy then type-checks every function body of every installed package the modules
    import (pydantic's above all), bodies a plain ``mypy`` run skips because their
    errors are never shown. That was most of the build. Here installed packages get
    ``preserve_asts`` off per module, so mypy checks them as plain ``mypy`` does (it still
    reads every signature and every method that defines attributes); our modules keep
    their trees, which is all mypyc compiles from. The C is byte-identical to
    ``mypycify``'s (all 45 files compared: docs/performance.md). Returned in the form ``mypycify``'s
    ``skip_cgen_input`` takes."""
    from mypy.fscache import FileSystemCache
    from mypyc import build as mypyc_build
    from mypyc.options import CompilerOptions

    options = CompilerOptions(multi_file=True, group_name=GROUP)
    cache = FileSystemCache()
    compiled, every_source, mypy_options = mypyc_build.get_mypy_config(
        sources, None, options, cache
    )
    mypy_options.warn_unused_configs = False  # the sections below are not the user's
    for name in _installed_packages():
        for pattern in (name, f"{name}.*"):
            mypy_options.per_module_options.setdefault(pattern, {})["preserve_asts"] = False
    groups = mypyc_build.construct_groups(compiled, False, True, GROUP)
    c_files, _, deps = mypyc_build.generate_c(every_source, mypy_options, groups, cache, options)
    return c_files, [(d.path, list(d.include_dirs), d.internal) for d in deps]


def _installed_packages() -> set[str]:
    """Top-level names importable from site-packages, ``stc`` excepted (an installed copy
    of this package is compiled from, so it must keep its trees)."""
    import pkgutil
    import sysconfig

    folders = {sysconfig.get_paths()[key] for key in ("purelib", "platlib")}
    return {m.name for m in pkgutil.iter_modules(sorted(folders))} - {"stc"}


@contextmanager
def parallel_compile(jobs: int) -> Iterator[None]:
    """Compile the C files of each extension ``jobs`` at a time, largest first (distutils
    compiles one after the other); every compiler process, whichever extension it
    belongs to (``build_ext --parallel`` builds extensions side by side), holds one of
    ``jobs`` slots, so the machine never runs more than ``jobs`` at once."""
    import setuptools  # noqa: F401  (first: ``distutils`` is then setuptools' copy, as for mypyc)

    ccompiler: Any = importlib.import_module("distutils.ccompiler")

    slots = threading.BoundedSemaphore(jobs)
    original = ccompiler.CCompiler.compile

    def compile_all(self: Any, sources: list[str], output_dir: str | None = None,
                    macros: Any = None, include_dirs: Any = None, debug: bool = False,
                    extra_preargs: Any = None, extra_postargs: Any = None,
                    depends: Any = None) -> list[str]:  # fmt: skip
        macros, objects, extra_postargs, pp_opts, todo = self._setup_compile(
            output_dir, macros, include_dirs, sources, depends, extra_postargs
        )
        cc_args = self._get_cc_args(pp_opts, debug, extra_preargs)

        def one(obj: str) -> None:
            src, ext = todo[obj]
            with slots:
                self._compile(obj, src, ext, cc_args, extra_postargs, pp_opts)

        largest_first = sorted(todo, key=lambda obj: -os.path.getsize(todo[obj][0]))
        with ThreadPoolExecutor(jobs) as pool:
            list(pool.map(one, largest_first))  # re-raises a CompileError
        return list(objects)

    ccompiler.CCompiler.compile = compile_all
    try:
        yield
    finally:
        ccompiler.CCompiler.compile = original


def default_jobs() -> int:
    """The CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _up_to_date() -> bool:
    os.environ.pop("STC_PURE_PYTHON", None)
    try:
        return stale_reason() is None
    finally:
        os.environ["STC_PURE_PYTHON"] = "1"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--clean", action="store_true", help="remove the compiled modules")
    mode.add_argument("--if-stale", action="store_true", help="build only when needed")
    parser.add_argument(
        "--jobs", "-j", type=int, default=default_jobs(), help="C compilers run at once"
    )
    args = parser.parse_args()
    if args.clean:
        clean()
        return 0
    if args.if_stale and compiled_files() and _up_to_date():
        return 0
    try:
        timing = build(max(1, args.jobs))
    except BaseException as exc:  # SystemExit from setuptools, CompileError, ImportError
        clean()
        print(f"build_native: not built ({exc}); the runtime runs as pure Python", file=sys.stderr)
        return 0 if args.if_stale else 1
    print(
        f"build_native: compiled {len(NATIVE_MODULES)} modules ({timing}, {args.jobs} jobs)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    code = main()
    # The process holds mypy's graph of every module it read (GBs of small objects):
    # tearing it down object by object took over a minute under load and frees nothing
    # the machine would not free at exit anyway. The files are written and closed.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
