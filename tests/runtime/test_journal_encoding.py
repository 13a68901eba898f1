"""The journal's compact encoding and late indexes (issue 23, session 12): an
ExecutionDirective stores its four plans by reference and every reader sees the full
record; a backtest builds the lookup indexes when it closes, a reader of a journal
without them (a killed run's) on its first lookup."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from rt_helpers import EURUSD, PLUGIN_ROOTS, directive, raw_sql, wiring

from stc.runtime.api import explain, run
from stc.runtime.dtos.plans import ExecutionDirective
from stc.runtime.journal import FlowRecord, Journal, JournalError, to_json
from stc.runtime.journal_codec import PLAN_FIELDS, decode_texts, encode_execution, references

INDEXES = {"dtos_by_id"}
"""A folded journal's (format 2) lookup index; its links are read in one pass."""


def _indexes(path: Path) -> set[str]:
    query = "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
    return {r[0] for r in raw_sql(path, query)}


def test_execution_directives_are_stored_by_reference_and_read_whole(
    swot_run: tuple[Path, list[str]],
) -> None:
    """What is stored is the short form; what every reader gets is exactly the JSON
    pydantic itself writes for the directive (validated back from the decoded text)."""
    journal_path = swot_run[0] / "journal.sqlite"
    stored = raw_sql(journal_path, "SELECT seq, json FROM dtos WHERE type = 'ExecutionDirective'")
    assert stored and all(references("ExecutionDirective", text) for _, text in stored)
    journal = Journal(journal_path, create=False)
    try:
        decoded = {r[0]: r for r in journal.rows("dtos")}
        for seq, text in stored:
            full = decoded[seq][6]
            assert len(text) < len(full) - 400
            model = ExecutionDirective.model_validate_json(full)
            assert model.model_dump_json() == full
            found = journal.dto(decoded[seq][2])
            assert found is not None and found[3] == json.loads(full)
    finally:
        journal.close()


def test_the_reference_form_needs_the_very_plan_objects_journaled() -> None:
    """A plan not journaled in the flow, or an equal copy of it, keeps the full form."""
    exe = directive(limit="100", order_type="LIMIT")
    plans = [getattr(exe, name) for name in PLAN_FIELDS]
    journaled = {p.plan_id: (p, to_json(p)) for p in plans}
    short = encode_execution(exe, journaled, to_json)
    assert references("ExecutionDirective", short) == tuple(p.plan_id for p in plans)
    rows = [(1, p.plan_id, type(p).__name__, text) for p, text in journaled.values()]
    texts = decode_texts([*rows, (1, exe.directive_id, "ExecutionDirective", short)])
    assert texts[-1] == exe.model_dump_json()
    assert encode_execution(exe, dict(list(journaled.items())[:3]), to_json) == to_json(exe)
    copied = {
        **journaled,
        plans[0].plan_id: (plans[0].model_copy(), journaled[plans[0].plan_id][1]),
    }
    assert encode_execution(exe, copied, to_json) == exe.model_dump_json()


def test_a_journal_in_the_full_form_reads_the_same(
    swot_run: tuple[Path, list[str]], tmp_path: Path
) -> None:
    """A journal written before the compact encoding (plans embedded) gives the same
    rows and the same ``explain`` text."""
    out, trades = swot_run
    old = tmp_path / "journal.sqlite"
    old.write_bytes((out / "journal.sqlite").read_bytes())
    for name in ("trades.csv", "metrics.json", "wiring_map.yaml"):
        if (out / name).is_file():
            (tmp_path / name).write_bytes((out / name).read_bytes())
    journal = Journal(old, create=False)
    rows = journal.rows("dtos")
    journal.close()
    with sqlite3.connect(old) as db:
        for seq, _, _, dto_type, _, _, text in rows:
            if dto_type == "ExecutionDirective":
                db.execute("UPDATE dtos SET json = ? WHERE seq = ?", (text, seq))
    assert not any(
        references("ExecutionDirective", t) for (t,) in raw_sql(old, "SELECT json FROM dtos")
    )
    journal = Journal(old, create=False)
    assert journal.rows("dtos") == rows
    journal.close()
    assert explain(tmp_path, trades[0]) == explain(out, trades[0])


def test_a_reference_to_a_missing_plan_is_a_damaged_journal(
    swot_run: tuple[Path, list[str]], tmp_path: Path
) -> None:
    out, trades = swot_run
    (tmp_path / "journal.sqlite").write_bytes((out / "journal.sqlite").read_bytes())
    with sqlite3.connect(tmp_path / "journal.sqlite") as db:
        db.execute("DELETE FROM dtos WHERE type = 'RoutingPlan'")
    with pytest.raises(JournalError, match=r"routing_plan ROU_\w+ .* is not journaled.*damaged"):
        explain(tmp_path, trades[0])
    journal = Journal(tmp_path / "journal.sqlite", create=False)
    with pytest.raises(JournalError, match="damaged"):
        journal.rows("dtos")
    journal.close()


def _flow(flow_id: int) -> FlowRecord:
    record = FlowRecord(flow_id, f"2024-01-01T0{flow_id}:00:00+00:00")
    record.dtos.append((flow_id, f"TRD_{flow_id}", "Trade", record.tick_time, "h", "{}", None))
    record.link(f"EXE_{flow_id}", f"TRD_{flow_id}")
    return record


def test_a_backtest_builds_its_indexes_when_it_closes(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    journal = Journal(path, batch=1)
    journal.write(_flow(1))
    assert _indexes(path) == set()  # not maintained while the run writes
    journal.close()
    assert _indexes(path) == INDEXES


def test_a_killed_runs_journal_gets_its_indexes_on_the_first_lookup(tmp_path: Path) -> None:
    """A run killed before ``close``: its committed flows are there and a reader finds
    them, indexed from its first lookup on."""
    path = tmp_path / "j.sqlite"
    writer = Journal(path, batch=1)
    writer.write(_flow(1))
    writer.write(_flow(2))  # committed; the writer never closes (killed)
    reader = Journal(path, create=False)
    assert _indexes(path) == set()
    assert reader.children("EXE_2") == ["TRD_2"]
    assert reader.dto("TRD_1") == ("Trade", "2024-01-01T01:00:00+00:00", "h", {})
    assert _indexes(path) == INDEXES
    plan = raw_sql(path, "EXPLAIN QUERY PLAN SELECT * FROM dtos WHERE dto_id = 'x'")
    assert "dtos_by_id" in str(plan)
    reader._db.close()
    writer._db.close()


def test_a_durable_journal_is_indexed_from_the_start(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    journal = Journal(path, durable=True)
    assert _indexes(path) == INDEXES
    journal.close()


def test_a_new_journal_has_8_kib_pages_in_wal_mode(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite")
    journal.write(_flow(1))
    journal.close()
    assert raw_sql(tmp_path / "j.sqlite", "PRAGMA page_size") == [(8192,)]
    assert raw_sql(tmp_path / "j.sqlite", "PRAGMA journal_mode") == [("wal",)]


def test_a_journal_in_the_full_form_resumes(
    swot_run: tuple[Path, list[str]], tmp_path: Path
) -> None:
    """A run killed under the previous encoding (plans embedded) resumes under this one:
    the replay compares decoded records, and the result equals the uninterrupted run."""
    from tools.kill_resume import cut_after

    out, _ = swot_run
    run_dir = tmp_path / "run"
    shutil.copytree(out, run_dir)
    journal = Journal(run_dir / "journal.sqlite", create=False)
    rows = journal.rows("dtos")
    journal.close()
    executions = [r for r in rows if r[3] == "ExecutionDirective"]
    with sqlite3.connect(run_dir / "journal.sqlite") as db:
        for seq, *_, text in executions:
            db.execute("UPDATE dtos SET json = ? WHERE seq = ?", (text, seq))
    cut_after(run_dir, executions[len(executions) // 2][1])  # its last flow: a full record
    result = run(wiring("swot"), data=EURUSD, out_dir=run_dir, plugin_roots=PLUGIN_ROOTS,
                 resume=True)  # fmt: skip
    assert result.paths["trades"].read_bytes() == (out / "trades.csv").read_bytes()
    resumed = Journal(run_dir / "journal.sqlite", create=False)
    assert resumed.rows("dtos") == rows
    resumed.close()
