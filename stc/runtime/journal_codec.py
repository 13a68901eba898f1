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
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from typing import Any

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


class DanglingReference(ValueError):
    """A reference-form record whose plan row is not in its flow: a damaged journal."""


def encode_execution(directive: Any, journaled: Journaled, full: Callable[[Any], str]) -> str:
    """``directive``'s record: by reference when all four plans are the objects (of the
    declared classes) ``journaled`` in this flow, else ``full(directive)``."""
    fields = type(directive).model_fields
    ids: list[str] = []
    for name in PLAN_FIELDS:
        plan = getattr(directive, name)
        plan_id = str(plan.plan_id)
        seen = journaled.get(plan_id)
        if seen is None or seen[0] is not plan or type(plan) is not fields[name].annotation:
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


def decode_texts(rows: list[tuple[Any, str, Any, Any]]) -> list[Any]:
    """The full ``json`` of each (flow_id, dto_id, type, json) row, rows in journal
    order: a reference resolves to the latest earlier row of its id in its flow."""
    out: list[Any] = []
    flow: object = None
    seen: dict[str, str] = {}
    for flow_id, dto_id, dto_type, text in rows:
        if flow_id != flow:
            flow, seen = flow_id, {}
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
    held at a time."""
    flow: list[tuple[Any, ...]] = []
    for row in db.execute(f"SELECT {DTO_COLUMNS} FROM dtos ORDER BY seq"):
        if flow and row[1] != flow[0][1]:
            yield from _decoded_flow(flow)
            flow = []
        flow.append(row)
    yield from _decoded_flow(flow)


def _decoded_flow(rows: list[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    if not any(references(row[3], row[6]) for row in rows):
        yield from rows
        return
    texts = decode_texts([(row[1], row[2], row[3], row[6]) for row in rows])
    for row, text in zip(rows, texts, strict=True):
        yield (*row[:6], text, *row[7:])


# --- causality links on the child's row (session 13) ----------------------------------
_UNSAFE = re.compile(r'["\\\x00-\x1f]')
"""Characters an id must not hold to be written between quotes as is (JSON escapes)."""
_unsafe = _UNSAFE.search

LinkItem = str | tuple[str, str]
"""One stored link: a parent id (the row's own DTO is the child) or (parent, child)."""


def encode_links(items: tuple[LinkItem, ...] | list[LinkItem]) -> str | None:
    """The ``dtos.links`` text of a row: a JSON array of its links in journal order,
    each a parent id (child: the row's ``dto_id``) or a ``[parent, child]`` pair; None
    for none. Plain ids (the platform's) are joined without an encoder call."""
    if not items:
        return None
    if len(items) == 1:  # most rows: a plan's directive, a fill's trade
        only = items[0]
        if type(only) is str and _unsafe(only) is None:
            return f'["{only}"]'
    try:
        plain = _unsafe("".join(items)) is None  # type: ignore[arg-type]
    except TypeError:  # a (parent, child) pair among them
        plain = False
    if plain:
        return '["' + '","'.join(items) + '"]'  # type: ignore[arg-type]
    return json.dumps([item if isinstance(item, str) else list(item) for item in items])


def link_items(text: str | None) -> list[LinkItem]:
    """The links of a row's ``links`` text (:func:`encode_links`), in order."""
    if text is None:
        return []
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


LINKS_VIEW = """
CREATE VIEW links (seq, flow_id, parent, child) AS
SELECT row_number() OVER (ORDER BY flow_id, anchor, item), flow_id, parent, child FROM (
    SELECT d.flow_id AS flow_id, d.seq AS anchor, j.key AS item,
           CASE j.type WHEN 'array' THEN json_extract(j.value, '$[0]') ELSE j.value END
               AS parent,
           CASE j.type WHEN 'array' THEN json_extract(j.value, '$[1]') ELSE d.dto_id END
               AS child
    FROM dtos AS d, json_each(d.links) AS j WHERE d.links IS NOT NULL
    UNION ALL
    SELECT f.flow_id, 0, j.key, json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]')
    FROM flow_links AS f, json_each(f.links) AS j
) ORDER BY flow_id, anchor, item;
"""
"""The ``links`` relation of a folded journal, as the old table had it: ``seq`` counts
the links in the order they were made (a flow's links after those of earlier flows; in
a flow, row by row, each row's in order; a flow without rows keeps its links in
``flow_links``)."""
