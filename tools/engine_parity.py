"""Run a plan with both engines and say where their results differ (issue 23, item 4).

The fast engine (batch forms, event skipping) must write exactly what the incremental
engine (every worker on every bar) writes: ``trades.csv`` and ``metrics.json`` byte
for byte, and every journal row, ids included. This module is the comparison the
parity suite (``tests/parity/``) asserts with, and a tool for whoever changes an
engine:

    python -m tools.engine_parity blueprints/ema_trend.yaml --data data/EURUSD_1h.csv

runs both modes through ``stc run`` (operations too: every strategy folder is
compared) and prints the first difference of each artefact, or ``same``; exit 1 on a
difference.

A difference names the artefact (file or journal table), the first differing row (its
number and its id), the field (for a JSON cell, the path inside it) and both values:
the first place an engine went wrong, not a digest. The journal is read through its
public reader (:meth:`stc.runtime.journal.Journal.rows`, every table of
``journal.TABLES``, and :meth:`~stc.runtime.journal.Journal.meta` without the
``engine`` key, which records the mode and is the one row allowed to differ).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MODES = ("fast", "incremental")
"""The engine modes, the one under test first (``stc.runtime.run_result.EngineMode``)."""
MODE_META = "engine"
"""The journal ``meta`` key that records the mode: the only row the modes may differ in."""
SHOWN = 160
"""Characters of a value a difference message shows (a DTO's JSON can be long)."""

Row = tuple[Any, ...]


@dataclass(frozen=True)
class RunOutputs:
    """What one run wrote, as the comparison reads it."""

    label: str
    """The mode (or any name) the messages call this run by."""
    trades: bytes
    metrics: bytes
    journal: Mapping[str, tuple[tuple[str, ...], list[Row]]]
    """Journal table → (column names, rows in journal order); ``meta`` as (key, value)."""


def read_outputs(folder: Path, label: str) -> RunOutputs:
    """The results a run wrote into ``folder`` (trades.csv, metrics.json, journal)."""
    from stc.runtime.journal import TABLES, Journal

    journal_path = folder / "journal.sqlite"
    names = _column_names(journal_path, TABLES)
    journal = Journal(journal_path, create=False)
    try:
        tables = {table: (names[table], journal.rows(table)) for table in TABLES}
        meta = sorted((k, v) for k, v in journal.meta().items() if k != MODE_META)
    finally:
        journal.close()
    tables["meta"] = (("key", "value"), [tuple(item) for item in meta])
    return RunOutputs(
        label,
        (folder / "trades.csv").read_bytes(),
        (folder / "metrics.json").read_bytes(),
        tables,
    )


def _column_names(path: Path, tables: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """Each table's column names (the reader returns bare tuples)."""
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        return {t: tuple(r[1] for r in db.execute(f'PRAGMA table_info("{t}")')) for t in tables}


def differences(a: RunOutputs, b: RunOutputs) -> list[str]:
    """One message per artefact that differs (its first difference); empty when the
    two runs wrote the same results."""
    found = [
        _csv_difference("trades.csv", a.trades, b.trades, (a.label, b.label)),
        _json_file_difference("metrics.json", a.metrics, b.metrics, (a.label, b.label)),
    ]
    for table in sorted(set(a.journal) | set(b.journal)):
        columns, rows_a = a.journal.get(table, ((), []))
        _, rows_b = b.journal.get(table, ((), []))
        found.append(_rows_difference(f"journal table {table}", columns, rows_a, rows_b,
                                      (a.label, b.label)))  # fmt: skip
    return [message for message in found if message is not None]


def assert_same_results(a: RunOutputs, b: RunOutputs) -> None:
    """AssertionError listing every artefact's first difference (when there is one)."""
    found = differences(a, b)
    if found:
        raise AssertionError(
            f"the {a.label} and {b.label} runs differ:\n" + "\n".join(f"- {m}" for m in found)
        )


# ------------------------------------------------------------------ per artefact
def _csv_difference(name: str, a: bytes, b: bytes, labels: tuple[str, str]) -> str | None:
    if a == b:
        return None
    rows_a, rows_b = _csv_rows(a), _csv_rows(b)
    header = tuple(rows_a[0]) if rows_a else ()
    if rows_a[:1] != rows_b[:1]:
        return _values(f"{name}: the header differs", rows_a[:1], rows_b[:1], labels)
    found = _rows_difference(name, header, rows_a[1:], rows_b[1:], labels, first_row=2)
    return found or _bytes_difference(name, a, b, labels)


def _csv_rows(data: bytes) -> list[Row]:
    return [tuple(row) for row in csv.reader(io.StringIO(data.decode("utf-8", "replace")))]


def _json_file_difference(name: str, a: bytes, b: bytes, labels: tuple[str, str]) -> str | None:
    if a == b:
        return None
    try:
        parsed_a, parsed_b = json.loads(a), json.loads(b)
    except ValueError:
        return _bytes_difference(name, a, b, labels)
    found = _json_difference(parsed_a, parsed_b)
    if found is None:
        return _bytes_difference(name, a, b, labels)
    path, value_a, value_b = found
    return _values(f"{name}: {path}", value_a, value_b, labels)


def _bytes_difference(name: str, a: bytes, b: bytes, labels: tuple[str, str]) -> str:
    """Same content, other bytes (formatting): where the bytes first part."""
    at = next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )
    line = a[:at].count(b"\n") + 1
    return _values(f"{name}: the bytes differ at offset {at} (line {line})",
                   a[at : at + 40], b[at : at + 40], labels)  # fmt: skip


def _rows_difference(
    name: str,
    columns: Sequence[str],
    rows_a: Sequence[Row],
    rows_b: Sequence[Row],
    labels: tuple[str, str],
    first_row: int = 1,
) -> str | None:
    """The first row that differs, and in it the first field (None when equal)."""
    for number, (row_a, row_b) in enumerate(zip(rows_a, rows_b, strict=False), first_row):
        if row_a != row_b:
            return f"{name}: row {number}{_row_id(columns, row_a)}, " + _field_difference(
                columns, row_a, row_b, labels
            )
    if len(rows_a) == len(rows_b):
        return None
    longer, label = (rows_a, labels[0]) if len(rows_a) > len(rows_b) else (rows_b, labels[1])
    extra = longer[min(len(rows_a), len(rows_b))]
    return (
        f"{name}: {labels[0]} has {len(rows_a)} rows, {labels[1]} {len(rows_b)}; the first "
        f"row only {label} has (row {min(len(rows_a), len(rows_b)) + first_row}): "
        f"{_shown(dict(zip(columns, extra, strict=False)) or extra)}"
    )


def _row_id(columns: Sequence[str], row: Row) -> str:
    """`` (trade_id TRD_…)``: the row's own id, so that it can be looked up."""
    for key in ("trade_id", "dto_id", "key", "seq", "flow_id"):
        if key in columns and columns.index(key) < len(row):
            return f" ({key} {row[columns.index(key)]})"
    return ""


def _field_difference(
    columns: Sequence[str], row_a: Row, row_b: Row, labels: tuple[str, str]
) -> str:
    for index in range(max(len(row_a), len(row_b))):
        value_a = row_a[index] if index < len(row_a) else "<missing>"
        value_b = row_b[index] if index < len(row_b) else "<missing>"
        if value_a == value_b:
            continue
        column = columns[index] if index < len(columns) else f"#{index + 1}"
        inner = _json_cell_difference(value_a, value_b)
        if inner is not None:
            path, value_a, value_b = inner
            column = f"{column} at {path}"
        return _values(f"field {column}", value_a, value_b, labels)
    return "rows differ"  # unreachable for rows that differ: kept total


def _json_cell_difference(a: Any, b: Any) -> tuple[str, Any, Any] | None:
    """For two JSON texts (a DTO's fields): the path of the first differing value."""
    if not (isinstance(a, str) and isinstance(b, str) and a[:1] in "{[" and b[:1] in "{["):
        return None
    try:
        return _json_difference(json.loads(a), json.loads(b))
    except ValueError:
        return None


def _json_difference(a: Any, b: Any, path: str = "$") -> tuple[str, Any, Any] | None:
    """The first place two JSON values differ: (path, value in a, value in b)."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in [*a, *(k for k in b if k not in a)]:
            if key not in a or key not in b:
                return f"{path}.{key}", a.get(key, "<missing>"), b.get(key, "<missing>")
            found = _json_difference(a[key], b[key], f"{path}.{key}")
            if found is not None:
                return found
        return None if list(a) == list(b) else (f"{path} (key order)", list(a), list(b))
    if isinstance(a, list) and isinstance(b, list):
        for index, (x, y) in enumerate(zip(a, b, strict=False)):
            found = _json_difference(x, y, f"{path}[{index}]")
            if found is not None:
                return found
        if len(a) != len(b):
            return f"{path} (length)", len(a), len(b)
        return None
    return None if a == b and type(a) is type(b) else (path, a, b)


def _values(where: str, a: Any, b: Any, labels: tuple[str, str]) -> str:
    return f"{where}: {labels[0]} {_shown(a)} != {labels[1]} {_shown(b)}"


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


# ------------------------------------------------------------------ running both modes
def run_both(
    run_mode: Callable[[str, Path], None], out: Path, modes: Sequence[str] = MODES
) -> list[RunOutputs]:
    """Call ``run_mode(mode, folder)`` for each mode (a fresh folder each) and read what
    each run wrote."""
    found = []
    for mode in modes:
        folder = out / mode
        run_mode(mode, folder)
        found.append(read_outputs(folder, mode))
    return found


def cli_runner(file: Path, extra: Sequence[str] = ()) -> Callable[[str, Path], None]:
    """A ``run_mode`` that runs ``stc run FILE --engine MODE EXTRA`` in this process."""

    def run_mode(mode: str, folder: Path) -> None:
        from stc.commands.cli import main

        argv = ["run", str(file), "--out", str(folder), "--quiet", "--engine", mode, *extra]
        with contextlib.redirect_stdout(io.StringIO()):
            code = main(argv)
        if code != 0:
            raise SystemExit(f"stc {' '.join(argv)} exited {code}")

    return run_mode


def compare_cli_runs(file: Path, extra: Sequence[str], out: Path) -> list[str]:
    """Both modes of ``stc run FILE EXTRA`` into ``out/<mode>``; every strategy folder's
    differences (an operation with several strategies writes one folder each)."""
    run_mode = cli_runner(file, extra)
    for mode in MODES:
        run_mode(mode, out / mode)
    found = []
    for folder in sorted(p.parent for p in (out / MODES[0]).rglob("metrics.json")):
        inner = folder.relative_to(out / MODES[0])
        outputs = [read_outputs(out / mode / inner, mode) for mode in MODES]
        prefix = "" if inner == Path() else f"{inner.as_posix()}: "
        found += [prefix + message for message in differences(*outputs)]
    return found


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.engine_parity", description=__doc__)
    parser.add_argument("file", type=Path, help="blueprint or operation")
    parser.add_argument("run_options", nargs=argparse.REMAINDER,
                        help="passed to stc run (e.g. --data FILE --on-bad-bar skip)")  # fmt: skip
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="stc-parity-") as tmp:
        found = compare_cli_runs(args.file, args.run_options, Path(tmp))
    sys.stdout.write("\n".join(found) + "\n" if found else "same\n")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
