"""``benchmarks/journal_cost.py`` writes the same recorded flows in several physical
variants: they must be the same journal to every reader, or its A/B compares nothing.
Small sizes: behaviour, not speed."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from types import ModuleType

from stc.runtime.journal import TABLES, Journal
from stc.runtime.journal_codec import references


def _logical(path: Path) -> dict[str, list[tuple[object, ...]]]:
    journal = Journal(path, create=False)
    try:
        return {table: journal.rows(table) for table in TABLES}
    finally:
        journal.close()


def test_the_variants_write_the_same_logical_journal(
    journal_cost: ModuleType, tmp_path: Path
) -> None:
    bench = journal_cost
    trades, flows, _, folder = bench.record(3_000)
    shutil.rmtree(folder)
    assert trades > 10
    full = bench.embedded(flows)
    texts = [r[5] for f in full for r in f.dtos if r[2] == "ExecutionDirective"]
    assert len(texts) == trades and not any(references("ExecutionDirective", t) for t in texts)
    short = [r[5] for f in flows for r in f.dtos if r[2] == "ExecutionDirective"]
    assert all(references("ExecutionDirective", t) for t in short)
    written = {}
    for name, records, link_rows in (("short", flows, False), ("full", full, False),
                                     ("format 2", bench.whole(flows), False),
                                     ("format 0", flows, True)):  # fmt: skip
        journal = Journal(tmp_path / f"{name}.sqlite")
        if link_rows:  # the links as rows of a table, as before session 13
            journal._db.executescript(bench._FORMAT_0)
        journal._db.executescript(bench._OLD_INDEXES if link_rows else bench._INDEXES)
        for flow in records:
            journal.write(flow)
        journal.close()
        written[name] = _logical(tmp_path / f"{name}.sqlite")
    assert written["short"] == written["full"] == written["format 2"] == written["format 0"]
    assert len(written["short"]["links"]) > 10 * trades
    with sqlite3.connect(tmp_path / "short.sqlite") as db:
        stored = db.execute("SELECT sum(length(json)) FROM dtos").fetchone()[0]
    decoded = sum(len(r[6]) for r in written["short"]["dtos"])
    assert stored < decoded - 900 * trades  # plans (session 12), chains (session 14)
    assert {k: len(v) for k, v in bench.journaled(flows).items()}["ExecutionDirective"] == trades
