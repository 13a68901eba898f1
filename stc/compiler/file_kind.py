"""What kind of stc file a path holds, told from its top-level keys without parsing.

``stc run``/``compile``/``graph`` take a strategy blueprint or an operation; given a
plugin manifest, a platform file, a compiled wiring map, a sweep or an aggregation
policy they used to compile it as whatever its keys suggested (a manifest silently,
exit 1 with no output; a wiring map as an aggregation policy with 15 unknown keys).
This reads the top-level keys at column 0 of the first 64 KiB — microseconds, no
YAML parse — so the check costs nothing on the normal path; a file with none of the
keys is left to the loader's own diagnostics.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_TOP_KEY = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)[ \t]*:", re.M)
_HEAD_BYTES = 64 * 1024


@dataclass(frozen=True)
class FileKind:
    """One kind of file: its name in messages and what to do with it instead."""

    name: str
    """As a sentence says it: ``a plugin manifest``."""
    instead: str
    """How this kind of file is used, for a command that does not take it."""


KINDS: dict[str, FileKind] = {
    "strategy_blueprint": FileKind("a strategy blueprint", "`stc run FILE`"),
    "operation": FileKind("an operation", "`stc run FILE`"),
    "plugin_manifest": FileKind(
        "a plugin manifest", "name the plugin in a blueprint's `plugin:`; `stc check` checks it"
    ),
    "platform": FileKind("a platform file", "pass it with `--platform FILE`"),
    "wiring_map": FileKind("a compiled wiring map", "give the blueprint it was compiled from"),
    "sweep": FileKind("a sweep file", "run it with `stc sweep FILE`"),
    "aggregation_policy": FileKind(
        "an aggregation policy", "copy its `aggregation:` into a blueprint or the platform file"
    ),
}

_BY_KEY: tuple[tuple[str, str], ...] = (
    ("blueprint_version", "strategy_blueprint"),
    ("operation_version", "operation"),
    ("manifest_version", "plugin_manifest"),
    ("platform_version", "platform"),
    ("sweep_version", "sweep"),
    ("compiler_version", "wiring_map"),
    ("aggregation", "aggregation_policy"),
)
"""Version keys first: a blueprint may also have ``aggregation:``."""


def kind_of_file(path: Path) -> str | None:
    """The kind of file at ``path`` (a key of ``KINDS``), or None when unknown or unreadable."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_HEAD_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return None
    keys = set(_TOP_KEY.findall(head))
    return next((kind for key, kind in _BY_KEY if key in keys), None)


def wrong_kind_message(path: Path, command: str, accepted: tuple[str, ...]) -> str | None:
    """One line when ``path`` is a known kind ``command`` does not take, else None."""
    kind = kind_of_file(path)
    if kind is None or kind in accepted:
        return None
    expected = " or ".join(KINDS[k].name for k in accepted)
    return (
        f"error: {path} is {KINDS[kind].name}, but `stc {command}` expects {expected}; "
        f"{KINDS[kind].instead}"
    )
