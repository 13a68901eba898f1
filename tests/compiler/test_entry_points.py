"""stc.compiler.entry_points reads what importlib.metadata reads, or declines.

Every layout is built in a temporary folder that becomes the whole ``sys.path``;
each answer of :func:`read_group` is compared with
``importlib.metadata.entry_points(group=…)`` on the same layout.
"""

from __future__ import annotations

import importlib
import sys
import zipfile
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stc.compiler import cache
from stc.compiler.entry_points import _sections, read_group
from stc.compiler.registry import ENTRY_POINT_GROUP, default_roots, discover

GROUP = ENTRY_POINT_GROUP


def metadata_group(group: str) -> list[tuple[str, str]]:
    """What importlib.metadata answers for the current sys.path (caches cleared)."""
    importlib.invalidate_caches()
    return [(entry.name, entry.value) for entry in metadata.entry_points(group=group)]


def dist(folder: Path, name: str, entry_points: str | None) -> Path:
    """A ``*.dist-info`` (or ``*.egg-info``) folder with that ``entry_points.txt``."""
    info = folder / name
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Name: {name.split('-')[0]}\n", encoding="utf-8")
    if entry_points is not None:
        (info / "entry_points.txt").write_text(entry_points, encoding="utf-8")
    return info


@pytest.fixture
def only_path(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """sys.path emptied for the test (filled by it); importlib's caches cleared."""
    path: list[str] = []
    monkeypatch.setattr(sys, "path", path)
    importlib.invalidate_caches()
    yield path
    importlib.invalidate_caches()


def test_the_running_environment_reads_alike() -> None:
    for group in (GROUP, "console_scripts", "pytest11"):
        assert read_group(group) == metadata_group(group)
    assert read_group("console_scripts")  # the venv has scripts: the read is not empty


def test_sections_comments_order_and_shadowing(tmp_path: Path, only_path: list[str]) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    text = (
        "stray = before:any_section\n"
        "[console_scripts]\nacme = acme.cli:main\n\n"
        f"[{GROUP}]\n# a comment\n  zeta =  acme_z:register \nalpha=acme_a\n"
        f"[other]\nx = y\n[{GROUP}]\nbeta = acme_b:plugins = odd\n"
    )
    dist(first, "Acme.Plugins-1.0.dist-info", text)
    dist(first, "bare-2.0.dist-info", None)  # no entry_points.txt
    dist(first, "old_style.egg-info", f"[{GROUP}]\nold = old_style\n")
    (first / "single.egg-info").write_text("Name: single\n", encoding="utf-8")  # a file
    dist(second, "acme_plugins-9.0.dist-info", f"[{GROUP}]\nshadowed = nope\n")
    dist(second, "later-1.0.dist-info", f"[{GROUP}]\nalpha = later\n")
    only_path.extend([str(first), str(tmp_path / "missing"), str(second)])
    expected = metadata_group(GROUP)
    assert read_group(GROUP) == expected
    assert ("shadowed", "nope") not in expected and ("alpha", "later") in expected
    assert ("beta", "acme_b:plugins = odd") in expected and ("old", "old_style") in expected


def test_a_zip_on_the_path_is_left_to_importlib_metadata(
    tmp_path: Path, only_path: list[str]
) -> None:
    archive = tmp_path / "stc.plugins.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("zipped-1.0.dist-info/entry_points.txt", f"[{GROUP}]\nz = zipped\n")
        out.writestr("zipped-1.0.dist-info/METADATA", "Name: zipped\n")
    only_path.append(str(archive))
    assert read_group(GROUP) is None
    assert metadata_group(GROUP) == [("z", "zipped")]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("Odd.DIST-INFO", f"[{GROUP}]\na = b\n"),  # its name comes from METADATA
        ("-1.0.dist-info", f"[{GROUP}]\na = b\n"),  # an empty name, likewise
        ("broken-1.0.dist-info", f"[{GROUP}]\nno equals sign\n"),  # importlib raises
    ],
)
def test_what_only_importlib_metadata_reads_is_declined(
    tmp_path: Path, only_path: list[str], name: str, text: str
) -> None:
    dist(tmp_path, name, text)
    only_path.append(str(tmp_path))
    assert read_group(GROUP) is None


def test_another_distribution_finder_is_left_to_importlib_metadata(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Finder:
        @staticmethod
        def find_distributions(*args: object, **kwargs: object) -> list[object]:
            return []

    monkeypatch.setattr(sys, "meta_path", [*sys.meta_path, Finder()])
    assert read_group(GROUP) is None


LINE = st.text(alphabet="[]#= ab.:\t", max_size=12)


@pytest.fixture(scope="module")
def fuzz_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for every example: only the file's text changes, and importlib.metadata
    reads it anew on each call (it caches folder listings, not file contents)."""
    folder = tmp_path_factory.mktemp("entry_points")
    (folder / "fuzz-1.0.dist-info").mkdir()
    return folder


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(LINE, max_size=8))
def test_entry_points_text_parses_like_importlib_metadata(
    fuzz_folder: Path, lines: list[str]
) -> None:
    """Random ``entry_points.txt`` texts, read through importlib.metadata's public API."""
    text = "\n".join(lines)
    (fuzz_folder / "fuzz-1.0.dist-info" / "entry_points.txt").write_text(text, encoding="utf-8")
    (dist_,) = metadata.distributions(path=[str(fuzz_folder)])
    try:
        theirs = [(e.group, (e.name, e.value)) for e in dist_.entry_points]
    except (TypeError, ValueError):  # an entry line without "=": importlib.metadata raises
        with pytest.raises(Exception, match="without '='"):
            _sections(text)
        return
    assert _sections(text) == theirs


def test_an_entry_point_package_is_a_plugin_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """End to end: a distribution naming a package makes its plugins discoverable."""
    package = tmp_path / "acme_stc"
    plugin = package / "sizer"
    plugin.mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (plugin / "plugin_manifest.yaml").write_text(
        "manifest_version: 1\nidentification: {name: AcmeSizer, version: 1.0.0, "
        "type: size_planner, subtype: fixed_risk}\nentrypoint: worker:X\n",
        encoding="utf-8",
    )
    dist(tmp_path, "acme_stc-1.0.dist-info", f"[{GROUP}]\nacme = acme_stc\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    cache.reset()
    roots = default_roots()
    (root,) = [r for r in roots if r.origin == "entry_point"]
    assert root.package == "acme_stc" and Path(root.path) == package
    record = discover(roots).get("AcmeSizer")
    assert record is not None
