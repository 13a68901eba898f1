"""``stc plugins list`` / ``stc plugins show NAME``: the command around the plugin
summaries of :mod:`stc.compiler.plugin_info` (which the language server's hover shares)."""

from __future__ import annotations

import argparse
import sys

from stc.commands.options import Commands, add_plugins_dir
from stc.compiler.memo import default_roots, discover
from stc.compiler.plugin_info import format_list, format_show
from stc.compiler.registry import PluginRegistry
from stc.compiler.suggest import help_for


def add_parser(commands: Commands) -> argparse.ArgumentParser:
    """The ``plugins`` sub-command's arguments."""
    sub = commands.add_parser("plugins", help="list plugins or show one")
    sub.add_argument("action", nargs="?", choices=("list", "show"), default="list")
    sub.add_argument("name", nargs="?")
    add_plugins_dir(sub, described=False)
    return sub


def run(args: argparse.Namespace) -> int:
    """List every plugin (grouped by type) or show one in detail."""
    registry = discover(default_roots(list(args.plugins_dir)))
    if args.action == "show":
        if not args.name:
            sys.stderr.write("error: `stc plugins show` needs a plugin NAME\n")
            return 2
        return _show(registry, args.name)
    sys.stdout.write(format_list(registry))
    return 0


def _show(registry: PluginRegistry, name: str) -> int:
    record = registry.get(name)
    if record is None:
        hint = help_for(name, registry.names()) or "run `stc plugins list`"
        sys.stderr.write(f"error: unknown plugin `{name}`; {hint}\n")
        return 1
    sys.stdout.write(format_show(record))
    return 0
