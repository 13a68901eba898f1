"""Plugin discovery: manifests from the plugin roots and the ``stc.plugins`` entry points.

A blueprint names plugins only by manifest name. The registry is the *only* way a
name becomes an import, and it imports a plugin's entrypoint module from inside the
plugin's own folder — never a path, dotted name or ``..`` taken from a blueprint.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import ModuleType
from typing import Literal, NamedTuple

from stc.compiler.diagnostics import Diagnostic, Related, Severity
from stc.compiler.entry_points import read_group as read_entry_point_group
from stc.compiler.model.manifest import PluginManifest
from stc.compiler.resources import builtin_plugins_dir
from stc.compiler.rules import Rule
from stc.compiler.sources import STC009, Loaded, SourceFile, load_yaml_file, locate
from stc.compiler.validate import validate_document
from stc.runtime.plugin_import import import_plugin_file

Origin = Literal["builtin", "entry_point", "root"]
MANIFEST_NAME = "plugin_manifest.yaml"
ENTRY_POINT_GROUP = "stc.plugins"


class PluginRoot(NamedTuple):
    """A folder scanned for manifests, and how its modules are imported (a NamedTuple:
    immutable like a frozen dataclass, without its import cost; see ``Mark``)."""

    path: Path
    origin: Origin
    package: str | None = None
    """Dotted package of ``path`` for builtin/entry-point roots (imported by name)."""
    label: str = ""
    """How manifest files of this root are named in diagnostics and the wiring map."""
    problem: str = ""
    """Why an entry point's package cannot be found (the root is then skipped, warned)."""


@dataclass
class PluginRecord:
    """One discovered plugin: its validated manifest and where it lives."""

    manifest: PluginManifest
    loaded: Loaded
    root: PluginRoot
    folder: Path
    display_file: str
    sha256: str
    _class: type | None = field(default=None, repr=False)
    schema_problems: list[Diagnostic] | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        """The plugin's manifest name (unique across roots)."""
        return self.manifest.identification.name

    @cached_property
    def relative_folder(self) -> str:
        """The plugin folder relative to its root, with forward slashes."""
        return self.folder.relative_to(self.root.path).as_posix()

    @cached_property
    def module_name(self) -> str:
        """Import path of the entrypoint module (dotted for packages, relative for roots)."""
        module = self.manifest.entrypoint.split(":", 1)[0]
        if self.root.package is None:
            return module
        return ".".join([self.root.package, *self.relative_folder.split("/"), module])

    @cached_property
    def class_name(self) -> str:
        """The entrypoint's class name."""
        return self.manifest.entrypoint.split(":", 1)[1]


@dataclass
class PluginRegistry:
    """All plugins found, by name, plus the diagnostics discovery produced."""

    plugins: dict[str, PluginRecord] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    sources: dict[str, SourceFile] = field(default_factory=dict)
    """Text of every manifest read (also the rejected ones), for rendering snippets."""

    def get(self, name: str) -> PluginRecord | None:
        """The plugin called ``name``, if discovered."""
        return self.plugins.get(name)

    def names(self) -> list[str]:
        """All plugin names, sorted."""
        return sorted(self.plugins)


class PluginImportError(Exception):
    """The entrypoint could not be imported (message says why, for STC080)."""


STC007 = Rule(
    "STC007",
    Severity.ERROR,
    "plugin name defined twice across plugin roots",
    """A plugin name is defined twice across plugin roots.

    Why it is bad: a blueprint names plugins only by name, so the name must pick exactly
    one manifest. Fix: rename one plugin.""",
    bad=(
        "# roots/a/ema/plugin_manifest.yaml and roots/b/ema/plugin_manifest.yaml\n"
        "identification: {name: EMADetector}"
    ),
    fixed=("# roots/b/ema/plugin_manifest.yaml\nidentification: {name: EMADetectorB}"),
)


EntryPointReader = Callable[[], list[tuple[str, str]]]
"""What lists the (name, value) of every ``stc.plugins`` entry point."""


def default_roots(
    extra: Sequence[Path] = (), *, entry_points: bool = True, read: EntryPointReader | None = None
) -> list[PluginRoot]:
    """The packaged plugins, the entry-point packages (listed by ``read``, by default
    ``read_entry_points``), then extra roots in the given order."""
    roots = [PluginRoot(builtin_plugins_dir(), "builtin", "stc.plugins", "stc/plugins")]
    if entry_points:
        roots.extend(_entry_point_roots((read or read_entry_points)()))
    for path in extra:
        roots.append(PluginRoot(Path(path), "root", None, Path(path).as_posix().rstrip("/")))
    return roots


def _entry_point_roots(pairs: Sequence[tuple[str, str]]) -> list[PluginRoot]:
    found: list[PluginRoot] = []
    for name, value in pairs:
        package = value.split(":", 1)[0].strip()
        try:
            spec = importlib.util.find_spec(package)
        except Exception as exc:  # `missing_pkg.sub`, `..`, a parent package that raises
            why = f"{type(exc).__name__}: {' '.join(str(exc).split())[:160]}"
            found.append(PluginRoot(Path(), "entry_point", package, f"{name}:{package}", why))
            continue
        if spec is None or not spec.submodule_search_locations:
            continue
        path = Path(next(iter(spec.submodule_search_locations)))
        found.append(PluginRoot(path, "entry_point", package, f"{name}:{package}"))
    return found


def read_entry_points() -> list[tuple[str, str]]:
    """(name, value) of every ``stc.plugins`` entry point, sorted by name (this scans the
    metadata of every installed distribution: ``stc.compiler.memo`` caches it)."""
    pairs = read_entry_point_group(ENTRY_POINT_GROUP)
    if pairs is None:  # a layout only importlib.metadata itself reads right
        from importlib import metadata

        selected = metadata.entry_points(group=ENTRY_POINT_GROUP)
        pairs = [(entry.name, entry.value) for entry in selected]
    return sorted(pairs, key=lambda pair: pair[0])


def discover(roots: Iterable[PluginRoot], *, parse: ManifestParser | None = None) -> PluginRegistry:
    """Load and validate every manifest under ``roots`` (deterministic order), each with
    ``parse`` (by default ``parse_manifest``)."""
    registry = PluginRegistry()
    for root in roots:
        if root.problem:
            registry.diagnostics.append(_broken_entry_point(root))
            continue
        if not os.path.isdir(root.path):
            registry.diagnostics.append(_missing_root(root))
            continue
        for manifest_path in _manifest_paths(root.path):
            _register(registry, root, manifest_path, parse or parse_manifest)
    return registry


def _manifest_paths(root: Path) -> list[Path]:
    """Manifests below ``root``, sorted by their path relative to ``root``; folders
    starting with ``_`` or ``.`` (``__pycache__``, ``.git``) are skipped.

    The set ``root.rglob(MANIFEST_NAME)`` finds outside skipped folders (symlinked
    folders are not entered, a symlinked manifest counts), walked with ``os.scandir``
    and without entering skipped folders: a third of the time, at every check.
    """
    found: list[tuple[str, str]] = []
    _scan_folder(str(root), "", found)
    return [Path(path) for _, path in sorted(found)]


def _scan_folder(folder: str, relative: str, found: list[tuple[str, str]]) -> None:
    """Add ``(relative path, path)`` of the manifest in ``folder`` and below."""
    manifest = os.path.join(folder, MANIFEST_NAME)
    if os.path.exists(manifest):
        found.append((relative + MANIFEST_NAME, manifest))
    try:
        with os.scandir(folder) as entries:
            children = [entry.name for entry in entries if _enters(entry)]
    except PermissionError:  # as rglob: an unreadable folder holds no manifests
        return
    for name in sorted(children):
        _scan_folder(os.path.join(folder, name), f"{relative}{name}/", found)


def _enters(entry: os.DirEntry[str]) -> bool:
    """A real (not symlinked) folder whose name does not start with ``_`` or ``.``."""
    if entry.name.startswith(("_", ".")):
        return False
    try:
        return entry.is_dir() and not entry.is_symlink()
    except OSError:
        return False


ParsedManifest = tuple[Loaded, PluginManifest | None, list[Diagnostic]]
"""A manifest as loaded, its model (None when it has errors) and every problem found."""

ManifestParser = Callable[[Path, str], ParsedManifest]
"""What turns (manifest path, display name) into its ``ParsedManifest``."""


def parse_manifest(manifest_path: Path, display: str) -> ParsedManifest:
    """Load and validate one manifest file."""
    loaded = load_yaml_file(manifest_path, display)
    manifest, problems = None, list(loaded.diagnostics)
    if loaded.ok:
        manifest, found = validate_document(loaded, PluginManifest, "plugin_manifest")
        problems += found
        manifest = None if any(p.is_error for p in problems) else manifest
    return loaded, manifest, problems


def _register(
    registry: PluginRegistry, root: PluginRoot, manifest_path: Path, parse: ManifestParser
) -> None:
    display = f"{root.label}/{manifest_path.relative_to(root.path).as_posix()}"
    loaded, manifest, problems = parse(manifest_path, display)
    if loaded.source is not None:
        registry.sources[display] = loaded.source
    registry.diagnostics.extend(problems)
    if manifest is None:
        return
    digest = hashlib.sha256(loaded.source.text.encode("utf-8") if loaded.source else b"")
    record = PluginRecord(manifest, loaded, root, manifest_path.parent, display, digest.hexdigest())
    existing = registry.plugins.get(record.name)
    if existing is not None:
        registry.diagnostics.append(_duplicate_plugin(record, existing))
        return
    registry.plugins[record.name] = record


def _duplicate_plugin(record: PluginRecord, existing: PluginRecord) -> Diagnostic:
    mark = locate(record.loaded.data, ("identification", "name"))
    first = locate(existing.loaded.data, ("identification", "name"))
    return STC007.at(
        f"plugin name `{record.name}` is defined twice",
        record.display_file,
        mark,
        "plugin names must be unique across all plugin roots; rename one of them",
        related=(
            Related(
                message="first defined here",
                file=existing.display_file,
                line=first.line if first else None,
                column=first.column if first else None,
            ),
        ),
    )


def _broken_entry_point(root: PluginRoot) -> Diagnostic:
    """A warning, not an error: an unrelated broken distribution must not fail every
    check (its plugins are simply not there)."""
    return STC009.at(
        f"the `{ENTRY_POINT_GROUP}` entry point `{root.label}` names no importable "
        f"package ({root.problem}); its plugins are skipped",
        None,
        None,
        "fix or uninstall the distribution that declares it (`pip show` finds it)",
        demote=True,
    )


def _missing_root(root: PluginRoot) -> Diagnostic:
    return STC009.at(
        f"plugin root `{root.label}` is not a folder",
        None,
        None,
        "check --plugins-dir / platform.yaml plugin_roots",
    )


def load_plugin_class(record: PluginRecord) -> type:
    """Import the entrypoint class of ``record`` (cached); PluginImportError says why."""
    if record._class is not None:
        return record._class
    module = _import_entry_module(record)
    cls = getattr(module, record.class_name, None)
    if not isinstance(cls, type):
        raise PluginImportError(
            f"module `{record.manifest.entrypoint.split(':')[0]}` has no class "
            f"`{record.class_name}`"
        )
    record._class = cls
    return cls


def _import_entry_module(record: PluginRecord) -> ModuleType:
    relative = record.manifest.entrypoint.split(":", 1)[0].split(".")
    file = record.folder.joinpath(*relative).with_suffix(".py")
    folder = record.folder.resolve()
    shown = f"{'/'.join(relative)}.py"
    if not os.path.isfile(file):
        raise PluginImportError(f"entrypoint module `{shown}` not found in the plugin folder")
    if not file.resolve().is_relative_to(folder):
        raise PluginImportError(
            f"entrypoint module `{shown}` leads outside the plugin folder (a symlink?)"
        )
    try:
        if record.root.package is not None:
            return importlib.import_module(record.module_name)
        return import_plugin_file(file)
    except KeyboardInterrupt:  # the user's Ctrl-C stops the check
        raise
    except BaseException as exc:  # any failure of plugin code becomes STC080, sys.exit too
        raise PluginImportError(
            f"importing the entrypoint failed: {type(exc).__name__}: {exc}"
        ) from exc
