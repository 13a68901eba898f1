"""``stc diff``: load the two sides (wiring maps, blueprints or operations, which are
compiled first, or a file at a git revision) and print the classified review diff of
``stc.compiler.emit.review`` as text, JSON or a Markdown pull-request comment.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

from stc.commands.options import Commands, add_plugins_dir


def add_parser(commands: Commands) -> argparse.ArgumentParser:
    """The ``diff`` sub-command's arguments."""
    sub = commands.add_parser(
        "diff",
        help="classified diff of wiring maps or blueprints (exit 0 none, 1 changes, 3 breaking)",
    )
    sub.add_argument("a", type=Path, metavar="A")
    sub.add_argument("b", type=Path, metavar="B", nargs="?")
    sub.add_argument("--against", metavar="REV", help="compare A with A at git revision REV")
    sub.add_argument("--format", choices=("human", "json", "markdown"), default="human")
    add_plugins_dir(sub, described=False)
    return sub


def load_map(path: Path, plugin_dirs: list[Path]) -> dict[str, Any]:
    """A wiring map as data: read it, or compile the blueprint at ``path``."""
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if isinstance(data, dict) and "format_version" in data and "event_wirings" in data:
        return data
    from stc.compiler.api import compile_blueprint

    result = compile_blueprint(path, plugin_dirs=plugin_dirs)
    if not result.ok:
        raise ValueError(f"{path} does not compile:\n{result.rendered_diagnostics()}")
    loaded: dict[str, Any] = yaml.safe_load(result.wiring_map)
    return loaded


def run(args: argparse.Namespace) -> int:
    """``stc diff A B`` or ``stc diff A --against REV``: the classified review diff.

    Exit codes: 0 no semantic change (cosmetic changes at most), 1 changes, 3 breaking
    changes, 2 usage or input errors (a file that does not load or compile, a path
    that does not exist at the revision).
    """
    from stc.compiler.emit.review import review_maps, to_markdown

    try:
        if args.against:
            if args.b is not None:
                raise ValueError("give one file with --against, or two files without it")
            a = load_revision(args.a, args.against, list(args.plugins_dir))
            b = load_map(args.a, list(args.plugins_dir))
            title = f"stc diff {args.a} (against {args.against})"
        else:
            if args.b is None:
                raise ValueError("give two files A B, or one file and --against REV")
            a = load_map(args.a, list(args.plugins_dir))
            b = load_map(args.b, list(args.plugins_dir))
            title = f"stc diff {args.a} → {args.b}"
    except (OSError, ValueError, yaml.YAMLError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    review = review_maps(a, b)
    if args.format == "json":
        sys.stdout.write(review.to_json())
    elif args.format == "markdown":
        sys.stdout.write(to_markdown(review, title))
    else:
        body = "\n".join(review.lines())
        sys.stdout.write((body + "\n\n" if body else "") + review.summary() + "\n")
    return review.exit_code


def load_revision(path: Path, rev: str, plugin_dirs: list[Path]) -> dict[str, Any]:
    """The wiring map of ``path`` as it was at git revision ``rev``: the old text is
    read with ``git show REV:PATH`` and compiled from a temporary file beside ``path``
    (so that relative links, e.g. an operation's blueprint, resolve as they did)."""
    import subprocess
    import tempfile

    folder = path.resolve().parent
    try:
        inside = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "--show-prefix"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.CalledProcessError) as exc:
        raise ValueError(f"{path}: not inside a git repository (--against needs one)") from exc
    spec = f"{rev}:{inside}{path.name}"
    shown = subprocess.run(
        ["git", "-C", str(folder), "show", spec], capture_output=True, check=False
    )
    if shown.returncode != 0:
        known = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"],
            capture_output=True, check=False,
        )  # fmt: skip
        if known.returncode != 0:
            raise ValueError(f"`{rev}` is not a revision of this git repository")
        raise ValueError(f"{inside}{path.name} does not exist at revision `{rev}`")
    with tempfile.NamedTemporaryFile(
        "wb", suffix=path.suffix, prefix=f".{path.stem}.{_safe(rev)}.", dir=folder, delete=False
    ) as handle:
        handle.write(shown.stdout)
    old = Path(handle.name)
    try:
        return load_map(old, plugin_dirs)
    finally:
        old.unlink(missing_ok=True)


def _safe(rev: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in rev)[:40]
