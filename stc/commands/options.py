"""Argument shapes several commands share: the compiler inputs (``FILE``,
``--plugins-dir``, ``--platform``, ``--strict``) and the argparse types that turn a
library's ``ValueError`` into a usage error (exit 2).

Cheap to import: building a command's parser must not load the compiler or the
runtime (``stc check``'s cold start)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Final, TypeAlias, TypeVar

Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
"""What a command module's ``add_parser`` adds its sub-parser to."""

T = TypeVar("T")


def add_plugins_dir(sub: argparse.ArgumentParser, *, described: bool = True) -> None:
    """``--plugins-dir DIR`` (repeatable): an extra plugin root."""
    help_text = "an extra plugin root (repeatable)" if described else None
    sub.add_argument(
        "--plugins-dir", action="append", type=Path, default=[], metavar="DIR", help=help_text
    )


def add_platform(sub: argparse.ArgumentParser, help_text: str) -> None:
    """``--platform FILE``: the platform.yaml for a blueprint compiled alone."""
    sub.add_argument("--platform", type=Path, help=help_text)


def add_inputs(sub: argparse.ArgumentParser, many: bool = True, optional: bool = False) -> None:
    """The compiler's inputs: ``FILE`` (one or more), ``--plugins-dir``, ``--platform``
    and ``--strict``."""
    sub.add_argument(
        "files", nargs="+" if many else ("?" if optional else 1), type=Path, metavar="FILE",
        help="blueprint, operation, plugin manifest or platform file(s)",
    )  # fmt: skip
    add_plugins_dir(sub)
    add_platform(sub, "platform.yaml for blueprints compiled alone")
    sub.add_argument("--strict", action="store_true", help="treat warnings as errors")


def argument_type(parse: Callable[[str], T]) -> Callable[[str], T]:
    """An argparse ``type=`` from a parser that raises ``ValueError``: argparse then
    reports the library's message as a usage error instead of its generic one."""

    def checked(text: str) -> T:
        try:
            return parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return checked


def _positive_number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0.0 < value < float("inf"):
        raise ValueError(f"must be a number above 0, not {text!r}")
    return value


positive = argument_type(_positive_number)
"""An argparse type: a finite number above 0 (a usage error otherwise, exit 2)."""


ENGINE_MODES = ("fast", "incremental")
"""The values of ``--engine`` (``stc.runtime.run_result.EngineMode``, spelled out here:
building a parser must not import the runtime)."""

DEFAULT_ENGINE: Final = "incremental"
"""The engine of a run that names none: the incremental one until the fast engine is
faster in the compiled build and as lean in memory (docs/decisions.md, "Which engine
is the default")."""


def add_engine(sub: argparse.ArgumentParser) -> None:
    """``--engine {fast,incremental}``: which engine runs the plan (the same results
    either way; issue 23). Its default is None, so that a resume can tell "not given"
    (continue in the recorded mode) from a choice; a fresh run reads None as
    :data:`DEFAULT_ENGINE`."""
    sub.add_argument(
        "--engine", choices=ENGINE_MODES, default=None,
        help="fast: skips quiet bars, batches bar-only workers (for speed); incremental: "
        "every worker on every bar (the reference to check fast against) "
        "(default: incremental; with --resume: the recorded one)",
    )  # fmt: skip
