"""``stc examples DIR`` writes a project in which every file checks and runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from stc.commands import cli
from stc.commands.examples import write_examples
from stc.compiler import compile_blueprint


def test_every_written_file_checks_clean_and_each_standalone_file_compiles(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "ex"
    assert cli.main(["examples", str(target)]) == 0
    yamls = sorted(target.glob("*.yaml"))
    assert {p.name for p in yamls} >= {"ema_trend.yaml", "dca_weekly.operation.yaml"}
    manifests = sorted(target.glob("plugins/*/plugin_manifest.yaml"))
    assert len(manifests) == 1
    capsys.readouterr()
    assert cli.main(["check", *map(str, yamls), *map(str, manifests)]) == 0
    assert capsys.readouterr().err.startswith("ok")
    operation = compile_blueprint(target / "dca_weekly.operation.yaml")
    assert operation.ok, operation.diagnostics
    assert "data/EURUSD_1h.csv" in (target / "dca_weekly.operation.yaml").read_text("utf-8")
    test_file = (target / "tests" / "test_wiring.py").read_text("utf-8")
    assert "'ema_trend.yaml'" in test_file and "'dca_weekly.yaml'" not in test_file


def test_the_schema_headers_point_at_the_written_schemas(tmp_path: Path) -> None:
    written = write_examples(tmp_path / "ex")
    for file in (p for p in written if p.suffix == ".yaml" and p.parent.name == "ex"):
        first = file.read_text("utf-8").splitlines()[0]
        schema = first.split("$schema=", 1)[1]
        assert (file.parent / schema).is_file(), (file.name, schema)


@pytest.mark.parametrize("existing", ["file", "non-empty folder"])
def test_nothing_a_user_wrote_is_overwritten(
    tmp_path: Path, existing: str, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "ex"
    if existing == "file":
        target.write_text("mine", encoding="utf-8")
    else:
        target.mkdir()
        (target / "ema_trend.yaml").write_text("mine", encoding="utf-8")
    assert cli.main(["examples", str(target)]) == 2
    assert "choose a new folder" in capsys.readouterr().err
    mine = target if existing == "file" else target / "ema_trend.yaml"
    assert mine.read_text("utf-8") == "mine"


def test_the_readmes_explain_line_names_the_first_trade_of_its_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The written README's commands, run literally in the folder: the backtest, then
    ``stc explain`` of the id the README gives, which must be the run's first trade."""
    target = tmp_path / "ex"
    assert cli.main(["examples", str(target)]) == 0
    monkeypatch.chdir(target)
    lines = [
        line.split("#")[0].split() for line in Path("README.md").read_text("utf-8").splitlines()
    ]
    run = next(
        words for words in lines if words[:2] == ["stc", "run"] and "ema_trend.yaml" in words
    )
    explain = next(words for words in lines if words[:2] == ["stc", "explain"])
    assert cli.main([*run[1:], "--quiet"]) == 0
    first = Path("runs/ema_trend/trades.csv").read_text("utf-8").splitlines()[1].split(",")[0]
    assert explain[2] == first
    capsys.readouterr()
    assert cli.main(explain[1:]) == 0
    assert f"Trade {first}" in capsys.readouterr().out
