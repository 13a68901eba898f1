"""Exceptions (and the skipped-row record) raised by the runtime's hot-path modules.

They live here, outside the modules ``tools/build_native.py`` compiles, because mypyc
cannot compile subclasses of built-in exception types; the hot-path modules re-export
them, so ``stc.runtime.data.DataError`` and friends keep working.
"""

from __future__ import annotations

from typing import NamedTuple


class PluginContractError(Exception):
    """A worker's result broke its contract (wrong type, bad number, undeclared event).

    ``worker`` and ``method`` name the culprit; the message says what was expected and
    what came back. Handled like any plugin exception (the flow is aborted).
    """

    def __init__(self, worker: str, method: str, problem: str) -> None:
        super().__init__(f"worker {worker!r} ({method}) {problem}")
        self.worker = worker
        self.method = method


class ScoreError(ValueError):
    """A factor score a plugin handed ``TradingContext.score`` that the platform cannot
    use: not a finite number in 0..1, or a factor, worker id or polarity that is not a
    non-empty string. Raised inside the scoring worker's call, so the engine faults the
    flow and blames that worker (issue 26: a NaN score used to surface later, in the
    assessment build, blamed on whoever read it first — or crash the compiled build)."""


class PluginTimeout(BaseException):
    """A tick's flow ran longer than ``--plugin-timeout``: raised in the plugin code that
    was running (a BaseException, so a plugin's ``except Exception`` cannot swallow it);
    the flow is aborted and the fault blamed on that worker."""


class PluginFaultError(RuntimeError):
    """Under ``fail_fast``: a plugin raised a BaseException that is not an Exception
    (``SystemExit``, ``GeneratorExit``, its own subclass); the run stops with this
    error instead of letting, say, ``sys.exit(0)`` become stc's exit status."""


class DataError(ValueError):
    """The data file is unreadable or holds a bad bar (the message names the row)."""


class SkippedBar(NamedTuple):
    """A row dropped by ``on_bad_bar="skip"``: where it was and why (for the journal)."""

    file: str
    line: int  # CSV: the file's line number (header = 1); Parquet: the 1-based row
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


class BadBarError(DataError):
    """One bad row: ``file:line: reason``. With ``on_bad_bar="skip"`` the row is
    recorded as a :class:`SkippedBar` instead of raised."""

    def __init__(self, file: str, line: int, reason: str) -> None:
        super().__init__(f"{file}:{line}: {reason}")
        self.bar = SkippedBar(file, line, reason)


class PlanningError(RuntimeError):
    """A plan arrived that does not fit the aggregator's state."""


class ResumeError(RuntimeError):
    """A run cannot be resumed from its journal (the message says why)."""
