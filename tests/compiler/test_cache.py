"""The on-disk cache (``stc.compiler.cache``) never changes a result: every fixture and
reference blueprint gives the same diagnostics, wiring map and DOT without the cache,
with an empty one and with a warm one; an edited manifest or plugin module is seen
through a stale cache; a corrupt cache file is ignored."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from stc.compiler import cache

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
REFERENCE = sorted(str(p.relative_to(REPO)) for p in (REPO / "blueprints").glob("*.yaml"))

_COMPILE_SCRIPT = """
import json, sys
from stc.compiler.api import compile_blueprint
for path, roots in json.loads(sys.argv[1]):
    result = compile_blueprint(path, plugin_dirs=roots)
    print("==", path, result.ok)
    print(result.rendered_diagnostics())
    print(result.wiring_map if result.ok else "")
    print(result.dot)
"""


def _cases() -> list[tuple[str, list[str]]]:
    """Every fixture with the plugin root of its code (if any), and the references."""
    found = [(path, []) for path in REFERENCE]
    for fixture in sorted(FIXTURES.glob("stc*.yaml")):
        root = FIXTURES / "plugin_roots" / fixture.name[:6]
        roots = [str(root.relative_to(REPO))] if root.is_dir() else []
        found.append((str(fixture.relative_to(REPO)), roots))
    return found


def _env(cache_home: Path, *, enabled: bool = True) -> dict[str, str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home)}
    env.pop(cache.DISABLE_ENV, None)
    if not enabled:
        env[cache.DISABLE_ENV] = "1"
    return env


def _compile_all(cases: Any, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", _COMPILE_SCRIPT, json.dumps(cases)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def _cache_file(cache_home: Path) -> Path:
    return next((cache_home / "stc").glob("*/cache.pickle"))


def test_every_result_is_the_same_without_with_an_empty_and_with_a_warm_cache(
    tmp_path: Path,
) -> None:
    cases = _cases()
    without = _compile_all(cases, _env(tmp_path / "off", enabled=False))
    assert not (tmp_path / "off").exists()  # STC_NO_CACHE=1 writes nothing
    empty = _compile_all(cases, _env(tmp_path / "on"))
    assert _cache_file(tmp_path / "on").is_file()
    warm = _compile_all(cases, _env(tmp_path / "on"))
    assert empty == without
    assert warm == without


def test_a_corrupt_cache_file_is_ignored(tmp_path: Path) -> None:
    case = [(REFERENCE[0], [])]
    expected = _compile_all(case, _env(tmp_path, enabled=False))
    _compile_all(case, _env(tmp_path))
    _cache_file(tmp_path).write_bytes(b"\x80\x05not a pickle")
    assert _compile_all(case, _env(tmp_path)) == expected


PROBE_MANIFEST = """\
manifest_version: 1
identification:
  name: CacheProbe
  version: 0.1.0
  type: context_worker
  subtype: indicator_calculation
  description: A context worker whose files the test edits.
entrypoint: worker:CacheProbe
dependencies:
  requires_dtos: [OHLCVWindow]
  provides_dtos: [EMAValues]
config_schema:
  type: object
  properties:
    period: {type: integer, minimum: 1, maximum: MAXIMUM, default: 10}
  additionalProperties: false
"""
PROBE_CODE = """\
from __future__ import annotations

from stc.plugins.dtos import EMAValues
from stc.runtime.dtos.market import TradingContext
from stc.runtime.workers import ContextWorker


class CacheProbe(ContextWorker):
    def METHOD(self, context: TradingContext) -> EMAValues | None:
        return None
"""
PROBE_BLUEPRINT = """\
blueprint_version: 1
name: cache_probe
symbol: EURUSD
timeframes: [1h]
workforce:
  context_workers:
    - plugin: CacheProbe
      params: {period: 20}
  opportunity_workers:
    - plugin: EMACrossDetector
  strategy_planner:
    plugin: AdaptiveMomentumPlanner
  planning_workers:
    entry: [{plugin: AggressiveMarketEntryPlanner}]
    size: [{plugin: FixedRiskSizer}]
    exit: [{plugin: FixedRRExitPlanner}]
    routing: [{plugin: MarketOrderRouter}]
"""


def _write_probe(root: Path, *, maximum: int = 50, method: str = "on_tick") -> None:
    folder = root / "cache_probe"
    folder.mkdir(parents=True, exist_ok=True)
    manifest = PROBE_MANIFEST.replace("MAXIMUM", str(maximum))
    (folder / "plugin_manifest.yaml").write_text(manifest, encoding="utf-8")
    (folder / "worker.py").write_text(PROBE_CODE.replace("METHOD", method), encoding="utf-8")


def _check_json(blueprint: Path, root: Path, env: dict[str, str]) -> list[dict[str, Any]]:
    done = subprocess.run(
        [sys.executable, "-m", "stc.commands.cli", "check", str(blueprint),
         "--plugins-dir", str(root), "--format", "json"],
        cwd=REPO, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    found: list[dict[str, Any]] = json.loads(done.stdout)
    return found


@pytest.mark.parametrize(
    ("edit", "code"),
    [({"maximum": 5}, "STC006"), ({"method": "on_tik"}, "STC032")],
    ids=["manifest_edited", "plugin_code_edited"],
)
def test_a_stale_cache_sees_the_edit(tmp_path: Path, edit: dict[str, Any], code: str) -> None:
    root = tmp_path / "plugins"
    _write_probe(root)
    blueprint = tmp_path / "probe.yaml"
    blueprint.write_text(PROBE_BLUEPRINT, encoding="utf-8")
    warm = _env(tmp_path / "cache")
    assert _check_json(blueprint, root, warm) == []  # fills the cache
    assert _check_json(blueprint, root, warm) == []  # a hit
    _write_probe(root, **edit)
    fresh = _check_json(blueprint, root, _env(tmp_path / "none", enabled=False))
    assert code in {d["code"] for d in fresh}
    assert _check_json(blueprint, root, warm) == fresh


@pytest.mark.parametrize(
    ("edit", "code"),
    [({"maximum": 15}, "STC006"), ({"method": "on_tock"}, "STC032")],
    ids=["manifest_edited", "plugin_code_edited"],
)
def test_an_edit_that_keeps_size_and_mtime_is_seen(
    tmp_path: Path, edit: dict[str, Any], code: str
) -> None:
    """Issue 26: the cache used to key files by (mtime, size), so an edit that kept both
    was served stale ("ok" from check, a failure at run)."""
    root = tmp_path / "plugins"
    _write_probe(root)
    files = [root / "cache_probe" / n for n in ("plugin_manifest.yaml", "worker.py")]
    before = [(f.stat().st_size, f.stat().st_mtime_ns) for f in files]
    blueprint = tmp_path / "probe.yaml"
    blueprint.write_text(PROBE_BLUEPRINT, encoding="utf-8")
    warm = _env(tmp_path / "cache")
    assert _check_json(blueprint, root, warm) == []  # fills the cache
    _write_probe(root, **edit)
    for file, (size, mtime) in zip(files, before, strict=True):
        os.utime(file, ns=(mtime, mtime))
        assert file.stat().st_size == size and file.stat().st_mtime_ns == mtime
    assert code in {d["code"] for d in _check_json(blueprint, root, warm)}


_PLANTED = """\
import os, pickle, sys
class Payload:
    def __reduce__(self):
        return (os.system, ("touch " + sys.argv[2],))
body = pickle.dumps({"manifests": ({}, {"x": Payload()})})
with open(sys.argv[1], "wb") as out:
    out.write(sys.argv[3].encode() + b"0" * 32 * int(sys.argv[4]) + body)
"""


@pytest.mark.parametrize("header", ["", "stc-cache-hmac-sha256\n"])
def test_a_planted_or_foreign_cache_file_never_runs(tmp_path: Path, header: str) -> None:
    """Issue 26: the cache was an unauthenticated pickle, so a file planted in the cache
    folder (or a CI cache restored from another job) ran code on the next check. It is
    now ignored unless signed with this machine's key, which lives outside the folder."""
    case = [(REFERENCE[0], [])]
    expected = _compile_all(case, _env(tmp_path, enabled=False))
    _compile_all(case, _env(tmp_path))  # a real cache file (and key) exists
    marker = tmp_path / "PWNED"
    subprocess.run(
        [sys.executable, "-c", _PLANTED, str(_cache_file(tmp_path)), str(marker), header,
         "1" if header else "0"],
        check=True,
    )  # fmt: skip
    assert _compile_all(case, _env(tmp_path)) == expected
    assert not marker.exists()


def test_tables_drop_entries_whose_code_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = tmp_path / "cache_dependency.py"
    module.write_text("VALUE = 1\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv(cache.DISABLE_ENV, raising=False)
    monkeypatch.delitem(sys.modules, "cache_dependency", raising=False)
    cache.reset()
    try:
        __import__("cache_dependency")
        cache.VALID_SCHEMAS.put("key", True)
        cache._STORE.flush()
        cache.reset()
        assert cache.VALID_SCHEMAS.get("key") is True
        module.write_text("VALUE = 2\n", encoding="utf-8")  # the same size: its content decides
        cache.reset()
        assert cache.VALID_SCHEMAS.get("key") is None
    finally:
        cache.reset()


def test_no_cache_reads_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv(cache.DISABLE_ENV, raising=False)
    cache.reset()
    try:
        cache.VALID_PARAMS.put("key", True)
        assert cache.VALID_PARAMS.get("key") is True
        monkeypatch.setenv(cache.DISABLE_ENV, "1")
        assert cache.VALID_PARAMS.get("key") is None
    finally:
        cache.reset()


def test_tables_stay_bounded_and_drop_vanished_manifests(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv(cache.DISABLE_ENV, raising=False)
    monkeypatch.setattr(cache, "MAX_ENTRIES", 3)
    manifest = tmp_path / "plugin_manifest.yaml"
    manifest.write_text("manifest_version: 1\n", encoding="utf-8")
    cache.reset()
    try:
        for key in ("a", "b", "c", "d"):
            cache.VALID_PARAMS.put(key, True)
        assert list(cache.VALID_PARAMS.entries) == ["b", "c", "d"]  # the oldest went first
        current = cache.stamp(str(manifest))
        assert current is not None
        cache.MANIFESTS.put((str(manifest), "m"), (current, "", [], None, []))
        cache.MANIFESTS.put(("/no/such/manifest.yaml", "n"), ((0, 0), "", [], None, []))
        cache._STORE.flush()
        cache.reset()
        assert cache.MANIFESTS.get((str(manifest), "m")) is not None
        assert cache.MANIFESTS.get(("/no/such/manifest.yaml", "n")) is None
    finally:
        cache.reset()


def test_a_leftover_temporary_file_does_not_block_the_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer killed between creating its temporary file and the rename leaves the
    file behind; a later process with the same pid takes the next free name."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv(cache.DISABLE_ENV, raising=False)
    cache.reset()
    try:
        folder = cache.cache_dir()
        folder.mkdir(parents=True)
        leftover = folder / f".cache.{os.getpid()}.0.tmp"
        leftover.write_bytes(b"half a pickle")
        cache.VALID_PARAMS.put("key", True)
        cache._STORE.flush()
        assert leftover.read_bytes() == b"half a pickle"  # never opened for writing
        assert sorted(p.name for p in folder.iterdir()) == [leftover.name, "cache.pickle"]
        assert oct((folder / "cache.pickle").stat().st_mode & 0o777) == "0o600"
        cache.reset()
        assert cache.VALID_PARAMS.get("key") is True
    finally:
        cache.reset()


_VALIDATORS_SCRIPT = """
import sys
from stc.commands.cli import main
code = main(["check", sys.argv[1]])
import stc.compiler.model.blueprint as bp
print(code, not type(bp.StrategyBlueprint.__pydantic_validator__).__name__.startswith("Mock"))
"""


def _check_and_validators(blueprint: Path, env: dict[str, str]) -> str:
    """``stc check`` in a fresh process: exit code, and whether the blueprint model's
    validator was built (``defer_build``: it is a placeholder until first used)."""
    done = subprocess.run(
        [sys.executable, "-c", _VALIDATORS_SCRIPT, str(blueprint)],
        cwd=REPO, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    return done.stdout.strip().splitlines()[-1]


def test_an_unchanged_blueprint_is_checked_without_building_a_validator(tmp_path: Path) -> None:
    """The validated blueprint is remembered by its text: a second check of the same
    text builds no pydantic validator; an edit is validated for real (and its error is
    never remembered), and the original text is a hit again."""
    blueprint = tmp_path / "bp.yaml"
    text = (REPO / "blueprints" / "ema_trend.yaml").read_text(encoding="utf-8")
    blueprint.write_text(text, encoding="utf-8")
    warm = _env(tmp_path / "cache")
    assert _check_and_validators(blueprint, warm) == "0 True"  # fills the cache
    assert _check_and_validators(blueprint, warm) == "0 False"  # nothing validated
    blueprint.write_text(text + "colour: blue\n", encoding="utf-8")
    assert _check_and_validators(blueprint, warm) == "1 True"  # unknown key: STC002
    assert _check_and_validators(blueprint, warm) == "1 True"  # errors are not cached
    blueprint.write_text(text, encoding="utf-8")
    assert _check_and_validators(blueprint, warm) == "0 False"
    off = _env(tmp_path / "unused", enabled=False)
    assert _check_and_validators(blueprint, off) == "0 True"


def test_large_documents_are_not_remembered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every start reads the whole cache file: a generated 10,000-worker blueprint's
    model must not be in it."""
    from stc.compiler.memo import MAX_REMEMBERED_DOCUMENT, validate_known_document
    from stc.compiler.model.blueprint import StrategyBlueprint
    from stc.compiler.sources import load_yaml_text

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv(cache.DISABLE_ENV, raising=False)
    cache.reset()
    try:
        text = (REPO / "blueprints" / "ema_trend.yaml").read_text(encoding="utf-8")
        small = load_yaml_text(text, "small.yaml")
        padded = load_yaml_text(text + "#" * MAX_REMEMBERED_DOCUMENT + "\n", "big.yaml")
        for loaded in (small, padded):
            model, problems = validate_known_document(loaded, StrategyBlueprint, "blueprint")
            assert model is not None and not problems
        assert len(cache.VALID_DOCUMENTS.entries) == 1  # the small one only
    finally:
        cache.reset()
