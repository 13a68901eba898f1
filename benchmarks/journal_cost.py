"""What a round-trip trade costs the journal, and what each of session 12's physical
changes saves, measured in one process on the same recorded flows.

One ``ema_trend`` run on ``--bars`` seeded bars (``runtime_throughput.synthetic_bars``)
records its flows (``FlowRecord``) and the DTOs it journaled. Then, untimed parts aside:

- **rows and bytes**: rows a trade by table, the journal file's bytes a trade, the
  ``dtos.json`` bytes a trade (stored and decoded);
- **JSON**: µs to encode each journaled DTO type (``journal.to_json``; the
  ExecutionDirective also by reference, ``journal_codec.encode_execution``, the
  StrategyDirective with its chain by reference, ``encode_strategy``);
- **SQLite writes**: the recorded flows written again into a fresh journal, whole
  (``Journal.write`` … ``close``, indexes and checkpoint included), best of
  ``--repeat`` in CPU time, for four variants: as written now; with the lookup indexes
  maintained from the start; with the chains and decision notes whole (format 2); with
  the plans embedded in the ExecutionDirective; with SQLite's default 4 KiB pages; all
  three (the journal as session 11 wrote it); links as rows (format 0).
  Variants alternate round by round, so a load change hits all of them.

Usage: ``python benchmarks/journal_cost.py [--bars 20000] [--repeat 5]``. Prints
markdown tables.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from runtime_throughput import ema_plan, synthetic_bars

import stc.runtime as runtime
import stc.runtime.journal as journal_module
from stc.runtime.dtos.directives import StrategyDirective
from stc.runtime.dtos.ledger import Fill, Trade
from stc.runtime.dtos.plans import ExecutionDirective
from stc.runtime.engine import Engine
from stc.runtime.flow_recorder import PARENTS
from stc.runtime.journal import _INDEXES, _OLD_INDEXES, TABLES, FlowRecord, Journal, to_json
from stc.runtime.journal_codec import (
    decode_texts,
    encode_execution,
    encode_strategy,
    full_notes,
    full_rows,
)


class _Recording(Journal):
    """A journal that also keeps every flow it is given."""

    flows: list[FlowRecord]

    def write(self, flow: FlowRecord) -> None:
        self.flows.append(flow)
        super().write(flow)


def record(n: int) -> tuple[int, list[FlowRecord], Path, Path]:
    """Run ema_trend on ``n`` bars: (trades, flows, journal path, its folder)."""
    folder = Path(tempfile.mkdtemp())
    journal = _Recording(folder / "j.sqlite")
    journal.flows = []
    result = Engine(ema_plan(), list(synthetic_bars(n)), journal=journal).run()
    journal.close()
    return len(result.trades), journal.flows, folder / "j.sqlite", folder


def journaled(flows: list[FlowRecord]) -> dict[str, list[Any]]:
    """The journaled DTOs by type, validated back from their decoded records (the same
    serializers as the run's own objects; notes as their dicts)."""
    classes = {cls.__name__: cls for cls in (*PARENTS, Fill, Trade)}
    out: dict[str, list[Any]] = defaultdict(list)
    for flow in embedded(flows):
        for row in flow.dtos:
            out[row[2]].append(classes[row[2]].model_validate_json(row[5]))
        for note in flow.notes:
            out["dict (a note)"].append(json.loads(note[4]))
    return out


def embedded(flows: list[FlowRecord]) -> list[FlowRecord]:
    """``flows`` with every record in the full form (plans embedded, chains and
    decision_chain notes whole)."""
    out = []
    for flow in whole(flows):
        texts = decode_texts([(r[0], r[1], r[2], r[5], r[6]) for r in flow.dtos])
        dtos = [(*r[:5], t, r[6]) for r, t in zip(flow.dtos, texts, strict=True)]
        out.append(replace(flow, dtos=dtos))
    return out


def whole(flows: list[FlowRecord]) -> list[FlowRecord]:
    """``flows`` as format 2 stored them (session 13): every StrategyDirective's chain
    and every decision_chain note whole, the plans still by reference."""
    return [replace(f, dtos=full_rows(f.dtos), notes=full_notes(f.notes, f.dtos)) for f in flows]


def write_all(
    flows: list[FlowRecord], early_indexes: bool, page_size: int, link_rows: bool = False
) -> float:
    """CPU seconds to journal ``flows`` into a fresh file, close included
    (``link_rows``: the links as rows of a ``links`` table, format 0, not on their rows)."""
    saved = journal_module.PAGE_SIZE
    journal_module.PAGE_SIZE = page_size
    made = {id(f): f.links() for f in flows}  # as the recorder made them: not timed
    FlowRecord.links = lambda self: made[id(self)]  # type: ignore[method-assign]
    try:
        return _timed_writes(flows, early_indexes, link_rows)
    finally:
        FlowRecord.links = _LINKS  # type: ignore[method-assign]
        journal_module.PAGE_SIZE = saved


_LINKS = FlowRecord.links


def _timed_writes(flows: list[FlowRecord], early_indexes: bool, link_rows: bool) -> float:
    """CPU seconds of :func:`write_all`'s journal."""
    with tempfile.TemporaryDirectory() as tmp:
        start = time.process_time()
        journal = Journal(Path(tmp) / "j.sqlite")
        if link_rows:
            journal._db.executescript(_FORMAT_0)
        if early_indexes:
            journal._db.executescript(_INDEXES if not link_rows else _OLD_INDEXES)
        for flow in flows:
            journal.write(flow)
        journal.close()
        return time.process_time() - start


_FORMAT_0 = """
DROP VIEW links; DROP TABLE flow_links; PRAGMA user_version = 0;
CREATE TABLE links (seq INTEGER PRIMARY KEY, flow_id INTEGER, parent TEXT, child TEXT);
"""
"""A new journal turned into format 0 (links as rows) before its first write."""


def json_us(values: list[Any], encode: Callable[[Any], str], rounds: int = 3) -> float:
    """µs to encode one of ``values``, best of ``rounds`` passes."""
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        for value in values:
            encode(value)
        best = min(best, time.process_time() - start)
    return best / len(values) * 1e6


def main() -> None:
    """Record, measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bars", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    trades, flows, path, folder = record(args.bars)
    dtos = journaled(flows)
    with sqlite3.connect(path) as db:
        rows = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
        loose = db.execute("SELECT count(*) FROM flow_links").fetchone()[0]
        stored = db.execute("SELECT sum(length(json)) FROM dtos").fetchone()[0]
    size = os.path.getsize(path)
    reader = Journal(path, create=False)
    decoded = sum(len(r[6]) for r in reader.rows("dtos"))
    reader.close()
    shutil.rmtree(folder)
    print(f"ema_trend, {args.bars:,} seeded bars, {trades:,} round-trip trades, "
          f"runtime {runtime.native_status()}\n")  # fmt: skip
    print("| a trade | rows | |\n|---|---:|---|")
    for table in TABLES:
        note = "on the dtos rows (the view's rows)" if table == "links" else ""
        print(f"| {table} | {rows[table] / trades:.2f} | {note} |")
    print(f"| flow_links | {loose / trades:.2f} | links of flows without a DTO row |")
    written = sum(rows.values()) - rows["links"] + loose
    print(f"| **all rows written** | **{written / trades:.2f}** | |")
    print(f"| journal file, bytes | {size / trades:,.0f} | |")
    json_bytes = f"{stored / trades:,.0f} ({decoded / trades:,.0f})"
    print(f"| dtos.json, bytes stored (decoded) | {json_bytes} | |")

    print("\n| DTO type | a trade | bytes | µs each | µs a trade |\n|---|---:|---:|---:|---:|")
    total = 0.0
    for name, values in sorted(dtos.items()):
        if name == ExecutionDirective.__name__:
            continue
        each = json_us(values, to_json)
        total += each * len(values) / trades
        length = sum(len(to_json(v)) for v in values) / len(values)
        print(f"| {name} | {len(values) / trades:.2f} | {length:,.0f} | {each:.2f} | "
              f"{each * len(values) / trades:.1f} |")  # fmt: skip
    print(f"| (all but ExecutionDirective) | | | | {total:.1f} |")
    _print_execution(dtos[ExecutionDirective.__name__], flows, trades)
    _print_strategy(dtos[StrategyDirective.__name__], flows, trades)

    page = journal_module.PAGE_SIZE
    variants = {
        "as written now": (flows, False, page, False),
        "indexes maintained from the start": (flows, True, page, False),
        "chains and decision notes whole (format 2, as session 13 wrote it)": (
            whole(flows),
            False,
            page,
            False,
        ),
        "plans embedded in the ExecutionDirective": (embedded(flows), False, page, False),
        "SQLite's default 4 KiB pages": (flows, False, 4096, False),
        "all three (as session 11 wrote it)": (embedded(flows), True, 4096, True),
        "links as rows (format 0, as session 12 wrote it)": (whole(flows), False, page, True),
    }
    best: Counter[str] = Counter()
    for _ in range(args.repeat):
        for label, (records, early, page_size, link_rows) in variants.items():
            took = write_all(records, early, page_size, link_rows)
            best[label] = min(best.get(label, took), took)
    base = best["all three (as session 11 wrote it)"]
    print("\n| SQLite writes of the recorded flows (close included) | µs a trade | vs session 11 |")
    print("|---|---:|---:|")
    for label in variants:
        print(f"| {label} | {best[label] / trades * 1e6:,.1f} | {best[label] / base:.2f}× |")
    print("\n(CPU time, best of", args.repeat, "alternating rounds)")


def _print_pair(
    directives: list[Any],
    flows: list[FlowRecord],
    trades: int,
    forms: tuple[str, str],
    short: float,
) -> None:
    """Two rows of the JSON table for one directive class: its whole JSON (bytes and µs
    of ``to_json``) and its stored form (the bytes the run wrote, ``short`` µs)."""
    kind = type(directives[0]).__name__
    full = json_us(directives, to_json)
    stored = [r[5] for f in flows for r in f.dtos if r[2] == kind]
    whole = sum(len(to_json(d)) for d in directives) / len(directives)
    count = len(directives) / trades
    length = sum(map(len, stored)) / len(stored)
    for form, size, cost in ((forms[0], whole, full), (forms[1], length, short)):
        print(f"| {kind}, {form} | {count:.2f} | {size:,.0f} | {cost:.2f} | {cost * count:.1f} |")


def _print_execution(directives: list[Any], flows: list[FlowRecord], trades: int) -> None:
    """The ExecutionDirective's JSON, full against by reference (the same objects)."""
    plans = {d.directive_id: _plans_of(d) for d in directives}
    short = json_us(directives, lambda d: encode_execution(d, plans[d.directive_id], to_json))
    _print_pair(directives, flows, trades, ("plans embedded", "plans by reference"), short)


def _print_strategy(directives: list[Any], flows: list[FlowRecord], trades: int) -> None:
    """The StrategyDirective's JSON, chain whole against by reference (format 3)."""
    short = json_us(directives, lambda d: encode_strategy(d, d.causality.all_ids(), to_json))
    _print_pair(directives, flows, trades, ("chain whole", "chain by reference"), short)
    notes = [n[4] for f in flows for n in f.notes if n[3] == "decision_chain"]
    print(f"| decision_chain note, stored (by reference) | {len(notes) / trades:.2f} | "
          f"{sum(map(len, notes)) / len(notes):,.0f} | | |")  # fmt: skip


def _plans_of(directive: ExecutionDirective) -> dict[str, tuple[object, str]]:
    plans = (directive.entry_plan, directive.size_plan, directive.exit_plan,
             directive.routing_plan)  # fmt: skip
    return {p.plan_id: (p, to_json(p)) for p in plans}


if __name__ == "__main__":
    main()
