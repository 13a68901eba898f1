"""The one gate every command's I/O failures pass: one line on stderr and exit 2.

Why: the README promises that a file the commands cannot read or write (a folder
where a file belongs, a read-only file system, a name over 255 bytes, a folder the
user cannot enter, a damaged artefact) ends in a message and exit 2, never in a
traceback. Commands handle the cases they can explain better themselves; whatever
``OSError`` or ``ArtefactError`` escapes them is turned into that line here. Any
other exception is a bug and keeps its traceback.
"""

from __future__ import annotations

import errno
import os

_WHY = {
    errno.ENAMETOOLONG: "the file name is too long (the limit is 255 bytes a name)",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.EISDIR: "it is a directory",
    errno.ENOTDIR: "a part of the path is a file, not a directory",
    errno.EEXIST: "a file is in the way",
    errno.ENOSPC: "no space left on the device",
    errno.ENOENT: "no such file or directory",
    errno.ELOOP: "too many levels of symbolic links",
}


def shown_path(path: object) -> str:
    """A path for a one-line message: cut in the middle past 120 characters."""
    text = os.fsdecode(path) if isinstance(path, str | bytes | os.PathLike) else str(path)
    text = text.encode("utf-8", "replace").decode("utf-8")
    return text if len(text) <= 120 else f"{text[:60]}…{text[-50:]}"


def one_line(exc: BaseException) -> str | None:
    """The message for an I/O failure, or None when ``exc`` is not one (a bug)."""
    if isinstance(exc, OSError):
        why = _WHY.get(exc.errno or 0) or exc.strerror or type(exc).__name__
        where = exc.filename2 or exc.filename
        return f"cannot use {shown_path(where)}: {why}" if where else f"I/O error: {why}"
    from stc.runtime.artefacts import ArtefactError

    if isinstance(exc, ArtefactError):
        return str(exc)
    return None
