"""``stc lsp``: the language server over stdio (docs/editor.md says how editors start it)."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_lsp(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``lsp`` sub-command."""
    sub = commands.add_parser("lsp", help="the language server (LSP over stdio) for editors")
    sub.add_argument(
        "--plugins-dir", action="append", type=Path, default=[], metavar="DIR",
        help="an extra plugin root (repeatable)",
    )  # fmt: skip
    sub.add_argument("--platform", type=Path, help="platform.yaml for blueprints checked alone")
    sub.add_argument(
        "--debounce", type=float, default=0.15, metavar="SECONDS",
        help="wait this long after the last keystroke before re-checking (default 0.15)",
    )  # fmt: skip
    sub.set_defaults(handler=lsp_command)


def lsp_command(args: argparse.Namespace) -> int:
    """Serve until the client says exit (stdin closes)."""
    try:
        from stc.compiler.lsp.analysis import Analysis, editor_process
        from stc.compiler.lsp.server import build_server
    except ImportError as exc:  # pygls is the `lsp` extra
        import sys

        sys.stderr.write(f"error: `stc lsp` needs pygls: pip install 's1mpletrader[lsp]' ({exc})\n")
        return 2
    editor_process()
    analysis = Analysis(plugin_dirs=list(args.plugins_dir), platform_file=args.platform)
    build_server(analysis, debounce=max(args.debounce, 0.0)).start_io()
    return 0
