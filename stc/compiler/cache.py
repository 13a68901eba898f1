"""A persistent on-disk cache of results that are pure functions of file contents.

Why: ``stc check`` must start in ≤ 300 ms (issue 3), and most of a check of a small
blueprint is work whose inputs rarely change between two runs — parsing and validating
every installed plugin manifest, meta-validating each ``config_schema`` (jsonschema
alone takes ~60 ms to import), validating ``params``, importing the plugin classes
(which pulls in every runtime DTO) for the checks against plugin code, and validating
the blueprint itself (the first pydantic validator a process builds costs ~25 ms). As ruff and mypy
do, those results are kept on disk, keyed by what they were computed from.

Rules, so that the cache can never change a result:

- One file, ``$XDG_CACHE_HOME/stc/<compiler version>-py<X.Y>/cache.pickle``
  (``~/.cache/stc/…`` by default), holds every table as ``(deps, entries)``. ``deps``
  maps every source file the entries were computed with (each non-stdlib module loaded
  in the process that added them: the compiler, pydantic, jsonschema, the plugins) to
  its :func:`stamp` — ``(mtime_ns, size, ctime_ns, inode)`` — and, for every file
  outside ``site-packages`` (the compiler, the plugins: what people edit), the sha256
  of its content; when a file's stamp differs its content decides (issue 26: an edit
  that kept size and mtime was served stale; the change time cannot be set back, and
  a touched but unchanged file keeps the table). A changed or vanished file drops the
  whole table. So editing the compiler, a plugin or upgrading a library invalidates it.
- Entries carry their own content key (a sha256 of the inputs, or a file's stamp).
  A table keeps at most ``MAX_ENTRIES`` (the oldest go first), and a manifest entry
  whose file changed or vanished is not written back.
- Only successes are cached where that is enough (a schema or params known to be
  valid, plugin code known to pass its checks); an error is always recomputed, so its
  message and position come from the real check.
- The file is written atomically (temporary file + ``os.replace``) when the process
  exits; an unreadable, corrupt or foreign file is ignored silently, and a failed write
  leaves no trace. ``STC_NO_CACHE=1`` disables reading and writing.
- The file is authenticated (issue 26): it starts with an HMAC-SHA256 of the pickle,
  keyed by a random 32-byte secret in ``$XDG_STATE_HOME/stc/cache.key``
  (``~/.local/state/stc/…``; created 0600 on first write), which is *not* in the cache
  folder. A cache file written by anyone without that key — one planted in the folder,
  or a CI cache restored from another job — fails the check and is ignored before
  unpickling, so it cannot run code.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stc.compiler.sources import Loaded, SourceFile, load_yaml_text
from stc.compiler.version import __version__

if TYPE_CHECKING:
    from stc.compiler.diagnostics import Diagnostic
    from stc.compiler.model.manifest import PluginManifest

DISABLE_ENV = "STC_NO_CACHE"
MAX_ENTRIES = 1024
"""Per table, the oldest go first: temporary plugin roots or a 10,000-worker blueprint
with distinct params must not make every later start read a big file."""
_STDLIB = os.path.dirname(os.__file__)
Stamp = tuple[int, int, int, int]
_MAGIC = b"stc-cache-hmac-sha256\n"


def enabled() -> bool:
    """False when ``STC_NO_CACHE`` is set to anything but ``""`` or ``0``."""
    return os.environ.get(DISABLE_ENV, "") in ("", "0")


def cache_dir() -> Path:
    """This compiler version's folder under ``$XDG_CACHE_HOME/stc`` (or ``~/.cache``)."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # the XDG spec: a relative path is to be ignored
        base = os.path.join(os.path.expanduser("~"), ".cache")
    major, minor = sys.version_info[:2]
    return Path(base) / "stc" / f"{__version__}-py{major}.{minor}"


def stamp(path: str) -> Stamp | None:
    """``(mtime_ns, size, ctime_ns, inode)`` of a file, None when it cannot be read.
    The change time moves on every write and every ``utime``, so an edit that restores
    size and mtime still changes the stamp."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size, info.st_ctime_ns, info.st_ino)


def content_digest(path: str) -> str:
    """sha256 of a file's content ("" when it cannot be read)."""
    try:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return ""


def _hashed(path: str) -> bool:
    """Files whose content the cache checks (outside an installed distribution)."""
    return "-packages" not in path


def _dep_unchanged(file: str, recorded: Any, current: Stamp | None) -> bool:
    """The dependency ``file`` still has the content its entry was computed with."""
    if not isinstance(recorded, tuple) or len(recorded) != 5 or current is None:
        return False
    if recorded[:4] == current:
        return True
    return bool(recorded[4]) and content_digest(file) == recorded[4]


def digest(*parts: str) -> str:
    """sha256 of the parts (NUL-separated)."""
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def canonical_json(value: Any) -> str | None:
    """Sorted, compact JSON of plain data; None when ``value`` is not JSON (then the
    result is simply not cached)."""
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError):
        return None


_MODULE_STAMPS: dict[str, tuple[int, int, int, int, str]] = {}
"""The stamp of every loaded non-stdlib module's source file, taken once per process
(each table used to stat all ~300 files again: ~3 ms of a first check)."""
_SCANNED_MODULES: set[str] = set()


def _add_module_files(deps: dict[str, Any]) -> None:
    """Add every loaded non-stdlib module's source file (not yet known) with its stamp."""
    for name, module in list(sys.modules.items()):
        if name in _SCANNED_MODULES:
            continue
        _SCANNED_MODULES.add(name)
        file = getattr(module, "__file__", None)
        if not isinstance(file, str):
            continue
        file = sys.intern(os.path.abspath(file))  # shared by the tables: pickled once
        if file in _MODULE_STAMPS or (file.startswith(_STDLIB) and "-packages" not in file):
            continue
        current = stamp(file)
        if current is not None:
            _MODULE_STAMPS[file] = (*current, content_digest(file) if _hashed(file) else "")
    for file, recorded in _MODULE_STAMPS.items():
        deps.setdefault(file, recorded)


class Table:
    """One named table of the store: its entries and the source files they depend on."""

    def __init__(self, name: str, stale: Callable[[Any, Any], bool] | None = None) -> None:
        self.name = name
        self.stale = stale
        """Tells an entry that can never be hit again (dropped before writing)."""
        self.entries: dict[Any, Any] = {}
        self.deps: dict[str, Any] = {}
        self.modules_seen = 0

    def get(self, key: Any) -> Any:
        """The entry for ``key``, or None (also when the cache is disabled)."""
        if not enabled():
            return None
        _STORE.load()
        return self.entries.get(key)

    def put(self, key: Any, value: Any) -> None:
        """Remember ``value`` (and the source files it was computed with)."""
        if not enabled():
            return
        _STORE.load()
        if key not in self.entries and len(self.entries) >= MAX_ENTRIES:
            del self.entries[next(iter(self.entries))]  # the oldest
        self.entries[key] = value
        if len(sys.modules) != self.modules_seen:  # new code was loaded since: record it
            self.modules_seen = len(sys.modules)
            _add_module_files(self.deps)
        _STORE.changed()

    def live_entries(self) -> dict[Any, Any]:
        """The entries worth writing (without those ``stale`` rules out)."""
        if self.stale is None:
            return self.entries
        return {k: v for k, v in self.entries.items() if not self.stale(k, v)}


class _Store:
    """Every table in one file: read once on first use, written back at exit if changed.

    One file so that a check opens, unpickles and stats each dependency once.
    """

    def __init__(self, tables: Sequence[Table]) -> None:
        self.tables = {table.name: table for table in tables}
        self.loaded = False
        self.dirty = False

    def path(self) -> Path:
        """The cache file (the folder is per compiler and Python version)."""
        return cache_dir() / "cache.pickle"

    def load(self) -> None:
        """Read the file once per process (``reset`` reads it again)."""
        if self.loaded:
            return
        self.loaded = True
        import pickle  # here, not at the top: a check with the cache off never needs it

        try:
            raw = self.path().read_bytes()
            key = _key(create=False)
            if key is None or not _authentic(raw, key):
                return  # foreign, planted or corrupt: never unpickled
            stored = pickle.loads(raw[len(_MAGIC) + 32 :])
        except Exception:  # missing, unreadable or corrupt: as if there were no cache
            return
        if isinstance(stored, dict):
            self._adopt(stored)

    def _adopt(self, stored: dict[Any, Any]) -> None:
        """Take over each stored table whose dependencies are all unchanged."""
        verdicts: dict[str, bool] = {}
        for name, table in self.tables.items():
            deps, entries = stored.get(name, (None, None))
            if not isinstance(deps, dict) or not isinstance(entries, dict):
                continue
            for file, recorded in deps.items():
                if file not in verdicts:
                    verdicts[file] = _dep_unchanged(file, recorded, stamp(file))
            if all(verdicts[file] for file in deps):
                table.deps, table.entries = deps, entries

    def changed(self) -> None:
        """Schedule one write at exit, after the command's own output."""
        if not self.dirty:
            self.dirty = True
            atexit.register(self.flush)

    def flush(self) -> None:
        """Write the store atomically; any failure is ignored (the cache is optional)."""
        if not self.dirty or not enabled():
            return
        self.dirty = False
        stored = {name: (t.deps, t.live_entries()) for name, t in self.tables.items() if t.entries}
        target = self.path()
        try:
            import pickle

            key = _key(create=True)
            if key is None:
                return
            payload = pickle.dumps(stored, protocol=pickle.HIGHEST_PROTOCOL)
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = _exclusive_temporary(target)
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(_MAGIC + _mac(key, payload) + payload)
                os.replace(temporary, target)
            except BaseException:
                os.unlink(temporary)
                raise
        except Exception:
            return

    def reset(self) -> None:
        """Forget everything read or added (tests switch ``XDG_CACHE_HOME``)."""
        for table in self.tables.values():
            table.entries, table.deps, table.modules_seen = {}, {}, 0
        _MODULE_STAMPS.clear()
        _SCANNED_MODULES.clear()
        self.loaded = self.dirty = False


def key_path() -> Path:
    """Where the cache's HMAC key lives: ``$XDG_STATE_HOME/stc/cache.key`` (default
    ``~/.local/state``), deliberately outside the cache folder that CI jobs share."""
    base = os.environ.get("XDG_STATE_HOME", "")
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "stc" / "cache.key"


def _key(*, create: bool) -> bytes | None:
    """The 32-byte key (made on first write, never overwritten); None when unusable."""
    path = key_path()
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        if not create:
            return None
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            return _key(create=False)
        with os.fdopen(handle, "wb") as out:
            out.write(os.urandom(32))
        return _key(create=False)
    return key if len(key) == 32 else None


def _mac(key: bytes, payload: bytes) -> bytes:
    import hmac

    return hmac.new(key, payload, hashlib.sha256).digest()


def _authentic(raw: bytes, key: bytes) -> bool:
    """True when ``raw`` is a cache file this key signed."""
    import hmac

    if not raw.startswith(_MAGIC) or len(raw) < len(_MAGIC) + 32:
        return False
    mac = raw[len(_MAGIC) : len(_MAGIC) + 32]
    return hmac.compare_digest(mac, _mac(key, raw[len(_MAGIC) + 32 :]))


def _exclusive_temporary(target: Path) -> tuple[int, str]:
    """A new file next to ``target`` that no other process can have opened: what
    ``tempfile.mkstemp`` does, without importing ``tempfile`` (and with it ``shutil``,
    ``random``, ``bz2`` and ``lzma``: ~4 ms of a cache miss)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for attempt in range(100):
        temporary = f"{target.parent}{os.sep}.cache.{os.getpid()}.{attempt}.tmp"
        try:
            return os.open(temporary, flags, 0o600), temporary
        except FileExistsError:  # a crashed writer's leftover, or another thread
            continue
    raise FileExistsError(f"no free temporary name next to {target}")


def _manifest_gone(key: Any, entry: Any) -> bool:
    """The manifest file changed or vanished (a temporary plugin root, say)."""
    return bool(stamp(key[0]) != entry[0])


MANIFESTS = Table("manifests", _manifest_gone)
"""(manifest path, display name) → (file stamp, text, load diagnostics, manifest model,
diagnostics)."""
VALID_SCHEMAS = Table("valid_schemas")
"""sha256 of a ``config_schema`` → True: it passed JSON Schema 2020-12 meta-validation."""
VALID_PARAMS = Table("valid_params")
"""sha256 of (schema, params) → True: the params are valid against the schema."""
CLEAN_CODE = Table("clean_code")
"""sha256 of everything the checks against plugin code read → ``{"offers": the sorted
ids of the workers whose class offers a batch form, "id_draws": context worker id →
where its handler draws ids}``: they found nothing."""
ENTRY_POINTS = Table("entry_points")
"""``sys_path_key()`` → the ``stc.plugins`` entry points as (name, value) pairs."""
VALID_DOCUMENTS = Table("valid_documents")
"""sha256 of (kind, text) → the model a small document validated to, with no problem."""
_STORE = _Store((MANIFESTS, VALID_SCHEMAS, VALID_PARAMS, CLEAN_CODE, ENTRY_POINTS, VALID_DOCUMENTS))


def sys_path_key() -> str:
    """sha256 of ``sys.path`` with the stamp of each folder on it."""
    parts = []
    for entry in sys.path:
        folder = os.path.abspath(entry or ".")
        parts.append(f"{folder}|{stamp(folder)}")
    return digest(*parts)


class ReloadedManifest(Loaded):
    """A cached manifest's ``Loaded``: the values with their marks are rebuilt from the
    text on first access — only a diagnostic pointing into the manifest needs them."""

    def __init__(self, source: SourceFile, diagnostics: list[Diagnostic]) -> None:
        self.source = source
        self.diagnostics = diagnostics
        self._data: Any = None
        self._parsed = False

    @property
    def data(self) -> Any:
        """The values with marks, as ``load_yaml_file`` built them from the same text."""
        if not self._parsed:
            assert self.source is not None
            self._data = load_yaml_text(self.source.text, self.source.display_name).data
            self._parsed = True
        return self._data


ParsedManifest = tuple[Loaded, "PluginManifest | None", "list[Diagnostic]"]


def cached_manifest(key: tuple[str, str], current: Stamp) -> ParsedManifest | None:
    """The parsed manifest at ``key`` (path, display name) if its file is unchanged:
    the same stamp and the same text (the file is read again; manifests are small)."""
    entry = MANIFESTS.get(key)
    if not isinstance(entry, tuple) or len(entry) != 5 or entry[0] != current:
        return None
    _, text, load_problems, manifest, problems = entry
    if not _same_text(key[0], text):
        return None
    return ReloadedManifest(SourceFile(key[1], text), load_problems), manifest, problems


def _same_text(path: str, text: Any) -> bool:
    """The file at ``path`` holds exactly ``text`` (as the loader decoded it)."""
    try:
        with open(path, "rb") as handle:
            return bool(handle.read().decode("utf-8").removeprefix("\ufeff") == text)
    except (OSError, ValueError):
        return False


def remember_manifest(key: tuple[str, str], current: Stamp, parsed: ParsedManifest) -> None:
    """Keep a freshly parsed manifest (one whose text could be read)."""
    loaded, manifest, problems = parsed
    if loaded.source is not None:
        entry = (current, loaded.source.text, loaded.diagnostics, manifest, problems)
        MANIFESTS.put(key, entry)


def reset() -> None:
    """Forget every table read or added so far (for tests)."""
    _STORE.reset()
