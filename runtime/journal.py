"""The run journal: every DTO of every flow that did something, with causality links.

One SQLite file per run, WAL mode. A flow is always written whole inside one
transaction (never split across two): with ``batch=1`` (paper and live runs) every
flow is its own transaction, durable at once; a backtest groups ``batch`` consecutive
flows per transaction, which is several times faster and loses nothing that a re-run
cannot rebuild. The lookup indexes are built on close. Only flows that produced
a signal, threat, directive, ledger change, note or fault are written: a quiet tick
costs no I/O. Nothing wall-clock dependent is stored, so two runs of the same inputs
give identical rows.

Schema::

    flows(flow_id PK, tick_time, kind, outcome, reason)
    dtos(seq PK, flow_id, dto_id, type, tick_time, worker, json)   -- dto_id may repeat
    links(seq PK, flow_id, parent, child)                          -- parent id → child id
    faults(seq PK, flow_id, worker, tick_time, error, traceback)
    notes(seq PK, flow_id, tick_time, worker, note, json)
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE flows (flow_id INTEGER PRIMARY KEY, tick_time TEXT, kind TEXT,
                    outcome TEXT, reason TEXT);
CREATE TABLE dtos (seq INTEGER PRIMARY KEY, flow_id INTEGER, dto_id TEXT, type TEXT,
                   tick_time TEXT, worker TEXT, json TEXT);
CREATE TABLE links (seq INTEGER PRIMARY KEY, flow_id INTEGER, parent TEXT, child TEXT);
CREATE TABLE faults (seq INTEGER PRIMARY KEY, flow_id INTEGER, worker TEXT,
                     tick_time TEXT, error TEXT, traceback TEXT);
CREATE TABLE notes (seq INTEGER PRIMARY KEY, flow_id INTEGER, tick_time TEXT,
                    worker TEXT, note TEXT, json TEXT);
"""


def to_json(value: Any) -> str:
    """Deterministic JSON of a DTO or plain value."""
    dump = getattr(value, "model_dump_json", None)
    if dump is not None:
        return str(dump())
    return json.dumps(value, sort_keys=True, default=_default)


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    iso = getattr(value, "isoformat", None)
    if iso is not None:
        return iso()
    return repr(value)


@dataclass
class FlowRecord:
    """Everything one flow produced, buffered until the flow ends."""

    flow_id: int
    tick_time: str
    kind: str = "tick"
    outcome: str = "completed"
    reason: str = ""
    dtos: list[tuple[str, str, str, str]] = field(default_factory=list)  # id, type, worker, json
    links: list[tuple[str, str]] = field(default_factory=list)
    faults: list[tuple[str, str, str]] = field(default_factory=list)  # worker, error, traceback
    notes: list[tuple[str, str, str]] = field(default_factory=list)  # worker, note, json

    @property
    def empty(self) -> bool:
        """True when the flow produced nothing worth journaling."""
        return not (self.dtos or self.faults or self.notes)


class Journal:
    """Writer and reader of one run's journal file."""

    def __init__(self, path: Path, *, create: bool = True, batch: int = 256) -> None:
        self.path = Path(path)
        self.batch = max(1, batch)
        self._buffer: list[FlowRecord] = []
        if create:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            for suffix in ("", "-wal", "-shm"):
                Path(str(self.path) + suffix).unlink(missing_ok=True)
        elif not self.path.is_file():
            raise FileNotFoundError(f"no journal at {self.path}")
        self._db = sqlite3.connect(self.path, isolation_level=None)
        if create:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=OFF")  # a backtest is reproducible
            self._db.executescript(_SCHEMA)

    def write(self, flow: FlowRecord) -> None:
        """Queue one flow; the batch is committed when full (see the module doc)."""
        self._buffer.append(flow)
        if len(self._buffer) >= self.batch:
            self.flush()

    def flush(self) -> None:
        """Write the queued flows in one transaction."""
        flows, self._buffer = self._buffer, []
        if not flows:
            return
        db = self._db
        db.execute("BEGIN")
        try:
            db.executemany(
                "INSERT INTO flows VALUES (?, ?, ?, ?, ?)",
                [(f.flow_id, f.tick_time, f.kind, f.outcome, f.reason) for f in flows],
            )
            db.executemany(
                "INSERT INTO dtos (flow_id, dto_id, type, tick_time, worker, json) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(f.flow_id, i, t, f.tick_time, w, j) for f in flows for i, t, w, j in f.dtos],
            )
            db.executemany(
                "INSERT INTO links (flow_id, parent, child) VALUES (?, ?, ?)",
                [(f.flow_id, p, c) for f in flows for p, c in f.links],
            )
            db.executemany(
                "INSERT INTO faults (flow_id, worker, tick_time, error, traceback) "
                "VALUES (?, ?, ?, ?, ?)",
                [(f.flow_id, w, f.tick_time, e, tb) for f in flows for w, e, tb in f.faults],
            )
            db.executemany(
                "INSERT INTO notes (flow_id, tick_time, worker, note, json) VALUES (?, ?, ?, ?, ?)",
                [(f.flow_id, f.tick_time, w, n, j) for f in flows for w, n, j in f.notes],
            )
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def close(self) -> None:
        """Commit, index, checkpoint the WAL into the main file and close."""
        self.flush()
        self._db.execute("CREATE INDEX IF NOT EXISTS dtos_by_id ON dtos (dto_id)")
        self._db.execute("CREATE INDEX IF NOT EXISTS links_by_parent ON links (parent)")
        with contextlib.suppress(sqlite3.OperationalError):
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self._db.close()

    # --- reading ---------------------------------------------------------------------
    def rows(self, table: str) -> list[tuple[Any, ...]]:
        """All rows of ``table`` in insertion order."""
        if table not in ("flows", "dtos", "links", "faults", "notes"):
            raise ValueError(f"no journal table {table!r}")
        order = "flow_id" if table == "flows" else "seq"
        return list(self._db.execute(f"SELECT * FROM {table} ORDER BY {order}"))

    def dto(self, dto_id: str) -> tuple[str, str, str, dict[str, Any]] | None:
        """(type, tick time, worker, fields) of the latest record of ``dto_id``."""
        row = self._db.execute(
            "SELECT type, tick_time, worker, json FROM dtos WHERE dto_id = ? "
            "ORDER BY seq DESC LIMIT 1",
            (dto_id,),
        ).fetchone()
        if row is None:
            return None
        return row[0], row[1], row[2], json.loads(row[3])

    def children(self, parent: str) -> list[str]:
        """Ids linked from ``parent`` in journal order."""
        rows = self._db.execute("SELECT child FROM links WHERE parent = ? ORDER BY seq", (parent,))
        return [r[0] for r in rows]


def explain(journal_path: Path, trade_id: str) -> str:
    """The causality chain of ``trade_id`` as text, printing every id on it."""
    journal = Journal(journal_path, create=False)
    try:
        return _explain(journal, trade_id)
    finally:
        journal._db.close()


def _explain(journal: Journal, trade_id: str) -> str:
    trade = journal.dto(trade_id)
    if trade is None:
        raise KeyError(f"trade {trade_id} is not in the journal {journal.path}")
    fields = trade[3]
    exe_id = fields.get("execution_directive_id")
    lines = [f"Trade {trade_id} ({fields.get('direction')} {fields.get('symbol')})"]
    exe = journal.dto(exe_id) if exe_id else None
    if exe is not None:
        chain = exe[3]["causality"]
        lines.append(f"  tick            {chain['tick_time']}")
        lines += _assessment_lines(journal, chain.get("context_assessment_id"))
        for key, label in (("opportunity_ids", "opportunity"), ("threat_ids", "threat")):
            for sid in chain.get(key) or ():
                lines.append(_dto_line(journal, sid, label))
        for key, label in (
            ("strategy_directive_id", "directive"),
            ("entry_plan_id", "entry plan"),
            ("size_plan_id", "size plan"),
            ("exit_plan_id", "exit plan"),
            ("routing_plan_id", "routing plan"),
            ("execution_directive_id", "execution"),
        ):
            if chain.get(key):
                lines.append(_dto_line(journal, chain[key], label))
    lines += _fill_lines(journal, trade_id)
    if fields.get("exit_time"):
        lines.append(
            f"  exit            {fields['exit_time']} at {fields.get('exit_price')} "
            f"({fields.get('exit_reason')}), pnl {fields.get('pnl')}, fees {fields.get('fees')}"
        )
    else:
        lines.append("  exit            (still open)")
    return "\n".join(lines)


def _assessment_lines(journal: Journal, ctx_id: str | None) -> list[str]:
    if not ctx_id:
        return []
    found = journal.dto(ctx_id)
    if found is None:
        return [f"  context         {ctx_id} (not journaled)"]
    ctx = found[3]
    out = [
        f"  context         {ctx_id} strength={ctx['strength']} weakness={ctx['weakness']} "
        f"({ctx['method']})"
    ]
    for factor in ctx.get("contributing_factors", ()):
        out.append(
            f"    factor        {factor['name']}={factor['value']} ({factor['polarity']}, "
            f"weight {factor['weight']}, by {factor['worker_id']})"
        )
    return out


_SUMMARY_KEYS = (
    "direction", "signal_type", "threat_type", "confidence", "severity", "order_type",
    "limit_price", "position_size", "risk_amount", "stop_loss_price", "take_profit_price",
    "timing", "time_in_force", "slices", "scope",
)  # fmt: skip


def _dto_line(journal: Journal, dto_id: str, label: str) -> str:
    found = journal.dto(dto_id)
    if found is None:
        return f"  {label:<15} {dto_id} (not journaled)"
    dto_type, _, worker, fields = found
    summary = ", ".join(f"{k}={fields[k]}" for k in _SUMMARY_KEYS if fields.get(k) is not None)
    return f"  {label:<15} {dto_id} {dto_type} by {worker}: {summary}"


def _fill_lines(journal: Journal, trade_id: str) -> list[str]:
    out = []
    for fill_id in journal.children(trade_id):
        found = journal.dto(fill_id)
        if found is None or found[0] != "Fill":
            continue
        f = found[3]
        out.append(
            f"  fill            {fill_id} {f['purpose']} {f['side']} {f['size']} @ {f['price']} "
            f"fee {f['fee']} at {f['timestamp']}"
        )
    return out
