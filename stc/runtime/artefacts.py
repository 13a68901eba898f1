"""Artefacts are never half written: each goes to a temporary file beside it, then is
renamed over the old one (``os.replace`` is atomic within a file system).

Why: a run killed while ``report.html``, ``trades.csv`` or ``metrics.json`` was being
written left it truncated, and ``stc run --resume`` then said the run had completed.
With a rename, a reader (and ``--resume``) sees the old file or the new one, never a
prefix. The temporary file is named ``.stc-<random>.tmp`` (short: the artefact's own
name may already be near the 255-byte limit) and is removed when writing fails; a
kill can leave one behind, which the next write of the folder does not mind. There is
no ``fsync``: the promise is about a killed process, not a power cut.

``ArtefactError`` is what reading a run's artefacts raises when one is not what stc
wrote (truncated JSON, binary CSV, a journal without its tables): the CLI prints it as
one line and exits 2.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


class ArtefactError(Exception):
    """A run artefact cannot be read or written (the message names the file and why)."""


@contextmanager
def atomic_open(path: Path, mode: str = "w", *, newline: str | None = None) -> Iterator[IO[str]]:
    """A text file that appears at ``path`` only when the block ends without an error."""
    temporary = _temporary(path)
    try:
        with open(temporary, mode, encoding="utf-8", newline=newline) as handle:
            yield handle
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_atomically(path: Path, data: str | bytes) -> None:
    """``path.write_text``/``write_bytes`` (UTF-8), but all or nothing."""
    temporary = _temporary(path)
    try:
        with open(temporary, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


RUN_ARTEFACTS = ("trades.csv", "metrics.json", "report.html")
"""What a completed run leaves besides its journal: ``--resume`` rebuilds any missing."""


def missing_artefacts(run_dir: Path) -> list[str]:
    """The ``RUN_ARTEFACTS`` absent from ``run_dir`` (a kill between the journal's
    ``completed`` and the last rename), after removing temporary files a kill left."""
    for leftover in Path(run_dir).glob(".stc-*.tmp"):
        leftover.unlink(missing_ok=True)
    return [name for name in RUN_ARTEFACTS if not (Path(run_dir) / name).is_file()]


def _temporary(path: Path) -> Path:
    """A new, empty file beside ``path`` (created exclusively, mode from the umask)."""
    while True:
        candidate = path.with_name(f".stc-{secrets.token_hex(6)}.tmp")
        try:
            os.close(os.open(candidate, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
        except FileExistsError:  # pragma: no cover - 48 random bits
            continue
        except OSError as exc:  # name the artefact, not the temporary file
            raise OSError(exc.errno, exc.strerror, str(path)) from None
        return candidate
