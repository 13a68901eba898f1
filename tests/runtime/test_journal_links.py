"""Journal format 2 (issue 23, session 13): causality links are stored on the row of
the DTO they were made with (``dtos.links``), and the ``links`` VIEW gives every reader
the rows the old table held, ``seq`` included. A format-0 journal (a ``links`` table)
reads, explains, digests and resumes the same."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rt_helpers import EURUSD, PLUGIN_ROOTS, raw_sql, wiring

from stc.runtime.api import RunResult, explain, run
from stc.runtime.journal import TABLES, FlowRecord, Journal
from stc.runtime.journal_codec import (
    CHAIN_NOTE,
    STRATEGY,
    decoded_note_rows,
    encode_links,
    expand_strategy,
    is_compact_strategy,
    link_items,
)
from tools.kill_resume import cut_after
from tools.reference_runs import journal_digest

HOSTILE = ['Q"uote', "back\\slash", "tab\there", "ünï", "[bracket", "", "a,b"]
"""Ids the plain join cannot write as is (or that look like its syntax)."""


def logical(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every logical table of the journal at ``path``, as ``Journal.rows`` reads it."""
    journal = Journal(path, create=False)
    try:
        return {table: journal.rows(table) for table in TABLES}
    finally:
        journal.close()


def converted_copy(
    swot_run: tuple[Path, list[str]], folder: Path, convert: Callable[[Path], None]
) -> Path:
    """``folder``: a copy of the run's folder, its journal rewritten by ``convert`` (an
    older layout), checked to read, digest and explain as the run's own."""
    out, trades = swot_run
    shutil.copytree(out, folder)
    convert(folder / "journal.sqlite")
    assert logical(folder / "journal.sqlite") == logical(out / "journal.sqlite")
    assert journal_digest(folder / "journal.sqlite") == journal_digest(out / "journal.sqlite")
    for trade in trades[:5]:
        assert explain(folder, trade) == explain(out, trade)
    return folder


def resumed_after_cut(folder: Path, part: int) -> RunResult:
    """The SWOT run in ``folder`` cut after its first ``1/part`` of flows (a killed
    run), then resumed."""
    flows = raw_sql(folder / "journal.sqlite", "SELECT count(*) FROM flows")[0][0]
    cut_after(folder, flows // part)
    return run(wiring("swot"), data=EURUSD, out_dir=folder, plugin_roots=PLUGIN_ROOTS,
               resume=True)  # fmt: skip


def to_format_2(path: Path) -> None:
    """Rewrite a format-3 journal in the layout written before it: every
    StrategyDirective's chain and every decision_chain note in full, version 2."""
    with sqlite3.connect(path) as db:
        rows = list(db.execute("SELECT seq, json, links FROM dtos WHERE type = ?", (STRATEGY,)))
        for seq, text, links in rows:
            if is_compact_strategy(text):
                db.execute(
                    "UPDATE dtos SET json = ? WHERE seq = ?", (expand_strategy(text, links), seq)
                )
        notes = [(row[5], row[0]) for row in decoded_note_rows(db) if row[4] == CHAIN_NOTE]
        db.executemany("UPDATE notes SET json = ? WHERE seq = ?", notes)
        db.execute("PRAGMA user_version = 2")


def to_format_0(path: Path) -> None:
    """Rewrite a folded journal in the layout written before format 2: a ``links``
    table with the view's rows, ``dtos`` without its ``links`` column, no version."""
    to_format_2(path)
    with sqlite3.connect(path) as db:
        rows = list(db.execute("SELECT * FROM links ORDER BY seq"))
        db.executescript(
            "DROP VIEW links; DROP TABLE flow_links; DROP INDEX IF EXISTS dtos_by_id;"
            "ALTER TABLE dtos DROP COLUMN links; PRAGMA user_version = 0;"
            "CREATE TABLE links (seq INTEGER PRIMARY KEY, flow_id INTEGER, parent TEXT, "
            "child TEXT);"
        )
        db.executemany("INSERT INTO links VALUES (?, ?, ?, ?)", rows)


def _row(flow_id: int, dto_id: str, parents: tuple[str, ...] = ()) -> Any:
    return (flow_id, dto_id, "Trade", "t", "w", "{}", encode_links(parents))


def test_the_view_gives_the_links_in_the_order_they_were_made(tmp_path: Path) -> None:
    """Parents on the row, links added to the latest row, pairs whose child is another
    id, links made before a flow's first row and a flow with no row at all: the view's
    rows (seq counted over the whole journal) are the links in the order made."""
    made: list[tuple[int, str, str]] = []
    journal = Journal(tmp_path / "j.sqlite", batch=2)
    one = FlowRecord(1, "t1")
    one.link("P0", "B")  # before any row: put first on the flow's first row
    one.dtos.append(_row(1, "A", ("C1", "C2")))
    one.link("X", "A")
    one.link("Y", "TRD_9")
    one.dtos.append(_row(1, "B", ("A",)))
    made += [(1, "P0", "B"), (1, "C1", "A"), (1, "C2", "A"), (1, "X", "A"), (1, "Y", "TRD_9")]
    made += [(1, "A", "B")]
    two = FlowRecord(2, "t2")  # no DTO row: its links live in flow_links
    two.notes.append((2, "t2", "platform", "n", "{}"))
    two.link("P", "Q")
    two.link(HOSTILE[0], HOSTILE[1])
    made += [(2, "P", "Q"), (2, HOSTILE[0], HOSTILE[1])]
    three = FlowRecord(3, "t3")
    three.dtos.append(_row(3, HOSTILE[2], tuple(HOSTILE)))
    three.link("Z", HOSTILE[3])
    made += [(3, parent, HOSTILE[2]) for parent in HOSTILE] + [(3, "Z", HOSTILE[3])]
    for flow in (one, two, three):
        journal.write(flow)
    journal.close()
    reader = Journal(tmp_path / "j.sqlite", create=False)
    assert reader.rows("links") == [(seq, *row) for seq, row in enumerate(made, start=1)]
    assert reader.children("A") == ["B"]
    assert reader.parents("A") == ["C1", "C2", "X"]
    assert reader.parents(HOSTILE[2]) == HOSTILE
    assert reader.parents(HOSTILE[1]) == [HOSTILE[0]]
    reader.close()
    assert raw_sql(tmp_path / "j.sqlite", "SELECT flow_id FROM flow_links") == [(2,)]


def test_link_texts_round_trip() -> None:
    """The plain join for the platform's ids, JSON for anything else; both decode."""
    assert encode_links(("CTX_1", "OPP_2")) == '["CTX_1","OPP_2"]'
    assert encode_links(()) is None
    for item in [*HOSTILE, ("p", "c"), (HOSTILE[0], HOSTILE[2])]:
        items = ["A", item]
        assert link_items(encode_links(items)) == items


def test_a_run_stores_no_link_rows(swot_run: tuple[Path, list[str]]) -> None:
    """The links are on the rows; the view has them all, each child a journaled id."""
    path = swot_run[0] / "journal.sqlite"
    assert raw_sql(path, "PRAGMA user_version") == [(3,)]
    tables = {r[0] for r in raw_sql(path, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "links" not in tables
    links = raw_sql(path, "SELECT seq, parent, child FROM links ORDER BY seq")
    assert [r[0] for r in links] == list(range(1, len(links) + 1))
    dto_ids = {r[0] for r in raw_sql(path, "SELECT dto_id FROM dtos")}
    assert links and all(r[2] in dto_ids or r[2].startswith("TRD_") for r in links)
    stored = raw_sql(path, "SELECT count(*) FROM dtos WHERE links IS NOT NULL")[0][0]
    assert 0 < stored < len(links)


def test_a_format_0_journal_reads_explains_and_digests_the_same(
    swot_run: tuple[Path, list[str]], tmp_path: Path
) -> None:
    out = swot_run[0]
    old = converted_copy(swot_run, tmp_path / "old", to_format_0)
    new_reader = Journal(out / "journal.sqlite", create=False)
    old_reader = Journal(old / "journal.sqlite", create=False)
    for _, _, parent, child in new_reader.rows("links")[:200]:
        assert old_reader.children(parent) == new_reader.children(parent)
        assert old_reader.parents(child) == new_reader.parents(child)
    new_reader.close()
    old_reader.close()


def test_a_format_0_journal_resumes_in_its_own_layout(
    swot_run: tuple[Path, list[str]], tmp_path: Path
) -> None:
    """A run killed before format 2 existed resumes into its own layout (link rows in
    its ``links`` table) and ends with the uninterrupted run's rows."""
    out, _ = swot_run
    run_dir = tmp_path / "run"
    shutil.copytree(out, run_dir)
    to_format_0(run_dir / "journal.sqlite")
    result = resumed_after_cut(run_dir, 2)
    assert result.paths["trades"].read_bytes() == (out / "trades.csv").read_bytes()
    assert raw_sql(run_dir / "journal.sqlite", "PRAGMA user_version") == [(0,)]
    texts = raw_sql(run_dir / "journal.sqlite", "SELECT json FROM dtos WHERE type = ?", STRATEGY)
    assert texts and not any(is_compact_strategy(text) for (text,) in texts)
    assert logical(run_dir / "journal.sqlite") == logical(out / "journal.sqlite")


def test_lookups_see_the_flows_written_after_them(tmp_path: Path) -> None:
    """``parents``/``children`` of a folded journal answer from an indexed copy of the
    view (kept in SQLite, not in Python dicts: the reader's memory stays flat); a flow
    written after a lookup is seen by the next one, and a read-only reader can look up."""
    journal = Journal(tmp_path / "j.sqlite", batch=1)
    one = FlowRecord(1, "t1")
    one.dtos.append(_row(1, "B", ("A",)))
    journal.write(one)
    assert journal.children("A") == ["B"]
    two = FlowRecord(2, "t2")
    two.dtos.append(_row(2, "C", ("A", "B")))
    journal.write(two)
    assert journal.children("A") == ["B", "C"]
    assert journal.parents("C") == ["A", "B"]
    journal.close()
    reader = Journal(tmp_path / "j.sqlite", create=False)
    assert reader.children("B") == ["C"]
    assert reader.parents("Z") == []
    reader.close()
    assert (
        raw_sql(
            tmp_path / "j.sqlite", "SELECT name FROM sqlite_master WHERE name LIKE 'link_lookup%'"
        )
        == []
    )
