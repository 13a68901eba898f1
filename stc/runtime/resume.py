"""What a run directory must remember to be resumed, and the checks that make a
resumed run end exactly like an uninterrupted one.

A run records in its journal's ``meta`` table the fingerprint of what it executes:
the plan (sha256 of its canonical form), the data file (path and sha256), the
environment and the options that change decisions. ``stc run --resume RUNDIR``
reloads the run directory's ``wiring_map.yaml`` with those options, refuses when a
fingerprint no longer matches (another plan or other data cannot continue this
journal), and replays the run from its first bar: flows already in the journal are
verified rather than written, new flows are appended after the last complete one
(see :meth:`stc.runtime.journal.Journal.replay_until`). Replaying instead of restoring a
snapshot is what makes the guarantee cheap to keep: plugin state is whatever the
plugin code computes, no plugin has to be serialisable, and a backtest is
deterministic. A live run cannot be replayed (its fills came from an exchange), so
it cannot be resumed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from stc.runtime.data import paced
from stc.runtime.dtos.market import Bar
from stc.runtime.journal import Journal, ResumeError
from stc.runtime.plan import Plan
from stc.runtime.plan.model import PROVENANCE_FIELDS

META_FORMAT = "1"
_DECISION_KEYS = ("plan_sha256", "data_sha256", "environment", "fail_fast", "on_bad_bar")
_REFRESHED_KEYS = ("engine",)
"""Recorded but not checked: a resume may change them, and records its own (the fast
and the incremental engine write the same flows, so a run may finish in either)."""


def plan_sha256(plan: Plan) -> str:
    """A stable digest of everything in ``plan`` that the engine executes (the plan
    format's fields without its provenance)."""
    fields = plan.model_dump(mode="json", exclude=set(PROVENANCE_FIELDS))
    text = json.dumps(fields, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def file_sha256(path: Path) -> str:
    """sha256 of a (possibly large) file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def run_fingerprint(
    plan: Plan,
    data: Path,
    environment: str,
    fail_fast: bool,
    plugin_roots: Sequence[Path],
    on_bad_bar: str = "error",
) -> dict[str, str]:
    """The ``meta`` rows a run records when it starts."""
    return {
        "format": META_FORMAT,
        "plan_sha256": plan_sha256(plan),
        "data": str(Path(data).resolve()),
        "data_sha256": file_sha256(data),
        "environment": environment,
        "fail_fast": json.dumps(fail_fast),
        "on_bad_bar": on_bad_bar,
        "plugin_roots": json.dumps([str(Path(r).resolve()) for r in plugin_roots]),
        "status": "running",
    }


def open_journal(
    path: Path, fingerprint: dict[str, str], *, resume: bool, durable: bool
) -> tuple[Journal, str | None]:
    """A new journal for a fresh run, or the existing one in replay mode.

    Returns the journal and, when resuming, the tick time of the last recorded flow
    (None when the journal holds no flow yet).
    """
    if not resume:
        journal = Journal(path, durable=durable)
        journal.set_meta(fingerprint)
        return journal, None
    if not path.is_file():
        raise ResumeError(f"{path}: no journal to resume from; start the run without --resume")
    journal = _existing(path, durable)
    try:
        _check_resumable(path, journal.meta(), fingerprint)
        refreshed = {key: fingerprint[key] for key in _REFRESHED_KEYS if key in fingerprint}
        journal.set_meta({"status": "running", **refreshed})
        return journal, journal.replay_until()
    except BaseException:
        journal.close()
        raise


def _check_resumable(path: Path, recorded: dict[str, str], now: dict[str, str]) -> None:
    recorded = {"on_bad_bar": "error", **recorded}
    if recorded.get("format") != META_FORMAT:
        raise ResumeError(f"{path}: the journal does not record how its run was started")
    if now["environment"] == "live":
        raise ResumeError(f"{path}: a live run cannot be resumed (its fills are not replayable)")
    for key in _DECISION_KEYS:
        if recorded.get(key) != now[key]:
            raise ResumeError(
                f"{path}: cannot resume: {key} differs from the run's "
                f"(recorded {recorded.get(key)!r}, now {now[key]!r})"
            )


def read_meta(run_dir: Path) -> dict[str, str]:
    """The ``meta`` rows of ``run_dir``'s journal (for ``stc run --resume``)."""
    path = Path(run_dir) / "journal.sqlite"
    if not path.is_file():
        raise ResumeError(f"{path}: no journal to resume from")
    journal = _existing(path, durable=False)
    try:
        return journal.meta()
    except sqlite3.DatabaseError as exc:  # e.g. a replaced journal beside a stale `-wal`
        raise ResumeError(
            f"{path}: not a readable journal ({exc}; is a `-wal` file of another journal "
            "beside it?); the run cannot be resumed — start it again without --resume"
        ) from None
    finally:
        with contextlib.suppress(sqlite3.Error):
            journal.close()


def _existing(path: Path, durable: bool) -> Journal:
    """The journal at ``path`` opened to continue it; ResumeError (not a sqlite3 error
    and its traceback) when the file is not a database SQLite can open."""
    try:
        return Journal(path, create=False, durable=durable)
    except sqlite3.Error as exc:
        raise ResumeError(
            f"{path}: not a readable journal ({exc}); the run cannot be resumed — start it "
            "again without --resume"
        ) from exc


def paced_after(
    bars: Iterable[Bar], last_recorded: str | None, tick_tf: str, speed: float
) -> Iterator[Bar]:
    """A paper feed that replays the bars already journaled at full speed and paces
    the rest in wall-clock time."""
    iterator = iter(bars)
    if last_recorded is not None:
        for bar in iterator:
            yield bar
            if bar.time.isoformat() >= last_recorded:
                break
    yield from paced(iterator, tick_tf, speed)
