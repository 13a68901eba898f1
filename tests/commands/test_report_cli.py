"""``stc report RUNDIR``, ``stc run`` printing the report, ``stc graph --html``."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from stc.commands.cli import main

REPO = Path(__file__).resolve().parents[2]
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` not installed")


def test_run_prints_the_report_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "run"
    assert main(["run", str(REPO / "blueprints/ema_trend.yaml"), "--out", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert re.search(r"report\s+.*report\.html", printed)
    assert (out / "report.html").is_file()


def test_report_rebuilds(
    reference_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "run"
    shutil.copytree(reference_run, copy)
    (copy / "report.html").unlink()
    assert main(["report", str(copy), "--title", "rebuilt"]) == 0
    assert f"wrote {copy / 'report.html'}" in capsys.readouterr().out
    html = (copy / "report.html").read_text(encoding="utf-8")
    assert "<h1>rebuilt</h1>" in html and '"trades":[["TRD_' in html


@needs_dot
def test_report_with_blueprint_redraws_the_wiring(reference_run: Path, tmp_path: Path) -> None:
    copy = tmp_path / "run"
    shutil.copytree(reference_run, copy)
    (copy / "report.html").unlink()
    assert main(["report", str(copy), "--blueprint", str(REPO / "blueprints/ema_trend.yaml")]) == 0
    assert "<title>ema_cross_detector</title>" in (copy / "report.html").read_text()


def test_report_of_a_non_run_dir_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", str(tmp_path / "nope")]) == 2
    assert "not a run directory" in capsys.readouterr().err


@needs_dot
def test_graph_html_embeds_workers_and_dto_fields(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "page.html"
    assert main(["graph", str(REPO / "blueprints/ema_trend.yaml"), "--html", "-o", str(page)]) == 0
    html = page.read_text(encoding="utf-8")
    data = json.loads(re.search(r'id="stc-graph-data">(.*?)</script>', html, re.S).group(1))  # type: ignore[union-attr]
    worker = data["workers"]["ema_detector"]
    assert worker["plugin"] == "EMADetector" and worker["params"]["periods"] == [20, 50]
    assert "requires" in worker and "provides" in worker
    assert ["confidence", "float"] in data["dtos"]["OpportunitySignal"] or any(
        f[0] == "confidence" for f in data["dtos"]["OpportunitySignal"]
    )
    assert [f[0] for f in data["dtos"]["Bar"]] == ["time", "open", "high", "low", "close", "volume"]
    assert "<svg" in html and ">OPPORTUNITY_DETECTED<" in html and ">OpportunitySignal<" in html
    assert "https://" not in html
