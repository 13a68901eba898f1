"""``stc schema NAME``: print the JSON Schema of an input format (``--with-plugins``:
the blueprint's with each worker's params typed by its plugin)."""

from __future__ import annotations

import argparse
import sys

from stc.commands.options import Commands, add_plugins_dir
from stc.commands.outcomes import EXIT_OK, EXIT_USAGE


def add_parser(commands: Commands) -> argparse.ArgumentParser:
    """The ``schema`` sub-command's arguments."""
    sub = commands.add_parser("schema", help="print the JSON Schema of an input format")
    sub.add_argument("name", metavar="NAME")
    sub.add_argument(
        "--with-plugins", action="store_true",
        help="strategy_blueprint only: type each worker's params by its plugin's config_schema",
    )  # fmt: skip
    add_plugins_dir(sub, described=False)
    return sub


def run(args: argparse.Namespace) -> int:
    """Print the schema file shipped with stc; an unknown name lists the known ones."""
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
    from stc.compiler.memo import default_roots, discover
    from stc.compiler.schema_plugins import with_plugins_text

    if args.name != "strategy_blueprint":
        sys.stderr.write("error: --with-plugins applies to `strategy_blueprint` only\n")
        return EXIT_USAGE
    registry = discover(default_roots(list(args.plugins_dir)))
    sys.stdout.write(with_plugins_text(registry))
    return EXIT_OK
