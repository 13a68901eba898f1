"""The compact encoding of the journal's ``dtos.json``: an ExecutionDirective's four
plans stored by reference, re-embedded on read.

Why: an ExecutionDirective embeds the entry, size, exit and routing plans its flow
journaled a moment before as their own rows. Encoding them again was 62 % of its 1,174
bytes and most of its 7.5 µs of JSON, the largest record of a trade. The writer
(:func:`encode_execution`) stores each plan field as the plan's id string instead of
the object, but only when the plan is the very object journaled earlier in the same
flow, of exactly the declared class (so its own row's JSON is, byte for byte, what
the directive's serializer would have embedded); otherwise it stores the full JSON.

The reader (:func:`decode`) turns the reference form back into exactly the text the
full serializer gives: the head (``directive_id``, ``timestamp``, ``causality``) is
kept as written and each ``"entry_plan":"ENT_…"`` becomes ``"entry_plan":{…}`` with
the latest row of that id in the same flow before the directive. Every reader goes
through it (``Journal.rows``/``dto``, the resume check, the reference digests), so
consumers see the same logical rows as before; old journals (full form) decode to
themselves.

Since format 3 (session 14) a StrategyDirective's causality chain is stored by
reference too: two thirds of its ~980 bytes were the ids of its inputs, which its row's
``links`` already hold in the same order (:func:`encode_strategy`,
:func:`expand_strategy`).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from json.encoder import encode_basestring_ascii
from typing import Any

from stc.runtime.dtos.causality import CausalityChain

EXECUTION = "ExecutionDirective"
PLAN_FIELDS = ("entry_plan", "size_plan", "exit_plan", "routing_plan")
_EXCLUDE = frozenset(PLAN_FIELDS)
_REFERENCES = re.compile(
    r',"entry_plan":"([^"\\]+)","size_plan":"([^"\\]+)",'
    r'"exit_plan":"([^"\\]+)","routing_plan":"([^"\\]+)"\}\Z'
)
"""The tail of a reference-form record. A full record never matches: its plan fields
hold objects (``{``), and the head holds only validated ids and times (no quotes)."""

DTO_COLUMNS = "seq, flow_id, dto_id, type, tick_time, worker, json"
"""The logical columns of ``dtos`` (a folded journal's rows also hold ``links``)."""

Journaled = Mapping[str, tuple[object, str]]
"""Plan id → (the plan object, its JSON) of the plans journaled so far in a flow."""


_DECLARED: dict[type, tuple[object, ...]] = {}
"""An ExecutionDirective class → the declared classes of its four plan fields (read
from ``model_fields`` once a class, not four times a record)."""


class DanglingReference(ValueError):
    """A reference-form record whose plan row is not in its flow: a damaged journal."""


def encode_execution(directive: Any, journaled: Journaled, full: Callable[[Any], str]) -> str:
    """``directive``'s record: by reference when all four plans are the objects (of the
    declared classes) ``journaled`` in this flow, else ``full(directive)``."""
    kind = type(directive)
    declared = _DECLARED.get(kind)
    if declared is None:
        fields = kind.model_fields
        declared = _DECLARED[kind] = tuple(fields[name].annotation for name in PLAN_FIELDS)
    plans = (directive.entry_plan, directive.size_plan, directive.exit_plan, directive.routing_plan)
    ids: list[str] = []
    for plan, plan_type in zip(plans, declared, strict=True):
        plan_id = str(plan.plan_id)
        seen = journaled.get(plan_id)
        if seen is None or seen[0] is not plan or type(plan) is not plan_type:
            return full(directive)
        ids.append(plan_id)
    head: str = (
        type(directive).__pydantic_serializer__.to_json(directive, exclude=_EXCLUDE).decode()
    )
    return (
        f'{head[:-1]},"entry_plan":"{ids[0]}","size_plan":"{ids[1]}",'
        f'"exit_plan":"{ids[2]}","routing_plan":"{ids[3]}"}}'
    )


def references(dto_type: object, text: object) -> tuple[str, ...] | None:
    """The four plan ids of a reference-form record, None for any other record."""
    if dto_type != EXECUTION or not isinstance(text, str):
        return None
    found = _REFERENCES.search(text)
    return found.groups() if found else None


def embed(text: str, plan_ids: tuple[str, ...], plan_json: Callable[[str], str | None]) -> str:
    """The full record of reference-form ``text``, each plan's JSON from ``plan_json``
    (:class:`DanglingReference` when one is missing)."""
    found = _REFERENCES.search(text)
    assert found is not None
    parts = [text[: found.start()]]
    for name, plan_id in zip(PLAN_FIELDS, plan_ids, strict=True):
        plan = plan_json(plan_id)
        if plan is None:
            raise DanglingReference(f"the {name} {plan_id} of an {EXECUTION} is not journaled")
        parts.append(f',"{name}":{plan}')
    return "".join(parts) + "}"


def decode_texts(rows: list[tuple[Any, ...]]) -> list[Any]:
    """The full ``json`` of each (flow_id, dto_id, type, json[, links]) row, rows in
    journal order: a plan reference resolves to the latest earlier row of its id in its
    flow, a StrategyDirective's chain by reference (:func:`expand_strategy`) from the
    row's ``links`` (a row without that element has none)."""
    out: list[Any] = []
    flow: object = None
    seen: dict[str, str] = {}
    for row in rows:
        flow_id, dto_id, dto_type, text = row[:4]
        if flow_id != flow:
            flow, seen = flow_id, {}
        if dto_type == STRATEGY:
            if is_compact_strategy(text):
                text = expand_strategy(text, row[4] if len(row) > 4 else None)
        else:
            ids = references(dto_type, text)
            if ids is not None:
                text = embed(text, ids, seen.get)
        out.append(text)
        if isinstance(text, str):
            seen[dto_id] = text
    return out


def decoded_dto_rows(db: sqlite3.Connection) -> Iterator[tuple[Any, ...]]:
    """Every ``dtos`` row (:data:`DTO_COLUMNS`, in ``seq`` order) with its ``json`` decoded.

    A flow's rows are contiguous (a flow is inserted whole), so one flow's rows are
    held at a time. A format-3 journal's rows are read with their ``links`` (a
    directive's chain is there) and given without them."""
    compact = int(db.execute("PRAGMA user_version").fetchone()[0]) >= COMPACT
    columns = f"{DTO_COLUMNS}, links" if compact else DTO_COLUMNS
    flow: list[tuple[Any, ...]] = []
    for row in db.execute(f"SELECT {columns} FROM dtos ORDER BY seq"):
        if flow and row[1] != flow[0][1]:
            yield from _decoded_flow(flow)
            flow = []
        flow.append(row)
    yield from _decoded_flow(flow)


def _decoded_flow(rows: list[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    if not any(_encoded(row[3], row[6]) for row in rows):
        yield from (row[:7] for row in rows)
        return
    texts = decode_texts([(row[1], row[2], row[3], row[6], *row[7:8]) for row in rows])
    for row, text in zip(rows, texts, strict=True):
        yield (*row[:6], text)


def _encoded(dto_type: object, text: object) -> bool:
    """Whether a row's ``json`` is stored in a compact (by-reference) form."""
    if dto_type == STRATEGY:
        return is_compact_strategy(text)
    return references(dto_type, text) is not None


# --- a StrategyDirective's causality chain by reference (session 14, format 3) -----------
STRATEGY = "StrategyDirective"
COMPACT = 3
"""``PRAGMA user_version`` of a journal whose StrategyDirectives hold their chain by
reference (an older journal's rows are all in full form: :func:`full_rows`)."""
_CHAIN_MARK = re.compile(
    r'\A\{"directive_id":"([^"\\]*)","timestamp":"([^"\\]*)","causality":\[(\d+),(\d+),(\d+),([01])\],'
)
"""The head of a StrategyDirective record whose chain is stored by reference:
``"causality":[c,o,t,s]`` (a full record has an object there)."""
_LATER_NULLS = (
    ',"entry_plan_id":null,"size_plan_id":null,"exit_plan_id":null,'
    '"routing_plan_id":null,"execution_directive_id":null}'
)
_LATER = ("entry_plan_id", "size_plan_id", "exit_plan_id", "routing_plan_id")


def encode_strategy(directive: Any, chain_ids: tuple[str, ...], full: Callable[[Any], str]) -> str:
    """``directive``'s record with its causality chain by reference when the chain is
    what its row's links already say, else ``full(directive)``.

    The chain of a planner's directive is (tick time, context, opportunities, threats,
    its own id or none, five empty later ids); ``chain_ids`` (its ``all_ids()``, stored
    as the row's links) hold all of its ids in that order, and the tick time is, in
    practice, the directive's timestamp. Stored instead: ``"causality":[c,o,t,s]``, how
    many of the links are the context (0 or 1), the opportunities, the threats and the
    directive's own id (0 or 1). Anything else — a later id filled in, another
    directive's id, a tick time that would print otherwise, an id JSON would escape, a
    subclass — keeps the full form, so the reader's rebuild is always exact.

    The full text is cut, not serialized without the chain: pydantic's ``exclude``
    costs what the chain's serialization saves (callgrind), and the cut is one search.
    """
    text = full(directive)
    chain = directive.causality
    if type(chain) is not CausalityChain:
        return text
    context = chain.context_assessment_id
    named = chain.strategy_directive_id
    own = directive.directive_id
    opportunities = chain.opportunity_ids
    threats = chain.threat_ids
    expected = (*opportunities, *threats)
    if context is not None:
        expected = (context, *expected)
    if named is not None:
        if named != own:
            return text
        expected = (*expected, named)
    if (
        expected != chain_ids
        or chain.entry_plan_id is not None
        or chain.size_plan_id is not None
        or chain.exit_plan_id is not None
        or chain.routing_plan_id is not None
        or chain.execution_directive_id is not None
        or not _same_stamp(chain.tick_time, directive.timestamp)
    ):
        return text
    try:
        if not as_is(own + "".join(chain_ids)):
            return text
    except TypeError:  # an id that is no string (built without validation)
        return text
    start = text.find(',"causality":{') + 13  # no `,"` inside a JSON string: the key
    end = text.find(_CHAIN_END, start)
    if start < 13 or end < 0:
        return text
    counts = (
        f"[{0 if context is None else 1},{len(opportunities)},"
        f"{len(threats)},{0 if named is None else 1}]"
    )
    return text[:start] + counts + text[end + len(_CHAIN_END) :]


_CHAIN_END = '"execution_directive_id":null}'
"""The end of a chain whose later ids are empty (no id holds a quote: checked)."""


def _same_stamp(tick: Any, stamp: Any) -> bool:
    """Whether two datetimes serialize to the same text (same instant, same offset)."""
    if tick is stamp:
        return True
    try:
        return bool(
            type(tick) is type(stamp) and tick == stamp and tick.utcoffset() == stamp.utcoffset()
        )
    except (TypeError, AttributeError):
        return False


def is_compact_strategy(text: object) -> bool:
    """Whether a StrategyDirective's ``json`` holds its chain by reference."""
    return isinstance(text, str) and _CHAIN_MARK.match(text) is not None


def expand_strategy(text: str, links: str | None) -> str:
    """The full record of a by-reference StrategyDirective ``text`` whose row holds
    ``links`` (:class:`DanglingReference` when they cannot be its chain)."""
    found = _CHAIN_MARK.match(text)
    assert found is not None
    own, stamp = found.group(1), found.group(2)
    context, opportunities, threats, named = (int(found.group(i)) for i in (3, 4, 5, 6))
    items = link_items(links)
    n = context + opportunities + threats
    if (
        len(items) < n + named
        or (named and items[n] != own)
        or not all(type(i) is str for i in items[:n])
    ):
        raise DanglingReference(f"the causality chain of the {STRATEGY} {own} is not journaled")
    ids: list[str] = items[:n]  # type: ignore[assignment]
    first = f'"{ids[0]}"' if context else "null"
    named_id = f'"{own}"' if named else "null"
    opps = _array(ids[context : context + opportunities])
    thrs = _array(ids[context + opportunities : n])
    chain = (
        f'{{"tick_time":"{stamp}","context_assessment_id":{first},"opportunity_ids":{opps},'
        f'"threat_ids":{thrs},"strategy_directive_id":{named_id}{_LATER_NULLS}'
    )
    return f"{text[: found.start(3) - 1]}{chain},{text[found.end() :]}"


def _array(ids: list[str]) -> str:
    """A JSON array of plain ids, as pydantic writes it (no spaces)."""
    return "[" + ",".join(f'"{i}"' for i in ids) + "]"


def full_rows(rows: list[Any]) -> list[Any]:
    """``dtos`` rows (as inserted: json at 5, links at 6) with every by-reference
    StrategyDirective in full form: what a journal older than format 3 stores."""
    out = []
    for row in rows:
        if row[2] == STRATEGY and is_compact_strategy(row[5]):
            row = (*row[:5], expand_strategy(row[5], row[6]), *row[6:])
        out.append(row)
    return out


# --- causality links on the child's row (session 13) ----------------------------------
_UNSAFE = re.compile(r'["\\\x00-\x1f]')
"""Characters an id must not hold to be written between quotes as is (JSON escapes)."""
_unsafe = _UNSAFE.search

LinkItem = str | tuple[str, str]
"""One stored link: a parent id (the row's own DTO is the child) or (parent, child)."""


def plain_id(text: str) -> bool:
    """Whether ``text`` is written between quotes as is by both link writers: printable
    ASCII without a quote or a backslash (an id the platform makes always is).

    It implies that no escape is needed (:data:`_UNSAFE` finds nothing), so when it
    says yes both the plain join and ``json.dumps`` (``ensure_ascii``) write the text
    unchanged. Compiled, ``ord(text[i])`` reads the characters in place: ~0.4 k
    instructions for an id against ~2 k for the regex call and ~1.8 k for the string
    methods (docs/performance.md, "Session 17, journalcut")."""
    for index in range(len(text)):
        code = ord(text[index])
        if code < 32 or code > 126 or code == 34 or code == 92:  # control, non-ASCII, " \\
            return False
    return True


def as_is(text: str) -> bool:
    """Whether ``text`` is written between quotes as is by the plain writers (no JSON
    escape in it: :data:`_UNSAFE` finds nothing), :func:`plain_id` answering first for
    the platform's ids."""
    return plain_id(text) or _unsafe(text) is None


def encode_links(items: tuple[LinkItem, ...] | list[LinkItem]) -> str | None:
    """The ``dtos.links`` text of a row: a JSON array of its links in journal order,
    each a parent id (child: the row's ``dto_id``) or a ``[parent, child]`` pair; None
    for none. Plain ids (the platform's) are joined without an encoder call: without
    pairs as ``["a","b"]``; with a pair in ``json.dumps``'s layout (``", "`` between
    items), which is the text ``json.dumps`` gives for ids :func:`plain_id` passes."""
    if not items:
        return None
    if len(items) == 1:  # most rows: a plan's directive, a fill's trade
        only = items[0]
        if type(only) is str and as_is(only):
            return f'["{only}"]'
    joined: list[str] = []
    pairs = False
    for item in items:
        if type(item) is str:
            joined.append(item)
        else:
            pairs = True
            break
    if not pairs:
        if as_is("".join(joined)):
            return '["' + '","'.join(joined) + '"]'
        return _json_links(items)
    return _dumped_links(items)


def _dumped_links(items: tuple[LinkItem, ...] | list[LinkItem]) -> str:
    """``json.dumps`` of links with a pair among them (:func:`encode_links`): written
    directly when every id is :func:`plain_id`, else by ``json.dumps`` itself."""
    parts: list[str] = []
    for item in items:
        if type(item) is str:
            if not plain_id(item):
                return _json_links(items)
            parts.append(f'"{item}"')
        else:
            pair: Any = item
            if type(pair) is not tuple or len(pair) != 2:
                return _json_links(items)
            parent, child = pair[0], pair[1]
            if type(parent) is not str or type(child) is not str:
                return _json_links(items)
            if not (plain_id(parent) and plain_id(child)):
                return _json_links(items)
            parts.append(f'["{parent}", "{child}"]')
    return "[" + ", ".join(parts) + "]"


def _json_links(items: tuple[LinkItem, ...] | list[LinkItem]) -> str:
    """The links as ``json.dumps`` writes them (the general path: escapes, odd types)."""
    return json.dumps([item if isinstance(item, str) else list(item) for item in items])


def link_items(text: str | None) -> list[LinkItem]:
    """The links of a row's ``links`` text (:func:`encode_links`), in order.

    A text of plain ids only (``["a","b"]``, no backslash: no id holds a quote, so the
    quotes split it exactly) is split without the JSON decoder (~12 k instructions a
    call); anything else is decoded."""
    if text is None:
        return []
    if "\\" not in text and text.isprintable():  # no escape, no raw control character
        parts = text.split('"')
        last = len(parts) - 1
        if last >= 2 and last % 2 == 0 and parts[0] == "[" and parts[last] == "]":
            ids: list[LinkItem] = []
            for index in range(1, last, 2):
                if index > 1 and parts[index - 1] != ",":
                    break
                ids.append(parts[index])
            else:
                return ids
    return [value if isinstance(value, str) else (value[0], value[1]) for value in json.loads(text)]


def appended_link(text: str | None, item: LinkItem) -> str:
    """``text`` (a row's links) with ``item`` appended (a link the row's DTO table
    entry could not know: a trade's stop, an exit update's planner plan)."""
    encoded = encode_links([*link_items(text), item])
    assert encoded is not None
    return encoded


def prepended_links(text: str | None, pairs: list[tuple[str, str]], dto_id: str) -> str:
    """``text`` with ``pairs`` (links made before the flow's first row) put first."""
    first: list[LinkItem] = [p if c == dto_id else (p, c) for p, c in pairs]
    encoded = encode_links(first + link_items(text))
    assert encoded is not None
    return encoded


LINK_ROWS = """
    SELECT d.flow_id AS flow_id, d.seq AS anchor, j.key AS item,
           CASE j.type WHEN 'array' THEN json_extract(j.value, '$[0]') ELSE j.value END
               AS parent,
           CASE j.type WHEN 'array' THEN json_extract(j.value, '$[1]') ELSE d.dto_id END
               AS child
    FROM dtos AS d, json_each(d.links) AS j WHERE d.links IS NOT NULL
    UNION ALL
    SELECT f.flow_id, 0, j.key, json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]')
    FROM flow_links AS f, json_each(f.links) AS j
"""
"""Every link of a folded journal as (flow_id, anchor, item, parent, child): a row's
links (``dtos.links``: a parent id, or a ``[parent, child]`` pair) and a flow's links
without rows (``flow_links``); ``(flow_id, anchor, item)`` is the order they were made."""


LINKS_VIEW = (
    """
CREATE VIEW links (seq, flow_id, parent, child) AS
SELECT row_number() OVER (ORDER BY flow_id, anchor, item), flow_id, parent, child FROM ("""
    + LINK_ROWS
    + """) ORDER BY flow_id, anchor, item;
"""
)
"""The ``links`` relation of a folded journal, as the old table had it: ``seq`` counts
the links in the order they were made (a flow's links after those of earlier flows; in
a flow, row by row, each row's in order; a flow without rows keeps its links in
``flow_links``)."""


def links_from_parents(count: int) -> str:
    """A query of a folded journal: (parent, child) of every link whose parent is one of
    ``count`` ``?`` parameters, in ``seq`` order — :data:`LINKS_VIEW`'s rows without its
    numbering. ``(flow_id, anchor, item)`` orders the links as ``seq`` does (it is what
    ``seq`` numbers, and unique), and without the window function SQLite filters each
    row as it reads it instead of numbering every link first: 0.08 against 0.30 s CPU
    for the report's 200 trades at 10k trades (docs/performance.md, "Session 16,
    wholerun")."""
    marks = ",".join("?" * count)
    return f"""
SELECT parent, child FROM ({LINK_ROWS}) WHERE parent IN ({marks}) ORDER BY flow_id, anchor, item
"""


# --- the decision_chain note by reference (session 14, format 3) -------------------------
CHAIN_NOTE = "decision_chain"
NOTE_COLUMNS = "seq, flow_id, tick_time, worker, note, json"
"""The columns of ``notes`` (its logical and stored rows are the same shape)."""
_LATER_CHAIN = ("strategy_directive_id", *_LATER, "execution_directive_id")


def fields_json(fields: Mapping[Any, Any], full: Callable[[Any], str]) -> str:
    """A note's ``json``: ``full(dict(fields))`` (``journal.to_json`` of a dict: sorted
    keys, ``", "``/``": "`` separators, ASCII) written directly when every key is a
    ``str`` and every value a ``str``, ``int``, ``bool`` or None — the encoder's own
    string escaping, the same text, without building an encoder object per call
    (~20 k instructions a ``flow_ended`` note before; session 17)."""
    parts: list[str] = []
    for key in sorted(fields):
        if type(key) is not str:
            return full(dict(fields))
        value = fields[key]
        kind = type(value)
        if kind is str:
            text = encode_basestring_ascii(value)
        elif value is None:
            text = "null"
        elif kind is bool:
            text = "true" if value else "false"
        elif kind is int:
            text = str(value)
        else:
            return full(dict(fields))
        parts.append(f"{encode_basestring_ascii(key)}: {text}")
    return "{" + ", ".join(parts) + "}"


def chain_note(directive_id: str) -> str | None:
    """The stored ``json`` of a ``decision_chain`` note by reference to the
    ExecutionDirective ``directive_id`` journaled in its flow (a JSON string, where
    the full note is an object); None when the id is no plain id."""
    if type(directive_id) is not str or not as_is(directive_id):
        return None
    return f'"{directive_id}"'


def chain_note_fields(execution: str, tick_time: str, directive_id: str) -> str:
    """The full ``decision_chain`` note of the ExecutionDirective whose record is
    ``execution`` (its JSON, full or by reference: the chain is in its head), made at
    ``tick_time``: what :class:`~stc.runtime.platform.flow_terminator.FlowTerminator`
    notes (its fields' JSON with sorted keys, as ``journal.to_json`` of a dict)."""
    chain = json.loads(execution)["causality"]
    ids = [chain["context_assessment_id"]] if chain["context_assessment_id"] else []
    ids += chain["opportunity_ids"]
    ids += chain["threat_ids"]
    ids += [chain[name] for name in _LATER_CHAIN if chain[name]]
    fields = {"execution_directive_id": directive_id, "tick_time": tick_time, "ids": ids}
    return json.dumps(fields, sort_keys=True)


def is_chain_reference(note: object, text: object) -> bool:
    """Whether a ``notes`` row holds a ``decision_chain`` note by reference."""
    return note == CHAIN_NOTE and isinstance(text, str) and text[:1] == '"'


def decoded_note(
    row: tuple[Any, ...], execution_json: Callable[[Any, str], str | None]
) -> tuple[Any, ...]:
    """A ``notes`` row (:data:`NOTE_COLUMNS`) with a by-reference ``decision_chain``
    note made whole; ``execution_json(flow_id, directive_id)`` gives the (decoded or
    stored) record of that ExecutionDirective in that flow."""
    if not is_chain_reference(row[4], row[5]):
        return row
    directive_id = json.loads(row[5])
    execution = execution_json(row[1], directive_id)
    if execution is None:
        raise DanglingReference(f"the {CHAIN_NOTE} of {directive_id} has no ExecutionDirective")
    return (*row[:5], chain_note_fields(execution, row[2], directive_id))


_NOTES_WITH_EXECUTIONS = f"""
WITH refs AS (
    SELECT seq, flow_id, substr(json, 2, length(json) - 2) AS id FROM notes
    WHERE note = '{CHAIN_NOTE}' AND substr(json, 1, 1) = '"'
), found AS (
    SELECT r.seq AS seq, max(d.seq) AS latest FROM refs AS r JOIN dtos AS d
    ON d.dto_id = r.id AND d.flow_id = r.flow_id AND d.type = '{EXECUTION}' GROUP BY r.seq
)
SELECT n.seq, n.flow_id, n.tick_time, n.worker, n.note, n.json, f.latest, d.json
FROM notes AS n LEFT JOIN found AS f ON f.seq = n.seq LEFT JOIN dtos AS d ON d.seq = f.latest
ORDER BY n.seq
"""
"""Every ``notes`` row with, for a ``decision_chain`` note by reference, the ``seq``
and stored ``json`` of the latest ExecutionDirective row of that id in its flow (NULL
for any other note): the references resolved by one join, not one query a note.
Without the lookup index (a killed run's journal) SQLite builds a transient one for the
join instead of scanning ``dtos`` once a note."""


def decoded_note_rows(db: sqlite3.Connection) -> Iterator[tuple[Any, ...]]:
    """Every ``notes`` row in ``seq`` order, a by-reference ``decision_chain`` made whole.

    One query reads the notes and their directives' rows together
    (:data:`_NOTES_WITH_EXECUTIONS`); a note whose stored id is not the plain quoted
    text the join matches on (none the writer makes: :func:`chain_note`) is looked up
    on its own, so every note resolves exactly as :func:`decoded_note` says."""
    for row in db.execute(_NOTES_WITH_EXECUTIONS):
        note = row[:6]
        if is_chain_reference(note[4], note[5]):
            note = decoded_note(note, _Joined(db, row[5], row[6], row[7]).execution_json)
        yield note


class _Joined:
    """The ExecutionDirective record the join found for one note, or the per-note
    lookup where the join could not have matched the note's id."""

    def __init__(self, db: sqlite3.Connection, text: str, latest: Any, found: Any) -> None:
        self.db = db
        self.text = text
        self.latest = latest
        self.found = found

    def execution_json(self, flow_id: Any, directive_id: str) -> str | None:
        """The stored record of ExecutionDirective ``directive_id`` in flow ``flow_id``."""
        if type(directive_id) is str and self.text == f'"{directive_id}"':
            return None if self.latest is None else str(self.found)
        return execution_json(self.db, flow_id, directive_id)


def execution_json(db: sqlite3.Connection, flow_id: Any, directive_id: str) -> str | None:
    """The stored record of the latest ExecutionDirective ``directive_id`` in flow
    ``flow_id`` (None when there is none): what a by-reference chain note names."""
    found = db.execute(
        "SELECT json FROM dtos WHERE flow_id = ? AND dto_id = ? AND type = ? "
        "ORDER BY seq DESC LIMIT 1",
        (flow_id, directive_id, EXECUTION),
    ).fetchone()
    return None if found is None else str(found[0])


def full_notes(notes: list[Any], dtos: list[Any]) -> list[Any]:
    """A flow's ``notes`` rows (as inserted: no seq) with every by-reference
    ``decision_chain`` made whole from the flow's ``dtos`` rows (as inserted): what a
    journal older than format 3 stores."""
    out = []
    for row in notes:
        if is_chain_reference(row[3], row[4]):
            directive_id = json.loads(row[4])
            execution = None
            for index in range(len(dtos) - 1, -1, -1):  # the last one (mypyc: no reversed())
                d = dtos[index]
                if d[1] == directive_id and d[2] == EXECUTION:
                    execution = d[5]
                    break
            if execution is None:
                raise DanglingReference(f"the {CHAIN_NOTE} of {directive_id} has no directive")
            row = (*row[:4], chain_note_fields(execution, row[1], directive_id))
        out.append(row)
    return out
