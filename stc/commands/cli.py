"""The ``stc`` command line (SPEC §5.4): a dispatcher over the command modules.

Each command is one module of :mod:`stc.commands` (``COMMANDS``), imported only when
that command runs (or for the full help), so ``stc check`` loads nothing of ``run``.
Exit codes (:mod:`stc.commands.outcomes`): 0 no errors, 1 errors found (or, for
``diff``, changes; 3 breaking changes), 2 usage or I/O error. ``--strict`` turns
warnings into errors.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from stc.commands.outcomes import EXIT_OK, EXIT_USAGE


def _version() -> str:
    """``stc 0.1.0 (runtime: compiled)``: the version, and which build of the runtime's
    hot path is installed (a wheel built without a C compiler says why it is pure)."""
    from stc.compiler.version import __version__
    from stc.runtime import native_status  # the package root: not the whole facade

    return f"stc {__version__} (runtime: {native_status()})"


class _VersionAction(argparse.Action):
    """``--version``, computed only when asked: the runtime's import is not on every
    command's cold start."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS)
        self.help = "print the version and which runtime build is installed"

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        sys.stdout.write(_version() + "\n")
        parser.exit()


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser with every sub-command, or with the one called ``only``.

    One is enough to parse ``stc check …``: argparse builds a help formatter per
    argument and looks up translations per message, ~12 ms for all ten commands, a
    twentieth of the cold-start budget. Help, ``--version`` and a mistyped command
    get the full parser.
    """
    parser = argparse.ArgumentParser(
        prog="stc",
        description="stc — compile, check, draw and run declarative trading strategies.",
    )
    parser.add_argument("--version", action=_VersionAction)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    for name in COMMANDS:
        if only is None or name == only:
            command = importlib.import_module(f"stc.commands.{name}")
            command.add_parser(commands).set_defaults(handler=command.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``stc`` console script."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    command = arguments[0] if arguments and arguments[0] in COMMANDS else None
    from stc.commands.project_config import ConfigError, apply_project_config

    with _pydantic_plugins_off(command in _COMPILER_ONLY):
        parser = build_parser(command)
        args = parser.parse_args(arguments)
        try:
            apply_project_config(args)
            code: int = args.handler(args)
        except BrokenPipeError:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            code = EXIT_OK
        except KeyboardInterrupt:
            code = 130
        except ConfigError as exc:  # stc.toml / [tool.stc]: one line naming the file
            sys.stderr.write(f"error: {exc}\n")
            code = EXIT_USAGE
        except Exception as exc:  # I/O failures: one line and exit 2 (stc.compiler.io_gate)
            from stc.compiler.io_gate import one_line

            if (message := one_line(exc)) is None:
                raise
            sys.stderr.write(f"error: {message}\n")
            code = EXIT_USAGE
    return code


def console() -> int:
    """Entry point of the ``stc`` console script: :func:`main` in a process that ends
    right after it. When the command is done, everything alive is frozen
    (``gc.freeze``): the collections during the exit handlers (the cache write) and the
    interpreter's own at shutdown then have nothing to walk. (Switching the collector
    off for compiler-only commands as well bought 25–31 M instructions of a cold
    ``stc check``, under 10 ms, and was dropped: the compile itself runs inside
    ``stc.compiler.collector.paused``; docs/performance.md.) :func:`main` itself, which
    tests and programs call in-process, leaves the collector alone.
    """
    arguments = sys.argv[1:]
    code = main(arguments)
    gc.freeze()
    if arguments[:1] == ["run"]:  # a plugin's non-daemon thread must not keep stc alive
        from stc.commands.run import exit_past_plugin_threads

        exit_past_plugin_threads(code)
    return code


@contextmanager
def _pydantic_plugins_off(off: bool) -> Iterator[None]:
    """Run a compiler-only command with pydantic's plugins off (see ``_COMPILER_ONLY``),
    unless the user set ``PYDANTIC_DISABLE_PLUGINS``; the variable is removed again
    afterwards, so a program that calls ``main`` keeps its own pydantic setup."""
    if not off:
        yield
        return
    if "PYDANTIC_DISABLE_PLUGINS" in os.environ:
        yield
        return
    os.environ["PYDANTIC_DISABLE_PLUGINS"] = "__all__"
    try:
        yield
    finally:
        os.environ.pop("PYDANTIC_DISABLE_PLUGINS", None)


COMMANDS = (
    "check", "compile", "graph", "run", "explain", "report", "diff", "plugins", "schema",
    "new", "sweep", "walkforward", "lsp", "examples",
)  # fmt: skip
"""Every sub-command in help order; each is the module ``stc.commands.<name>`` with
``add_parser(commands)`` (its arguments) and ``run(args)`` (its exit code)."""

_COMPILER_ONLY = frozenset({"check", "compile", "graph", "diff", "plugins", "schema"})
"""Commands that validate only stc's own input formats. They run with pydantic's
plugins off (``PYDANTIC_DISABLE_PLUGINS=__all__`` unless the variable is set), so
the first validation does not scan every installed distribution's entry points for
them (~3 ms of a cold ``stc check``); an observability plugin would only trace
stc's YAML models there. ``stc run``/``report``/``explain`` leave them on. (A stand-in
for pydantic's plugin loader that also kept ``importlib.metadata`` unimported bought
45 M instructions of a first check and nothing of a warm one, under 10 ms: dropped.)"""


if __name__ == "__main__":
    sys.exit(console())
