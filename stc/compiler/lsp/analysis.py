"""Open buffers over the files on disk, compile units, and checking them.

The language server never re-implements a check: it runs the compiler's own pipeline
(:func:`stc.compiler.pipeline.compile_path`) on a :class:`~stc.compiler.pipeline.Session`
whose ``load`` reads an open buffer instead of the file when there is one. What it
adds is knowing which files belong together:

- a blueprint that an operation links is checked *through* that operation (as
  ``stc check`` does when both are given): the operation's diagnostics and the
  blueprint's are published together;
- a manifest is validated on its own, and the open blueprints that use its plugin are
  re-checked when it is saved (discovery reads manifests from disk);
- every file a diagnostic of the unit points into (an operation, a platform file, a
  manifest) is published with the unit, and cleared when the unit no longer says
  anything about it.

Incremental: an edit re-checks only the unit of the edited file (and, for a
manifest, the units that use it); the plugin registry is discovered once and kept
until a manifest or plugin module changes; a unit whose texts did not change is not
re-checked at all. Memory is bounded by the open documents: every cache here is keyed
by path and holds one entry per file.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stc.compiler.diagnostics import Diagnostic
from stc.compiler.lsp import incremental
from stc.compiler.memo import default_roots, discover
from stc.compiler.pipeline import CompileOutcome, Session, compile_path, detect_kind
from stc.compiler.registry import MANIFEST_NAME, PluginRegistry, PluginRoot
from stc.compiler.sources import Loaded, LoadLimits, load_yaml_text
from stc.compiler.unit import CompileUnit


def normal(path: str | Path) -> str:
    """The one spelling of a path every table here is keyed by (absolute, no ``..``)."""
    return os.path.normpath(os.path.abspath(path))


@dataclass
class EditorSession(Session):
    """A compiler session that reads open buffers before files, and shares one plugin
    registry (per set of extra roots) with every other check of the server."""

    overlay: dict[str, str] = field(default_factory=dict)
    registries: dict[tuple[str, ...], PluginRegistry] = field(default_factory=dict)
    parsed: Callable[[str], Loaded | None] | None = None
    """The analysis' parse of an open document (shared: a check parses a text once)."""

    def load(self, path: Path, display: str) -> Loaded:
        """The buffer's text when the file is open in the editor, else the file."""
        key = normal(path)
        text = self.overlay.get(key)
        if text is None:
            return super().load(path, display)
        same = self.parsed is not None and display == key and self.limits == LoadLimits()
        shared = self.parsed(key) if same and self.parsed is not None else None
        loaded = shared or load_yaml_text(text, display, self.limits)
        if loaded.source is not None:
            self.sources[display] = loaded.source
        return loaded

    def registry(self, extra_roots: Sequence[Path] = ()) -> PluginRegistry:
        """Discovered once per set of roots; :meth:`Analysis.plugins_changed` drops it."""
        key = tuple(normal(root) for root in [*self.plugin_dirs, *extra_roots])
        registry = self.registries.get(key)
        if registry is None:
            registry = super().registry(extra_roots)
            self.registries[key] = registry
        self.sources.update(registry.sources)
        return registry


@dataclass
class UnitResult:
    """One check of one compile unit: diagnostics by file (every file of the unit has
    an entry, empty when clean) and the compiled outcomes (for navigation)."""

    owner: str
    texts: tuple[tuple[str, str], ...]
    by_file: dict[str, list[Diagnostic]]
    outcomes: list[CompileOutcome]
    session: EditorSession

    def unit_for(self, path: str) -> CompileUnit | None:
        """The compiled unit whose blueprint (or operation) is ``path``."""
        for outcome in self.outcomes:
            unit = outcome.unit
            if unit is None:
                continue
            if normal(unit.blueprint_file) == path:
                return unit
            if unit.operation_file is not None and normal(unit.operation_file) == path:
                return unit
        return None


class Analysis:
    """The server's model of the workspace: open texts, plugin roots, last results."""

    def __init__(
        self,
        plugin_dirs: Sequence[Path] = (),
        platform_file: Path | None = None,
        folders: Sequence[Path] = (),
    ) -> None:
        self.plugin_dirs = [Path(normal(p)) for p in plugin_dirs]
        self.platform_file = Path(normal(platform_file)) if platform_file else None
        self.folders = [Path(normal(f)) for f in folders]
        self.overlay: dict[str, str] = {}
        self.registries: dict[tuple[str, ...], PluginRegistry] = {}
        self.results: dict[str, UnitResult] = {}
        """Owner path → its last check (one per checked unit)."""
        self.owner_of: dict[str, str] = {}
        """Open document → the owner of the unit it was last checked in."""
        self._parsed: dict[str, tuple[str, Loaded]] = {}

    # ------------------------------------------------------------------ documents

    def open(self, path: str, text: str) -> None:
        """A document was opened: its text replaces the file's."""
        self.overlay[normal(path)] = text
        self._parsed.pop(normal(path), None)

    def change(self, path: str, text: str) -> None:
        """A document changed: its new text replaces the old one (whose parse is kept
        until the next :meth:`parsed`, which may patch it: :mod:`.incremental`)."""
        self.overlay[normal(path)] = text

    def close(self, path: str) -> list[str]:
        """A document was closed: forget it; returns the owners whose results went."""
        key = normal(path)
        self.overlay.pop(key, None)
        self._parsed.pop(key, None)
        owner = self.owner_of.pop(key, None)
        if owner is None or any(o == owner for o in self.owner_of.values()):
            return []
        self.results.pop(owner, None)
        return [owner]

    def text(self, path: str) -> str | None:
        """The buffer's text, else the file's, else None."""
        key = normal(path)
        if key in self.overlay:
            return self.overlay[key]
        try:
            return Path(key).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def parsed(self, path: str) -> Loaded | None:
        """The document parsed with marks (cached per text)."""
        key = normal(path)
        text = self.text(key)
        if text is None:
            return None
        cached = self._parsed.get(key)
        if cached is not None and cached[0] is text:
            return cached[1]
        loaded = None
        if cached is not None:
            loaded = incremental.patch(cached[0], cached[1], text, LoadLimits())
        if loaded is None:
            loaded = load_yaml_text(text, key, LoadLimits())
        if key in self.overlay:  # files not open are re-read each time: keep none
            self._parsed[key] = (text, loaded)
        return loaded

    def kind(self, path: str) -> str | None:
        """The document's kind (blueprint, operation, manifest, …) from its keys."""
        loaded = self.parsed(path)
        return detect_kind(loaded.data) if loaded is not None else None

    def plugins_changed(self) -> None:
        """A manifest or plugin module changed on disk: discover again, check again."""
        self.registries.clear()
        self.results.clear()

    # ------------------------------------------------------------------ units

    def owner(self, path: str) -> str:
        """The file a check of ``path`` starts from: the operation that links it, if
        any (open operations first, then operations next to it), else itself."""
        key = normal(path)
        if self.kind(key) != "strategy_blueprint":
            return key
        for candidate in self._operation_candidates(key):
            if key in self._linked_blueprints(candidate):
                return candidate
        return key

    def _operation_candidates(self, blueprint: str) -> list[str]:
        opened = sorted(p for p, t in self.overlay.items() if "operation_version" in t)
        folder = Path(blueprint).parent
        nearby = []
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            names = []
        for name in names:
            if name.endswith((".yaml", ".yml")) and normal(folder / name) not in opened:
                nearby.append(normal(folder / name))
        return [*opened, *(p for p in nearby if "operation_version" in (self.text(p) or ""))]

    def _linked_blueprints(self, operation: str) -> set[str]:
        loaded = self.parsed(operation)
        data: Any = loaded.data if loaded is not None else None
        if not isinstance(data, dict) or "operation_version" not in data:
            return set()
        links = data.get("strategy_links")
        folder = Path(operation).parent
        found = set()
        for link in links if isinstance(links, list) else []:
            if isinstance(link, dict) and isinstance(link.get("blueprint"), str):
                found.add(normal(folder / link["blueprint"]))
        return found

    def dependents(self, manifest: str) -> list[str]:
        """Open blueprints (and operations) that name the manifest's plugin."""
        loaded = self.parsed(manifest)
        data: Any = loaded.data if loaded is not None else None
        ident = data.get("identification") if isinstance(data, dict) else None
        name = ident.get("name") if isinstance(ident, dict) else None
        if not isinstance(name, str):
            return []
        return sorted(
            path
            for path, text in self.overlay.items()
            if path != normal(manifest) and name in text and "blueprint_version" in text
        )

    # ------------------------------------------------------------------ checking

    def check(self, path: str) -> UnitResult:
        """Check the unit of ``path`` (again only when one of its texts changed)."""
        key = normal(path)
        owner = self.owner(key)
        texts = self._texts_of(owner, key)
        previous = self.results.get(owner)
        if previous is not None and previous.texts == texts:
            self.owner_of[key] = owner
            return previous
        result = self._check_owner(owner, texts)
        self.results[owner] = result
        self.owner_of[key] = owner
        for file in result.by_file:
            if file in self.overlay:
                self.owner_of.setdefault(file, owner)
        return result

    def _texts_of(self, owner: str, path: str) -> tuple[tuple[str, str], ...]:
        """The open texts a unit reads (identity of its inputs for the skip test)."""
        involved = {owner, path}
        previous = self.results.get(owner)
        if previous is not None:
            involved |= set(previous.by_file)
        return tuple((p, self.overlay[p]) for p in sorted(involved) if p in self.overlay)

    def _session(self) -> EditorSession:
        session = EditorSession(
            plugin_dirs=list(self.plugin_dirs),
            platform_file=self.platform_file,
            overlay=self.overlay,
            registries=self.registries,
            parsed=self.parsed,
        )
        session.emit = False
        return session

    def _check_owner(self, owner: str, texts: tuple[tuple[str, str], ...]) -> UnitResult:
        session = self._session()
        outcomes = compile_path(Path(owner), owner, session)
        by_file: dict[str, list[Diagnostic]] = {owner: []}
        for outcome in outcomes:
            by_file.setdefault(normal(outcome.file), [])
            for diagnostic in outcome.diagnostics:
                file = self.path_of(diagnostic.file) if diagnostic.file else owner
                by_file.setdefault(file, []).append(diagnostic)
        return UnitResult(owner, texts, by_file, outcomes, session)

    def roots(self) -> list[PluginRoot]:
        """The plugin roots discovery reads (builtin, entry points, --plugins-dir)."""
        return default_roots(self.plugin_dirs)

    def path_of(self, display: str) -> str:
        """A diagnostic's file as a path: absolute displays are ours; a manifest is
        shown relative to its plugin root's label."""
        if os.path.isabs(display):
            return normal(display)
        for root in self.roots():
            if root.label and display.startswith(root.label.rstrip("/") + "/"):
                return normal(root.path / display[len(root.label.rstrip("/")) + 1 :])
        base = self.folders[0] if self.folders else Path.cwd()
        return normal(base / display)

    def registry(self) -> PluginRegistry:
        """The registry of the packaged and configured roots (for completion)."""
        key = tuple(str(p) for p in self.plugin_dirs)
        registry = self.registries.get(key)
        if registry is None:
            registry = discover(self.roots())
            self.registries[key] = registry
        return registry

    def unit(self, path: str) -> CompileUnit | None:
        """The compiled unit of ``path`` (checking it if it was not yet)."""
        key = normal(path)
        return self.check(key).unit_for(key)


def is_plugin_file(path: str) -> bool:
    """A manifest or a plugin module: changing it on disk changes the registry."""
    return Path(path).name == MANIFEST_NAME or (
        path.endswith(".py") and os.path.isfile(Path(path).parent / MANIFEST_NAME)
    )


def editor_process() -> None:
    """Set this process up as a long-lived editor server: validated documents are not
    remembered in the on-disk cache's table. Every keystroke is a new document text;
    remembering each would pin up to 1,024 parsed buffers in memory (~80 kB an edit of
    a 100-worker blueprint, measured) and evict, from the cache file every ``stc
    check`` reads, the entries of the files actually saved. Reading it stays on."""
    from stc.compiler import cache

    def _not_remembered(key: Any, value: Any) -> None:
        del key, value

    cache.VALID_DOCUMENTS.put = _not_remembered  # type: ignore[method-assign]
