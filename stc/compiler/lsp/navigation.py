"""Go to definition, find references, rename a worker id.

Cross-file by design: a ``plugin:`` name leads to its manifest and its worker class;
an event to the workers that publish and subscribe to it in the compiled unit (the
base wiring expanded, so a context worker "subscribes" to ``TICK_RECEIVED`` without
writing it); a DTO to its class and to the workers that provide or require it; a
worker id to its declaration and every ``wiring`` entry naming it.
"""

from __future__ import annotations

from pathlib import Path

from stc.compiler.lsp.analysis import Analysis, normal
from stc.compiler.lsp.hover import _unit
from stc.compiler.lsp.symbols import (
    Place,
    Symbol,
    class_place,
    dto_place,
    find_dto,
    manifest_place,
    symbol_at,
    worker_place,
)
from stc.compiler.sources import Mark, locate
from stc.compiler.unit import CompileUnit, WorkerInstance

_START = Mark(1, 1, 1, 1)


def _symbol(analysis: Analysis, path: str, line: int, column: int) -> Symbol | None:
    loaded = analysis.parsed(path)
    if loaded is None or loaded.data is None:
        return None
    return symbol_at(loaded.data, line, column)


def definition(analysis: Analysis, path: str, line: int, column: int) -> list[Place]:
    """Where the symbol at the cursor is defined (several places for a plugin)."""
    symbol = _symbol(analysis, path, line, column)
    if symbol is None:
        return []
    unit = _unit(analysis, path) or analysis.unit(path)
    if symbol.kind == "plugin":
        record = analysis.registry().get(symbol.name)
        if record is None:
            return []
        code = class_place(record)
        return [manifest_place(record), *([code] if code else [])]
    if symbol.kind == "file":
        target = normal(Path(path).parent / symbol.name)
        return [Place(target, _START)] if Path(target).is_file() else []
    if symbol.kind == "dto":
        cls = find_dto(symbol.name, unit)
        place = dto_place(cls) if cls is not None else None
        return [place] if place else []
    if unit is None:
        return []
    if symbol.kind == "worker":
        place = worker_place(unit, symbol.name)
        return [place] if place else []
    if symbol.kind == "event":
        return _event_places(unit, symbol.name, publishers=True, subscribers=False)
    return []


def references(
    analysis: Analysis, path: str, line: int, column: int, *, include_declaration: bool = True
) -> list[Place]:
    """Every place the symbol at the cursor is used in its unit."""
    symbol = _symbol(analysis, path, line, column)
    unit = _unit(analysis, path) or analysis.unit(path)
    if symbol is None or unit is None:
        return []
    if symbol.kind == "worker":
        places = worker_references(unit, symbol.name)
        return places if include_declaration else places[1:]
    if symbol.kind == "event":
        return _event_places(unit, symbol.name, publishers=True, subscribers=True)
    if symbol.kind == "dto":
        return _dto_places(unit, symbol.name)
    if symbol.kind == "plugin":
        return [
            _at(unit, (*w.loc, "plugin")) for w in unit.workers if w.loc and w.plugin == symbol.name
        ]
    return []


def _at(unit: CompileUnit, loc: tuple[str | int, ...]) -> Place:
    return Place(normal(unit.blueprint_file), unit.mark(loc) or _START)


def _worker_at(unit: CompileUnit, worker: WorkerInstance) -> Place | None:
    return _at(unit, (*worker.loc, "plugin")) if worker.loc else None


def _event_places(
    unit: CompileUnit, event: str, *, publishers: bool, subscribers: bool
) -> list[Place]:
    places: list[Place] = []
    ids: list[str] = []
    if publishers:
        ids += unit.publishers.get(event, [])
    if subscribers:
        ids += [sub.worker for sub in unit.subscriptions if sub.event == event]
    for worker_id in dict.fromkeys(ids):
        worker = unit.worker(worker_id)
        place = _worker_at(unit, worker) if worker is not None else None
        if place is not None:
            places.append(place)
    if publishers and event in unit.schedules and unit.operation_loaded is not None:
        schedule = locate(unit.operation_loaded.data, ("schedules", event), key=True)
        if schedule is not None and unit.operation_file is not None:
            places.append(Place(normal(unit.operation_file), schedule))  # the platform's timer
    if subscribers:
        for index, entry in enumerate(unit.blueprint.wiring):
            if entry.event == event:
                places.append(_at(unit, ("wiring", index, "event")))
    return _unique(places)


def _dto_places(unit: CompileUnit, dto: str) -> list[Place]:
    places = []
    for worker in unit.resolved():
        deps = worker.record.manifest.dependencies if worker.record else None
        if deps and (dto in deps.provides_dtos or dto in deps.requires_dtos):
            place = _worker_at(unit, worker)
            if place is not None:
                places.append(place)
    return places


def worker_references(unit: CompileUnit, worker_id: str) -> list[Place]:
    """The declaration of ``worker_id`` first, then each ``wiring`` entry naming it."""
    declaration = worker_place(unit, worker_id)
    places = [declaration] if declaration else []
    for index, entry in enumerate(unit.blueprint.wiring):
        if entry.worker == worker_id:
            places.append(_at(unit, ("wiring", index, "worker")))
    return places


def _unique(places: list[Place]) -> list[Place]:
    return list(dict.fromkeys(places))


# --------------------------------------------------------------------------- rename


class RenameError(Exception):
    """A rename that cannot be done (the message is shown to the user)."""


def rename_edits(
    analysis: Analysis, path: str, line: int, column: int, new_name: str
) -> list[tuple[Place, str]]:
    """The edits that rename the worker id at the cursor: its ``id:`` and every
    ``wiring`` reference. A default id (no ``id:`` written) gets an explicit one."""
    from pydantic import TypeAdapter, ValidationError

    from stc.compiler.model.common import Identifier  # the id pattern the blueprint uses

    symbol = _symbol(analysis, path, line, column)
    unit = _unit(analysis, path) or analysis.unit(path)
    if symbol is None or symbol.kind != "worker" or unit is None:
        raise RenameError("only a worker id (its `id:` or a `wiring` `worker:`) can be renamed")
    try:
        TypeAdapter(Identifier).validate_python(new_name)
    except ValidationError as exc:
        raise RenameError(f"`{new_name}` is not a valid worker id") from exc
    worker = unit.worker(symbol.name)
    if worker is None:
        raise RenameError(f"no worker has the id `{symbol.name}`")
    if unit.worker(new_name) is not None:
        raise RenameError(f"a worker with the id `{new_name}` exists already")
    edits = [(place, new_name) for place in worker_references(unit, symbol.name)]
    if worker.ref.id is None and edits:  # the declaration is the plugin name: add an id
        edits[0] = _explicit_id(unit, worker, new_name, analysis.text(path) or "")
    return edits


def _explicit_id(
    unit: CompileUnit, worker: WorkerInstance, new_name: str, text: str
) -> tuple[Place, str]:
    """Insert ``id: <new>`` before the worker's ``plugin:`` key (flow or block style)."""
    key = locate(unit.blueprint_loaded.data, (*worker.loc, "plugin"), key=True)
    assert key is not None
    lines = text.split("\n")
    line_text = lines[key.line - 1] if key.line <= len(lines) else ""
    before = line_text[: key.column - 1].rstrip()
    flow = before.endswith(("{", ","))
    insert = f"id: {new_name}, " if flow else f"id: {new_name}\n{' ' * (key.column - 1)}"
    here = Mark(key.line, key.column, key.line, key.column)
    return Place(normal(unit.blueprint_file), here), insert
