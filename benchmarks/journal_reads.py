"""CPU of the journal's whole-table reads of notes: what the reference digests, the
parity checks and ``Journal.rows("notes")`` pay on a large journal.

A format-3 journal stores each trade's ``decision_chain`` note by reference to its
ExecutionDirective's row (:mod:`stc.runtime.journal_codec`); reading the notes makes
each one whole from that row. Timed here, best of ``--repeat`` in CPU time
(``time.process_time``), on a copy of the given journal:

- ``decoded_note_rows``: every ``notes`` row decoded (a list of them), on the journal
  as a finished backtest leaves it (lookup index on ``dtos.dto_id``);
- ``Journal.rows("notes")``: the same through the reader class;
- ``no index``: ``decoded_note_rows`` on a copy without the lookup index (a killed
  run's journal, read by a tool that does not build indexes);
- ``notes only``: the bare ``SELECT`` of the notes, for scale.

Usage: ``python benchmarks/journal_reads.py JOURNAL [--repeat 5]``; make a journal
with ``stc run blueprints/ema_trend.yaml --data 1M.csv --out DIR`` (the data from
``python benchmarks/backtesting_whole.py --write 1000000 1M.csv``).
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import stc.runtime as runtime
from stc.runtime.journal import Journal
from stc.runtime.journal_codec import NOTE_COLUMNS, decoded_note_rows


def _best(run: Callable[[], int], repeat: int) -> tuple[float, int]:
    """Best CPU seconds of ``repeat`` calls, and what the last call counted."""
    best, count = float("inf"), 0
    for _ in range(repeat):
        start = time.process_time()
        count = run()
        best = min(best, time.process_time() - start)
    return best, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("journal", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        indexed = Path(tmp) / "indexed.sqlite"
        bare = Path(tmp) / "bare.sqlite"
        shutil.copyfile(args.journal, indexed)
        shutil.copyfile(args.journal, bare)
        with sqlite3.connect(bare) as db:
            db.execute("DROP INDEX IF EXISTS dtos_by_id")
        db = sqlite3.connect(indexed)
        db_bare = sqlite3.connect(bare)
        reader = Journal(indexed, create=False)
        chains = db.execute("SELECT count(*) FROM notes WHERE note = 'decision_chain'")
        print(f"journal {args.journal}: {chains.fetchone()[0]} decision_chain notes")
        print(f"runtime: {runtime.native_status()}, best of {args.repeat}, CPU seconds\n")
        cases: list[tuple[str, Callable[[], int]]] = [
            ("decoded_note_rows", lambda: len(list(decoded_note_rows(db)))),
            ('Journal.rows("notes")', lambda: len(reader.rows("notes"))),
            ("decoded_note_rows, no index", lambda: len(list(decoded_note_rows(db_bare)))),
            (
                "notes only (SELECT)",
                lambda: len(db.execute(f"SELECT {NOTE_COLUMNS} FROM notes").fetchall()),
            ),
        ]
        print("| read | rows | CPU s |\n|---|---:|---:|")
        for name, run in cases:
            seconds, rows = _best(run, args.repeat)
            print(f"| {name} | {rows:,} | {seconds:.3f} |")
        reader._db.close()
        db.close()
        db_bare.close()


if __name__ == "__main__":
    main()
