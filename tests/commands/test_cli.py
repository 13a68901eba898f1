"""The CLI's promises: exit codes, formats, outputs (SPEC §5.2, §5.4)."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from stc.commands import cli
from stc.commands.cli import _COMPILER_ONLY, main


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_check_clean_blueprint_exits_zero(
    in_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "blueprints/ema_trend.yaml"]) == 0
    assert "no problems found" in capsys.readouterr().err


def test_syntax_error_points_at_line_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = _write(tmp_path / "bad.yaml", "blueprint_version: 1\nname: [unclosed\nsymbol: X\n")
    assert main(["check", str(bad), "--format", "json"]) == 1
    (diag,) = json.loads(capsys.readouterr().out)
    assert diag["code"] == "STC001" and diag["line"] >= 2 and diag["column"] >= 1
    assert set(diag) == {"code", "severity", "message", "file", "line", "column", "help"}


def test_misspelt_key_has_did_you_mean(in_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = Path("blueprints/ema_trend.yaml").read_text(encoding="utf-8")
    bad = _write(in_repo / "tmp_misspelt.yaml", text.replace("workforce:", "workfroce:"))
    try:
        assert main(["check", bad.name]) == 1
    finally:
        bad.unlink()
    err = capsys.readouterr().err
    assert "error[STC002]" in err and "did you mean `workforce`" in err
    assert "--> tmp_misspelt.yaml:" in err and "^" in err


def test_sarif_output(in_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = Path("blueprints/ema_trend.yaml").read_text(encoding="utf-8")
    bad = _write(in_repo / "tmp_sarif.yaml", text.replace("EMADetector", "EMADetektor"))
    try:
        assert main(["check", bad.name, "--format", "sarif"]) == 1
    finally:
        bad.unlink()
    sarif = json.loads(capsys.readouterr().out)
    assert sarif["version"] == "2.1.0"
    (result,) = sarif["runs"][0]["results"]
    assert result["ruleId"] == "STC003"
    region = result["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] >= 1


def test_missing_file_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "does/not/exist.yaml"]) == 2


def test_strict_turns_warnings_into_errors(in_repo: Path) -> None:
    text = Path("blueprints/ict_smc.yaml").read_text(encoding="utf-8")
    gap = _write(in_repo / "tmp_gap.yaml", text.replace("[0.3, 0.6]", "[0.3, 0.5]"))
    try:
        assert main(["check", gap.name]) == 0
        assert main(["check", gap.name, "--strict"]) == 1
    finally:
        gap.unlink()


def test_compile_writes_map_dot_and_svg(in_repo: Path, tmp_path: Path) -> None:
    from stc.compiler.emit.dot import dot_available

    assert main(["compile", "blueprints/ict_smc.yaml", "-o", str(tmp_path)]) == 0
    plan = yaml.safe_load((tmp_path / "wiring_map.yaml").read_text(encoding="utf-8"))
    assert plan["strategy"] == "ict_smc" and plan["mode"] == "swot"
    dot = (tmp_path / "wiring.dot").read_text(encoding="utf-8")
    assert "cluster_trade" in dot and "ROUTING_PLANNING_REQUESTED\\nRoutingRequest" in dot
    if dot_available():
        assert (tmp_path / "wiring.svg").read_text(encoding="utf-8").startswith("<?xml")


def test_graph_of_a_failing_blueprint_highlights_it(
    in_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = Path("blueprints/ict_smc.yaml").read_text(encoding="utf-8")
    bad = _write(in_repo / "tmp_graph.yaml", text.replace("[0.3, 0.6]", "[0.3, 0.7]"))
    try:
        assert main(["graph", bad.name, "-o", str(tmp_path / "g.dot")]) == 1
    finally:
        bad.unlink()
    dot = (tmp_path / "g.dot").read_text(encoding="utf-8")
    assert "STC041" in dot and "#dc2626" in dot


def test_plugins_list_and_show(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plugins", "list"]) == 0
    listing = capsys.readouterr().out
    assert "29 plugins" in listing
    for name in ("EMADetector", "FVGEntryDetector", "IcebergRouter", "LiveHandler"):
        assert name in listing
    assert main(["plugins", "show", "EMADetector"]) == 0
    shown = capsys.readouterr().out
    assert "periods: array = [20, 50, 200]" in shown and "provides:   EMAValues" in shown
    assert main(["plugins", "show", "EMADetectr"]) == 1
    assert "did you mean `EMADetector`" in capsys.readouterr().err


def test_diff_names_changed_params(
    in_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = Path("blueprints/ict_smc.yaml").read_text(encoding="utf-8")
    changed = _write(in_repo / "tmp_diff.yaml", text.replace("period: 14,", "period: 21,"))
    try:
        assert main(["compile", "blueprints/ict_smc.yaml", "-o", str(tmp_path / "a")]) == 0
        assert main(["compile", changed.name, "-o", str(tmp_path / "b")]) == 0
    finally:
        changed.unlink()
    capsys.readouterr()
    a, b = tmp_path / "a" / "wiring_map.yaml", tmp_path / "b" / "wiring_map.yaml"
    assert main(["diff", str(a), str(b)]) == 1
    out = capsys.readouterr().out
    assert "regime.params.period: 14 → 21" in out
    assert main(["diff", str(a), str(a), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["changes"] == []


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith("stc ")


def test_blueprint_linked_by_an_operation_on_the_command_line_is_checked_through_it(
    in_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "blueprints/dca_weekly.yaml"]) == 1  # alone: no schedule
    assert "STC051" in capsys.readouterr().err
    both = ["blueprints/dca_weekly.yaml", "blueprints/dca_weekly.operation.yaml"]
    assert main(["check", *both]) == 0
    assert main(["check", "blueprints/dca_weekly.operation.yaml", both[0]]) == 0


def test_run_progress_plain_when_not_a_tty_and_silent_when_quiet(
    in_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "blueprints/ema_trend.yaml", "--out", str(tmp_path / "a")]) == 0
    captured = capsys.readouterr()
    assert "progress: 5000/5000 bars" in captured.err and "\r" not in captured.err
    assert "report" in captured.out and (tmp_path / "a" / "report.html").is_file()
    args = ["run", "blueprints/ema_trend.yaml", "--out", str(tmp_path / "b"), "--quiet"]
    assert main(args) == 0
    assert "progress" not in capsys.readouterr().err


_PLUGINS_SCRIPT = """
import os, sys
from stc.commands.cli import main
code = main(sys.argv[1:])
loader = sys.modules.get("pydantic.plugin._loader")
kind = "none" if loader is None else "real" if hasattr(loader, "_plugins") else "stand-in"
import stc.compiler.model.blueprint as bp
built = not type(bp.StrategyBlueprint.__pydantic_validator__).__name__.startswith("Mock")
metadata = "importlib.metadata" in sys.modules
print(code, os.environ.get("PYDANTIC_DISABLE_PLUGINS"), kind, built, metadata)
"""


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["check", "blueprints/ema_trend.yaml"], "0 None real True True"),
        (["schema", "strategy_blueprint"], "0 None none False False"),
    ],
)
def test_compiler_only_commands_run_without_pydantic_plugins(
    arguments: list[str], expected: str
) -> None:
    """``stc check`` validates only stc's own YAML models: pydantic's plugins are off
    while it runs (pydantic's loader is imported when a validator is built, and finds
    the variable set, so it scans no entry points). Afterwards the variable is gone
    again: a program calling ``main`` keeps its pydantic setup."""
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    env["STC_NO_CACHE"] = "1"  # validate for real
    done = subprocess.run(
        [sys.executable, "-c", _PLUGINS_SCRIPT, *arguments],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert done.stdout.strip().splitlines()[-1] == expected, done.stderr
    assert not {"run", "report", "explain"} & _COMPILER_ONLY  # they run plugin code


def test_a_users_plugin_setting_is_kept() -> None:
    """A user who switched off only some plugins keeps the others: the variable stays
    as set, and pydantic's real loader answers."""
    env = {**os.environ, "PYDANTIC_DISABLE_PLUGINS": "some_plugin", "STC_NO_CACHE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", _PLUGINS_SCRIPT, "check", "blueprints/ema_trend.yaml"],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert done.stdout.strip().splitlines()[-1] == "0 some_plugin real True True", done.stderr


@pytest.mark.parametrize(
    ("argv", "collector_during"),
    [(["check", "x.yaml"], True), (["graph", "x.yaml"], True), (["run", "x.yaml"], True)],
)
def test_console_freezes_the_heap_at_the_end(
    monkeypatch: pytest.MonkeyPatch, argv: list[str], collector_during: bool
) -> None:
    """The console script (a process that ends right after) freezes the heap when done
    and leaves the collector on during the command (the compile pauses it itself)."""
    seen: list[tuple[list[str], bool]] = []

    def fake_main(arguments: list[str]) -> int:
        seen.append((list(arguments), gc.isenabled()))
        return 3

    monkeypatch.setattr(cli, "main", fake_main)
    monkeypatch.setattr(sys, "argv", ["stc", *argv])
    try:
        assert cli.console() == 3
        frozen = gc.get_freeze_count()
    finally:
        gc.unfreeze()
        gc.enable()
    assert seen == [(argv, collector_during)] and frozen > 0


def test_main_leaves_the_collector_alone(in_repo: Path) -> None:
    assert gc.isenabled()
    assert main(["check", "blueprints/ema_trend.yaml"]) == 0
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_a_compile_pauses_the_collector_and_restores_it(
    in_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """compile_path runs with the cyclic collector off (stc.compiler.collector) and turns it
    back on; a caller who had switched it off keeps it off."""
    from stc.compiler import pipeline

    states: list[bool] = []
    real = pipeline._compile_path

    def spy(*args: object) -> object:
        states.append(gc.isenabled())
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "_compile_path", spy)
    assert main(["check", "blueprints/ema_trend.yaml"]) == 0
    assert states == [False] and gc.isenabled()
    gc.disable()
    try:
        assert main(["check", "blueprints/ema_trend.yaml"]) == 0
        assert not gc.isenabled()
    finally:
        gc.enable()
