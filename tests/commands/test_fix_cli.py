"""``stc check --fix / --unsafe-fixes / --diff`` and the suggestions in JSON and SARIF."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stc.commands.cli import main
from stc.compiler.diagnostics import Applicability, Suggestion
from stc.compiler.fixes import apply_suggestions
from tests.conftest import REPO

SARIF_SCHEMA = REPO / "tests" / "fixtures" / "schemas" / "sarif-schema-2.1.0.json"
REFERENCE = (REPO / "blueprints" / "ema_trend.yaml").read_text(encoding="utf-8")
BROKEN = (
    REFERENCE.replace("plugin: EMACrossDetector ", "plugin: EMACrosDetector ")
    .replace("timeframes: [1h]", "timeframes: [1H]")
    .replace("stop_loss_tolerance: 0.2", "stop_loss_tolerance: 20")
)


def _file(tmp_path: Path, text: str = BROKEN, newline: str = "\n") -> Path:
    path = tmp_path / "bp.yaml"
    path.write_text(text.replace("\n", newline), encoding="utf-8", newline="")
    return path


def test_diff_shows_the_fixes_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _file(tmp_path)
    assert main(["check", "--diff", str(path)]) == 1
    out, err = capsys.readouterr()
    assert "-timeframes: [1H]" in out and "+timeframes: [1h]" in out
    assert "+    - plugin: EMACrossDetector " in out
    assert "stop_loss_tolerance" not in out  # maybe-incorrect: only with --unsafe-fixes
    assert "would fix 2 problems in 1 file" in err
    assert path.read_text(encoding="utf-8") == BROKEN


def test_fix_then_unsafe_fixes_restore_the_file_with_comments_and_crlf(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _file(tmp_path, newline="\r\n")
    assert main(["check", "--fix", str(path)]) == 1  # the percent is left: an error
    err = capsys.readouterr().err
    assert "did you mean 0.2 (20 %)?" in err and "fixed 2 problems in 1 file" in err
    assert main(["check", "--fix", "--unsafe-fixes", str(path)]) == 0
    assert path.read_bytes() == REFERENCE.replace("\n", "\r\n").encode("utf-8")


def test_json_carries_the_suggestions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _file(tmp_path)
    main(["check", "--format", "json", str(path)])
    items = json.loads(capsys.readouterr().out)
    [item] = [i for i in items if i["code"] == "STC002"]
    [suggestion] = item["suggestions"]
    assert suggestion == {
        "message": "write `1h`",
        "file": str(path),
        "line": 10,
        "column": 14,
        "end_line": 10,
        "end_column": 16,
        "replacement": "1h",
        "applicability": "machine-applicable",
    }


def test_sarif_with_fixes_validates_against_the_sarif_2_1_0_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from jsonschema import Draft4Validator

    path = _file(tmp_path)
    main(["check", "--format", "sarif", str(path)])
    log = json.loads(capsys.readouterr().out)
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    errors = sorted(Draft4Validator(schema).iter_errors(log), key=str)
    assert errors == []
    [result] = log["runs"][0]["results"]
    [fix] = result["fixes"]
    [change] = fix["artifactChanges"]
    [replacement] = change["replacements"]
    assert replacement == {
        "deletedRegion": {"startLine": 10, "startColumn": 14, "endLine": 10, "endColumn": 16},
        "insertedContent": {"text": "1h"},
    }
    assert fix["properties"] == {"applicability": "machine-applicable"}


def _edit(line: int, column: int, end: int, text: str) -> Suggestion:
    return Suggestion(
        message="m", file="f", line=line, column=column, end_line=line, end_column=end,
        replacement=text, applicability=Applicability.MACHINE_APPLICABLE,
    )  # fmt: skip


def test_overlapping_edits_apply_the_first_and_leave_the_rest_for_the_next_pass() -> None:
    text = "abcdef\nxyz\n"
    fixed, count = apply_suggestions(
        text, [_edit(1, 2, 4, "BC"), _edit(1, 3, 5, "??"), _edit(2, 1, 1, ">"), _edit(9, 1, 2, "!")]
    )
    assert (fixed, count) == ("aBCdef\n>xyz\n", 2)


def test_paths_and_names_in_an_operation_get_did_you_mean_fixes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "EURUSD_1h.csv").write_bytes(
        (REPO / "data" / "EURUSD_1h.csv").read_bytes()
    )
    blueprint = (REPO / "blueprints" / "dca_weekly.yaml").read_text(encoding="utf-8")
    (tmp_path / "dca_weekly.yaml").write_text(blueprint, encoding="utf-8")
    good = (
        "operation_version: 1  # weekly DCA\n"
        "data_sources:\n  eurusd_1h: {path: data/EURUSD_1h.csv, symbol: EURUSD, timeframe: 1h}\n"
        "schedules:\n  WEEKLY_DCA_TICK: {every: 1w}\n"
        "strategy_links:\n  - {blueprint: dca_weekly.yaml, data_source: eurusd_1h}\n"
    )
    broken = (
        good.replace("data/EURUSD_1h.csv", "data/EURUSD_1H.csv")
        .replace("dca_weekly.yaml", "dca_weekly.yml")
        .replace("data_source: eurusd_1h", "data_source: eurusd_1hr")
    )
    operation = tmp_path / "op.yaml"
    operation.write_text(broken, encoding="utf-8")
    assert main(["check", str(operation)]) == 1
    err = capsys.readouterr().err
    assert "did you mean `data/EURUSD_1h.csv`?" in err
    assert "did you mean `dca_weekly.yaml`?" in err and "did you mean `eurusd_1h`?" in err
    assert main(["check", "--fix", str(operation)]) == 0
    assert operation.read_text(encoding="utf-8") == good
