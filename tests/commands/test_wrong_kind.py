"""``stc run``/``compile``/``graph`` given a file of another kind say, in one line,
what it is and what they expected (it used to exit 1 with no output for a manifest and
to report a wiring map as an aggregation policy with 15 unknown keys)."""

from __future__ import annotations

from pathlib import Path

import pytest

from stc.commands.cli import main
from stc.compiler.file_kind import kind_of_file
from tests.conftest import REPO

MANIFEST = REPO / "stc/plugins/context_worker/ema_detector/plugin_manifest.yaml"
PLATFORM = REPO / "tests/fixtures/platforms/max_workers_8.yaml"
SWEEP = REPO / "blueprints/sweeps/ema_trend.sweep.yaml"
POLICY = "aggregation:\n  weights: {trend_strength: 1.0}\n"


@pytest.fixture
def wiring_map(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    assert main(["compile", str(REPO / "blueprints/ema_trend.yaml"), "-o", str(tmp_path)]) == 0
    capsys.readouterr()
    return tmp_path / "wiring_map.yaml"


@pytest.mark.parametrize("command", [["run"], ["compile", "-o", "OUT"], ["graph"]])
@pytest.mark.parametrize(
    ("source", "kind", "hint"),
    [
        (MANIFEST, "a plugin manifest", "name the plugin in a blueprint's `plugin:`"),
        (PLATFORM, "a platform file", "pass it with `--platform FILE`"),
        (SWEEP, "a sweep file", "run it with `stc sweep FILE`"),
        ("wiring_map", "a compiled wiring map", "give the blueprint it was compiled from"),
        ("policy", "an aggregation policy", "copy its `aggregation:` into a blueprint"),
    ],
)
def test_a_file_of_another_kind_gets_one_line(
    command: list[str],
    source: Path | str,
    kind: str,
    hint: str,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if source == "wiring_map":
        path: Path = request.getfixturevalue("wiring_map")
        capsys.readouterr()
    elif source == "policy":
        path = tmp_path / "policy.yaml"
        path.write_text(POLICY, encoding="utf-8")
    else:
        assert isinstance(source, Path)
        path = source
    argv = [str(tmp_path / "out") if a == "OUT" else a for a in command]
    assert main([*argv, str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"error: {path} is {kind}, but `stc {command[0]}` expects a strategy blueprint or an "
        f"operation; {captured.err.split('; ', 1)[1]}"
    )
    assert captured.err.count("\n") == 1 and hint in captured.err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        (REPO / "blueprints/ema_trend.yaml", "strategy_blueprint"),
        (REPO / "blueprints/ict_smc.yaml", "strategy_blueprint"),  # has `aggregation:` too
        (REPO / "blueprints/dca_weekly.operation.yaml", "operation"),
        (MANIFEST, "plugin_manifest"),
        (PLATFORM, "platform"),
        (SWEEP, "sweep"),
        (REPO / "data" / "EURUSD_1h.csv", None),
        (REPO / "no_such_file.yaml", None),
    ],
)
def test_kind_of_file(path: Path, kind: str | None) -> None:
    assert kind_of_file(path) == kind


def test_a_file_of_no_known_kind_is_left_to_the_loader(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("name: demo\n", encoding="utf-8")
    assert main(["compile", str(path), "-o", str(tmp_path / "out")]) == 1
    assert "STC002" in capsys.readouterr().err
