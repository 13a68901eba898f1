"""Refuse a file of the wrong kind before compiling it (see ``stc.compiler.file_kind``)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from stc.compiler.file_kind import wrong_kind_message

STRATEGY_KINDS = ("strategy_blueprint", "operation")
"""What ``stc run``, ``compile`` and ``graph`` take."""


def refuse_wrong_kinds(files: Sequence[Path], command: str) -> bool:
    """Write one line per file of another kind; True when there was one (exit 2)."""
    lines = [wrong_kind_message(Path(f), command, STRATEGY_KINDS) for f in files]
    for line in lines:
        if line is not None:
            sys.stderr.write(line + "\n")
    return any(line is not None for line in lines)
