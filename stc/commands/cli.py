"""The ``stc`` command line (SPEC §5.4).

Imports are lazy: each command imports only what it needs, so ``stc check`` starts
fast. Exit codes: 0 no errors, 1 errors found (or, for ``diff``, changes; 3 breaking
changes), 2 usage or I/O error. ``--strict`` turns warnings into errors.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from stc.commands import sweep_cli
from stc.commands.data_options import add_data_format_options
from stc.commands.lsp import add_lsp  # argparse only: pygls loads when `stc lsp` runs

if TYPE_CHECKING:
    from stc.compiler.diagnostics import Diagnostic
    from stc.compiler.pipeline import CompileOutcome, Session

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


def _version() -> str:
    """``stc 0.1.0 (runtime: compiled)``: the version, and which build of the runtime's
    hot path is installed (a wheel built without a C compiler says why it is pure)."""
    from stc.compiler.version import __version__
    from stc.runtime import native_status

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
    for name, add in _COMMANDS.items():
        if only is None or name == only:
            add(commands)
    return parser


def _inputs(sub: argparse.ArgumentParser, many: bool = True, optional: bool = False) -> None:
    sub.add_argument(
        "files", nargs="+" if many else ("?" if optional else 1), type=Path, metavar="FILE",
        help="blueprint, operation, plugin manifest or platform file(s)",
    )  # fmt: skip
    sub.add_argument(
        "--plugins-dir", action="append", type=Path, default=[], metavar="DIR",
        help="an extra plugin root (repeatable)",
    )  # fmt: skip
    sub.add_argument("--platform", type=Path, help="platform.yaml for blueprints compiled alone")
    sub.add_argument("--strict", action="store_true", help="treat warnings as errors")


def _add_check(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub = commands.add_parser("check", help="check files and report every problem")
    _inputs(sub)
    sub.add_argument("--format", choices=("human", "json", "sarif"), default="human")
    sub.add_argument("--fix", action="store_true", help="apply machine-applicable fixes in place")
    sub.add_argument("--unsafe-fixes", action="store_true", help="with --fix: maybe-incorrect too")
    sub.add_argument("--diff", action="store_true", help="show what --fix would change")
    sub.set_defaults(handler=cmd_check)


def _add_compile(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub = commands.add_parser("compile", help="compile to wiring_map.yaml, wiring.dot/.svg")
    _inputs(sub)
    sub.add_argument("-o", "--out", type=Path, required=True, metavar="OUTDIR")
    sub.add_argument("--format", choices=("human", "json", "sarif"), default="human")
    sub.set_defaults(handler=cmd_compile)


def _add_graph(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub = commands.add_parser("graph", help="draw the wiring (also of a failing blueprint)")
    _inputs(sub, many=False)
    sub.add_argument("-o", "--out", type=Path, metavar="FILE", help=".svg, .png, .dot or .mmd")
    sub.add_argument(
        "--html", action="store_true",
        help="an interactive page (hover a worker, click an edge); -o page.html",
    )  # fmt: skip
    sub.add_argument("--internals", action="store_true", help="also draw platform internals")
    sub.add_argument("--format", choices=("dot", "mermaid"), help="default: by -o's suffix")
    sub.set_defaults(handler=cmd_graph)


def _positive(text: str) -> float:
    """An argparse type: a finite number above 0 (a usage error otherwise, exit 2)."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0.0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a number above 0, not {text!r}")
    return value


def _add_run(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub = commands.add_parser("run", help="backtest (or paper-trade) a blueprint or operation")
    _inputs(sub, many=False, optional=True)
    sub.add_argument(
        "--resume", type=Path, metavar="RUNDIR",
        help="continue an interrupted run from its last complete tick (no FILE needed; "
        "give the --plugins-dir it was started with: the folder's own are not trusted)",
    )  # fmt: skip
    sub.add_argument("--data", type=Path, help="OHLCV CSV/Parquet (default: embedded sample)")
    add_data_format_options(sub)
    sub.add_argument(
        "--env", choices=("backtest", "paper"), default=None,
        help="override the operation's environment (default: the operation's, else backtest)",
    )  # fmt: skip
    sub.add_argument(
        "--out", type=Path, default=Path("runs/latest"), metavar="RUNDIR",
        help="where trades.csv, metrics.json, journal.sqlite and report.html go "
        "(default: runs/latest)",
    )  # fmt: skip
    sub.add_argument("--fail-fast", action="store_true", help="stop at the first plugin fault")
    sub.add_argument(
        "--on-bad-bar", choices=("error", "skip"), default="error",
        help="a bad data row: stop with file:line (error), or drop it, journal it, go on (skip)",
    )  # fmt: skip
    sub.add_argument(
        "--speed", type=_positive, default=None, metavar="FACTOR",
        help="paper: how many times faster than real time the bars arrive "
        "(3600 plays an hourly bar every second; default 1 = real time)",
    )  # fmt: skip
    sub.add_argument(
        "--resample", action="store_true",
        help="data finer than the tick timeframe: build tick bars from it (default: error)",
    )  # fmt: skip
    sub.add_argument(
        "--plugin-timeout", type=float, default=60.0, metavar="SECONDS",
        help="a tick's plugin calls running longer are a fault of that flow (default 60; 0: off)",
    )  # fmt: skip
    sub.add_argument("--quiet", action="store_true", help="no progress output")
    sub.set_defaults(handler=cmd_run)


def _add_explain(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub = commands.add_parser("explain", help="print a trade's causality chain")
    sub.add_argument("trade_id", metavar="TRADE_ID")
    sub.add_argument(
        "--out", type=Path, default=Path("runs/latest"), metavar="RUNDIR",
        help="the run directory whose journal.sqlite holds the trade (default: runs/latest)",
    )  # fmt: skip
    sub.set_defaults(handler=cmd_explain)


def _add_report(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub = commands.add_parser("report", help="(re)build a run's report.html")
    sub.add_argument("rundir", type=Path, metavar="RUNDIR")
    sub.add_argument("--blueprint", type=Path, help="redraw the wiring diagram from this file")
    sub.add_argument("--data", type=Path, help="the run's OHLCV data (for the price chart)")
    sub.add_argument("--title", default="", help="the page title (default: the strategy)")
    sub.add_argument("--plugins-dir", action="append", type=Path, default=[], metavar="DIR")
    sub.add_argument("--platform", type=Path, help="platform.yaml for --blueprint")
    sub.set_defaults(handler=cmd_report)


def _add_diff(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub = commands.add_parser(
        "diff",
        help="classified diff of wiring maps or blueprints (exit 0 none, 1 changes, 3 breaking)",
    )
    sub.add_argument("a", type=Path, metavar="A")
    sub.add_argument("b", type=Path, metavar="B", nargs="?")
    sub.add_argument("--against", metavar="REV", help="compare A with A at git revision REV")
    sub.add_argument("--format", choices=("human", "json", "markdown"), default="human")
    sub.add_argument("--plugins-dir", action="append", type=Path, default=[], metavar="DIR")
    sub.set_defaults(handler=cmd_diff)


def _add_plugins(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub = commands.add_parser("plugins", help="list plugins or show one")
    sub.add_argument("action", nargs="?", choices=("list", "show"), default="list")
    sub.add_argument("name", nargs="?")
    sub.add_argument("--plugins-dir", action="append", type=Path, default=[], metavar="DIR")
    sub.set_defaults(handler=cmd_plugins)


def _add_schema(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub = commands.add_parser("schema", help="print the JSON Schema of an input format")
    sub.add_argument("name", metavar="NAME")
    sub.add_argument(
        "--with-plugins", action="store_true",
        help="strategy_blueprint only: type each worker's params by its plugin's config_schema",
    )  # fmt: skip
    sub.add_argument("--plugins-dir", action="append", type=Path, default=[], metavar="DIR")
    sub.set_defaults(handler=cmd_schema)


def _add_new(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub = commands.add_parser("new", help="scaffold a new plugin")
    sub.add_argument("what", choices=("plugin",))
    sub.add_argument("name", metavar="NAME")
    sub.add_argument("--type", required=True, dest="worker_type")
    sub.add_argument("--dir", type=Path, default=Path("."), help="where to create it")
    sub.set_defaults(handler=cmd_new)


def _add_examples(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub = commands.add_parser(
        "examples", help="write a working example project (blueprints, data, a plugin, a test)"
    )
    sub.add_argument("dir", type=Path, metavar="DIR", help="a new or empty folder")
    sub.set_defaults(handler=cmd_examples)


# --------------------------------------------------------------------------- helpers


def _session(args: argparse.Namespace) -> Session:
    from stc.compiler.pipeline import Session

    return Session(plugin_dirs=list(args.plugins_dir), platform_file=args.platform)


def _missing_inputs(files: Sequence[Path]) -> bool:
    missing = [f for f in files if not os.path.isfile(f)]  # False also for a name too long
    for path in missing:
        sys.stderr.write(f"error: no such file: {path}\n")
    return bool(missing)


def _compile_all(
    args: argparse.Namespace, *, emit: bool = True
) -> tuple[list[CompileOutcome], Session]:
    from stc.compiler.pipeline import compile_paths

    session = _session(args)
    session.emit = emit
    return compile_paths(list(args.files), session), session


def _strictly(diagnostics: list[Diagnostic], strict: bool) -> list[Diagnostic]:
    from stc.compiler.diagnostics import Severity

    if not strict:
        return diagnostics
    return [
        d.model_copy(update={"severity": Severity.ERROR}) if d.severity == Severity.WARNING else d
        for d in diagnostics
    ]


def _report(
    diagnostics: list[Diagnostic], session: Session, fmt: str, stream: object = None
) -> None:
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


def _exit_code(diagnostics: list[Diagnostic]) -> int:
    return EXIT_ERRORS if any(d.is_error for d in diagnostics) else EXIT_OK


def _all_diagnostics(outcomes: list[CompileOutcome], strict: bool) -> list[Diagnostic]:
    from stc.compiler.diagnostics import sort_diagnostics

    return _strictly(sort_diagnostics([d for o in outcomes for d in o.diagnostics]), strict)


# --------------------------------------------------------------------------- commands


def cmd_check(args: argparse.Namespace) -> int:
    """``stc check``: report every problem of every file."""
    if _missing_inputs(args.files):
        return EXIT_USAGE
    if args.fix or args.diff:
        from stc.commands.fix import fix_then_check

        return fix_then_check(args, _session, _conclude)
    return _conclude(*_compile_all(args, emit=False), args)


def _conclude(outcomes: list[CompileOutcome], session: Session, args: argparse.Namespace) -> int:
    """Report the diagnostics of ``stc check`` and return its exit code."""
    diagnostics = _all_diagnostics(outcomes, args.strict)
    _report(diagnostics, session, args.format)
    return _exit_code(diagnostics)


def cmd_compile(args: argparse.Namespace) -> int:
    """``stc compile``: write wiring_map.yaml, wiring.dot and wiring.svg per strategy."""
    from stc.commands.wrong_kind import refuse_wrong_kinds

    if _missing_inputs(args.files) or refuse_wrong_kinds(args.files, "compile"):
        return EXIT_USAGE
    outcomes, session = _compile_all(args)
    diagnostics = _all_diagnostics(outcomes, args.strict)
    _report(diagnostics, session, args.format)
    if any(d.is_error for d in diagnostics):
        return EXIT_ERRORS
    strategies = [o for o in outcomes if o.wiring_data is not None]
    for outcome in strategies:
        assert outcome.wiring_data is not None
        name = str(outcome.wiring_data["strategy"])
        target = args.out if len(strategies) == 1 else args.out / name
        for written in _write_outputs(outcome, target):
            sys.stdout.write(f"wrote {written}\n")
    return EXIT_OK


def _write_outputs(outcome: CompileOutcome, target: Path) -> list[Path]:
    from stc.compiler.emit.dot import dot_available, render_dot, render_image
    from stc.compiler.emit.wiring_map import render_wiring_map
    from stc.runtime.artefacts import write_atomically

    assert outcome.wiring_data is not None
    target.mkdir(parents=True, exist_ok=True)
    written = [target / "wiring_map.yaml", target / "wiring.dot"]
    write_atomically(written[0], render_wiring_map(outcome.wiring_data))
    dot_source = render_dot(outcome.unit, outcome.diagnostics)
    write_atomically(written[1], dot_source)
    if dot_available():
        from stc.compiler.emit.graphviz_run import GraphvizFailed

        try:
            written.append(render_image(dot_source, target / "wiring.svg"))
        except GraphvizFailed as exc:  # the map and the .dot stand: exit 0, with a warning
            sys.stderr.write(f"warning: no wiring.svg: {exc}; wrote wiring.dot only\n")
    else:
        sys.stderr.write("note: Graphviz `dot` not found; wrote wiring.dot only\n")
    return written


IMAGE_SUFFIXES = (".dot", ".svg", ".png", ".mmd")
"""What ``stc graph -o`` writes: Graphviz source or image, or Mermaid (``.mmd``)."""


def cmd_graph(args: argparse.Namespace) -> int:
    """``stc graph``: draw the wiring; failing nodes are highlighted."""
    from stc.commands.wrong_kind import refuse_wrong_kinds
    from stc.compiler.emit.dot import dot_available, render_dot, render_image

    if _missing_inputs(args.files) or refuse_wrong_kinds(args.files, "graph"):
        return EXIT_USAGE
    if args.out is not None and not args.html and args.out.suffix not in IMAGE_SUFFIXES:
        sys.stderr.write(
            f"error: -o {args.out}: write a .svg, .png, .dot or .mmd file (or --html)\n"
        )
        return EXIT_USAGE
    outcomes, session = _compile_all(args)
    diagnostics = _all_diagnostics(outcomes, args.strict)
    if diagnostics:
        _report(diagnostics, session, "human")
    outcome = next((o for o in outcomes if o.unit is not None), outcomes[0])
    source = render_dot(outcome.unit, diagnostics, internals=args.internals)
    out: Path | None = args.out
    mermaid = args.format == "mermaid" or (out is not None and out.suffix == ".mmd")
    if mermaid and not args.html:
        from stc.compiler.emit.mermaid import render_mermaid

        source = render_mermaid(outcome.unit, diagnostics, internals=args.internals)
    if args.html:
        return _graph_html(outcome, out, diagnostics, args.internals)
    if out is None or out.suffix == ".dot" or mermaid:
        if out is None:
            sys.stdout.write(source)
        else:
            out.write_text(source, encoding="utf-8")
    elif not dot_available():
        sys.stderr.write("error: Graphviz `dot` is not installed; use -o FILE.dot\n")
        return EXIT_USAGE
    else:
        from stc.compiler.emit.graphviz_run import GraphvizFailed

        try:
            render_image(source, out)
        except GraphvizFailed as exc:  # the DOT source is kept beside the image asked for
            out.with_suffix(".dot").write_text(source, encoding="utf-8")
            sys.stderr.write(f"error: {exc}; wrote {out.with_suffix('.dot')} instead\n")
            return EXIT_USAGE
    if out is not None:
        sys.stdout.write(f"wrote {out}\n")
    return _exit_code(diagnostics)


def _graph_html(
    outcome: CompileOutcome, out: Path | None, diagnostics: list[Diagnostic], internals: bool
) -> int:
    """``stc graph --html``: the SVG in an interactive page."""
    from stc.compiler.emit.dot import dot_available
    from stc.compiler.html_graph import graph_page

    if not dot_available():
        sys.stderr.write("error: Graphviz `dot` is not installed; --html needs it\n")
        return EXIT_USAGE
    from stc.compiler.emit.graphviz_run import GraphvizFailed

    try:
        page = graph_page(outcome.unit, diagnostics, outcome.wiring_data, internals=internals)
    except GraphvizFailed as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_USAGE
    if out is None:
        sys.stdout.write(page)
        return _exit_code(diagnostics)
    out.write_text(page, encoding="utf-8")
    sys.stdout.write(f"wrote {out}\n")
    return _exit_code(diagnostics)


def cmd_report(args: argparse.Namespace) -> int:
    """``stc report RUNDIR``: rebuild the run's report.html."""
    from stc.commands.report import report_command

    return report_command(args)


def cmd_run(args: argparse.Namespace) -> int:
    """``stc run``: compile, then execute the plan on the data."""
    from stc.commands.run import run_command

    return run_command(args)


def cmd_explain(args: argparse.Namespace) -> int:
    """``stc explain``: the causality chain of one trade from the run's journal.

    An unknown trade id is exit 1; a journal that is missing, unreadable or damaged
    is an I/O error (exit 2). ``explain`` raises only those two kinds for any file.
    """
    from stc.runtime.api import explain
    from stc.runtime.journal import JournalError, UnknownTradeError

    journal = args.out / "journal.sqlite"
    if not journal.is_file():
        sys.stderr.write(f"error: no journal at {journal}; run `stc run ... --out DIR` first\n")
        return EXIT_USAGE
    try:
        sys.stdout.write(explain(args.out, args.trade_id))
    except UnknownTradeError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_ERRORS
    except JournalError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_USAGE
    return EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    """``stc diff A B``: what changed in the wiring; exit 1 when they differ."""
    from stc.commands.diff import diff_command

    return diff_command(args)


def cmd_plugins(args: argparse.Namespace) -> int:
    """``stc plugins [list|show NAME]``."""
    from stc.commands.plugins import plugins_command

    return plugins_command(args)


def cmd_schema(args: argparse.Namespace) -> int:
    """``stc schema NAME``: print the JSON Schema of an input format."""
    from stc.compiler.resources import schemas_dir

    path = schemas_dir() / f"{args.name}.schema.json"
    if not path.is_file():
        names = sorted(p.name.removesuffix(".schema.json") for p in schemas_dir().glob("*.json"))
        sys.stderr.write(f"error: unknown schema `{args.name}`; one of: {', '.join(names)}\n")
        return EXIT_USAGE
    if args.with_plugins:
        return _schema_with_plugins(args)
    sys.stdout.write(path.read_text(encoding="utf-8"))
    return EXIT_OK


def _schema_with_plugins(args: argparse.Namespace) -> int:
    """``stc schema strategy_blueprint --with-plugins``: params typed per plugin."""
    from stc.compiler.registry import default_roots, discover
    from stc.compiler.schema_plugins import with_plugins_text

    if args.name != "strategy_blueprint":
        sys.stderr.write("error: --with-plugins applies to `strategy_blueprint` only\n")
        return EXIT_USAGE
    registry = discover(default_roots(list(args.plugins_dir)))
    sys.stdout.write(with_plugins_text(registry))
    return EXIT_OK


def cmd_new(args: argparse.Namespace) -> int:
    """``stc new plugin NAME --type T``: scaffold a plugin that compiles right away."""
    from stc.commands.new import new_plugin_command

    return new_plugin_command(args)


def cmd_examples(args: argparse.Namespace) -> int:
    """``stc examples DIR``: the reference blueprints, data and a plugin, ready to run."""
    from stc.commands.examples import examples_command

    return examples_command(args)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``stc`` console script."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    command = arguments[0] if arguments and arguments[0] in _COMMANDS else None
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
    right after it, which may therefore skip two kinds of garbage collection
    (docs/performance.md, "Cold start").

    - A compiler-only command runs with the cyclic collector off. It is one short pass
      that mostly imports modules and builds classes — objects that all stay alive, so
      each collection walked them for nothing (a whole check found ~600 objects of
      garbage); reference counting still frees everything outside a cycle. ``run``,
      ``report`` and ``explain`` keep the collector: a backtest allocates per bar.
    - When the command is done, everything alive is frozen (``gc.freeze``): the
      collections during the exit handlers (the cache write) and the interpreter's own
      at shutdown then have nothing to walk.

    Together −89 M instructions (−9 %) of a first ``stc check``. :func:`main` itself,
    which tests and programs call in-process, leaves the collector alone.
    """
    arguments = sys.argv[1:]
    if arguments and arguments[0] in _COMPILER_ONLY:
        gc.disable()
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
    afterwards, so a program that calls ``main`` keeps its own pydantic setup (the
    stand-in loader then hands over to the real one at its next validator)."""
    if not off:
        yield
        return
    from stc.compiler import lazy_plugins

    lazy_plugins.install()  # it follows the variable, whoever set it
    if "PYDANTIC_DISABLE_PLUGINS" in os.environ:
        yield
        return
    os.environ["PYDANTIC_DISABLE_PLUGINS"] = "__all__"
    try:
        yield
    finally:
        os.environ.pop("PYDANTIC_DISABLE_PLUGINS", None)


_COMMANDS: dict[str, Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]] = {
    "check": _add_check,
    "compile": _add_compile,
    "graph": _add_graph,
    "run": _add_run,
    "explain": _add_explain,
    "report": _add_report,
    "diff": _add_diff,
    "plugins": _add_plugins,
    "schema": _add_schema,
    "new": _add_new,
    "sweep": sweep_cli.add_sweep,
    "walkforward": sweep_cli.add_walkforward,
    "lsp": add_lsp,
    "examples": _add_examples,
}
"""Every sub-command and the function adding it to the parser, in help order."""

_COMPILER_ONLY = frozenset({"check", "compile", "graph", "diff", "plugins", "schema"})
"""Commands that validate only stc's own input formats. They run with pydantic's
plugins off (``PYDANTIC_DISABLE_PLUGINS=__all__`` unless the variable is set, and a
lazy stand-in for pydantic's plugin loader: ``stc.compiler.lazy_plugins``), so
the first validation does not scan every installed distribution's entry points for
them (~3 ms of a cold ``stc check``); an observability plugin would only trace
stc's YAML models there. ``stc run``/``report``/``explain`` leave them on."""


if __name__ == "__main__":
    sys.exit(console())
