"""One broken sweep fixture per sweep code (STC090-093): the code at the sweep's own
line and column, a help line, and the rendered text as a snapshot."""

from __future__ import annotations

from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion

from stc.commands.cli import main
from tests.sweep.helpers import REPO, small_data

FIXTURES = "tests/sweep/fixtures"
CASES = (
    ("stc090_empty_range.sweep.yaml", "STC090", 6, 28, 1),
    ("stc091_unknown_param.sweep.yaml", "STC091", 5, 3, 1),
    ("stc092_value_out_of_range.sweep.yaml", "STC092", 5, 29, 1),
    ("stc093_variant_does_not_compile.sweep.yaml", "STC093", 7, 11, 1),
)
"""fixture, code, line, column, exit code (1: a variant was not run)."""


@pytest.mark.parametrize(("fixture", "code", "line", "column", "exit"), CASES)
def test_sweep_code(
    fixture: str, code: str, line: int, column: int, exit: int, tmp_path: Path,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    snapshot: SnapshotAssertion,
) -> None:  # fmt: skip
    monkeypatch.chdir(REPO)
    data = small_data(tmp_path, bars=300)
    path = f"{FIXTURES}/{fixture}"
    result = main(["sweep", path, "--data", str(data), "--out", str(tmp_path / "out"),
                   "--workers", "1", "--quiet"])  # fmt: skip
    err = capsys.readouterr().err
    assert result == exit
    assert f"error[{code}]" in err
    assert f"--> {path}:{line}:{column}" in err
    source = (REPO / path).read_text(encoding="utf-8").splitlines()[line - 1]
    assert f"{line} | {source}" in err
    assert "= help: " in err
    assert err == snapshot
