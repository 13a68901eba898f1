"""Hostile input to ``stc run`` and ``stc explain``: whatever the data, run directory,
journal or trade id, the CLI prints one plain ``error:`` paragraph with exit 1 (errors
found, run failed) or 2 (usage or I/O), never a traceback, and never loses a file that
was there before. In-process (``main``), on small files, so the whole module is fast.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager, suppress
from pathlib import Path

import pytest

from stc.commands.cli import main
from stc.runtime.journal import JournalError, UnknownTradeError, _unreadable, explain
from tests.conftest import REPO

BLUEPRINT = str(REPO / "blueprints" / "ema_trend.yaml")
HEADER = "time,open,high,low,close,volume\n"
ROW = "2024-01-01 00:00:00,1,2,0.5,1.5,1\n"


@pytest.fixture(scope="module")
def good_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One real ema_trend backtest (embedded data): the run directory to corrupt."""
    out = tmp_path_factory.mktemp("run") / "good"
    assert main(["run", BLUEPRINT, "--out", str(out), "--quiet"]) == 0
    return out


@pytest.fixture(scope="module")
def trade_id(good_run: Path) -> str:
    with (good_run / "trades.csv").open(encoding="utf-8") as handle:
        return handle.readlines()[1].split(",")[0]


def _stc(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """Exit code and stderr of ``stc ARGS``; asserts the no-traceback promise."""
    code = main(list(args))
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("\n") <= 1, err
    return code, err


def _copy_run(good_run: Path, dest: Path) -> Path:
    shutil.copytree(good_run, dest)
    return dest


@contextmanager
def _db(run_dir: Path) -> Iterator[sqlite3.Connection]:
    """The run's journal, committed and closed (its WAL checkpointed) at the end."""
    with closing(sqlite3.connect(run_dir / "journal.sqlite")) as db, db:
        yield db


def _record(run_dir: Path, dto_id: str) -> tuple[int, dict[str, object]]:
    """(seq, fields) of the latest record of ``dto_id``."""
    with _db(run_dir) as db:
        seq, text = db.execute(
            "SELECT seq, json FROM dtos WHERE dto_id = ? ORDER BY seq DESC LIMIT 1", (dto_id,)
        ).fetchone()
    fields: dict[str, object] = json.loads(text)
    return seq, fields


def _set_json(run_dir: Path, seq: int, text: str | None) -> None:
    with _db(run_dir) as db:
        db.execute("UPDATE dtos SET json = ? WHERE seq = ?", (text, seq))


# ------------------------------------------------------------------ stc explain
def _replace_journal(content: bytes) -> Callable[[Path, str], None]:
    def corrupt(run_dir: Path, _: str) -> None:
        (run_dir / "journal.sqlite").write_bytes(content)

    return corrupt


def _tables_dropped(run_dir: Path, _: str) -> None:
    with _db(run_dir) as db:
        db.execute("DROP VIEW links")  # a view of the dtos rows' links (journal format 2)
        for table in ("dtos", "flows"):
            db.execute(f"DROP TABLE {table}")


def _trade_json(text: str | None) -> Callable[[Path, str], None]:
    def corrupt(run_dir: Path, trade: str) -> None:
        _set_json(run_dir, _record(run_dir, trade)[0], text)

    return corrupt


def _causality(value: object, drop: bool = False) -> Callable[[Path, str], None]:
    def corrupt(run_dir: Path, trade: str) -> None:
        exe_id = str(_record(run_dir, trade)[1]["execution_directive_id"])
        seq, fields = _record(run_dir, exe_id)
        if drop:
            del fields["causality"]
        else:
            fields["causality"] = value
        _set_json(run_dir, seq, json.dumps(fields))

    return corrupt


@pytest.mark.parametrize(
    ("corrupt", "message"),
    [
        (_replace_journal(b""), "is not a readable stc run journal (no such table: dtos)"),
        (_replace_journal(bytes(range(256)) * 20),
         "is not a readable stc run journal (file is not a database)"),
        (_tables_dropped, "is not a readable stc run journal (no such table: dtos)"),
        (_trade_json("{not json"), "is not a JSON object"),
        (_trade_json("[1, 2]"), "is not a JSON object"),
        (_trade_json("42"), "is not a JSON object"),
        (_trade_json(None), "is not a JSON object"),
        (_causality(None, drop=True), "is malformed (KeyError: 'causality')"),
        (_causality(None), "is malformed (TypeError:"),
        (_causality("TICK"), "is malformed (TypeError:"),
    ],
    ids=["empty-file", "random-bytes", "no-tables", "bad-json", "json-list", "json-number",
         "json-null", "no-causality", "causality-null", "causality-string"],
)  # fmt: skip
def test_explain_of_a_damaged_journal_is_an_io_error_naming_it(
    good_run: Path,
    trade_id: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    corrupt: Callable[[Path, str], None],
    message: str,
) -> None:
    run_dir = _copy_run(good_run, tmp_path / "run")
    corrupt(run_dir, trade_id)
    before = (run_dir / "journal.sqlite").read_bytes()
    code, err = _stc(capsys, "explain", trade_id, "--out", str(run_dir))
    assert code == 2 and err.startswith(f"error: {run_dir / 'journal.sqlite'}")
    assert message in err and "run the backtest again" in err
    assert (run_dir / "journal.sqlite").read_bytes() == before  # reading changed nothing


@pytest.mark.parametrize(
    ("trade", "shown"),
    [
        ("TRD_nope", "trade TRD_nope is not in"),
        ("'; DROP TABLE dtos; --", "trade '; DROP TABLE dtos; -- is not in"),
        ("TRD_ü€😀", "trade TRD_ü€😀 is not in"),
        ("", "trade '' is not in"),
        ("A" * 10_000, "trade '" + "A" * 80 + "'… is not in"),
        ("a\x1b[31mred\nx", "trade 'a\\x1b[31mred\\nx' is not in"),
        ("\udcff\udcfe", "trade '\\udcff\\udcfe' is not in"),  # undecodable argv bytes
    ],
    ids=["unknown", "sql", "unicode", "empty", "10k-chars", "control-chars", "not-utf8"],
)
def test_an_unknown_trade_id_is_exit_1_shown_safely(
    good_run: Path, capsys: pytest.CaptureFixture[str], trade: str, shown: str
) -> None:
    code, err = _stc(capsys, "explain", trade, "--out", str(good_run))
    assert code == 1 and err.startswith(f"error: {shown} the journal ")
    assert "trade_id column of the run's trades.csv" in err and len(err) < 400
    with _db(good_run) as db:
        assert db.execute("SELECT count(*) FROM dtos").fetchone()[0] > 0


def test_an_id_of_another_record_is_not_explained_as_a_trade(
    good_run: Path, trade_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    exe_id = str(_record(good_run, trade_id)[1]["execution_directive_id"])
    code, err = _stc(capsys, "explain", exe_id, "--out", str(good_run))
    assert code == 1 and f"trade {exe_id} names a ExecutionDirective record, not a trade" in err
    with pytest.raises(KeyError):  # the API's promise for unknown ids is kept
        explain(good_run / "journal.sqlite", exe_id)


@pytest.mark.parametrize("where", ["missing", "file", "empty-dir", "journal-is-dir"])
def test_explain_without_a_journal_says_how_to_get_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    out = tmp_path / "out"
    if where == "file":
        out.write_text("x")
    elif where != "missing":
        out.mkdir()
    if where == "journal-is-dir":
        (out / "journal.sqlite").mkdir()
    code, err = _stc(capsys, "explain", "TRD_1", "--out", str(out))
    assert code == 2 and "error: no journal at" in err and "run `stc run ... --out DIR`" in err


def test_every_malformed_field_on_a_chain_gives_one_of_two_errors(
    good_run: Path, trade_id: str, tmp_path: Path
) -> None:
    """Each field of each record on a trade's chain, dropped or made a list: ``explain``
    returns text or raises JournalError/UnknownTradeError, nothing else."""
    run_dir = _copy_run(good_run, tmp_path / "run")
    journal = run_dir / "journal.sqlite"
    with _db(run_dir) as db:
        ids = [trade_id, *(r[0] for r in db.execute("SELECT child FROM links"))][:40]
    tried = 0
    for dto_id in dict.fromkeys(ids):
        seq, fields = _record(run_dir, dto_id)
        for key in fields:
            for value in (None, [1]):
                _set_json(run_dir, seq, json.dumps({**fields, key: value}))
                with suppress(JournalError, UnknownTradeError):  # anything else fails
                    explain(journal, trade_id)
                tried += 1
        _set_json(run_dir, seq, json.dumps(fields))
    assert tried > 50


def test_sqlite_access_errors_are_told_apart_from_damage(tmp_path: Path) -> None:
    denied = sqlite3.OperationalError("attempt to write a readonly database")
    denied.sqlite_errorname = "SQLITE_READONLY_DIRECTORY"
    assert "check their permissions" in _unreadable(tmp_path, denied)
    damaged = sqlite3.DatabaseError("file is not a database")
    damaged.sqlite_errorname = "SQLITE_NOTADB"
    assert "run the backtest again" in _unreadable(tmp_path, damaged)


# ------------------------------------------------------------------ stc run --data
def _data(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("d.csv", "", "d.csv: empty file"),
        ("d.csv", HEADER, "d.csv: no bars"),
        ("d.csv", "a,b,c\n1,2,3\n", "d.csv:1: first column must be the timestamp"),
        ("d.csv", HEADER + "2024-01-01 00:00:00,x,2,0.5,1.5,1\n", "d.csv:2: non-numeric open"),
        ("d.csv", HEADER + "2024-01-01 00:00:00,1,inf,0.5,1.5,1\n", "d.csv:2: NaN or infinite"),
        ("d.csv", HEADER + "2024-01-01 00:00:00,-1,2,0.5,1.5,1\n", "d.csv:2: prices must be"),
        ("d.csv", HEADER + "2024-01-01 00:00:00,1,0.5,2,1.5,1\n", "d.csv:2: high/low do not"),
        ("d.csv", HEADER + ROW + ROW, "d.csv:3: duplicate timestamp"),
        ("d.csv", HEADER + "2024-01-01T02:00:00+02:00,1,2,0.5,1.5,1\n" + ROW,
         "d.csv:3: duplicate timestamp 2024-01-01T00:00:00+00:00"),  # mixed time zones
        # fixed: a traceback-free but nameless UnicodeDecodeError / OverflowError before
        ("d.csv", bytes(range(128, 256)) * 8, "d.csv:1: not UTF-8 text"),
        ("d.csv", (HEADER + ROW).encode() + b"2024-01-01 01:00:00,1,2,0.5,1.5,\xe9\n",
         "d.csv:3: not UTF-8 text"),
        ("d.csv", HEADER + "99999999999999999999,1,2,0.5,1.5,1\n",
         "d.csv:2: bad timestamp '99999999999999999999'"),
        ("d.csv", HEADER + "9999-12-31 23:00:00,1,2,0.5,1.5,1\n",
         "d.csv:2: timestamp 9999-12-31T23:00:00+00:00 is in the year 9999 or later"),
    ],
    ids=["empty", "header-only", "wrong-columns", "non-numeric", "inf", "negative",
         "high-below-low", "duplicate", "mixed-tz", "binary",
         "latin1-row", "epoch-overflow", "year-9999"],
)  # fmt: skip
def test_bad_data_is_one_line_naming_the_file_exit_1(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    content: str | bytes,
    message: str,
) -> None:
    data = _data(tmp_path, name, content)
    args = ["run", BLUEPRINT, "--quiet", "--data", str(data), "--out", str(tmp_path / "o")]
    code, err = _stc(capsys, *args)
    assert code == 1 and err.startswith("error: ") and message in err


def test_a_csv_with_a_byte_order_mark_runs(tmp_path: Path) -> None:
    data = _data(tmp_path, "d.csv", "\ufeff" + HEADER + ROW)  # as Excel saves "CSV UTF-8"
    assert main(["run", BLUEPRINT, "--quiet", "--data", str(data), "--out", str(tmp_path)]) == 0


@pytest.mark.parametrize("kind", ["missing", "directory"])
def test_a_wrong_data_path_leaves_an_earlier_run_untouched(
    good_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    run_dir = _copy_run(good_run, tmp_path / "run")
    before = {p.name: p.read_bytes() for p in run_dir.iterdir()}
    data = tmp_path / "typo.csv"
    if kind == "directory":
        data.mkdir()
    code, err = _stc(capsys, "run", BLUEPRINT, "--data", str(data), "--out", str(run_dir))
    what = "no such data file" if kind == "missing" else "a directory, not a data file"
    assert code == 2 and err == f"error: --data {data}: {what}; give a CSV or Parquet file\n"
    assert {p.name: p.read_bytes() for p in run_dir.iterdir()} == before


@pytest.mark.parametrize("name", ["trades.csv", "journal.sqlite", "report.html"])
def test_data_named_like_a_run_output_is_refused_not_deleted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    data = _data(tmp_path, name, HEADER + ROW)
    code, err = _stc(capsys, "run", BLUEPRINT, "--data", str(data), "--out", str(tmp_path))
    assert code == 2 and "the data file has the name of a file the run writes" in err
    assert data.read_text(encoding="utf-8") == HEADER + ROW


# ------------------------------------------------------------------ stc run --out, FILE
@pytest.mark.parametrize("under", [False, True])
def test_an_out_path_blocked_by_a_file_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], under: bool
) -> None:
    blocker = _data(tmp_path, "notes.txt", "keep me\n")
    out = blocker / "run" if under else blocker
    code, err = _stc(capsys, "run", BLUEPRINT, "--quiet", "--out", str(out))
    assert code == 2 and f"({blocker} is a file, not a directory); choose another --out" in err
    assert blocker.read_text(encoding="utf-8") == "keep me\n"


def test_a_read_only_out_directory_is_a_usage_error(
    good_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = _copy_run(good_run, tmp_path / "run")
    before = {p.name: p.read_bytes() for p in run_dir.iterdir()}
    run_dir.chmod(0o500)
    try:
        if os.access(run_dir, os.W_OK):
            pytest.skip("this user writes into read-only folders (root)")
        code, err = _stc(capsys, "run", BLUEPRINT, "--quiet", "--out", str(run_dir))
    finally:
        run_dir.chmod(0o700)
    assert code == 2 and "Permission denied" in err and "choose another --out" in err
    assert {p.name: p.read_bytes() for p in run_dir.iterdir()} == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--env", "live"], "invalid choice: 'live'"),
        (["--speed", "0"], "must be a number above 0"),
    ],
)
def test_bad_options_are_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["run", BLUEPRINT, *args, "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and message in err and "Traceback" not in err


@pytest.mark.parametrize("kind", ["missing", "directory"])
def test_a_blueprint_that_is_no_file_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    path = tmp_path / "bp.yaml"
    if kind == "directory":
        path.mkdir()
    code, err = _stc(capsys, "run", str(path), "--out", str(tmp_path / "o"))
    assert code == 2 and err == f"error: no such file: {path}\n"


def test_resume_from_a_journal_that_is_no_database(
    good_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = _copy_run(good_run, tmp_path / "run")
    (run_dir / "journal.sqlite").write_bytes(b"\x00garbage" * 100)
    code, err = _stc(capsys, "run", "--resume", str(run_dir), "--quiet")
    assert code == 1 and "journal.sqlite: not a readable journal (file is not a database)" in err
    assert "start it again without --resume" in err


def test_text_named_parquet_is_one_line_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Whether pyarrow is installed or not (it is an optional extra), a .parquet file
    that is not Parquet gets a one-line message naming the file, exit 1."""
    data = _data(tmp_path, "d.parquet", "not parquet\n")
    args = ["run", BLUEPRINT, "--quiet", "--data", str(data), "--out", str(tmp_path / "o")]
    code, err = _stc(capsys, *args)
    assert code == 1 and err.startswith(f"error: {data}: ") and err.count("\n") == 1
    assert "not a readable Parquet file" in err or "reading Parquet needs pyarrow" in err
