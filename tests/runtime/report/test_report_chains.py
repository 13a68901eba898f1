"""The report reads the fills of its trades in one query over the journal's ``links``
(:meth:`stc.runtime.journal.Journal.children_of`): the same ids, in the same order, as one
:meth:`Journal.children` call per trade, and the same chains."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from stc.runtime.journal import FlowRecord, Journal
from stc.runtime.journal_codec import encode_links
from stc.runtime.report.load import read_chains, trade_chain
from tests.runtime.test_journal_links import to_format_0


def test_children_of_many_is_children_of_each(swot_run: tuple[Path, list[str]]) -> None:
    run_dir, trade_ids = swot_run
    reader = Journal(run_dir / "journal.sqlite", create=False)
    try:
        asked = [*trade_ids, trade_ids[0], "TRD_20000101_000000_fffff"]  # a repeat, a stranger
        many = reader.children_of(asked)
        for trade_id in asked:
            assert many.get(trade_id, []) == reader.children(trade_id)
        assert any(len(children) > 1 for children in many.values())
        assert reader.children_of([]) == {}
    finally:
        reader._db.close()


def test_the_report_chains_are_the_per_trade_chains(swot_run: tuple[Path, list[str]]) -> None:
    run_dir, trade_ids = swot_run
    chains = read_chains(run_dir, trade_ids)[0]
    reader = Journal(run_dir / "journal.sqlite", create=False)
    try:
        for trade_id in trade_ids:
            expected = trade_chain(reader, trade_id)
            assert chains[trade_id] == expected
            assert [s.label for s in expected.steps].count("fill") >= 1
    finally:
        reader._db.close()


def _view_children(path: Path) -> dict[str, list[str]]:
    """Every parent's children as the ``links`` view orders them (``seq``)."""
    out: dict[str, list[str]] = {}
    with sqlite3.connect(path) as db:
        for parent, child in db.execute("SELECT parent, child FROM links ORDER BY seq"):
            out.setdefault(parent, []).append(child)
    return out


def test_children_of_every_parent_is_the_views(swot_run: tuple[Path, list[str]]) -> None:
    """``children_of`` reads the view's base tables (no numbering of every link): for
    every parent of the SWOT journal, asked in chunks and all at once, the view's rows."""
    path = swot_run[0] / "journal.sqlite"
    expected = _view_children(path)
    reader = Journal(path, create=False)
    try:
        assert reader.folded
        assert reader.children_of(sorted(expected)) == expected
        assert len(expected) > 500  # more than one query's worth of ids
    finally:
        reader._db.close()


def test_children_of_pairs_flow_links_and_hostile_ids(tmp_path: Path) -> None:
    """Links made before a flow's first row, (parent, child) pairs, a flow without a
    row (its links in ``flow_links``) and ids JSON must escape: the view's order."""
    hostile = ['Q"uote', "back\\slash", "tab\there", "ünï", "[bracket", "", "a,b"]
    journal = Journal(tmp_path / "j.sqlite", batch=2)
    one = FlowRecord(1, "t1")
    one.link("P0", "B")
    one.dtos.append((1, "A", "Trade", "t", "w", "{}", encode_links(("C1", "P0"))))
    one.link("P0", "TRD_9")
    one.dtos.append((1, "B", "Trade", "t", "w", "{}", encode_links(("A",))))
    two = FlowRecord(2, "t2")  # no DTO row
    two.notes.append((2, "t2", "platform", "n", "{}"))
    two.link("P0", "Q")
    two.link(hostile[0], hostile[1])
    three = FlowRecord(3, "t3")
    three.dtos.append((3, hostile[2], "Trade", "t", "w", "{}", encode_links(tuple(hostile))))
    three.link("A", hostile[3])
    for flow in (one, two, three):
        journal.write(flow)
    journal.close()
    expected = _view_children(tmp_path / "j.sqlite")
    assert expected["P0"] == ["B", "A", "TRD_9", "Q"]
    reader = Journal(tmp_path / "j.sqlite", create=False)
    try:
        assert reader.children_of([*expected, "nobody"]) == expected
        for parent in expected:
            assert reader.children_of([parent]) == {parent: reader.children(parent)}
    finally:
        reader.close()


def test_children_of_a_format_0_journal(swot_run: tuple[Path, list[str]], tmp_path: Path) -> None:
    """A journal written before links were folded (a ``links`` table) answers the same."""
    path = tmp_path / "old.sqlite"
    shutil.copyfile(swot_run[0] / "journal.sqlite", path)
    expected = _view_children(path)
    to_format_0(path)
    reader = Journal(path, create=False)
    try:
        assert not reader.folded
        assert reader.children_of(sorted(expected)) == expected
    finally:
        reader._db.close()
