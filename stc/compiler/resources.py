"""Where the packaged schemas, reference blueprints and plugins live.

In a checkout (or an editable install) they are the repository's top-level
``schemas/``, ``blueprints/`` and ``stc/plugins/`` folders. A wheel ships the first two
inside the ``compiler`` package as ``stc/compiler/_bundled/...`` (see pyproject's
``force-include``), so the installed CLI finds them without the repository.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
_REPO_DIR = _PACKAGE_DIR.parents[1]


def _data_dir(name: str) -> Path:
    bundled = _PACKAGE_DIR / "_bundled" / name
    return bundled if bundled.is_dir() else _REPO_DIR / name


def schemas_dir() -> Path:
    """Folder of the committed ``*.schema.json`` files."""
    return _data_dir("schemas")


def blueprints_dir() -> Path:
    """Folder of the reference blueprints."""
    return _data_dir("blueprints")


def builtin_plugins_dir() -> Path:
    """Folder of the packaged reference plugins (``stc/plugins``, a sibling of this
    package in a checkout and in a wheel). Found by path, not by importing
    ``stc.plugins``: the compiler reads plugins as data and imports their code only
    through the registry (the layering contract in docs/architecture.md)."""
    return _PACKAGE_DIR.parent / "plugins"
