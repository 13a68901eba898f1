"""Project configuration: ``stc.toml`` or ``[tool.stc]`` in ``pyproject.toml``.

Why: a project with its own plugins had to repeat ``--plugins-dir`` (and
``--platform``) on every command. The configuration is found by walking up from the
current directory, as ruff and pytest do: in each directory ``stc.toml`` first, then a
``pyproject.toml`` that has a ``[tool.stc]`` table (one without it is passed over);
the first found is the only one read. Keys::

    plugins_dir = ["plugins", "../shared/plugins"]   # a list of folders
    platform = "platform.yaml"                        # the default --platform

Paths are relative to the configuration file's folder, so a command run from a
subfolder means the same folders. Flags win: ``--platform`` replaces the configured
platform, and any ``--plugins-dir`` replaces the configured list (give them all on the
command line to use other roots for one command). Set ``STC_NO_CONFIG=1`` to ignore
the configuration.
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

KEYS = ("plugins_dir", "platform")

_TOOL_STC = re.compile(
    rb"""\[\s*tool\s*\.\s*["']?stc\b|^\s*(tool\s*\.\s*)?["']?stc["']?\s*[.=]""", re.M
)
"""Every spelling of a ``[tool.stc]`` table (``[tool.stc]``, ``[tool."stc"]``, ``stc =``
or ``stc.key =`` under ``[tool]``, ``tool.stc.key =``): a ``pyproject.toml`` without one
is skipped before ``tomllib`` is imported (a cost to every command's start)."""


class ConfigError(ValueError):
    """The configuration file cannot be used; the message is one line naming it."""


@dataclass(frozen=True)
class ProjectConfig:
    """The defaults a project sets for every command."""

    file: Path
    plugins_dir: tuple[Path, ...] = ()
    platform: Path | None = None


def find_config_file(start: Path) -> tuple[Path, Mapping[str, Any]] | None:
    """The nearest configuration file at or above ``start`` and its stc table."""
    for folder in (start, *start.parents):
        for name in ("stc.toml", "pyproject.toml"):
            candidate = folder / name
            if not candidate.is_file():
                continue
            raw = candidate.read_bytes()
            if name == "pyproject.toml" and _TOOL_STC.search(raw) is None:
                continue  # no [tool.stc] in any spelling: skip the TOML parser's import
            document = _parse_toml(candidate, raw)
            if name == "stc.toml":
                return candidate, document
            table = document.get("tool", {}).get("stc") if isinstance(document, dict) else None
            if table is not None:
                if not isinstance(table, dict):
                    raise ConfigError(f"{candidate}: [tool.stc] must be a table")
                return candidate, table
    return None


def _parse_toml(path: Path, raw: bytes) -> dict[str, Any]:
    """The document; one-line errors for bad TOML or bad UTF-8."""
    import tomllib

    try:
        return tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None


def load_project_config(start: Path) -> ProjectConfig | None:
    """The project's configuration as seen from ``start``, or None when there is none."""
    found = find_config_file(start)
    if found is None:
        return None
    path, table = found
    where = f"{path}" + (" [tool.stc]" if path.name == "pyproject.toml" else "")
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise ConfigError(f"{where}: unknown key `{unknown[0]}`; the keys are {', '.join(KEYS)}")
    base = path.parent
    dirs = table.get("plugins_dir", [])
    if not isinstance(dirs, list) or not all(isinstance(d, str) and d for d in dirs):
        raise ConfigError(f'{where}: plugins_dir must be a list of folders: ["plugins"]')
    platform = table.get("platform")
    if platform is not None and (not isinstance(platform, str) or not platform):
        raise ConfigError(f'{where}: platform must be a file name: "platform.yaml"')
    return ProjectConfig(
        file=path,
        plugins_dir=tuple(base / d for d in dirs),
        platform=base / platform if platform else None,
    )


def apply_project_config(args: argparse.Namespace, start: Path | None = None) -> None:
    """Fill ``plugins_dir`` and ``platform`` the command line left unset (in place)."""
    has_dirs, has_platform = hasattr(args, "plugins_dir"), hasattr(args, "platform")
    if not (has_dirs or has_platform) or os.environ.get("STC_NO_CONFIG", "") not in ("", "0"):
        return
    config = load_project_config(start or Path.cwd())
    if config is None:
        return
    if has_dirs and not args.plugins_dir:
        args.plugins_dir = list(config.plugins_dir)
    if has_platform and args.platform is None and config.platform is not None:
        args.platform = config.platform
