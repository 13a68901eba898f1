"""``stc lsp``: the language server over stdio (docs/editor.md says how editors start it)."""

from __future__ import annotations

import argparse

from stc.commands.options import Commands, add_platform, add_plugins_dir


def add_parser(commands: Commands) -> argparse.ArgumentParser:
    """The ``lsp`` sub-command."""
    sub = commands.add_parser("lsp", help="the language server (LSP over stdio) for editors")
    add_plugins_dir(sub)
    add_platform(sub, "platform.yaml for blueprints checked alone")
    sub.add_argument(
        "--debounce", type=float, default=0.15, metavar="SECONDS",
        help="wait this long after the last keystroke before re-checking (default 0.15)",
    )  # fmt: skip
    return sub


def run(args: argparse.Namespace) -> int:
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
