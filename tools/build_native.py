"""Compile the runtime's hot path with mypyc, in place (``make`` runs this at install).

Usage: ``python tools/build_native.py [--if-stale | --clean]``. Builds the modules listed in
``stc.runtime._native.NATIVE_MODULES`` as one mypyc group next to their sources and
records each source's sha256 in ``stc/runtime/_native_build.txt``; the runtime uses the
extensions only while every source still matches (see :mod:`stc.runtime._native`). On a
machine without a C compiler the build fails with a message and the runtime simply
stays pure Python. ``--if-stale`` (what ``make test``/``make demo`` run) builds only
when the build is missing or no longer matches the sources, and never fails: without a
compiler it warns and leaves the pure-Python runtime. ``--clean`` removes the
extensions and the manifest.
"""

from __future__ import annotations

import argparse
import importlib.machinery
import os
import shutil
import sys
import tempfile
from pathlib import Path

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


def build() -> None:
    """mypyc-compile the group in a scratch build directory, copy the results in place."""
    from mypyc.build import mypycify
    from setuptools import setup

    lines = [manifest_line(m) for m in NATIVE_MODULES]
    clean()  # a half-replaced set would be stale anyway
    sources = [str(source_path(m).relative_to(REPO)) for m in NATIVE_MODULES]
    scratch = Path(tempfile.mkdtemp(prefix="stc-native-"))
    cwd = Path.cwd()
    try:
        os.chdir(REPO)
        setup(
            name="stc-native",
            packages=[],
            py_modules=[],
            ext_modules=mypycify(sources, opt_level="3", group_name=GROUP),
            script_args=["--quiet", "build_ext", "--inplace", "--build-temp", str(scratch / "tmp")],
        )
    finally:
        os.chdir(cwd)
        shutil.rmtree(scratch, ignore_errors=True)
        shutil.rmtree(REPO / "build", ignore_errors=True)
    NATIVE_MANIFEST.write_text("\n".join(lines) + "\n", encoding="utf-8")


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
    args = parser.parse_args()
    if args.clean:
        clean()
        return 0
    if args.if_stale and compiled_files() and _up_to_date():
        return 0
    try:
        build()
    except BaseException as exc:  # SystemExit from setuptools, CompileError, ImportError
        clean()
        print(f"build_native: not built ({exc}); the runtime runs as pure Python", file=sys.stderr)
        return 0 if args.if_stale else 1
    print(f"build_native: compiled {len(NATIVE_MODULES)} modules", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
