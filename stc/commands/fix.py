"""``stc check --fix`` / ``--unsafe-fixes`` / ``--diff``: the command around the fix
engine of :mod:`stc.compiler.fixes` (which applies suggestions and prints nothing)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping

from stc.commands.outcomes import conclude, new_session
from stc.compiler.diagnostics import Diagnostic
from stc.compiler.fixes import SAFE, UNSAFE, Check, FixResult, fix_files, unified_diff, write_back


def fix_then_check(args: argparse.Namespace) -> int:
    """``stc check --fix`` / ``--diff``: fix, then report what is left as ``check`` does.

    ``--diff`` prints the diff on stdout, writes nothing and exits 1 when it would
    change a file; ``--fix`` writes the files, reports the remaining diagnostics and
    exits as ``stc check`` would on the fixed files.
    """
    from stc.compiler.pipeline import compile_paths

    def check(texts: Mapping[str, str]) -> list[Diagnostic]:
        session = new_session(args)
        session.emit, session.texts = False, texts
        return [d for o in compile_paths(list(args.files), session) for d in o.diagnostics]

    result, summary = run(check, unsafe=args.unsafe_fixes, diff_only=args.diff)
    if args.diff:
        sys.stderr.write(summary + "\n")
        return 1 if result.fixed else 0
    session = new_session(args)
    session.emit = False
    code = conclude(compile_paths(list(args.files), session), session, args)
    sys.stderr.write(summary + "\n")
    return code


def run(check: Check, *, unsafe: bool, diff_only: bool) -> tuple[FixResult, str]:
    """``--fix`` (write) or ``--diff`` (report only); the diff text and a summary line."""
    levels = UNSAFE if unsafe else SAFE
    result = fix_files(check, levels)
    if diff_only:
        sys.stdout.write(unified_diff(result))
        verb = "would fix"
    else:
        write_back(result)
        verb = "fixed"
    files = len(result.fixed)
    problems = f"{result.count} problem" + "s" * (result.count != 1)
    summary = f"{verb} {problems} in {files} file" + "s" * (files != 1)
    return result, summary
