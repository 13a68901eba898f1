"""The report reads the fills of its trades in one query over the journal's ``links``
(:meth:`stc.runtime.journal.Journal.children_of`): the same ids, in the same order, as one
:meth:`Journal.children` call per trade, and the same chains."""

from __future__ import annotations

from pathlib import Path

from stc.runtime.journal import Journal
from stc.runtime.report.load import read_chains, trade_chain


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
