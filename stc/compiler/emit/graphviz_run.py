"""Graphviz ``dot`` under a time and memory budget; its failure is one line, not a crash.

Why: the diagram is a by-product of the wiring map, yet ``dot`` crashed with SIGSEGV on
a valid 20,000-worker blueprint (and can take minutes and gigabytes on large graphs),
which surfaced as ``RuntimeError: dot failed`` with exit 1 although the map was
written. ``render`` runs ``dot`` as a child process with a wall-clock limit and an
address-space limit (``RLIMIT_AS``) and raises ``GraphvizFailed`` with a reason a
user can read; callers keep the ``.dot`` and say so.

Budgets: ``DOT_SECONDS`` (``STC_DOT_SECONDS``) and ``DOT_MEGABYTES``
(``STC_DOT_MEGABYTES``).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from collections.abc import Callable

DOT_SECONDS = 60.0
DOT_MEGABYTES = 2048
FORMATS = ("svg", "png")


class GraphvizFailed(Exception):
    """``dot`` is missing, crashed, failed or ran out of its budget (the message says which)."""


def _budget(name: str, default: float) -> float:
    """A positive number from the environment, else ``default``."""
    try:
        value = float(os.environ.get(name, ""))
    except ValueError:
        return default
    return value if value > 0 else default


def _memory_limit(megabytes: float) -> Callable[[], None] | None:
    """A ``preexec_fn`` capping the child's address space (None where unsupported)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not POSIX
        return None
    limit = int(megabytes * 1024 * 1024)

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return apply


def render(dot_source: str, fmt: str) -> bytes:
    """``dot -T<fmt>`` of ``dot_source`` within the budget."""
    if fmt not in FORMATS:
        raise GraphvizFailed(f"unsupported image format `{fmt}`; use .svg, .png or .dot")
    binary = shutil.which("dot")
    if binary is None:
        raise GraphvizFailed("Graphviz `dot` is not installed")
    seconds = _budget("STC_DOT_SECONDS", DOT_SECONDS)
    megabytes = _budget("STC_DOT_MEGABYTES", DOT_MEGABYTES)
    try:
        done = subprocess.run(
            [binary, f"-T{fmt}"],
            input=dot_source.encode("utf-8"),
            capture_output=True,
            timeout=seconds,
            preexec_fn=_memory_limit(megabytes),  # the compiler starts no threads
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise GraphvizFailed(f"Graphviz `dot` took more than {seconds:g} s") from None
    except OSError as exc:
        raise GraphvizFailed(f"Graphviz `dot` could not start: {exc.strerror or exc}") from None
    if done.returncode != 0:
        raise GraphvizFailed(_why(done.returncode, done.stderr, megabytes))
    return done.stdout


def _why(code: int, stderr: bytes, megabytes: float) -> str:
    """A one-line reason from dot's exit status and the first line of its stderr."""
    lines = stderr.decode("utf-8", "replace").strip().splitlines()
    said = f": {' '.join(lines[0].split())[:160]}" if lines else ""
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"Graphviz `dot` crashed ({name}, memory budget {megabytes:g} MB){said}"
    return f"Graphviz `dot` failed with exit status {code}{said}"
