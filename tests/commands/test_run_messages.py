"""What ``stc run`` says about a broken blueprint or a broken CSV, word for word, as the
console script says it (a fresh process: its imports, the collector set for the run, no
row count without a progress line). Session 16 made the run's start-up and its report
cheaper; none of that may change a message a user reads or its exit code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_ROWS = (
    "time,open,high,low,close,volume\n"
    "2020-01-01 00:00:00,1.10000,1.10015,1.09961,1.09976,100\n"
    "2020-01-01 01:00:00,1.09976,1.10038,1.09896,1.09958,100\n"
)
LATER_ROWS = (
    "2020-01-01 03:00:00,1.09937,1.10015,1.09913,1.09992,100\n"
    "2020-01-01 04:00:00,1.09992,1.10002,1.09946,1.09956,100\n"
)


def _stc_run(folder: Path, *args: str) -> tuple[int, str]:
    done = subprocess.run(
        [sys.executable, "-m", "stc.commands.cli", "run", *args, "--out", "out"],
        cwd=folder, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    return done.returncode, done.stderr


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    blueprint = (ROOT / "blueprints" / "ema_trend.yaml").read_text(encoding="utf-8")
    (tmp_path / "bp.yaml").write_text(blueprint, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("quiet", [True, False])
@pytest.mark.parametrize(
    ("rows", "message", "progress"),
    [
        (
            GOOD_ROWS + "2020-01-01T03:00:00Z,1.1,abc,1.0,1.1,10\n" + LATER_ROWS,
            "error: bars.csv:4: non-numeric high 'abc'\n",
            "progress: 1/5 bars\n",
        ),
        (
            GOOD_ROWS + "2019-01-01 03:00:00,1.1,1.2,1.0,1.1,10\n",
            "error: bars.csv:4: unsorted timestamp 2019-01-01T03:00:00+00:00 "
            "(after 2020-01-01T01:00:00+00:00)\n",
            "progress: 1/3 bars\n",
        ),
        (
            "time,open\n",
            "error: bars.csv:1: missing column 'high' (have ['time', 'open'])\n",
            "",
        ),
    ],
    ids=["non-numeric", "unsorted", "missing-column"],
)
def test_a_broken_csv_reads_the_same(
    folder: Path, rows: str, message: str, progress: str, quiet: bool
) -> None:
    (folder / "bars.csv").write_text(rows, encoding="utf-8")
    code, stderr = _stc_run(folder, "bp.yaml", "--data", "bars.csv", *(["--quiet"] * quiet))
    assert code == 1
    assert stderr == (message if quiet else progress + message)


def test_an_unknown_plugin_reads_the_same(folder: Path) -> None:
    text = (folder / "bp.yaml").read_text(encoding="utf-8")
    broken = text.replace("plugin: EMACrossDetector ", "plugin: EMACrossDetectr ")
    assert broken != text
    (folder / "bp.yaml").write_text(broken, encoding="utf-8")
    (folder / "bars.csv").write_text(GOOD_ROWS, encoding="utf-8")
    code, stderr = _stc_run(folder, "bp.yaml", "--data", "bars.csv", "--quiet")
    assert code == 1
    line = next(n for n, t in enumerate(broken.splitlines(), 1) if "EMACrossDetectr" in t)
    source = broken.splitlines()[line - 1]
    assert stderr == (
        "error[STC003]: unknown plugin `EMACrossDetectr`\n"
        f"  --> bp.yaml:{line}:15\n"
        "   |\n"
        f"{line} | {source}\n"
        "   |               ^^^^^^^^^^^^^^^\n"
        "   |\n"
        "   = help: did you mean `EMACrossDetector`?\n"
        "   = note: topology, trigger and data-flow checks were skipped for this worker\n"
        "\n"
        "error: aborting due to 1 error\n"
    )
    assert not (folder / "out").exists()  # nothing written


def test_a_yaml_error_reads_the_same(folder: Path) -> None:
    text = (folder / "bp.yaml").read_text(encoding="utf-8") + "  - [unclosed\n"
    (folder / "bp.yaml").write_text(text, encoding="utf-8")
    (folder / "bars.csv").write_text(GOOD_ROWS, encoding="utf-8")
    code, stderr = _stc_run(folder, "bp.yaml", "--data", "bars.csv", "--quiet")
    assert code == 1
    line = len(text.splitlines())
    assert stderr.startswith(
        "error[STC001]: YAML syntax error: did not find expected key "
        f"(while parsing a block mapping)\n  --> bp.yaml:{line}:3\n"
    )
    assert f"{line} |   - [unclosed\n" in stderr
