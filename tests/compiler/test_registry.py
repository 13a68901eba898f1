"""Plugin discovery: manifests, caching, confinement, schema checks."""

from __future__ import annotations

import os
from pathlib import Path

from stc.compiler import compile_blueprint
from stc.compiler.registry import (
    MANIFEST_NAME,
    PluginImportError,
    _manifest_paths,
    default_roots,
    discover,
    load_plugin_class,
)
from tests.conftest import REPO

BAD_SCHEMA_ROOT = REPO / "tests" / "fixtures" / "plugin_roots" / "bad_schema"


def test_builtin_plugins_are_discovered_and_private_folders_skipped() -> None:
    registry = discover(default_roots())
    assert len(registry.names()) == 29 and registry.diagnostics == []
    assert all("_lib" not in r.display_file for r in registry.plugins.values())


def test_invalid_config_schema_is_a_diagnostic_not_a_traceback(tmp_path: Path) -> None:
    text = (REPO / "blueprints" / "ema_trend.yaml").read_text(encoding="utf-8")
    blueprint = tmp_path / "bp.yaml"
    blueprint.write_text(text.replace("FixedRiskSizer", "BadSchemaSizer"), encoding="utf-8")
    result = compile_blueprint(blueprint, plugin_dirs=[BAD_SCHEMA_ROOT])
    (diag,) = [d for d in result.diagnostics if d.is_error]
    assert diag.code == "STC002" and "not a valid JSON Schema" in diag.message
    assert diag.file is not None and diag.file.endswith("plugin_manifest.yaml")
    assert diag.line == 9  # the `type: intger` of `units`


def test_manifest_cache_sees_edits(tmp_path: Path) -> None:
    folder = tmp_path / "root" / "p"
    folder.mkdir(parents=True)
    manifest = folder / "plugin_manifest.yaml"
    body = (
        "manifest_version: 1\nidentification: {{name: {name}, version: 1.0.0, "
        "type: size_planner, subtype: fixed_risk}}\nentrypoint: worker:X\n"
    )
    manifest.write_text(body.format(name="First"), encoding="utf-8")
    assert discover(default_roots([tmp_path / "root"])).get("First") is not None
    manifest.write_text(body.format(name="Second"), encoding="utf-8")
    stat = manifest.stat()
    os.utime(manifest, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10_000_000))
    registry = discover(default_roots([tmp_path / "root"]))
    assert registry.get("First") is None and registry.get("Second") is not None


def test_entrypoint_cannot_leave_the_plugin_folder(tmp_path: Path) -> None:
    outside = tmp_path / "evil.py"
    outside.write_text("IMPORTED = True\nclass X: pass\n", encoding="utf-8")
    folder = tmp_path / "root" / "p"
    folder.mkdir(parents=True)
    (folder / "worker.py").symlink_to(outside)
    (folder / "plugin_manifest.yaml").write_text(
        "manifest_version: 1\nidentification: {name: Evil, version: 1.0.0, "
        "type: size_planner, subtype: fixed_risk}\nentrypoint: worker:X\n",
        encoding="utf-8",
    )
    record = discover(default_roots([tmp_path / "root"])).get("Evil")
    assert record is not None
    try:
        load_plugin_class(record)
    except PluginImportError as exc:
        assert "leads outside the plugin folder" in str(exc)
    else:
        raise AssertionError("a module outside the plugin folder was imported")


def test_manifest_walk_finds_what_rglob_finds(tmp_path: Path) -> None:
    """The scandir walk keeps rglob's set and order: nested folders, a manifest in the
    root itself, a symlinked manifest; no ``_``/``.`` folders, no symlinked folders."""
    for folder in ("b/x", "a", "a/deeper/y", "_private/z", ".hidden", "c-d/_lib", "c-d"):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        (tmp_path / folder / MANIFEST_NAME).write_text("manifest_version: 1\n")
    (tmp_path / MANIFEST_NAME).write_text("manifest_version: 1\n")
    (tmp_path / "linked").mkdir()
    os.symlink(tmp_path / "a" / MANIFEST_NAME, tmp_path / "linked" / MANIFEST_NAME)
    os.symlink(tmp_path / "b", tmp_path / "folder_link")
    expected = sorted(
        (p for p in tmp_path.rglob(MANIFEST_NAME) if not _skipped(p.relative_to(tmp_path))),
        key=lambda p: p.relative_to(tmp_path).as_posix(),
    )
    found = _manifest_paths(tmp_path)
    assert found == expected
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "a/deeper/y/plugin_manifest.yaml",
        "a/plugin_manifest.yaml",
        "b/x/plugin_manifest.yaml",
        "c-d/plugin_manifest.yaml",
        "linked/plugin_manifest.yaml",
        "plugin_manifest.yaml",
    ]


def _skipped(relative: Path) -> bool:
    return any(part.startswith(("_", ".")) for part in relative.parts[:-1])
