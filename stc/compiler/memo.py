"""The speed layer of validation and plugin discovery: each pass wrapped at its boundary.

Why a module of its own: the passes (``validate.validate_document``,
``validate.validate_against_schema``, ``registry.parse_manifest``,
``registry.read_entry_points``, ``config_schema.config_schema_problems``) are pure functions
of their inputs and know no cache; a reader changing what they mean finds no memo in
their way, and a test can call them cold. This module wraps each one with what makes a
repeated ``stc check`` fast — the on-disk cache (``stc.compiler.cache``), process
memos pinned by object identity, and ``fastschema``'s verified subset, which accepts
most params and schemas without importing jsonschema — and the pipeline, the language
server and the commands call the wrapped forms. A wrapper only ever skips a pass whose
answer it knows to be clean (or, for manifests and entry points, returns the pass's own
earlier result for unchanged input), so every message still comes from the pass.

The checks against plugin code have the same kind of seam in ``code_verdict``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from stc.compiler import cache, fastschema, registry, schema_guard, validate
from stc.compiler.diagnostics import Diagnostic
from stc.compiler.rules import Rule
from stc.compiler.sources import Loaded

M = TypeVar("M", bound=BaseModel)

# --------------------------------------------------------------------------- documents

MAX_REMEMBERED_DOCUMENT = 64 * 1024
"""Characters of the largest document whose validated model the disk cache keeps: the
cache file is read whole by every start, and a hand-written blueprint is a few kB."""


def validate_known_document(
    loaded: Loaded, model: type[M], kind: str
) -> tuple[M | None, list[Diagnostic]]:
    """``validate.validate_document``, remembered on disk for a document that validated
    cleanly.

    Why: checking a blueprint that has not changed (a second ``stc check``, CI,
    ``make demo``) then builds no pydantic validator at all — the first build of the
    process alone costs ~85 M instructions (pydantic's plugin loader imports
    ``importlib.metadata``), the blueprint's own ~30 M. The model is a pure function of
    the text; the table is dropped when the compiler or pydantic changes. A document
    with any problem is validated again, so its messages come from the real check.
    """
    source = loaded.source
    key = None
    if source is not None and len(source.text) <= MAX_REMEMBERED_DOCUMENT and cache.enabled():
        key = cache.digest("document", kind, source.text)
        known = cache.VALID_DOCUMENTS.get(key)
        if isinstance(known, model):
            return known, []
    found, problems = validate.validate_document(loaded, model, kind)
    if key is not None and found is not None and not problems:
        cache.VALID_DOCUMENTS.put(key, found)
    return found, problems


# --------------------------------------------------------------------------- params


def validate_params(
    instance: Any,
    schema: dict[str, Any],
    root: Any,
    base_loc: Sequence[str | int],
    file: str,
    rule: Rule,
    subject: str,
    plugin: str = "PLUGIN",
) -> list[Diagnostic]:
    """``validate.validate_against_schema`` (same arguments), skipped when the params are
    known valid; the pass runs with this schema's compiled validator."""
    schema_guard.reset_budget()
    if _known_valid(schema, instance):
        return []
    return validate.validate_against_schema(
        instance, schema, root, base_loc, file, rule, subject, plugin,
        validator=_validator_for(schema),
    )  # fmt: skip


def params_errors(instance: Any, schema: dict[str, Any]) -> list[Any]:
    """jsonschema's errors of ``instance`` against ``schema`` (none when the params are
    known valid), from this schema's compiled validator: RE2 regexes, the step budget
    (``SchemaBudgetExceeded`` past it) and no ``$ref`` fetching, as for every worker's
    params. For callers that word their own diagnostics (a sweep's values, STC092)."""
    schema_guard.reset_budget()
    if _known_valid(schema, instance):
        return []
    schema_guard.reset_budget()
    return list(_validator_for(schema).iter_errors(instance))


_VALIDATORS: dict[int, tuple[dict[str, Any], Any]] = {}


def _validator_for(schema: dict[str, Any]) -> Any:
    """One compiled validator per schema object (10k workers share ~50 manifests).

    Keyed by ``id`` and checked by identity, so a recycled id never returns another
    schema's validator.
    """
    cached = _VALIDATORS.get(id(schema))
    if cached is not None and cached[0] is schema:
        return cached[1]
    validator = validate.new_validator(schema)
    _VALIDATORS[id(schema)] = (schema, validator)
    return validator


_VALID: set[tuple[int, str]] = set()


def _known_valid(schema: dict[str, Any], instance: Any) -> bool:
    """``is_valid``, asking ``stc.compiler.fastschema`` first (a schema of its subset needs
    no jsonschema at all), then memoised on (schema, canonical JSON of the instance),
    in the process and on disk: many workers of one plugin share their params (often
    ``{}``), and a check whose params are all known valid never imports jsonschema.
    Only successes are kept, and the schema's id is pinned by ``_SCHEMA_JSON``, so a hit
    is always exact."""
    if _in_subset(schema) and fastschema.valid_in_subset(schema, instance):
        return True  # only an acceptance is final: a rejection is explained by jsonschema
    try:
        text = json.dumps(instance, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError):
        return bool(_validator_for(schema).is_valid(instance))
    key = (id(schema), text)
    if key in _VALID:
        return True
    schema_json = _schema_json(schema)
    disk = cache.digest("params", schema_json, text) if schema_json is not None else None
    if disk is not None and cache.VALID_PARAMS.get(disk):
        _VALID.add(key)
        return True
    if not _validator_for(schema).is_valid(instance):
        return False
    _VALID.add(key)
    if disk is not None:
        cache.VALID_PARAMS.put(disk, True)
    return True


_IN_SUBSET: dict[int, tuple[dict[str, Any], bool]] = {}


def _in_subset(schema: dict[str, Any]) -> bool:
    """``fastschema.schema_is_valid``, once per schema object (pinned by identity, like
    ``_VALIDATORS``): 10,000 workers share a few dozen schemas."""
    cached = _IN_SUBSET.get(id(schema))
    if cached is None or cached[0] is not schema:
        cached = (schema, fastschema.schema_is_valid(schema))
        _IN_SUBSET[id(schema)] = cached
    return cached[1]


_SCHEMA_JSON: dict[int, tuple[dict[str, Any], str | None]] = {}


def _schema_json(schema: dict[str, Any]) -> str | None:
    """Canonical JSON of a schema object, once per object (pinned, like ``_VALIDATORS``)."""
    cached = _SCHEMA_JSON.get(id(schema))
    if cached is None or cached[0] is not schema:
        cached = (schema, cache.canonical_json(schema))
        _SCHEMA_JSON[id(schema)] = cached
    return cached[1]


# --------------------------------------------------------------------------- config schemas


def check_config_schema(record: registry.PluginRecord) -> list[Diagnostic]:
    """``config_schema.config_schema_problems``, kept on the record and once per manifest
    version and process; skipped when the schema is known valid.

    Checked when a blueprint uses the plugin (not at discovery: meta-validating every
    installed plugin's schema would dominate the start-up of ``stc check``).
    """
    if record.schema_problems is None:
        key = (record.display_file, record.sha256)
        if key not in _SCHEMA_CHECKS:
            _SCHEMA_CHECKS[key] = _schema_problems_or_known_valid(record)
        record.schema_problems = _SCHEMA_CHECKS[key]
    return record.schema_problems


_SCHEMA_CHECKS: dict[tuple[str, str], list[Diagnostic]] = {}
"""Meta-validation results by (manifest, content hash): once per manifest version and
process, like the manifest memo (records themselves are rebuilt per discovery)."""


def _schema_problems_or_known_valid(record: registry.PluginRecord) -> list[Diagnostic]:
    """Meta-validate, unless the schema is in ``fastschema``'s verified subset (then it is
    valid and has no ``$ref``) or the on-disk cache knows this exact schema is valid."""
    if fastschema.schema_is_valid(record.manifest.config_schema):
        return []
    schema = cache.canonical_json(record.manifest.config_schema)
    # "/re2": schemas judged valid before patterns had to run on RE2 are judged again
    known = cache.digest("config_schema/re2", schema) if schema is not None else None
    if known is not None and cache.VALID_SCHEMAS.get(known):
        return []
    from stc.compiler.config_schema import config_schema_problems  # rarely needed: lazy

    problems = config_schema_problems(record.loaded, record.manifest, record.display_file)
    if known is not None and not problems:
        cache.VALID_SCHEMAS.put(known, True)
    return problems


# --------------------------------------------------------------------------- discovery


def default_roots(
    extra: Sequence[Path] = (), *, entry_points: bool = True
) -> list[registry.PluginRoot]:
    """``registry.default_roots``, reading the entry points through ``entry_points``."""
    return registry.default_roots(extra, entry_points=entry_points, read=read_entry_points)


def read_entry_points() -> list[tuple[str, str]]:
    """``registry.read_entry_points``, cached on disk per state of ``sys.path``: reading
    them scans the metadata of every installed distribution, and installing or
    removing a distribution changes the folder it lives in (as Python's own import
    caches assume)."""
    key = cache.sys_path_key()
    known = cache.ENTRY_POINTS.get(key)
    if isinstance(known, list):
        return known
    found = registry.read_entry_points()
    cache.ENTRY_POINTS.put(key, found)
    return found


def discover(roots: Iterable[registry.PluginRoot]) -> registry.PluginRegistry:
    """``registry.discover``, parsing each manifest through ``parse_manifest``."""
    return registry.discover(roots, parse=parse_manifest)


_MANIFESTS: dict[tuple[str, str], tuple[cache.Stamp, cache.ParsedManifest]] = {}
"""Parsed manifests by (path, display name), valid while the file's mtime, size, change
time and inode stay the same: a process that compiles many blueprints (a test suite,
the benchmark) reads each manifest once."""


def parse_manifest(manifest_path: Path, display: str) -> cache.ParsedManifest:
    """``registry.parse_manifest``, once per file version in the process and on disk."""
    key = (str(manifest_path.resolve()), display)
    stat = manifest_path.stat()
    stamp = (stat.st_mtime_ns, stat.st_size, stat.st_ctime_ns, stat.st_ino)
    cached = _MANIFESTS.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    parsed = cache.cached_manifest(key, stamp)
    if parsed is None:
        parsed = registry.parse_manifest(manifest_path, display)
        cache.remember_manifest(key, stamp, parsed)
    _MANIFESTS[key] = (stamp, parsed)
    return parsed


def forget() -> None:
    """Drop every process memo of this module (the disk cache is ``cache.reset``'s):
    for tests and fuzzers that compare a cold pass with a warm one."""
    for memo in (_VALIDATORS, _IN_SUBSET, _SCHEMA_JSON, _SCHEMA_CHECKS, _MANIFESTS):
        memo.clear()
    _VALID.clear()
