"""The committed JSON Schemas accept every document stc's loader accepts.

Every reference file (``blueprints/``, the packaged plugins' manifests) and every
fixture the loader validates cleanly is checked against ``schemas/`` by two
independent validators: ``jsonschema``'s Draft 2020-12 validator and the
``check-jsonschema`` command (its own YAML parser, run as a subprocess). Editors and
CI use these schemas: a form the loader accepts but the schema refuses (the
``provides_factors: [trend_strength]`` shorthand, once) is a red squiggle on a
correct file.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from stc.compiler.pipeline import detect_kind, model_for
from stc.compiler.sources import load_yaml_file
from stc.compiler.validate import validate_document
from tests.conftest import REPO

SCHEMAS = REPO / "schemas"
CANDIDATES = sorted(
    [
        *REPO.glob("blueprints/**/*.yaml"),
        *REPO.glob("stc/plugins/**/plugin_manifest.yaml"),
        *REPO.glob("tests/fixtures/**/*.yaml"),
    ]
)


def _accepted() -> dict[str, list[Path]]:
    """Kind → the files of that kind the loader accepts without a diagnostic."""
    from stc.compiler.model.sweep import SweepFile

    found: dict[str, list[Path]] = defaultdict(list)
    for path in CANDIDATES:
        loaded = load_yaml_file(path, str(path))
        if not loaded.ok or not isinstance(loaded.data, dict):
            continue
        if "sweep_version" in loaded.data:
            try:
                SweepFile.model_validate(loaded.data)
            except ValueError:
                continue
            found["sweep"].append(path)
            continue
        kind = detect_kind(loaded.data)
        if kind is None:
            continue
        model, problems = validate_document(loaded, model_for(kind), kind)
        if model is not None and not problems:
            found[kind].append(path)
    return dict(found)


ACCEPTED = _accepted()


def _rel(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


def test_the_corpus_covers_every_kind_and_the_shorthand() -> None:
    assert set(ACCEPTED) >= {
        "strategy_blueprint", "operation", "plugin_manifest", "platform", "sweep",
    }  # fmt: skip
    manifests = {_rel(p) for p in ACCEPTED["plugin_manifest"]}
    assert "stc/plugins/context_worker/ema_detector/plugin_manifest.yaml" in manifests
    assert len(ACCEPTED["strategy_blueprint"]) >= 10


@pytest.mark.parametrize(
    ("kind", "path"),
    [(kind, path) for kind, paths in sorted(ACCEPTED.items()) for path in paths],
    ids=lambda v: _rel(v) if isinstance(v, Path) else str(v),
)
def test_jsonschema_2020_12_accepts_what_the_loader_accepts(kind: str, path: Path) -> None:
    schema = json.loads((SCHEMAS / f"{kind}.schema.json").read_text(encoding="utf-8"))
    data: Any = load_yaml_file(path, str(path)).data
    errors = [e.message for e in Draft202012Validator(schema).iter_errors(data)]
    assert errors == []


CHECK_JSONSCHEMA = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))


@pytest.mark.skipif(CHECK_JSONSCHEMA is None, reason="check-jsonschema not installed (dev extra)")
@pytest.mark.parametrize("kind", sorted(ACCEPTED))
def test_check_jsonschema_accepts_what_the_loader_accepts(kind: str) -> None:
    assert CHECK_JSONSCHEMA is not None
    schema = SCHEMAS / f"{kind}.schema.json"
    files = [str(p) for p in ACCEPTED[kind]]
    done = subprocess.run(
        [CHECK_JSONSCHEMA, "--no-cache", "--schemafile", str(schema), *files],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.skipif(CHECK_JSONSCHEMA is None, reason="check-jsonschema not installed (dev extra)")
def test_check_jsonschema_still_rejects_a_wrong_factor(tmp_path: Path) -> None:
    """The shorthand widened the schema by exactly one form: a factor name that breaks
    the name pattern is still refused."""
    assert CHECK_JSONSCHEMA is not None
    manifest = REPO / "stc/plugins/context_worker/ema_detector/plugin_manifest.yaml"
    bad = tmp_path / "plugin_manifest.yaml"
    text = manifest.read_text(encoding="utf-8")
    bad.write_text(text.replace("[trend_strength]", "[Trend-Strength]"), encoding="utf-8")
    schema = SCHEMAS / "plugin_manifest.schema.json"
    done = subprocess.run(
        [CHECK_JSONSCHEMA, "--no-cache", "--schemafile", str(schema), str(bad)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1 and "provides_factors" in done.stdout, done.stdout
