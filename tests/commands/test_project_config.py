"""``stc.toml`` / ``[tool.stc]``: plugin folders and the default platform for every
command, found by walking up from the working directory; flags win."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import pytest

from stc.commands.cli import main
from stc.commands.project_config import apply_project_config, load_project_config
from tests.conftest import REPO

FIXTURES = REPO / "tests" / "fixtures"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project whose own plugin (trend_filter) and platform (at most 8 workers) live
    in its folders; the blueprints sit in a subfolder, where the commands run."""
    monkeypatch.delenv("STC_NO_CONFIG", raising=False)
    shutil.copytree(FIXTURES / "plugin_roots" / "stc011", tmp_path / "my_plugins")
    shutil.copy(FIXTURES / "platforms" / "max_workers_8.yaml", tmp_path / "platform.yaml")
    (tmp_path / "strategies").mkdir()
    for name in ("stc011_provider_later.yaml", "stc009_max_workers.yaml"):
        shutil.copy(FIXTURES / name, tmp_path / "strategies" / name)
    monkeypatch.chdir(tmp_path / "strategies")
    return tmp_path


def _codes(capsys: pytest.CaptureFixture[str], *argv: str) -> set[str]:
    import json

    main(["check", "--format", "json", *argv])
    return {item["code"] for item in json.loads(capsys.readouterr().out)}


def test_without_a_config_the_project_plugin_is_unknown(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _codes(capsys, "stc011_provider_later.yaml") == {"STC003"}
    assert _codes(capsys, "stc009_max_workers.yaml") == set()


@pytest.mark.parametrize("where", ["pyproject", "stc.toml"])
def test_the_config_gives_plugins_and_platform_to_every_command(
    project: Path, where: str, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = 'plugins_dir = ["my_plugins"]\nplatform = "platform.yaml"\n'
    if where == "pyproject":
        text = '[project]\nname = "mine"\n\n[tool.stc]\n' + settings
        (project / "pyproject.toml").write_text(text, encoding="utf-8")
    else:
        (project / "stc.toml").write_text(settings, encoding="utf-8")
    # the project's plugin is found (the real problem, STC011, not STC003)...
    assert _codes(capsys, "stc011_provider_later.yaml") == {"STC011"}
    # ...and the platform's limit applies (STC009: more than 8 workers)
    assert _codes(capsys, "stc009_max_workers.yaml") == {"STC009"}
    assert main(["graph", "stc009_max_workers.yaml"]) == 1
    assert "STC009" in capsys.readouterr().err


def test_flags_win_over_the_config(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "stc.toml").write_text(
        'plugins_dir = ["my_plugins"]\nplatform = "platform.yaml"\n', encoding="utf-8"
    )
    other = project / "roomy.yaml"
    other.write_text("platform_version: 1\n", encoding="utf-8")
    assert _codes(capsys, "--platform", str(other), "stc009_max_workers.yaml") == set()
    empty = project / "empty_root"
    empty.mkdir()
    assert _codes(capsys, "--plugins-dir", str(empty), "stc011_provider_later.yaml") == {"STC003"}


def test_stc_toml_wins_over_pyproject_and_a_pyproject_without_tool_stc_is_passed_over(
    tmp_path: Path,
) -> None:
    (tmp_path / "stc.toml").write_text('plugins_dir = ["a"]\n', encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text('[tool.stc]\nplugins_dir = ["b"]\n', "utf-8")
    inner = tmp_path / "inner"
    inner.mkdir()
    (inner / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    config = load_project_config(inner)
    assert config is not None
    assert config.file == tmp_path / "stc.toml" and config.plugins_dir == (tmp_path / "a",)


def test_no_config_leaves_the_arguments_alone(tmp_path: Path) -> None:
    args = argparse.Namespace(plugins_dir=[], platform=None)
    apply_project_config(args, tmp_path)
    assert args == argparse.Namespace(plugins_dir=[], platform=None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('plugin_dir = ["x"]\n', "unknown key `plugin_dir`; the keys are plugins_dir, platform"),
        ('plugins_dir = "x"\n', 'plugins_dir must be a list of folders: ["plugins"]'),
        ("platform = 3\n", 'platform must be a file name: "platform.yaml"'),
        ("plugins_dir = [\n", "invalid TOML"),
    ],
)
def test_a_bad_config_is_one_line_and_exit_2(
    project: Path, text: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "stc.toml").write_text(text, encoding="utf-8")
    assert main(["check", "stc009_max_workers.yaml"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {project / 'stc.toml'}: ") and message in err
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    "text",
    [
        '[tool.stc]\nplugins_dir = ["a"]\n',
        '[tool."stc"]\nplugins_dir = ["a"]\n',
        '[tool]\nstc = {plugins_dir = ["a"]}\n',
        '[tool]\nstc.plugins_dir = ["a"]\n',
        'tool.stc.plugins_dir = ["a"]\n',
    ],
)
def test_every_spelling_of_tool_stc_is_found(tmp_path: Path, text: str) -> None:
    (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
    config = load_project_config(tmp_path)
    assert config is not None and config.plugins_dir == (tmp_path / "a",)


def test_a_pyproject_naming_stc_only_as_a_dependency_is_passed_over(tmp_path: Path) -> None:
    text = '[project]\nname = "mine"\ndependencies = ["stc"]\n\n[tool.ruff]\nline-length = 99\n'
    (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
    assert load_project_config(tmp_path) is None
