"""The snapshot extensions behind the ``snapshot_wiring`` and ``snapshot_diagnostics``
fixtures (registered by the thin :mod:`stc.pytest_plugin`, which imports this module
only when a test asks for one).

``snapshot_wiring`` stores each wiring map as a readable ``.yaml`` file under
``__snapshots__/`` and compares the *normalised* map (no compiler version, no input
hashes — a comment edit in a blueprint must not fail a wiring test). On mismatch it
prints the classified review diff of ``stc diff`` (one line per change, impact sets
indented) and then a unified diff of the YAML.
``snapshot_diagnostics`` snapshots the rendered diagnostics of a (broken) blueprint.

    from stc.compiler import compile_blueprint
    def test_wiring(snapshot_wiring):
        assert compile_blueprint("bp.yaml").wiring_map == snapshot_wiring

``pytest --snapshot-update`` accepts changes.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

import yaml
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from stc.compiler.emit.review import review_maps

VOLATILE_KEYS = ("compiler_version",)


def normalise_wiring_map(data: Any) -> str:
    """Canonical YAML of a wiring map (text, model, CompileResult or dict)."""
    if hasattr(data, "wiring_map") and not isinstance(data, dict):
        data = data.wiring_map
    if hasattr(data, "model_dump"):
        data = data.model_dump(mode="json", by_alias=True)
    if isinstance(data, str):
        data = yaml.safe_load(data)
    if not isinstance(data, dict):
        raise TypeError(f"snapshot_wiring expects a wiring map, got {type(data).__name__}")
    plain = {k: v for k, v in data.items() if k not in VOLATILE_KEYS}
    plain["inputs"] = [entry["file"] for entry in plain.get("inputs", [])]
    return yaml.safe_dump(plain, sort_keys=False, allow_unicode=True, width=120)


class WiringMapExtension(SingleFileSnapshotExtension):
    """Wiring maps as ``.yaml`` snapshot files, compared after normalisation."""

    file_extension = "yaml"
    _write_mode = WriteMode.TEXT

    def serialize(self, data: Any, **kwargs: Any) -> str:
        """Normalise whatever the test produced into canonical YAML text."""
        return normalise_wiring_map(data)

    def matches(self, *, serialized_data: Any, snapshot_data: Any) -> bool:
        """Equal when the normalised maps are equal as data (formatting ignored)."""
        if snapshot_data is None:
            return False
        return bool(yaml.safe_load(str(serialized_data)) == yaml.safe_load(str(snapshot_data)))

    def diff_lines(self, serialized_data: Any, snapshot_data: Any) -> Iterator[str]:
        """The semantic summary first (pytest shows only the first lines without
        ``-vv``), then a unified YAML diff with two lines of context."""
        old, new = str(snapshot_data or ""), str(serialized_data)
        review = review_maps(yaml.safe_load(old) or {}, yaml.safe_load(new) or {})
        yield f"wiring change: {review.headline()}"
        yield from review.lines()
        yield from difflib.unified_diff(
            old.splitlines(), new.splitlines(), "snapshot", "received", n=2, lineterm=""
        )


class DiagnosticsExtension(SingleFileSnapshotExtension):
    """Rendered diagnostics (plain text, no colour) as ``.txt`` snapshot files."""

    file_extension = "txt"
    _write_mode = WriteMode.TEXT

    def serialize(self, data: Any, **kwargs: Any) -> str:
        """Render a CompileResult's diagnostics (or take text as is)."""
        if hasattr(data, "rendered_diagnostics"):
            return str(data.rendered_diagnostics(color=False))
        return str(data)
