"""Document-kind checks: a YAML file must say what it is (its version key) before it
is validated as a blueprint, operation, manifest, platform or aggregation policy.

File checks, run by the pipeline on one loaded document (no ``CompileUnit`` exists
yet): a file recognised by its content whose version key is missing (STC002, with the
line to insert), and a file that says nothing about its kind (STC002).
"""

from __future__ import annotations

from stc.compiler.diagnostics import Applicability, Diagnostic, Suggestion
from stc.compiler.sources import STC002, Loaded, Mark, document_start
from stc.compiler.suggest import insert_line

KIND_KEYS = {
    "blueprint_version": "strategy_blueprint",
    "operation_version": "operation",
    "manifest_version": "plugin_manifest",
    "platform_version": "platform",
    "aggregation": "aggregation_policy",
}
"""A document's kind is told by its version key (or ``aggregation:`` for policies)."""

CONTENT_KEYS = {
    "workforce": "blueprint_version",
    "strategy_links": "operation_version",
    "data_sources": "operation_version",
    "identification": "manifest_version",
    "entrypoint": "manifest_version",
    "plugin_roots": "platform_version",
}
"""Keys only one kind of file has, and the version key that kind starts with."""


def missing_version(loaded: Loaded, display: str) -> Diagnostic | None:
    """A file recognised by its content whose version key is missing: reported once,
    with the line to insert (not as five unknown keys of whatever kind is left)."""
    data = loaded.data
    if not isinstance(data, dict) or any(
        key.endswith("_version") for key in KIND_KEYS if key in data
    ):
        return None
    found = next(((key, version) for key, version in CONTENT_KEYS.items() if key in data), None)
    if found is None:
        return None
    key, version = found
    start = document_start(loaded.source)
    kind = KIND_KEYS[version].replace("_", " ")
    fixes: tuple[Suggestion, ...] = ()
    if start.column == 1 and loaded.source is not None:
        fixes = insert_line(
            display,
            start.line,
            f"{version}: 1\n",
            f"insert `{version}: 1`",
            Applicability.MACHINE_APPLICABLE,
        )
    return STC002.at(
        f"missing `{version}`: this looks like a {kind} (it has `{key}`)",
        display,
        start,
        f"add `{version}: 1` as the first line",
        suggestions=fixes,
    )


def unknown_kind(display: str, start: Mark) -> Diagnostic:
    """STC002 for a document that names no kind: the version keys it could start with."""
    keys = ", ".join(f"`{k}`" for k in KIND_KEYS)
    return STC002.at(
        "cannot tell what kind of file this is",
        display,
        start,
        f"start the document with one of {keys} (e.g. `blueprint_version: 1`)",
    )
