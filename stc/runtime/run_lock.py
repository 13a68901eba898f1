"""One run per folder (issue 26): a run holds an exclusive lock on its run directory
while it writes there.

Two ``stc run`` with the same ``--out`` (the default ``runs/latest``, say) used to
both exit 0 and leave one run's journal next to the other's trades. Now the second
is refused at once, naming the holder. The lock is an advisory ``flock`` on
``RUNDIR/.stc-run.lock``, which the operating system releases when the holder exits
— also when it is killed — so a crashed run never leaves a stale lock behind (the
file itself stays; it holds the last holder's pid and start time, for the message).
Locks are re-entrant within a process: ``stc run`` takes the folder before it writes
the wiring map, and :func:`stc.runtime.api.run` takes it again.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # not POSIX: no lock (documented)
    fcntl = None  # type: ignore[assignment]

LOCK_FILE = ".stc-run.lock"

_HELD: dict[Path, tuple[int, int]] = {}
"""Resolved run directory → (descriptor, depth) of the locks this process holds."""


class RunFolderBusy(RuntimeError):
    """Another process is writing the run directory."""


@contextmanager
def run_folder_lock(run_dir: Path) -> Iterator[None]:
    """Hold ``run_dir``'s lock for the block (creating the folder); RunFolderBusy when
    another process holds it."""
    run_dir.mkdir(parents=True, exist_ok=True)
    key = run_dir.resolve()
    if key in _HELD:
        fd, depth = _HELD[key]
        _HELD[key] = (fd, depth + 1)
    else:
        _HELD[key] = (_acquire(key), 1)
    try:
        yield
    finally:
        fd, depth = _HELD[key]
        if depth > 1:
            _HELD[key] = (fd, depth - 1)
        else:
            del _HELD[key]
            os.close(fd)  # releases the flock


def _acquire(run_dir: Path) -> int:
    path = run_dir / LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
    if fcntl is None:
        return fd
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "unknown"
        os.close(fd)
        raise RunFolderBusy(
            f"{run_dir} is being written by another stc run ({holder}); wait for it to "
            "finish or choose another --out"
        ) from None
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()}, since {stamp}".encode(), 0)
    return fd
