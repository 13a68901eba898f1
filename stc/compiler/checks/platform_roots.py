"""Platform check: every ``plugin_roots`` entry of a platform file is a folder.

A file check, run by the pipeline when it reads a platform file: a missing root is
reported as STC009 at its own line (relative to the platform file), not later as a
plugin that cannot be found.
"""

from __future__ import annotations

import os
from pathlib import Path

from stc.compiler.diagnostics import Diagnostic
from stc.compiler.model.platform import Platform
from stc.compiler.sources import STC009, Loaded, locate


def check_platform_roots(
    path: Path, display: str, loaded: Loaded, platform: Platform
) -> list[Diagnostic]:
    """STC009 at each ``plugin_roots`` entry that is not a folder."""
    problems = []
    for i, root in enumerate(platform.plugin_roots):
        if not os.path.isdir(path.parent / root):
            problems.append(
                STC009.at(
                    f"plugin root `{root}` is not a folder",
                    display,
                    locate(loaded.data, ("plugin_roots", i)),
                    "plugin roots are relative to the platform file",
                )
            )
    return problems
