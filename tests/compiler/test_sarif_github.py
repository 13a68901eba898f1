"""SARIF for GitHub code scanning: the Microsoft SARIF multitool's GitHub and SARIF
rules (``validate --rule-kind "Gh;Sarif"``) run on stc's output when the tool is
installed (``make sarif``), and the rules it enforces are also encoded here, so a
machine without npm still checks them."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from stc.commands.cli import main
from stc.compiler.codes import CODES
from stc.compiler.rule_docs import help_uri
from tests.conftest import REPO

MULTITOOL = (
    REPO
    / "tools"
    / "sarif"
    / "node_modules"
    / "@microsoft"
    / "sarif-multitool-linux"
    / "Sarif.Multitool"
)
REFERENCE = (REPO / "blueprints" / "ema_trend.yaml").read_text(encoding="utf-8")
BROKEN = REFERENCE.replace("plugin: EMACrossDetector ", "plugin: EMACrosDetector ").replace(
    "timeframes: [1h]", "timeframes: [1H]"
)


def _sarif_for(paths: list[str], capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    main(["check", "--format", "sarif", *paths])
    log: dict[str, Any] = json.loads(capsys.readouterr().out)
    return log


@pytest.fixture
def log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> dict[str, Any]:
    """One run over a relative path, an absolute path inside the working directory, a
    path with a space, and an absolute path outside it — each with fixes."""
    work, outside = tmp_path / "work", tmp_path / "elsewhere"
    (work / "my dir").mkdir(parents=True)
    outside.mkdir()
    for path in (work / "bp.yaml", work / "my dir" / "bp two.yaml", outside / "bp.yaml"):
        path.write_text(BROKEN, encoding="utf-8")
    monkeypatch.chdir(work)
    return _sarif_for(
        ["bp.yaml", str(work / "my dir" / "bp two.yaml"), str(outside / "bp.yaml")], capsys
    )


def _artifact_locations(node: Any) -> list[dict[str, Any]]:
    """Every ``artifactLocation`` object anywhere in the log."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "artifactLocation":
                found.append(value)
            found.extend(_artifact_locations(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(_artifact_locations(item))
    return found


def test_every_rule_carries_what_github_requires(log: dict[str, Any]) -> None:
    [run] = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["informationUri"].startswith("https://")
    assert [rule["id"] for rule in driver["rules"]] == ["STC002"]
    for rule in driver["rules"]:
        assert "name" not in rule or rule["name"] != rule["id"]  # SARIF1001
        assert rule["shortDescription"]["text"]
        assert len(rule["fullDescription"]["text"]) > len(rule["shortDescription"]["text"])
        assert rule["help"]["text"] and rule["help"]["markdown"]  # GH2012
        assert rule["helpUri"] == help_uri(rule["id"])
        assert rule["helpUri"] in rule["help"]["markdown"]


def test_uris_are_relative_to_srcroot_or_absolute_file_uris(log: dict[str, Any]) -> None:
    [run] = log["runs"]
    base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base.startswith("file:///") and base.endswith("/work/")
    uris = sorted({(a["uri"], a.get("uriBaseId")) for a in _artifact_locations(run)})
    outside = [u for u, b in uris if b is None]
    assert [(u, b) for u, b in uris if b is not None] == [
        ("bp.yaml", "%SRCROOT%"),
        ("my%20dir/bp%20two.yaml", "%SRCROOT%"),
    ]
    assert len(outside) == 1 and re.fullmatch(r"file:///.*/elsewhere/bp\.yaml", outside[0])
    assert not any(u.startswith("/") for u, _ in uris)  # SARIF1004: never a bare /path


def test_help_uris_point_at_real_sections_of_the_diagnostics_page() -> None:
    headings = re.findall(
        r"^## (STC\d{3})$", (REPO / "docs" / "diagnostics.md").read_text("utf-8"), re.M
    )
    assert set(headings) >= set(CODES)
    assert all(help_uri(code).endswith(f"diagnostics.md#{code.lower()}") for code in CODES)


def _multitool_findings(log: dict[str, Any], tmp_path: Path) -> list[dict[str, Any]]:
    """The results of ``Sarif.Multitool validate --rule-kind "Gh;Sarif"`` on ``log``
    (the tool exits 0 whatever it finds; the findings are in its own SARIF output)."""
    source, report = tmp_path / "stc.sarif", tmp_path / "validation.sarif"
    source.write_text(json.dumps(log), encoding="utf-8")
    command = [str(MULTITOOL), "validate", "--rule-kind", "Gh;Sarif", "--output", str(report)]
    done = subprocess.run(
        [*command, str(source)], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    findings: list[dict[str, Any]] = json.loads(report.read_text("utf-8"))["runs"][0]["results"]
    return findings


@pytest.mark.skipif(not MULTITOOL.is_file(), reason="SARIF multitool not installed (make sarif)")
def test_the_sarif_multitool_github_rules_pass(log: dict[str, Any], tmp_path: Path) -> None:
    findings = _multitool_findings(log, tmp_path)
    assert [(f["ruleId"], f["message"].get("arguments")) for f in findings] == []


@pytest.mark.skipif(not MULTITOOL.is_file(), reason="SARIF multitool not installed (make sarif)")
def test_the_multitool_catches_what_stc_used_to_write(tmp_path: Path) -> None:
    """The tool is not a check that passes everything: stc's old rule shape (a short
    description only) and a bare absolute URI are flagged GH2012 and SARIF1004."""
    old = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "stc",
                        "informationUri": "https://s1mpletrader.dev/docs/diagnostics.md",
                        "rules": [{"id": "STC003", "shortDescription": {"text": "unknown plugin"}}],
                    }
                },
                "results": [
                    {
                        "ruleId": "STC003",
                        "ruleIndex": 0,
                        "level": "error",
                        "message": {"text": "unknown plugin"},
                        "locations": [
                            {"physicalLocation": {"artifactLocation": {"uri": "/abs/bp.yaml"}}}
                        ],
                    }
                ],
            }
        ],
    }
    findings = _multitool_findings(old, tmp_path)
    assert {"GH2012", "SARIF1004"} <= {f["ruleId"] for f in findings}
