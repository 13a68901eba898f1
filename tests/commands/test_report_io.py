"""Issue 27: ``stc report`` on damaged artefacts gives one line and exit 2."""

from __future__ import annotations

import errno
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from stc.commands.cli import main
from stc.runtime import artefacts

Damage = Callable[[Path], None]


def _truncate(name: str, size: int) -> Damage:
    def damage(run: Path) -> None:
        (run / name).write_bytes((run / name).read_bytes()[:size])

    return damage


def _binary(name: str) -> Damage:
    def damage(run: Path) -> None:
        (run / name).write_bytes(bytes(range(256)) * 8)

    return damage


def _huge_field(run: Path) -> None:
    (run / "trades.csv").write_text('trade_id,pnl\n"' + "x" * 200_000 + "\n", encoding="utf-8")


def _table_less_journal(run: Path) -> None:
    (run / "journal.sqlite").unlink()
    with sqlite3.connect(run / "journal.sqlite") as db:
        db.execute("CREATE TABLE other (a)")


def _report_is_a_folder(run: Path) -> None:
    (run / "report.html").unlink(missing_ok=True)
    (run / "report.html").mkdir()


CASES: dict[str, tuple[Damage, str]] = {
    "truncated metrics.json": (_truncate("metrics.json", 40), "metrics.json: not the JSON"),
    "binary metrics.json": (_binary("metrics.json"), "metrics.json: not the JSON"),
    "binary trades.csv": (_binary("trades.csv"), "trades.csv: not the CSV"),
    "huge CSV field": (_huge_field, "trades.csv:2: not the CSV stc writes (field larger"),
    "garbage journal": (_binary("journal.sqlite"), "journal.sqlite: not a run journal"),
    "table-less journal": (_table_less_journal, "journal.sqlite: not a run journal"),
    "report.html is a folder": (_report_is_a_folder, "report.html: it is a directory"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_damaged_run_folders(
    case: str, reference_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = tmp_path / "run"
    shutil.copytree(reference_run, run)
    damage, expected = CASES[case]
    damage(run)
    capsys.readouterr()
    assert main(["report", str(run)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and expected in err, err


def test_read_only_file_system(
    reference_run: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The eighth case: writing the report fails with EROFS (simulated: tests run as root)."""
    run = tmp_path / "run"
    shutil.copytree(reference_run, run)

    def refuse(path: Path) -> Path:
        raise OSError(errno.EROFS, "Read-only file system", str(path))

    monkeypatch.setattr(artefacts, "_temporary", refuse)
    capsys.readouterr()
    assert main(["report", str(run)]) == 2
    err = capsys.readouterr().err
    assert err == f"error: cannot use {run / 'report.html'}: the file system is read-only\n"
    assert (run / "report.html").read_bytes() == (reference_run / "report.html").read_bytes()
