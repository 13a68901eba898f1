"""Hatch build hook: a wheel carries the compiled (mypyc) hot path when it can.

Why: ``make`` compiles the runtime's per-bar modules in place for a checkout, but a
user who runs ``pip install .`` or installs a wheel never runs ``make``; without this
hook they get the pure-Python runtime, 1.4-1.7x slower. The hook runs
``tools/build_native.py`` (the same build ``make native`` runs) before the wheel is
assembled and adds the extensions it made, which makes the wheel a platform wheel.
Without a C compiler (or with ``STC_PURE_PYTHON=1``) it prints one line and the wheel
stays pure Python; ``stc --version`` says which build is installed. Editable installs
are left alone: there ``make native`` builds in place.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

NOTICE = "stc: building a pure-Python wheel ({}); the runtime will run uncompiled"


class NativeBuildHook(BuildHookInterface):  # type: ignore[misc]
    """Compile the hot path and force-include the extensions into a standard wheel."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version != "standard":
            return
        root = Path(self.root)
        if os.environ.get("STC_PURE_PYTHON", "") not in ("", "0"):
            print(NOTICE.format("STC_PURE_PYTHON is set"), file=sys.stderr)
            return
        built = _build(root)
        if isinstance(built, str):
            print(NOTICE.format(built), file=sys.stderr)
            return
        for path in built:
            build_data["force_include"][str(path)] = path.relative_to(root).as_posix()
        build_data["pure_python"] = False
        build_data["infer_tag"] = True


def _build(root: Path) -> list[Path] | str:
    """Run the in-place build; the extensions and the build manifest, or why not."""
    script = root / "tools" / "build_native.py"
    env = {k: v for k, v in os.environ.items() if k != "STC_PURE_PYTHON"}
    done = subprocess.run(
        [sys.executable, str(script), "--if-stale"], cwd=root, env=env,
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    manifest = root / "stc" / "runtime" / "_native_build.txt"
    suffixes = tuple(_extension_suffixes())
    extensions = sorted(
        p for p in [*root.glob("stc/**/*"), *root.glob("stc_native__mypyc*")]
        if p.name.endswith(suffixes)
    )  # fmt: skip
    if done.returncode != 0 or not manifest.is_file() or not extensions:
        last = (done.stderr.strip().splitlines() or ["no C compiler or mypyc"])[-1]
        return last[:200]
    return [*extensions, manifest]


def _extension_suffixes() -> list[str]:
    import importlib.machinery

    return list(importlib.machinery.EXTENSION_SUFFIXES)
