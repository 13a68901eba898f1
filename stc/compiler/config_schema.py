"""Meta-validation of a plugin manifest's ``config_schema`` (part of the JSON Schema room:
``validate``, ``schema_guard``, ``fastschema`` and this module are where stc runs
jsonschema; see ``docs/architecture.md``).

Why not in ``registry``: discovery only parses manifests; whether the schema they carry
is itself sound is JSON Schema work, done once a blueprint uses the plugin.
"""

from __future__ import annotations

from collections.abc import Iterator

from stc.compiler.diagnostics import Diagnostic
from stc.compiler.model.manifest import PluginManifest
from stc.compiler.sources import STC002, Loaded, locate


def config_schema_problems(
    loaded: Loaded, manifest: PluginManifest, display: str
) -> list[Diagnostic]:
    """Problems of the ``config_schema`` of ``manifest`` (loaded as ``loaded``, named
    ``display``): not a valid JSON Schema (2020-12), a ``$ref`` that does not point into
    it, a regex that cannot run on RE2.

    Checked when a blueprint uses the plugin (not at discovery: meta-validating every
    installed plugin's schema would dominate the start-up of ``stc check``);
    ``stc.compiler.memo.check_config_schema`` is the cached form.
    """
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    try:
        Draft202012Validator.check_schema(manifest.config_schema)
    except SchemaError as exc:
        path = ("config_schema", *exc.absolute_path)
        mark = locate(loaded.data, path) or locate(loaded.data, ("config_schema",))
        return [
            STC002.at(
                f"`config_schema` of plugin `{manifest.identification.name}` is not a "
                f"valid JSON Schema: {exc.message}",
                display,
                mark,
                "see https://json-schema.org/draft/2020-12 (e.g. `type: integer`)",
            )
        ]
    return _ref_problems(loaded, manifest, display) + _regex_problems(loaded, manifest, display)


def _regex_problems(loaded: Loaded, manifest: PluginManifest, display: str) -> list[Diagnostic]:
    """Every regex must run on RE2 (linear time): see ``stc.compiler.schema_guard``."""
    from stc.compiler.schema_guard import pattern_problems

    problems = []
    for path, reason in pattern_problems(manifest.config_schema):
        where = ("config_schema", *path)
        mark = locate(loaded.data, where) or locate(loaded.data, ("config_schema",))
        problems.append(
            STC002.at(
                f"`config_schema` of plugin `{manifest.identification.name}`: {reason}",
                display,
                mark,
                "write a pattern without backreferences, lookaround or repetition counts "
                "over 1000 (stc matches patterns with RE2, in linear time)",
            )
        )
    return problems


def _ref_problems(loaded: Loaded, manifest: PluginManifest, display: str) -> list[Diagnostic]:
    """Every ``$ref`` of a ``config_schema`` must point into the schema itself.

    A remote or file reference would be fetched while validating params (jsonschema's
    default) or, with the compiler's fetch-less registry, fail in the middle of a check;
    a dangling ``#/...`` pointer fails the same way. Both are the manifest's mistake,
    so they are reported here, at the reference.
    """
    problems = []
    for path, ref in _refs(manifest.config_schema, ("config_schema",)):
        if _resolves_locally(manifest.config_schema, ref):
            continue
        mark = locate(loaded.data, path) or locate(loaded.data, ("config_schema",))
        problems.append(
            STC002.at(
                f"`config_schema` of plugin `{manifest.identification.name}`: `$ref: {ref}` "
                "does not point into the schema itself",
                display,
                mark,
                "refer to a definition of this schema, e.g. `$ref: '#/$defs/period'`; "
                "stc never fetches schemas from files or the network",
            )
        )
    return problems


def _refs(node: object, path: tuple[str | int, ...]) -> list[tuple[tuple[str | int, ...], str]]:
    """(location, value) of every ``$ref``/``$dynamicRef`` string below ``node``."""
    found: list[tuple[tuple[str | int, ...], str]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("$ref", "$dynamicRef") and isinstance(value, str):
                found.append(((*path, key), value))
            else:
                found.extend(_refs(value, (*path, key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.extend(_refs(value, (*path, index)))
    return found


def _resolves_locally(schema: object, ref: str) -> bool:
    """``#``, a JSON pointer ``#/a/b`` that exists, or ``#name`` of an ``$anchor``."""
    if ref == "#":
        return True
    if ref.startswith("#/"):
        node = schema
        for raw in ref[2:].split("/"):
            part = raw.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return False
        return True
    if ref.startswith("#"):
        return any(node.get("$anchor") == ref[1:] for node in _dicts(schema))
    return False


def _dicts(node: object) -> Iterator[dict[str, object]]:
    """Every mapping below ``node`` (itself included)."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _dicts(value)
    elif isinstance(node, list):
        for value in node:
            yield from _dicts(value)
