"""The run journal: every DTO of every flow that did something, with causality links.

One SQLite file per run, WAL mode, **whole flows per transaction**: a flow is written
whole or not at all, so a run killed at any instant (SIGKILL, power cut with
``durable``) leaves a journal in which every recorded flow is complete. Backtests
commit ``BATCH_FLOWS`` flows per transaction (a commit per flow cost ~70-110 µs, most
of a journaled flow; a crash loses at most the batch in progress, which a resumed
run recomputes), paper and live runs (``durable``) commit every flow. Backtests
run with ``synchronous=OFF`` (safe against a process crash; only an OS crash could
lose the last transactions, and a backtest is reproducible), paper and live runs with
``synchronous=NORMAL``. A backtest builds the lookup indexes when it closes (paper and
live journals have them from the start); a reader that finds a journal without them
(a run still going, or killed) builds them on its first lookup, so a journal is
queryable (``stc explain``) at every moment, also after a crash. Only flows that
produced a signal, threat, directive, ledger change, note or fault are written: a
quiet tick costs no I/O. Nothing wall-clock dependent is stored, so two runs of the
same inputs give identical rows.

A journal also records what produced it (``meta``: the plan's and the data's
fingerprints, the run options, ``status`` running/completed), which is what
``stc run --resume`` needs: see :mod:`stc.runtime.resume`.

Schema::

    flows(flow_id PK, tick_time, kind, outcome, reason)
    dtos(seq PK, flow_id, dto_id, type, tick_time, worker, json, links)  -- dto_id may
        -- repeat; an ExecutionDirective's json holds its plans by id (journal_codec):
        -- read rows through ``Journal.rows``/``dto`` (or ``decoded_dto_rows``);
        -- ``links``: the causality links made with the row, JSON (journal_codec)
    flow_links(flow_id PK, links)     -- the links of a flow that journaled no DTO
    VIEW links(seq, flow_id, parent, child)                      -- parent id → child id
    faults(seq PK, flow_id, worker, tick_time, error, traceback)
    notes(seq PK, flow_id, tick_time, worker, note, json)
    meta(key PK, value)

**Folded links (format 2, ``PRAGMA user_version = 2``).** A link is stored on the row
of the DTO it was made with (its child, mostly: a plan's directive, a fill's trade),
not as a row of its own: 18 of a round trip's 38 rows were links. The ``links`` VIEW
gives every reader the old table's rows, ``seq`` included. A journal of format 0 (no
version mark) keeps its ``links`` table and is read as before.

**Chains by reference (format 3, ``PRAGMA user_version = 3``).** A StrategyDirective's
causality chain is stored as counts of its row's links, and the FlowTerminator's
``decision_chain`` note as the id of the ExecutionDirective journaled in its flow
(:mod:`stc.runtime.journal_codec`); ``rows``, ``dto`` and ``flow_notes`` make them
whole. A resumed journal of format 0 or 2 is appended in its own layout.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from stc.runtime.errors import ResumeError as ResumeError
from stc.runtime.journal_codec import (
    CHAIN_NOTE,
    COMPACT,
    LINKS_VIEW,
    NOTE_COLUMNS,
    STRATEGY,
    DanglingReference,
    appended_link,
    decode_texts,
    decoded_dto_rows,
    decoded_note,
    decoded_note_rows,
    embed,
    execution_json,
    expand_strategy,
    full_notes,
    full_rows,
    is_compact_strategy,
    link_items,
    links_from_parents,
    prepended_links,
    references,
)

_SCHEMA = """
CREATE TABLE flows (flow_id INTEGER PRIMARY KEY, tick_time TEXT, kind TEXT,
                    outcome TEXT, reason TEXT);
CREATE TABLE dtos (seq INTEGER PRIMARY KEY, flow_id INTEGER, dto_id TEXT, type TEXT,
                   tick_time TEXT, worker TEXT, json TEXT, links TEXT);
CREATE TABLE flow_links (flow_id INTEGER PRIMARY KEY, links TEXT);
CREATE TABLE faults (seq INTEGER PRIMARY KEY, flow_id INTEGER, worker TEXT,
                     tick_time TEXT, error TEXT, traceback TEXT);
CREATE TABLE notes (seq INTEGER PRIMARY KEY, flow_id INTEGER, tick_time TEXT,
                    worker TEXT, note TEXT, json TEXT);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
PRAGMA user_version = 3;
"""
"""A new journal: format 3, links folded onto their rows (:data:`LINKS_VIEW`), a
StrategyDirective's chain by reference to them (:data:`COMPACT`)."""

FOLDED = 2
"""``PRAGMA user_version`` of a journal whose links are folded (0: a ``links`` table)."""

_INDEXES = """
CREATE INDEX IF NOT EXISTS dtos_by_id ON dtos (dto_id);
"""
_OLD_INDEXES = (
    _INDEXES
    + """
CREATE INDEX IF NOT EXISTS links_by_parent ON links (parent);
"""
)
"""The lookup index of ``explain`` and the report (a format-0 journal also has
``links_by_parent``; a folded one answers ``parents``/``children`` from an
indexed copy of its view: :meth:`Journal._link_table`).
A backtest builds them when it closes (one sorted build instead of a B-tree update on
every insert: ~25 % of the journal's SQLite writes); a durable (paper/live) journal
from the start; any reader on its first lookup when they are missing (a killed run's
journal)."""

TABLES = ("flows", "dtos", "links", "faults", "notes")
PAGE_SIZE = 8192
"""Bytes a page of a new journal: a trade's ~10 kB of rows fill fewer pages than with
SQLite's 4 KiB default (journal writes ~6 % cheaper, the file ~3 % smaller; session 12)."""
_IDS_A_QUERY = 500
"""Ids bound in one ``IN (…)`` of :meth:`Journal.children_of` (SQLite allows 999
variables in its oldest builds)."""

BATCH_FLOWS = 256
"""Flows per transaction of a backtest journal (durable journals commit every flow)."""

_DTOS_SQL = (
    "INSERT INTO dtos (flow_id, dto_id, type, tick_time, worker, json, links) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)
_FLOW_LINKS_SQL = "INSERT INTO flow_links (flow_id, links) VALUES (?, ?)"
_OLD_DTOS_SQL = (
    "INSERT INTO dtos (flow_id, dto_id, type, tick_time, worker, json) VALUES (?, ?, ?, ?, ?, ?)"
)
_OLD_LINKS_SQL = "INSERT INTO links (flow_id, parent, child) VALUES (?, ?, ?)"
"""The inserts of a format-0 journal (a run started before format 2, resumed)."""
_FAULTS_SQL = (
    "INSERT INTO faults (flow_id, worker, tick_time, error, traceback) VALUES (?, ?, ?, ?, ?)"
)
_NOTES_SQL = "INSERT INTO notes (flow_id, tick_time, worker, note, json) VALUES (?, ?, ?, ?, ?)"

_ID_SHOWN = 80
"""Characters of a trade id that an error message repeats (an argument may be huge)."""
_ACCESS_ERRORS = ("SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_READONLY")
"""SQLite error names (and their extended ``…_DIRECTORY`` forms) that mean "no access",
not "damaged": a WAL journal is only readable with write access to its folder (SQLite
creates its shared-memory file beside it)."""


class JournalError(RuntimeError):
    """A journal ``explain`` cannot use: not an SQLite file, not a run journal, not
    readable here, or a record on a trade's chain is malformed (the message names the
    file and what to do)."""


class UnknownTradeError(KeyError):
    """An id that names no trade in the journal. A KeyError, as ``explain`` raised
    before it had its own type; its ``str`` is the message, not the message's repr."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def _insert(db: sqlite3.Connection, sql: str, rows: list[Any]) -> None:
    if rows:
        db.executemany(sql, rows)


def _settled(flows: list[FlowRecord]) -> list[tuple[int, str]]:
    """Settle each flow's loose links (:meth:`FlowRecord.settled`); the ``flow_links``
    rows of the flows that have no DTO row to hold them."""
    out: list[tuple[int, str]] = []
    for flow in flows:
        if flow.loose:
            text = flow.settled()
            if text is not None:
                out.append((flow.flow_id, text))
    return out


def to_json(value: Any) -> str:
    """Deterministic JSON of a DTO or plain value.

    A pydantic DTO goes straight to its class's serializer: the same bytes as
    ``model_dump_json()`` without the wrapper's argument handling (~0.7 µs a DTO)."""
    serializer = getattr(type(value), "__pydantic_serializer__", None)
    if serializer is not None:
        return str(serializer.to_json(value).decode())
    return _ENCODER.encode(value)


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    iso = getattr(value, "isoformat", None)
    if iso is not None:
        return iso()
    return repr(value)


_ENCODER = json.JSONEncoder(sort_keys=True, default=_default)
"""One encoder for every note (``json.dumps`` with options builds a new one per call)."""


DtoRow = tuple[int, str, str, str, str, str, str | None]
"""(flow_id, dto_id, type, tick_time, worker, json, links): a ``dtos`` row as inserted
(``links``: :func:`stc.runtime.journal_codec.encode_links` of the links made with it)."""
FaultRow = tuple[int, str, str, str, str]
"""(flow_id, worker, tick_time, error, traceback): a ``faults`` row as inserted."""
NoteRow = tuple[int, str, str, str, str]
"""(flow_id, tick_time, worker, note, json): a ``notes`` row as inserted."""


@dataclass
class FlowRecord:
    """Everything one flow produced, buffered until the flow ends.

    The lists hold the rows exactly as they are inserted (the flow's id and tick time
    included), built once by the recorder: the batch's ``executemany`` binds them as
    they are, with no per-row tuple rebuilt at commit time."""

    flow_id: int
    tick_time: str
    kind: str = "tick"
    outcome: str = "completed"
    reason: str = ""
    dtos: list[DtoRow] = field(default_factory=list)
    faults: list[FaultRow] = field(default_factory=list)
    notes: list[NoteRow] = field(default_factory=list)
    loose: list[tuple[str, str]] = field(default_factory=list)
    """Links made before the flow's first DTO row: (parent, child) each."""

    def link(self, parent: str, child: str) -> None:
        """A causality link made now: stored on the latest row (after its links)."""
        dtos = self.dtos
        if not dtos:
            self.loose.append((parent, child))
            return
        row = dtos[-1]
        dtos[-1] = (*row[:6], appended_link(row[6], parent if child == row[1] else (parent, child)))

    def settled(self) -> str | None:
        """Put the loose links first on the first row; the ``flow_links`` text of a flow
        without rows (None when it has no loose links)."""
        loose = self.loose
        if not loose:
            return None
        self.loose = []
        if not self.dtos:
            return json.dumps([list(pair) for pair in loose])
        row = self.dtos[0]
        text = row[5]
        if row[2] == STRATEGY and is_compact_strategy(text):  # its chain counts from links[0]
            text = expand_strategy(text, row[6])
        self.dtos[0] = (*row[:5], text, prepended_links(row[6], loose, row[1]))
        return None

    def links(self) -> list[tuple[int, str, str]]:
        """The flow's links as (flow_id, parent, child) rows, in the order they were made."""
        out = [(self.flow_id, parent, child) for parent, child in self.loose]
        for row in self.dtos:
            if row[6] is not None:
                for item in link_items(row[6]):
                    parent, child = (item, row[1]) if isinstance(item, str) else item
                    out.append((self.flow_id, parent, child))
        return out

    @property
    def empty(self) -> bool:
        """True when the flow produced nothing worth journaling."""
        return not (self.dtos or self.faults or self.notes)


class Journal:
    """Writer and reader of one run's journal file."""

    def __init__(
        self, path: Path, *, create: bool = True, durable: bool = False, batch: int | None = None
    ) -> None:
        self.path = Path(path)
        self._replay: _Replay | None = None
        self._pending: list[FlowRecord] = []
        self.batch = batch if batch is not None else 1 if durable else BATCH_FLOWS
        if create:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            for suffix in ("", "-wal", "-shm"):
                Path(str(self.path) + suffix).unlink(missing_ok=True)
        elif not self.path.is_file():
            raise FileNotFoundError(f"no journal at {self.path}")
        self._db = sqlite3.connect(self.path, isolation_level=None)
        self._indexed = False
        self._link_index = False
        """Whether ``temp.link_lookup`` holds the links as of the last write."""
        if create:
            self._db.execute(f"PRAGMA page_size={PAGE_SIZE}")
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA + LINKS_VIEW + (_INDEXES if durable else ""))
            self._indexed = durable
        self._format: int | None = None
        self._db.execute(f"PRAGMA synchronous={'NORMAL' if durable else 'OFF'}")

    def write(self, flow: FlowRecord) -> None:
        """Record one whole flow: buffered, committed with the next batch.

        Flows are committed ``batch`` at a time, each batch in one transaction, so a
        flow is on disk whole or not at all; a crash loses at most the flows of the
        batch in progress, which ``--resume`` recomputes by replay. While a resumed
        run replays the flows the journal already holds, each is compared with its
        recorded row instead of written (see :meth:`replay_until`).
        """
        replay = self._replay
        if replay is not None and flow.flow_id <= replay.last:
            replay.check(flow)
            return
        pending = self._pending
        pending.append(flow)
        self._link_index = False
        if len(pending) >= self.batch:
            self.flush()

    def flush(self) -> None:
        """Commit the buffered flows in one transaction (a no-op when none are)."""
        pending = self._pending
        if not pending:
            return
        self._pending = []
        db = self._db
        db.execute("BEGIN")
        try:
            db.executemany(
                "INSERT INTO flows VALUES (?, ?, ?, ?, ?)",
                [(f.flow_id, f.tick_time, f.kind, f.outcome, f.reason) for f in pending],
            )
            if self.folded:
                rowless = _settled(pending)  # before the rows: may put links on a first row
                rows = [row for f in pending for row in f.dtos]
                if not self.compact:  # resuming a format-2 journal: chains in full
                    rows = full_rows(rows)
                _insert(db, _DTOS_SQL, rows)
                _insert(db, _FLOW_LINKS_SQL, rowless)
            else:  # resuming a format-0 journal: its layout, links as rows, chains in full
                rows = full_rows([row for f in pending for row in f.dtos])
                _insert(db, _OLD_DTOS_SQL, [row[:6] for row in rows])
                _insert(db, _OLD_LINKS_SQL, [row for f in pending for row in f.links()])
            _insert(db, _FAULTS_SQL, [row for f in pending for row in f.faults])
            if self.compact:
                _insert(db, _NOTES_SQL, [row for f in pending for row in f.notes])
            else:  # an older journal: decision chains whole
                _insert(db, _NOTES_SQL, [r for f in pending for r in full_notes(f.notes, f.dtos)])
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def close(self) -> None:
        """Commit what is buffered, build the lookup indexes, checkpoint the WAL into the
        main file and close."""
        self.flush()
        self._lookups()
        with contextlib.suppress(sqlite3.OperationalError):
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self._db.close()

    # --- run metadata and resuming ------------------------------------------------------
    def set_meta(self, values: dict[str, str]) -> None:
        """Record (or overwrite) run metadata, in one transaction, after the buffered
        flows (a ``completed`` status must never precede the flows it vouches for)."""
        self.flush()
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", sorted(values.items())
            )

    def meta(self) -> dict[str, str]:
        """The run metadata (empty for a journal written before ``meta`` existed)."""
        try:
            return dict(self._db.execute("SELECT key, value FROM meta ORDER BY key"))
        except sqlite3.OperationalError:
            return {}

    def replay_until(self) -> str | None:
        """Switch to replay mode for a resumed run and return the last recorded tick.

        The engine re-runs from the first bar (a backtest is deterministic, so this
        rebuilds every plugin's, the ledger's and the id factory's state exactly);
        flows up to the last committed one are checked against the journal, not
        written again, and the first new flow is appended after them. A replayed flow
        that differs means the plugins or data changed: :class:`ResumeError`.
        """
        recorded = list(self._db.execute("SELECT * FROM flows ORDER BY flow_id"))
        if not recorded:
            return None
        last = recorded[-1][0]
        links = "links" if self.compact else "NULL"
        dtos = list(
            self._db.execute(
                f"SELECT flow_id, dto_id, type, json, {links} FROM dtos WHERE flow_id = ? "
                "ORDER BY seq",
                (last,),
            )
        )
        try:
            texts = decode_texts(dtos)
        except DanglingReference as exc:
            raise self._damaged(str(exc)) from None
        last_dtos = [(row[1], text) for row, text in zip(dtos, texts, strict=True)]
        self._replay = _Replay(self.path, recorded, last_dtos)
        return str(recorded[-1][1])

    def check_replayed(self) -> None:
        """Raise :class:`ResumeError` when a resumed run ended before it had replayed
        every recorded flow (it was given other, shorter data)."""
        if self._replay is not None and not self._replay.done:
            self._replay.incomplete()

    # --- reading ---------------------------------------------------------------------
    def _lookups(self) -> None:
        """Flush, and make sure the lookup indexes exist (:data:`_INDEXES`). A journal
        that cannot take them (read-only here, locked by a writer) is queried by scans:
        slower, the same answers."""
        self.flush()
        if self._indexed:
            return
        self._indexed = True
        with contextlib.suppress(sqlite3.DatabaseError):
            self._db.executescript(_INDEXES if self.folded else _OLD_INDEXES)

    def rows(self, table: str) -> list[tuple[Any, ...]]:
        """All rows of ``table`` in insertion order: the logical rows (``dtos`` decoded
        from the compact encoding, :mod:`stc.runtime.journal_codec`)."""
        if table not in TABLES:
            raise ValueError(f"no journal table {table!r}")
        self.flush()
        if table in ("dtos", "notes"):  # the compact encoding decoded (journal_codec)
            try:
                if table == "dtos":
                    return list(decoded_dto_rows(self._db))
                return list(decoded_note_rows(self._db))
            except DanglingReference as exc:
                raise self._damaged(str(exc)) from None
        order = "flow_id" if table == "flows" else "seq"
        return list(self._db.execute(f"SELECT * FROM {table} ORDER BY {order}"))

    def dto(self, dto_id: str) -> tuple[str, str, str, dict[str, Any]] | None:
        """(type, tick time, worker, fields) of the latest record of ``dto_id``."""
        self._lookups()
        links = "links" if self.compact else "NULL"
        row = self._db.execute(
            f"SELECT type, tick_time, worker, json, seq, flow_id, {links} FROM dtos "
            "WHERE dto_id = ? ORDER BY seq DESC LIMIT 1",
            (dto_id,),
        ).fetchone()
        if row is None:
            return None
        text = row[3]
        if row[0] == STRATEGY and is_compact_strategy(text):
            try:
                text = expand_strategy(text, row[6])
            except DanglingReference as exc:
                raise self._damaged(str(exc)) from None
        plan_ids = references(row[0], text)
        if plan_ids is not None:
            text = self._embedded(text, plan_ids, row[4], row[5])
        return row[0], row[1], row[2], self._fields(dto_id, text)

    def _embedded(self, text: str, plan_ids: tuple[str, ...], seq: int, flow_id: int) -> str:
        """A reference-form record with its plans' rows (of its flow, before it) put back."""

        def plan_json(plan_id: str) -> str | None:
            found = self._db.execute(
                "SELECT json FROM dtos WHERE dto_id = ? AND flow_id = ? AND seq < ? "
                "ORDER BY seq DESC LIMIT 1",
                (plan_id, flow_id, seq),
            ).fetchone()
            return None if found is None else str(found[0])

        try:
            return embed(text, plan_ids, plan_json)
        except DanglingReference as exc:
            raise self._damaged(str(exc)) from None

    def _damaged(self, what: str) -> JournalError:
        return JournalError(
            f"{self.path}: {what}; the journal is damaged — run the backtest again "
            "(`stc run ... --out DIR`)"
        )

    def _fields(self, dto_id: str, text: Any) -> dict[str, Any]:
        """A record's JSON object, or JournalError naming the record: readers index the
        fields by name, so anything else (bad JSON, a list, NULL) is a damaged file."""
        try:
            fields = json.loads(text)
        except (TypeError, ValueError):
            fields = None
        if not isinstance(fields, dict):
            raise JournalError(
                f"{self.path}: the record of {dto_id} is not a JSON object; the journal is "
                "damaged — run the backtest again (`stc run ... --out DIR`)"
            )
        return fields

    def flow_notes(self, dto_id: str, note: str) -> list[dict[str, Any]]:
        """The ``note`` notes (their fields) of the flow that recorded ``dto_id`` last."""
        self._lookups()
        rows = self._db.execute(
            f"SELECT {NOTE_COLUMNS} FROM notes WHERE note = ? AND flow_id = (SELECT flow_id "
            "FROM dtos WHERE dto_id = ? ORDER BY seq DESC LIMIT 1) ORDER BY seq",
            (note, dto_id),
        ).fetchall()
        if note == CHAIN_NOTE:  # by reference to its directive's row (format 3)
            try:
                rows = [decoded_note(row, self._execution_json) for row in rows]
            except DanglingReference as exc:
                raise self._damaged(str(exc)) from None
        return [json.loads(row[5]) for row in rows]

    def _execution_json(self, flow_id: Any, directive_id: str) -> str | None:
        """The stored record of ExecutionDirective ``directive_id`` in flow ``flow_id``
        (the row ``rows("notes")`` reads for the same note)."""
        return execution_json(self._db, flow_id, directive_id)

    def parents(self, child: str) -> list[str]:
        """Ids linked to ``child`` in journal order (for ``explain`` and the report)."""
        return self._linked("parent", "child", child)

    def children(self, parent: str) -> list[str]:
        """Ids linked from ``parent`` in journal order."""
        return self._linked("child", "parent", parent)

    def _linked(self, wanted: str, given: str, value: str) -> list[str]:
        """The ``wanted`` end of every link whose ``given`` end is ``value``, in order."""
        self._lookups()
        table = self._link_table()
        rows = self._db.execute(
            f"SELECT {wanted} FROM {table} WHERE {given} = ? ORDER BY seq", (value,)
        )
        return [r[0] for r in rows]

    def children_of(self, parents: list[str]) -> dict[str, list[str]]:
        """:meth:`children` of each of ``parents`` (absent when it has none), from one
        filtered pass over the ``links`` relation per ``_IDS_A_QUERY`` ids.

        :meth:`children` builds an indexed copy of the whole relation on its first call
        (in a folded journal ``links`` is a view); for the report's few hundred trades
        one filtered pass costs less: 0.29 against 0.44 s CPU at 10k trades
        (docs/performance.md, "Session 14, wholeproc"), and less again over the view's
        base tables (:func:`~stc.runtime.journal_codec.links_from_parents`: 0.08 s)."""
        self.flush()
        out: dict[str, list[str]] = {}
        wanted = list(dict.fromkeys(parents))
        for start in range(0, len(wanted), _IDS_A_QUERY):
            chunk = wanted[start : start + _IDS_A_QUERY]
            if self.folded:
                query = links_from_parents(len(chunk))
            else:  # a format-0 journal: the links table
                marks = ",".join("?" * len(chunk))
                query = f"SELECT parent, child FROM links WHERE parent IN ({marks}) ORDER BY seq"
            rows = self._db.execute(query, chunk)
            for parent, child in rows:
                out.setdefault(str(parent), []).append(str(child))
        return out

    @property
    def format(self) -> int:
        """The journal's format (``PRAGMA user_version``): 0 links as rows, 2 links on
        their rows, 3 also a StrategyDirective's chain by reference to them."""
        if self._format is None:
            try:
                self._format = int(self._db.execute("PRAGMA user_version").fetchone()[0])
            except sqlite3.DatabaseError:
                self._format = 0  # not a database: the next query says so
        return self._format

    @property
    def folded(self) -> bool:
        """True for a journal whose links are on their rows (format 2 on: the view)."""
        return self.format >= FOLDED

    @property
    def compact(self) -> bool:
        """True for a journal whose StrategyDirectives hold their chain by reference."""
        return self.format >= COMPACT

    def _link_table(self) -> str:
        """The table ``parents`` and ``children`` query: ``links`` itself in a format-0
        journal (indexed), else an indexed copy of the ``links`` view in the connection's
        temporary database, made on the first lookup after a write. The view has no index
        and the report asks once per trade; a copy in SQLite keeps the reader's memory
        flat in the journal's size (dicts of every link cost ~40 MB at 10k trades)."""
        if not self.folded:
            return "links"
        if not self._link_index:
            db = self._db
            db.execute("DROP TABLE IF EXISTS temp.link_lookup")
            db.execute("CREATE TEMP TABLE link_lookup AS SELECT seq, parent, child FROM links")
            db.execute("CREATE INDEX temp.link_lookup_parent ON link_lookup(parent, seq)")
            db.execute("CREATE INDEX temp.link_lookup_child ON link_lookup(child, seq)")
            self._link_index = True
        return "temp.link_lookup"


def explain(journal_path: Path, trade_id: str) -> str:
    """The causality chain of ``trade_id`` as text, printing every id on it.

    Whatever the file holds, the caller gets the text, :class:`UnknownTradeError` (a
    KeyError) for an id that names no trade, or :class:`JournalError` for a file that
    is no readable journal or a chain with a malformed record — never a sqlite3, JSON
    or lookup error from deep inside, which ``stc explain`` would show as a traceback.
    """
    path = Path(journal_path)
    journal: Journal | None = None
    from stc.runtime.journal_explain import explain_trade  # reads only: kept apart

    try:
        journal = Journal(path, create=False)
        return explain_trade(journal, trade_id)
    except sqlite3.Error as exc:
        raise JournalError(_unreadable(path, exc)) from exc
    except UnknownTradeError:
        raise
    except (KeyError, TypeError, AttributeError, ValueError) as exc:  # a field missing or odd
        raise JournalError(
            f"{path}: a record on the chain of trade {shown_id(trade_id)} is malformed "
            f"({type(exc).__name__}: {exc}); the journal is damaged or from another stc "
            "version — run the backtest again (`stc run ... --out DIR`)"
        ) from exc
    finally:
        if journal is not None:
            journal._db.close()


def _unreadable(path: Path, exc: sqlite3.Error) -> str:
    """The message for a journal SQLite cannot read: no access, or not a journal."""
    if str(getattr(exc, "sqlite_errorname", "")).startswith(_ACCESS_ERRORS):
        return (
            f"cannot open the journal {path} ({exc}): reading it needs read access to the "
            "file and write access to its folder; check their permissions"
        )
    return (
        f"{path} is not a readable stc run journal ({exc}); it is damaged or was not "
        "written by `stc run` — run the backtest again (`stc run ... --out DIR`)"
    )


def shown_id(trade_id: str) -> str:
    """``trade_id`` for a message: as is when short and printable, else its repr cut
    to ``_ID_SHOWN`` characters (no terminal escapes, no 10 kB error line)."""
    if trade_id and trade_id.isprintable() and len(trade_id) <= _ID_SHOWN:
        return trade_id
    return repr(trade_id[:_ID_SHOWN]) + ("…" if len(trade_id) > _ID_SHOWN else "")


class _Replay:
    """The recorded flows a resumed run must reproduce before it writes new ones."""

    def __init__(
        self, path: Path, recorded: list[tuple[Any, ...]], last_dtos: list[tuple[str, str]]
    ) -> None:
        self.path = path
        self.recorded = {row[0]: tuple(row[1:]) for row in recorded}
        self.last = recorded[-1][0]
        self.last_dtos = last_dtos
        self.seen = 0

    @property
    def done(self) -> bool:
        return self.seen >= len(self.recorded)

    def check(self, flow: FlowRecord) -> None:
        expected = self.recorded.get(flow.flow_id)
        got = (flow.tick_time, flow.kind, flow.outcome, flow.reason)
        if expected != got:
            self._diverged(flow.flow_id, f"recorded {expected}, replayed {got}")
        if flow.flow_id == self.last:  # compared decoded: an older journal's full form too
            texts = decode_texts([(*row[:3], row[5], row[6]) for row in flow.dtos])
            replayed = [(row[1], text) for row, text in zip(flow.dtos, texts, strict=True)]
            if replayed != self.last_dtos:
                self._diverged(flow.flow_id, "its DTOs differ")
        self.seen += 1

    def incomplete(self) -> None:
        raise ResumeError(
            f"{self.path}: the data ended after replaying {self.seen} of the "
            f"{len(self.recorded)} recorded flows; resume with the data the run started with"
        )

    def _diverged(self, flow_id: int, detail: str) -> None:
        raise ResumeError(
            f"{self.path}: replaying the run diverges at flow {flow_id} ({detail}); the "
            "plugins or the data changed since the run started, so it cannot be resumed "
            "— start it again without --resume"
        )
