"""What ``check``, ``compile`` and ``graph`` share: compile the ``FILE`` inputs in one
session, gather the diagnostics (``--strict`` turns warnings into errors), print them
in the format asked for, and the exit code they make.

Exit codes of every command: 0 no errors, 1 errors found (or, for ``diff``, changes;
3 breaking changes), 2 usage or I/O error.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stc.compiler.diagnostics import Diagnostic
    from stc.compiler.pipeline import CompileOutcome, Session

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


def new_session(args: argparse.Namespace) -> Session:
    """A compiler session for the command's ``--plugins-dir`` and ``--platform``."""
    from stc.compiler.pipeline import Session

    return Session(plugin_dirs=list(args.plugins_dir), platform_file=args.platform)


def missing_inputs(files: Sequence[Path]) -> bool:
    """Say ``no such file`` for each input that is not a file; True when one was."""
    missing = [f for f in files if not os.path.isfile(f)]  # False also for a name too long
    for path in missing:
        sys.stderr.write(f"error: no such file: {path}\n")
    return bool(missing)


def compile_all(
    args: argparse.Namespace, *, emit: bool = True
) -> tuple[list[CompileOutcome], Session]:
    """Compile every ``FILE`` in one session (``emit=False``: check only)."""
    from stc.compiler.pipeline import compile_paths

    session = new_session(args)
    session.emit = emit
    return compile_paths(list(args.files), session), session


def all_diagnostics(outcomes: list[CompileOutcome], strict: bool) -> list[Diagnostic]:
    """Every outcome's diagnostics in report order; ``strict``: warnings as errors."""
    from stc.compiler.diagnostics import Severity, sort_diagnostics

    diagnostics = sort_diagnostics([d for o in outcomes for d in o.diagnostics])
    if not strict:
        return diagnostics
    return [
        d.model_copy(update={"severity": Severity.ERROR}) if d.severity == Severity.WARNING else d
        for d in diagnostics
    ]


def report(diagnostics: list[Diagnostic], session: Session, fmt: str) -> None:
    """Print the diagnostics: ``human`` on stderr, ``json``/``sarif`` on stdout."""
    from stc.compiler import render
    from stc.compiler.version import __version__

    out = sys.stdout if fmt != "human" else sys.stderr
    if fmt == "json":
        out.write(render.render_json(diagnostics))
    elif fmt == "sarif":
        out.write(render.render_sarif(diagnostics, __version__))
    else:
        color = render.use_color(out)
        out.write(render.render_human(diagnostics, session.sources, color=color))


def exit_code(diagnostics: list[Diagnostic]) -> int:
    """1 when any diagnostic is an error, else 0."""
    return EXIT_ERRORS if any(d.is_error for d in diagnostics) else EXIT_OK


def conclude(outcomes: list[CompileOutcome], session: Session, args: argparse.Namespace) -> int:
    """Report the diagnostics of ``stc check`` and return its exit code."""
    diagnostics = all_diagnostics(outcomes, args.strict)
    report(diagnostics, session, args.format)
    return exit_code(diagnostics)
