"""Journal format 3 (issue 23, session 14): a StrategyDirective's causality chain is
stored by reference to its row's ``links`` (``"causality":[c,o,t]``) and every reader
gets, byte for byte, the JSON pydantic writes for the directive. A format-2 journal
(chains in full) reads, explains, digests and resumes in its own layout."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rt_helpers import raw_sql
from test_journal_links import converted_copy, logical, resumed_after_cut, to_format_2

from stc.runtime.dtos.causality import CausalityChain
from stc.runtime.dtos.directives import EntryDirective, StrategyDirective
from stc.runtime.dtos.plans import ExecutionDirective
from stc.runtime.journal import FlowRecord, Journal, JournalError, to_json
from stc.runtime.journal_codec import (
    CHAIN_NOTE,
    EXECUTION,
    NOTE_COLUMNS,
    STRATEGY,
    DanglingReference,
    decode_texts,
    decoded_note,
    decoded_note_rows,
    encode_links,
    encode_strategy,
    execution_json,
    expand_strategy,
    is_compact_strategy,
)
from tools.reference_runs import journal_digest

T0 = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
OWN = "STR_20240102_030405_00009"


def _directive(
    *,
    context: str | None = "CTX_20240102_030405_00001",
    opportunities: tuple[str, ...] = ("OPP_20240102_030405_00002",),
    threats: tuple[str, ...] = (),
    tick: datetime = T0,
    own: str | None = OWN,
    **later: str,
) -> StrategyDirective:
    chain = CausalityChain(
        tick_time=tick, context_assessment_id=context, opportunity_ids=opportunities,
        threat_ids=threats, strategy_directive_id=own, **later,
    )  # fmt: skip
    return StrategyDirective(
        directive_id=OWN, timestamp=T0, causality=chain, confidence=Decimal("0.5"),
        reference_price=Decimal("1.25"),
        entry_directive=EntryDirective(symbol="X", direction="BUY"),
    )  # fmt: skip


def _round_trip(directive: StrategyDirective) -> str:
    """The stored text of ``directive`` (its links as the recorder gives them), decoded."""
    ids = directive.causality.all_ids()
    text = encode_strategy(directive, ids, to_json)
    return str(decode_texts([(1, OWN, STRATEGY, text, encode_links(ids))])[0])


@settings(max_examples=60, deadline=None)
@given(
    context=st.booleans(),
    named=st.booleans(),
    opportunities=st.integers(0, 4),
    threats=st.integers(0, 4),
    later=st.lists(st.text(alphabet="abc", max_size=2), max_size=3),
)
def test_any_chain_a_planner_builds_decodes_to_the_full_json(
    context: bool, named: bool, opportunities: int, threats: int, later: list[str]
) -> None:
    """Any number of opportunities and threats, with or without a context, naming
    itself or not: stored by reference, decoded exactly; later links appended to the
    row change nothing."""
    directive = _directive(
        context="CTX_20240102_030405_00001" if context else None,
        own=OWN if named else None,
        opportunities=tuple(f"OPP_20240102_030405_0001{i}" for i in range(opportunities)),
        threats=tuple(f"THR_20240102_030405_0002{i}" for i in range(threats)),
    )
    ids = directive.causality.all_ids()
    text = encode_strategy(directive, ids, to_json)
    assert is_compact_strategy(text) and len(text) < len(to_json(directive))
    links = encode_links([*ids, *later])
    assert expand_strategy(text, links) == to_json(directive) == directive.model_dump_json()


@pytest.mark.parametrize(
    "directive",
    [
        _directive(entry_plan_id="ENT_20240102_030405_00003"),  # a later id on the chain
        _directive(tick=T0 + timedelta(hours=1)),  # the chain's tick is not the timestamp
        _directive(tick=T0.astimezone(timezone(timedelta(hours=2)))),  # same instant, other offset
        _directive(own="STR_20240102_030405_00001"),  # the chain names another directive
        _directive(context=None, opportunities=(), own="STR_20240102_030405_00001"),
        _directive(execution_directive_id="EXE_20240102_030405_00004"),
    ],
)
def test_a_chain_the_links_cannot_say_is_stored_whole(directive: StrategyDirective) -> None:
    ids = directive.causality.all_ids()
    assert encode_strategy(directive, ids, to_json) == to_json(directive)
    assert _round_trip(directive) == to_json(directive)


def test_ids_json_would_escape_or_other_links_keep_the_full_form() -> None:
    """Ids are written between quotes as they are only when JSON would not escape them
    (built without validation, an id may hold anything); links that are not the chain
    (another caller's) keep the full form too."""
    chain = CausalityChain.model_construct(
        tick_time=T0, context_assessment_id='CTX_"1', opportunity_ids=(), threat_ids=(),
        strategy_directive_id=OWN, entry_plan_id=None, size_plan_id=None, exit_plan_id=None,
        routing_plan_id=None, execution_directive_id=None,
    )  # fmt: skip
    odd = _directive().model_copy(update={"causality": chain})
    assert encode_strategy(odd, chain.all_ids(), to_json) == to_json(odd)
    plain = _directive()
    assert encode_strategy(plain, ("CTX_x", OWN), to_json) == to_json(plain)


def test_a_chain_whose_links_are_gone_is_a_damaged_journal(tmp_path: Path) -> None:
    directive = _directive()
    text = encode_strategy(directive, directive.causality.all_ids(), to_json)
    with pytest.raises(DanglingReference):
        expand_strategy(text, None)
    with pytest.raises(DanglingReference):
        expand_strategy(text, encode_links(("CTX_20240102_030405_00001",)))
    path = tmp_path / "j.sqlite"
    journal = Journal(path)
    flow = FlowRecord(1, "t")
    flow.dtos.append((1, OWN, STRATEGY, "t", "w", text, None))
    journal.write(flow)
    journal.close()
    reader = Journal(path, create=False)
    with pytest.raises(JournalError, match="damaged"):
        reader.dto(OWN)
    with pytest.raises(JournalError, match="damaged"):
        reader.rows("dtos")
    reader.close()


def test_links_made_before_a_directive_first_in_its_flow_keep_its_chain(tmp_path: Path) -> None:
    """A link made before a flow's first row is put first on that row; a directive
    there is stored in full (its chain counts from the row's first link), read the same."""
    directive = _directive()
    ids = directive.causality.all_ids()
    journal = Journal(tmp_path / "j.sqlite")
    flow = FlowRecord(1, "t")
    flow.link("TRD_20240102_030405_0000a/F1", "OPP_20240102_030405_00002")
    text = encode_strategy(directive, ids, to_json)
    flow.dtos.append((1, OWN, STRATEGY, "t", "w", text, encode_links(ids)))
    journal.write(flow)
    journal.close()
    reader = Journal(tmp_path / "j.sqlite", create=False)
    assert reader.rows("dtos")[0][6] == to_json(directive)
    found = reader.dto(OWN)
    assert found is not None and found[3] == directive.model_dump(mode="json")
    assert [r[2:] for r in reader.rows("links")] == [
        ("TRD_20240102_030405_0000a/F1", "OPP_20240102_030405_00002"),
        *((parent, OWN) for parent in ids),
    ]
    reader.close()


def test_a_run_stores_its_directives_chains_by_reference(swot_run: tuple[Path, list[str]]) -> None:
    """Every planner directive of the SWOT run is stored short; every reader gets the
    JSON pydantic writes for it (validated back from the decoded text)."""
    path = swot_run[0] / "journal.sqlite"
    stored = dict(raw_sql(path, "SELECT seq, json FROM dtos WHERE type = ?", STRATEGY))
    assert stored and all(is_compact_strategy(text) for text in stored.values())
    journal = Journal(path, create=False)
    try:
        decoded = {r[0]: r for r in journal.rows("dtos") if r[0] in stored}
        for seq, text in stored.items():
            full = decoded[seq][6]
            assert len(text) < len(full) - 250
            assert StrategyDirective.model_validate_json(full).model_dump_json() == full
    finally:
        journal.close()


def test_a_format_2_journal_reads_explains_digests_and_resumes_in_its_layout(
    swot_run: tuple[Path, list[str]], tmp_path: Path
) -> None:
    out = swot_run[0]
    old = converted_copy(swot_run, tmp_path / "old", to_format_2)
    result = resumed_after_cut(old, 2)
    assert result.paths["trades"].read_bytes() == (out / "trades.csv").read_bytes()
    assert raw_sql(old / "journal.sqlite", "PRAGMA user_version") == [(2,)]
    texts = raw_sql(old / "journal.sqlite", "SELECT json FROM dtos WHERE type = ?", STRATEGY)
    assert texts and not any(is_compact_strategy(text) for (text,) in texts)
    notes = raw_sql(old / "journal.sqlite", "SELECT json FROM notes WHERE note = ?", CHAIN_NOTE)
    assert notes and all(text.startswith("{") for (text,) in notes)
    assert logical(old / "journal.sqlite") == logical(out / "journal.sqlite")


def test_a_format_3_run_resumes_to_the_same_rows(
    swot_run: tuple[Path, list[str]], tmp_path: Path
) -> None:
    """Cut mid-run, resumed: the replay's check decodes the recorded directives' chains."""
    out, _ = swot_run
    run_dir = tmp_path / "run"
    shutil.copytree(out, run_dir)
    resumed_after_cut(run_dir, 3)
    assert raw_sql(run_dir / "journal.sqlite", "PRAGMA user_version") == [(3,)]
    assert logical(run_dir / "journal.sqlite") == logical(out / "journal.sqlite")
    assert journal_digest(run_dir / "journal.sqlite") == journal_digest(out / "journal.sqlite")


def test_a_run_notes_its_decision_chains_by_reference(swot_run: tuple[Path, list[str]]) -> None:
    """Each decision_chain note is stored as its directive's id; read, it is the note
    the FlowTerminator makes from the directive (every id, tick → execution)."""
    path = swot_run[0] / "journal.sqlite"
    stored = dict(raw_sql(path, "SELECT seq, json FROM notes WHERE note = ?", CHAIN_NOTE))
    assert stored and all(json.loads(text).startswith("EXE_") for text in stored.values())
    journal = Journal(path, create=False)
    try:
        notes = {row[0]: row for row in journal.rows("notes") if row[0] in stored}
        for seq, text in stored.items():
            exe_id = json.loads(text)
            found = journal.dto(exe_id)
            assert found is not None
            exe = ExecutionDirective.model_validate(found[3])
            fields = {
                "execution_directive_id": exe_id,
                "tick_time": exe.causality.tick_time.isoformat(),
                "ids": list(exe.causality.all_ids()),
            }
            assert notes[seq][5] == to_json(fields)
            assert journal.flow_notes(exe_id, CHAIN_NOTE) == [json.loads(to_json(fields))]
    finally:
        journal.close()


def test_a_chain_note_of_a_directive_not_journaled_in_its_flow_is_whole(tmp_path: Path) -> None:
    """The note is by reference only to the very directive journaled in this flow, at
    its tick; otherwise (another tick, not journaled, a journal closed in between) whole."""
    from rt_helpers import directive as execution

    from stc.runtime.dtos.ids import IdFactory
    from stc.runtime.dtos.market import LazyContext
    from stc.runtime.flow_recorder import FlowRecorder
    from stc.runtime.platform.planning_aggregator import PlanningAggregator

    exe = execution()
    whole = to_json(
        {
            "execution_directive_id": exe.directive_id,
            "tick_time": exe.causality.tick_time.isoformat(),
            "ids": list(exe.causality.all_ids()),
        }
    )
    context = LazyContext("X", {})
    planning = PlanningAggregator(IdFactory(8))
    recorder = FlowRecorder(Journal(tmp_path / "j.sqlite"), context, planning, "h")
    recorder.rec = FlowRecord(1, exe.causality.tick_time.isoformat())
    recorder.decision_chain(exe)  # not journaled in this flow
    assert recorder.rec.notes[-1][4] == whole
    recorder._execution = exe
    recorder.decision_chain(exe)
    assert recorder.rec.notes[-1][4] == f'"{exe.directive_id}"'
    recorder.rec = FlowRecord(2, "2099-01-01T00:00:00+00:00")  # another tick
    recorder.decision_chain(exe)
    assert recorder.rec.notes[-1][4] == whole


def test_a_chain_note_whose_directive_is_gone_is_a_damaged_journal(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    journal = Journal(path)
    flow = FlowRecord(1, "t")
    flow.dtos.append((1, "CTX_1", "AggregatedContextAssessment", "t", "w", "{}", None))
    flow.notes.append((1, "t", "platform", CHAIN_NOTE, '"EXE_20240101_000000_00009"'))
    journal.write(flow)
    journal.close()
    reader = Journal(path, create=False)
    with pytest.raises(JournalError, match="damaged"):
        reader.rows("notes")
    with pytest.raises(JournalError, match="damaged"):
        reader.flow_notes("CTX_1", CHAIN_NOTE)
    reader.close()


def _notes_one_query_a_note(path: Path) -> list[tuple[Any, ...]]:
    """The notes as session 14 read them: one query a by-reference chain note."""
    with sqlite3.connect(path) as db:
        rows = db.execute(f"SELECT {NOTE_COLUMNS} FROM notes ORDER BY seq").fetchall()
        return [decoded_note(row, partial(execution_json, db)) for row in rows]


def _notes_joined(path: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as db:
        return list(decoded_note_rows(db))


def test_the_notes_read_in_one_query_are_the_notes_read_one_by_one(
    swot_run: tuple[Path, list[str]], tmp_path: Path
) -> None:
    """The real run's notes, joined to their directives in one query, equal the
    per-note lookups row for row, with the lookup index and without it (a killed run's
    journal: SQLite indexes the join itself)."""
    path = swot_run[0] / "journal.sqlite"
    expected = _notes_one_query_a_note(path)
    chains = [row for row in expected if row[4] == CHAIN_NOTE]
    assert len(chains) >= 10 and all(row[5].startswith("{") for row in chains)
    assert _notes_joined(path) == expected
    bare = tmp_path / "bare.sqlite"
    shutil.copyfile(path, bare)
    with sqlite3.connect(bare) as db:
        db.execute("DROP INDEX dtos_by_id")
    assert _notes_joined(bare) == expected


def _execution_text(version: int) -> str:
    """An ExecutionDirective record as far as a chain note reads it (its causality)."""
    chain = {
        "tick_time": "t",
        "context_assessment_id": f"CTX_{version}",
        "opportunity_ids": [f"OPP_{version}"],
        "threat_ids": [],
        "strategy_directive_id": "STR_1",
        "entry_plan_id": None,
        "size_plan_id": None,
        "exit_plan_id": None,
        "routing_plan_id": None,
        "execution_directive_id": None,
    }
    return json.dumps({"directive_id": "EXE_A", "causality": chain})


def test_a_joined_note_takes_its_own_flows_latest_directive(tmp_path: Path) -> None:
    """The join resolves as the per-note lookup: the latest ExecutionDirective row of
    the id in the note's flow, never another flow's or another type's row; an id
    stored with a JSON escape (no writer makes one) is looked up on its own."""
    path = tmp_path / "j.sqlite"
    journal = Journal(path)
    for flow_id, versions in ((1, (1, 2)), (2, (3,)), (3, ())):
        flow = FlowRecord(flow_id, "t")
        for version in versions:
            text = _execution_text(version)
            flow.dtos.append((flow_id, "EXE_A", EXECUTION, "t", "w", text, None))
        flow.dtos.append((flow_id, "EXE_A", "Trade", "t", "w", "{}", None))
        flow.notes.append((flow_id, "t", "platform", "flow_ended", '{"reason":"x"}'))
        if versions:
            flow.notes.append((flow_id, "t", "platform", CHAIN_NOTE, '"EXE_A"'))
            flow.notes.append((flow_id, "t", "platform", CHAIN_NOTE, '"EXE_\\u0041"'))
        journal.write(flow)
    journal.close()
    expected = _notes_one_query_a_note(path)
    chains = [json.loads(row[5]) for row in expected if row[4] == CHAIN_NOTE]
    assert [chain["ids"][0] for chain in chains] == ["CTX_2", "CTX_2", "CTX_3", "CTX_3"]
    assert _notes_joined(path) == expected
    with sqlite3.connect(path) as db:  # a flow whose directive is gone
        db.execute("INSERT INTO notes (flow_id, tick_time, worker, note, json) "
                   "VALUES (3, 't', 'platform', ?, '\"EXE_A\"')", (CHAIN_NOTE,))  # fmt: skip
    with pytest.raises(DanglingReference):
        _notes_joined(path)
