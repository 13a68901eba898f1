"""The floor of a round trip under issue 23's own invariants, measured with the libraries
themselves (pydantic-core, SQLite), not with stc's own overheads.

The invariants (SPEC.md, docs/robustness.md): every plugin is Python called per event
with pydantic DTOs in and out; the journal holds every DTO of every flow (its JSON as
format 3 stores it), the links, the flows and the notes, written crash-safely in
batches; both engines write the same rows. What they cost at the least, per round-trip
trade, one process, CPU time (``time.process_time``), best of ``--repeat``:

1. **collect**: a child process (``STC_PURE_PYTHON=1``: every runtime function is a
   Python attribute a spy can replace; the rows and DTOs are the compiled build's, the
   engines' parity contract) runs the blueprint over ``bar_rows``' seeded bars with its
   journal and records every pydantic model built (validated: ``__init__`` and
   ``model_validate``; ``trusted``; ``model_copy``) with its arguments, every DTO the
   journal serialized, every note's fields and every plugin handler call whose inputs
   are DTOs (with what it read from its ledger capability); the journal's stored rows
   are read from its file. The same child on ``bar_rows.rising_rows`` (no signal) gives
   what the per-tick path builds; **a round trip's share** of anything is (seeded −
   rising) ÷ the seeded run's round trips.
2. time, each on its own:

   a. **DTO construction** as the SDK builds them (validated what plugins return,
      ``trusted`` what the platform builds, ``model_copy`` where it copies) and the
      lower bound with ``model_construct`` for every one;
   b. **the journal's JSON**: ``__pydantic_serializer__.to_json`` on the journaled DTOs,
      the text format 3 keeps of them (an ExecutionDirective without its plans, which it
      stores by id; a StrategyDirective whole: format 3 cuts its chain from that text);
      the notes' fields with the journal's stdlib encoder (a row of its own);
   c. **the journal's SQLite writes**: exactly the collected rows into a fresh journal
      made by ``stc.runtime.journal.Journal`` (its schema and pragmas), ``BATCH_FLOWS``
      flows a transaction, one ``executemany`` per table per batch, then ``Journal.close``
      (the lookup index, the WAL checkpoint); and the absolute floor: the same rows,
      ``synchronous=OFF``, ``journal_mode=OFF``, no index, one transaction;
   d. **the plugins' own code**: each recorded handler call replayed on the compiled
      build's own plugin objects (``Engine(plan, [])`` bootstrap), its ledger reads
      answered from the recording, no bus, no contracts, no journal;
   e. the **per-tick path** (bars without a signal) as ``flow_cost.py`` times it;
   f. **backtesting.py** on the same bars (``runtime_throughput.run_backtesting_py``).

The floor is a + b + c + d (the SDK's paths, the journal's batching). What it leaves
out keeps it a lower bound: the links' text, the handlers that read the live context
(``on_tick``, ``on_context_assessment``: not replayable apart from a run), the venue and
ledger arithmetic, ids. Under the table, each numeric target of issue 23 as what it
allows a round trip at this run's trade density and per-tick path, against the floor.
Whole process: start-up (a one-bar ``stc run``) and the report as
``benchmarks/run_stages.py`` measures them (``--whole``; CSV loading is not added).

``--instructions`` counts a, b, c, d with callgrind instead (load-free): a process per
part, each less a process that does the same set-up and nothing more, ÷ 1,000 round
trips' worth (c: the run's rows ÷ its round trips). ``--filing-seconds S``: ict_smc's
CPU seconds for ``--bars`` bars on the day issue 23 was filed (``tree_cpu.py`` on
``66e08dd``), for its "≥ 3× today's figure" target.

Usage: ``python benchmarks/flow_floor.py [--bars 100000] [--repeat 3]
[--blueprint blueprints/ict_smc.yaml] [--whole] [--filing-seconds S] [--instructions]``.
Results and method: docs/performance.md and docs/decisions.md, "Session 17, floor".
"""

from __future__ import annotations

import argparse
import os
import pickle
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from itertools import starmap
from pathlib import Path
from typing import Any

from bar_rows import rising_rows
from flow_cost import best_of, patched
from flow_instructions import warm_schemas
from run_stages import _repetition
from runtime_throughput import (
    EMA_BLUEPRINT,
    FAST_TARGET,
    REPO,
    ema_plan,
    run_backtesting_py,
    run_ema_engine,
    synthetic_bars,
)

import stc.runtime as runtime
from stc.runtime.journal import BATCH_FLOWS, PAGE_SIZE, Journal, to_json

HERE = Path(__file__).resolve().parent
SAMPLES = 2000
"""Instances kept per (path, class) or (worker, handler): the timings cycle through them;
the counts are every one."""
FLOW_TARGET = 150.0
"""Issue 23: µs a round trip's flows may cost (``flow_cost.py``)."""
ROW_TABLES = (
    ("flows", "flow_id", "INSERT INTO flows VALUES (?, ?, ?, ?, ?)"),
    ("dtos", "seq", "INSERT INTO dtos (flow_id, dto_id, type, tick_time, worker, json, links) "
     "VALUES (?, ?, ?, ?, ?, ?, ?)"),
    ("flow_links", "flow_id", "INSERT INTO flow_links (flow_id, links) VALUES (?, ?)"),
    ("faults", "seq", "INSERT INTO faults (flow_id, worker, tick_time, error, traceback) "
     "VALUES (?, ?, ?, ?, ?)"),
    ("notes", "seq", "INSERT INTO notes (flow_id, tick_time, worker, note, json) "
     "VALUES (?, ?, ?, ?, ?)"),
)  # fmt: skip
"""The journal's stored tables of a flow (format 3): (name, order, the insert of
``stc.runtime.journal``, whose ``seq`` SQLite assigns)."""


# --- 1. collect (the child process) -------------------------------------------------------
@dataclass
class Capture:
    """What one run built, journaled and called (counts whole, samples capped)."""

    trades: int = 0
    built: Counter[tuple[str, type]] = field(default_factory=Counter)
    built_samples: dict[tuple[str, type], list[Any]] = field(default_factory=dict)
    journaled: Counter[type] = field(default_factory=Counter)
    journaled_samples: dict[type, list[Any]] = field(default_factory=dict)
    notes: int = 0
    note_samples: list[dict[str, Any]] = field(default_factory=list)
    calls: Counter[tuple[str, str]] = field(default_factory=Counter)
    call_samples: dict[tuple[str, str], list[Any]] = field(default_factory=dict)
    live_calls: Counter[tuple[str, str]] = field(default_factory=Counter)
    """Handler calls with a live input (the context): counted, not replayable."""
    handler_built: Counter[tuple[str, str, str, type]] = field(default_factory=Counter)
    """(worker, handler, path, class): the models a handler built itself (not in a
    capability read): counted in a, taken out of the handler's replay in d."""


_INSIDE: list[tuple[str, str] | None] = [None]
"""The (worker, handler) whose call is running in the capture, None outside (and in
the capability reads it makes)."""


def _keep(samples: dict[Any, list[Any]], key: Any, item: Any) -> None:
    kept = samples.setdefault(key, [])
    if len(kept) < SAMPLES:
        kept.append(item)


class _ReadLog:
    """A worker's capability (its ledger, its context) that records what each read of it
    returned: a method call's result or an attribute's value, in order."""

    def __init__(self, target: Any, log: list[tuple[str, str, Any]]) -> None:
        self._target, self._log = target, log

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if not callable(value):
            self._log.append(("attr", name, value))
            return value

        def read(*args: Any) -> Any:
            caller, _INSIDE[0] = _INSIDE[0], None  # what a read builds is the platform's
            try:
                got = value(*args)
            finally:
                _INSIDE[0] = caller
            self._log.append(("call", name, got))
            return got

        return read


class _ReadReplay:
    """The recorded reads of a capability, answered in order (no run behind it)."""

    def __init__(self, log: list[tuple[str, str, Any]]) -> None:
        self._log, self._at = log, 0

    def __getattr__(self, name: str) -> Any:
        kind, recorded, value = self._log[self._at]
        self._at += 1
        assert recorded == name, (recorded, name)
        return value if kind == "attr" else lambda *args: value


def _spy_models(cap: Capture) -> list[tuple[Any, str, Any]]:
    """Replace pydantic's construction paths and ``trusted`` by recording wrappers;
    the (owner, name, original) list to restore."""
    from pydantic import BaseModel

    import stc.runtime.dtos.trusted as trusted_module

    init, validate, copy = BaseModel.__init__, BaseModel.model_validate, BaseModel.model_copy
    trusted = trusted_module.trusted

    def built(path: str, cls: type, payload: Any) -> None:
        cap.built[(path, cls)] += 1
        caller = _INSIDE[0]
        if caller is not None:
            cap.handler_built[(*caller, path, cls)] += 1
        _keep(cap.built_samples, (path, cls), payload)

    def spy_init(self: BaseModel, /, **data: Any) -> None:
        built("validated", type(self), dict(data))
        init(self, **data)

    def spy_validate(cls: type[BaseModel], obj: Any, **kwargs: Any) -> Any:
        built("model_validate", cls, obj)
        return validate.__func__(cls, obj, **kwargs)  # type: ignore[attr-defined]

    def spy_copy(self: BaseModel, *, update: Any = None, deep: bool = False) -> Any:
        built("model_copy", type(self), (self, update))
        return copy(self, update=update, deep=deep)

    def spy_trusted(cls: type, /, **values: Any) -> Any:
        built("trusted", cls, dict(values))
        return trusted(cls, **values)

    saved: list[tuple[Any, str, Any]] = [
        (BaseModel, "__init__", init), (BaseModel, "model_validate", BaseModel.__dict__[
            "model_validate"]), (BaseModel, "model_copy", copy)]  # fmt: skip
    BaseModel.__init__ = spy_init  # type: ignore[method-assign]
    BaseModel.model_validate = classmethod(spy_validate)  # type: ignore[assignment]
    BaseModel.model_copy = spy_copy  # type: ignore[method-assign]
    for module in list(sys.modules.values()):
        if getattr(module, "trusted", None) is trusted:
            saved.append((module, "trusted", trusted))
            module.trusted = spy_trusted  # type: ignore[union-attr]
    return saved


def _spy_journal(cap: Capture) -> list[tuple[Any, str, Any]]:
    """Record every DTO the recorder serializes and every note's fields."""
    from pydantic import BaseModel

    import stc.runtime.flow_recorder as recorder

    real_json, real_dto = recorder.to_json, recorder.FlowRecorder.dto
    inside = [0]

    def journaled(dto: Any) -> None:
        cap.journaled[type(dto)] += 1
        _keep(cap.journaled_samples, type(dto), dto)

    def spy_json(value: Any) -> str:  # fills, trades (DTOs) and notes (dicts)
        if not inside[0]:
            if isinstance(value, BaseModel):
                journaled(value)
            else:
                cap.notes += 1
                if len(cap.note_samples) < SAMPLES:
                    cap.note_samples.append(value)
        return real_json(value)

    def spy_dto(self: Any, worker: str, dto: Any) -> None:
        if self.journal is not None and type(dto) in recorder.PARENTS:
            journaled(dto)
        inside[0] += 1
        try:
            real_dto(self, worker, dto)
        finally:
            inside[0] -= 1

    recorder.to_json = spy_json
    recorder.FlowRecorder.dto = spy_dto  # type: ignore[method-assign]
    return [(recorder, "to_json", real_json), (recorder.FlowRecorder, "dto", real_dto)]


def _spy_handlers(cap: Capture, classes: Iterable[type]) -> list[tuple[Any, str, Any]]:
    """Record every ``on_*`` handler call of the plugin classes."""
    from pydantic import BaseModel

    saved: list[tuple[Any, str, Any]] = []

    def wrap(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def spy(self: Any, *args: Any, **kwargs: Any) -> Any:
            key = (self.worker_id, name)
            cap.calls[key] += 1
            if kwargs or not all(isinstance(a, BaseModel) for a in args):
                cap.live_calls[key] += 1
                return real(self, *args, **kwargs)
            ledger, context = self._ledger, self.context
            ledger_log: list[Any] = []
            context_log: list[Any] = []
            if ledger is not None:
                self._ledger = _ReadLog(ledger, ledger_log)
            if context is not None:
                self.context = _ReadLog(context, context_log)
            caller, _INSIDE[0] = _INSIDE[0], key
            try:
                out = real(self, *args)
            finally:
                self._ledger, self.context, _INSIDE[0] = ledger, context, caller
            _keep(cap.call_samples, key, (args, ledger_log, context_log, out))
            return out

        return spy

    for cls in classes:
        for name in dir(cls):
            real = getattr(cls, name)
            if name.startswith("on_") and callable(real) and not hasattr(real, "floor_spy"):
                saved.append((cls, name, cls.__dict__.get(name, real)))
                spy = wrap(name, real)
                spy.floor_spy = True  # type: ignore[attr-defined]
                setattr(cls, name, spy)
    return saved


def capture(n: int, blueprint: Path, rising: bool, journal: Path) -> Capture:
    """One run of ``blueprint`` on ``n`` bars with its journal at ``journal``, every
    construction, journaled DTO, note and plugin call recorded (run it in the pure
    build: compiled callers do not see the spies)."""
    from stc.runtime.dtos.market import Bar
    from stc.runtime.engine import Engine
    from stc.runtime.workers import ExecutionHandler

    plan = ema_plan(blueprint)
    classes = {
        type(worker)
        for worker in Engine(plan, []).workers.values()
        if not isinstance(worker, ExecutionHandler)
    }  # the venue's: not a strategy's
    bars = list(starmap(Bar, rising_rows(n)) if rising else synthetic_bars(n))
    cap = Capture()
    saved = _spy_handlers(cap, classes) + _spy_journal(cap)
    sink = Journal(journal)
    engine = Engine(plan, bars, journal=sink, engine="fast")  # as run_ema_engine runs it
    saved += _spy_models(cap)  # after the bootstrap: the plan's own models not counted
    try:
        result = engine.run()
        sink.close()
    finally:
        for owner, name, value in reversed(saved):
            setattr(owner, name, value)
    cap.trades = len(result.trades)
    return cap


def captured(n: int, blueprint: Path, rising: bool, journal: Path) -> Capture:
    """:func:`capture` in a fresh pure-build child process."""
    env = {**os.environ, "STC_PURE_PYTHON": "1"}
    with tempfile.NamedTemporaryFile(suffix=".pickle") as out:
        subprocess.run(
            [sys.executable, __file__, "--capture", str(n), str(blueprint),
             "rising" if rising else "seeded", str(journal), out.name],
            check=True, env=env,
        )  # fmt: skip
        with open(out.name, "rb") as stream:
            return Capture(**pickle.load(stream))


def journal_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every stored row of the journal at ``path``, by table, in insertion order (the
    stored form: what SQLite holds, the compact encoding not decoded)."""
    with sqlite3.connect(path) as db:
        return {name: list(db.execute(f"SELECT * FROM {name} ORDER BY {order}"))
                for name, order, _ in ROW_TABLES}  # fmt: skip


# --- 2. time each part ------------------------------------------------------------------
def cpu_each(repeat: int, items: list[Any], call: Callable[[Any], Any]) -> float:
    """CPU µs of ``call`` on one of ``items`` (each in turn, best of ``repeat``)."""
    rounds = max(1, 2000 // max(len(items), 1))
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        for _ in range(rounds):
            for item in items:
                call(item)
        best = min(best, time.process_time() - start)
    return best / (rounds * len(items)) * 1e6


def share(seeded: Counter[Any], rising: Counter[Any], key: Any, trades: int) -> float:
    """How many of ``key`` a round trip adds (seeded − rising, ÷ round trips)."""
    return max(seeded[key] - rising[key], 0) / trades


def _sdk_build(path: str, cls: type) -> Callable[[Any], Any]:
    """How the run built one ``cls`` by ``path``, from its recorded payload."""
    from stc.runtime.dtos.trusted import trusted

    if path == "validated":
        return lambda data: cls(**data)
    if path == "model_validate":
        return cls.model_validate  # type: ignore[attr-defined,no-any-return]
    if path == "model_copy":
        return lambda pair: pair[0].model_copy(update=pair[1])
    return lambda data: trusted(cls, **data)


def _construct_fields(path: str, cls: type, payloads: list[Any]) -> list[dict[str, Any]]:
    """The field values of each recorded build (what ``model_construct`` is given)."""
    build = _sdk_build(path, cls)
    return [dict(build(payload).__dict__) for payload in payloads]


def dto_rows(
    seeded: Capture, rising: Capture, repeat: int
) -> tuple[list[tuple[str, float, float]], dict[tuple[str, type], float]]:
    """a: (path and class, µs a round trip as the SDK builds, with model_construct);
    µs each (the SDK's path) by (path, class)."""
    out, each = [], {}
    for (path, cls), payloads in seeded.built_samples.items():
        count = share(seeded.built, rising.built, (path, cls), seeded.trades)
        if not count:
            continue
        sdk = each[(path, cls)] = cpu_each(repeat, payloads, _sdk_build(path, cls))
        fields = _construct_fields(path, cls, payloads)
        bare = cpu_each(repeat, fields, lambda values, cls=cls: cls.model_construct(**values))
        out.append((f"{cls.__name__} ({path}) ×{count:.3g}", count * sdk, count * bare))
    return sorted(out, key=lambda row: -row[1]), each


def json_text(dto: Any) -> str:
    """The pydantic-core JSON the journal's format 3 keeps of ``dto``: plain, or an
    ExecutionDirective without the plans it stores by id (``journal_codec``)."""
    from stc.runtime.journal_codec import _EXCLUDE

    serializer = type(dto).__pydantic_serializer__
    if type(dto).__name__ == "ExecutionDirective":
        return str(serializer.to_json(dto, exclude=_EXCLUDE).decode())
    return str(serializer.to_json(dto).decode())


def json_checks(cap: Capture, rows: dict[str, list[tuple[Any, ...]]]) -> dict[str, tuple[int, int]]:
    """Each journaled DTO's :func:`json_text` against the journal's stored rows: (equal,
    checked) for the records stored plain (byte-equal to a stored ``json`` of its id),
    the ExecutionDirectives (the stored text starts with it, less its closing brace: the
    plans' ids follow) and the StrategyDirectives (``encode_strategy``'s cut of it, what
    format 3 stores)."""
    from stc.runtime.flow_recorder import PARENTS
    from stc.runtime.journal_codec import encode_strategy

    stored: dict[tuple[str, str], set[str]] = {}
    for row in rows["dtos"]:  # seq, flow_id, dto_id, type, tick_time, worker, json, links
        dto_id = row[2].split("/F")[0] if row[3] == "Fill" else row[2]
        stored.setdefault((row[3], dto_id), set()).add(row[6])
    out: dict[str, tuple[int, int]] = {}
    for cls, dtos in cap.journaled_samples.items():
        name = cls.__name__
        field = PARENTS[cls][0] if cls in PARENTS else "trade_id"
        kind = name if name in ("StrategyDirective", "ExecutionDirective") else "plain"
        equal, checked = out.get(kind, (0, 0))
        for dto in dtos:
            texts, text = stored.get((name, str(getattr(dto, field))), set()), json_text(dto)
            if kind == "StrategyDirective":
                text = encode_strategy(dto, dto.causality.all_ids(), json_text)
            if kind == "ExecutionDirective":
                equal += any(t.startswith(text[:-1] + ",") for t in texts)
            else:
                equal += text in texts
            checked += 1
        out[kind] = (equal, checked)
    return out


def json_rows(seeded: Capture, rising: Capture, repeat: int) -> list[tuple[str, float]]:
    """b: (class, µs a round trip of pydantic-core's JSON); the notes' stdlib JSON."""
    from stc.runtime.journal import to_json

    out = []
    for cls, dtos in seeded.journaled_samples.items():
        count = share(seeded.journaled, rising.journaled, cls, seeded.trades)
        if count:
            out.append((f"{cls.__name__} ×{count:.3g}", count * cpu_each(repeat, dtos, json_text)))
    notes = max(seeded.notes - rising.notes, 0) / seeded.trades
    if notes and seeded.note_samples:
        each = cpu_each(repeat, seeded.note_samples, to_json)
        out.append((f"notes' fields (stdlib json) ×{notes:.3g}", notes * each))
    return sorted(out, key=lambda row: -row[1])


def batches(rows: dict[str, list[tuple[Any, ...]]], flows: int) -> list[list[list[Any]]]:
    """The rows to insert, ``flows`` flows a batch, each batch one list a table (in
    :data:`ROW_TABLES`' order): built before any clock starts."""
    flow_ids = [row[0] for row in rows["flows"]]
    bounds = [flow_ids[i] for i in range(0, len(flow_ids), flows)] + [float("inf")]
    out: list[list[list[Any]]] = [[[] for _ in ROW_TABLES] for _ in bounds[:-1]]
    for t, (name, _, _) in enumerate(ROW_TABLES):
        b = 0
        for row in rows[name]:
            flow_id = row[0] if name in ("flows", "flow_links") else row[1]
            while flow_id >= bounds[b + 1]:
                b += 1
            out[b][t].append(row if name in ("flows", "flow_links") else row[1:])
    return out


def write_journal(path: Path, prepared: list[list[list[Any]]]) -> tuple[float, float]:
    """Insert ``prepared`` into a fresh journal as ``Journal`` writes a backtest's
    batches; (CPU s of the batches, CPU s of ``Journal.close``: index, checkpoint)."""
    journal = Journal(path)  # its schema and pragmas
    db = journal._db
    start = time.process_time()
    for batch in prepared:
        db.execute("BEGIN")
        for (_, _, sql), rows in zip(ROW_TABLES, batch, strict=True):
            if rows:
                db.executemany(sql, rows)
        db.execute("COMMIT")
    middle = time.process_time()
    journal.close()
    return middle - start, time.process_time() - middle


def write_bare(path: Path, prepared: list[list[list[Any]]]) -> float:
    """The same rows, SQLite's cheapest: no sync, no rollback journal, no index, one
    transaction; CPU s."""
    from stc.runtime.journal import _SCHEMA

    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute(f"PRAGMA page_size={PAGE_SIZE}")
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.executescript(_SCHEMA)
    start = time.process_time()
    db.execute("BEGIN")
    for batch in prepared:
        for (_, _, sql), rows in zip(ROW_TABLES, batch, strict=True):
            if rows:
                db.executemany(sql, rows)
    db.execute("COMMIT")
    db.close()
    return time.process_time() - start


def sqlite_times(rows: dict[str, list[Any]], repeat: int, tmp: Path) -> tuple[float, float, float]:
    """c: (the batches, the close, the bare floor): CPU s, best of ``repeat`` each."""
    prepared, one = batches(rows, BATCH_FLOWS), batches(rows, 1 << 62)
    runs = [write_journal(tmp / f"floor{i}.sqlite", prepared) for i in range(repeat)]
    bare = min(write_bare(tmp / "bare.sqlite", one) for _ in range(repeat))
    return min(r[0] for r in runs), min(r[1] for r in runs), bare


def replay_calls(
    plan_blueprint: Path,
    seeded: Capture,
    rising: Capture,
    repeat: int,
    each_us: dict[tuple[str, type], float],
) -> tuple[list[tuple[str, float, float]], int, int]:
    """d: (worker.handler, µs a round trip of its own code, µs a round trip of its
    replay) of the replayed calls: the replay less the models the handler built, which
    a counts (``each_us``: a's µs each); (calls whose replay gave the recorded output's
    type, calls replayed)."""
    from stc.runtime.engine import Engine

    workers = Engine(ema_plan(plan_blueprint), []).workers
    out, same, tried = [], 0, 0
    for (worker_id, name), samples in seeded.call_samples.items():
        count = share(seeded.calls, rising.calls, (worker_id, name), seeded.trades)
        if not count:
            continue
        worker = workers[worker_id]
        handler = getattr(worker, name)
        worker._journal = lambda note, fields: None
        for args, ledger, context, recorded in samples:  # fidelity: the output's type
            worker._ledger, worker.context = _ReadReplay(ledger), _ReadReplay(context)
            tried += 1
            same += type(handler(*args)) is type(recorded)

        def call(sample: Any, worker: Any = worker, handler: Any = handler) -> Any:
            args, ledger, context, _ = sample
            worker._ledger, worker.context = _ReadReplay(ledger), _ReadReplay(context)
            return handler(*args)

        replay = count * cpu_each(repeat, samples, call)
        models = sum(
            share(seeded.handler_built, rising.handler_built, key, seeded.trades)
            * each_us[(key[2], key[3])]
            for key in seeded.handler_built
            if key[:2] == (worker_id, name)
        )
        out.append((f"{worker_id}.{name} ×{count:.3g}", replay - models, replay))
    return sorted(out, key=lambda row: -row[1]), same, tried


# --- 3. the table and the targets ---------------------------------------------------------
@dataclass
class Floor:
    """Every measured figure (µs a round trip unless named otherwise)."""

    blueprint: str
    bars: int
    trades: int
    dto_sdk: list[tuple[str, float, float]]
    json: list[tuple[str, float]]
    sqlite: tuple[float, float, float]  # the batches, the close, the bare floor (µs a trip)
    plugins: list[tuple[str, float, float]]  # (handler, own code, whole replay)
    replay_fidelity: tuple[int, int]
    live_calls: dict[str, float]
    tick_us: float  # µs a bar, the per-tick path
    flows_us: float  # today's flows (whole run − per-tick path) ÷ round trips
    whole_us: float  # µs a bar of the whole run
    backtesting_rate: float  # bars/s
    runtime: str = "compiled"  # stc.runtime.native_status() of the measuring process
    collected: dict[str, list[Any]] = field(default_factory=dict, repr=False)
    rows_equal: bool = False  # the floor's journal holds exactly the collected rows
    json_equal: dict[str, tuple[int, int]] = field(default_factory=dict)
    incremental_rate: float | None = None  # ict_smc: the incremental engine's bars/s
    filing_seconds: float | None = None  # ict_smc: CPU s of these bars on the filing day
    pure_tick_us: float | None = None
    startup_s: float | None = None
    report_s: float | None = None
    backtesting_whole_s: float | None = None

    @property
    def parts(self) -> dict[str, float]:
        """a, b, c, d and their sum (the floor)."""
        parts = {
            "a. DTO construction (SDK paths)": sum(r[1] for r in self.dto_sdk),
            "b. the journal's JSON (pydantic-core; notes: stdlib)": self.json_us,
            "c. the journal's SQLite writes (its batches + close)": sum(self.sqlite[:2]),
            "d. the plugins' own code (replayed handlers less their DTOs)": self.plugins_us,
        }
        parts[FLOOR] = sum(parts.values())
        return parts

    @property
    def json_us(self) -> float:
        return sum(r[1] for r in self.json)

    @property
    def plugins_us(self) -> float:
        return sum(r[1] for r in self.plugins)

    @property
    def floor(self) -> float:
        return self.parts[FLOOR]

    @property
    def bare_floor(self) -> float:
        """The floor with each DTO's cheaper path (``model_construct`` or the SDK's) and
        SQLite's bare writes."""
        built = sum(min(r[1], r[2]) for r in self.dto_sdk)
        return built + self.json_us + self.sqlite[2] + self.plugins_us


FLOOR = "**floor** (a + b + c + d)"
INSTRUCTION_ROWS = (
    ("a", "a. DTO construction (SDK paths)"), ("a0", "a with model_construct for all"),
    ("b", "b. the journal's JSON"), ("c", "c. SQLite: the journal's batches + close"),
    ("c0", "c bare: no sync, no rollback journal, no index, one transaction"),
    ("d", "d replayed (with the DTOs the handlers build)"), ("dm", "… those DTOs"),
    ("d own", "d. the plugins' own code"),
)  # fmt: skip


def allowed(rate: float, tick_us: float, bars_per_trip: float) -> float:
    """µs a round trip may cost for a run at ``rate`` bars/s: (1 s − the per-tick path
    of the bars) ÷ the round trips of those bars."""
    return (1e6 / rate - tick_us) * bars_per_trip


def _verdict(name: str, budget: float, floor: float, before: str = "the per-tick path") -> str:
    if budget <= 0:
        return f"- {name}: allows {budget:,.1f} µs: **{before} alone excludes it**"
    said = "the floor alone allows it" if floor <= budget else "the floor alone excludes it"
    return f"- {name}: allows {budget:,.1f} µs a round trip; floor {floor:,.1f} µs: **{said}**"


def targets(f: Floor) -> list[str]:
    """Issue 23's numeric targets, each as the round trip it allows against the floor
    (a compiled process: the compiled targets; a pure one: the pure-Python target)."""
    per = f.bars / f.trades
    lines = [f"Density: {f.trades:,} round trips in {f.bars:,} bars ({per:,.1f} bars a round "
             f"trip); per-tick path {f.tick_us:.3f} µs a bar; backtesting.py "
             f"{f.backtesting_rate:,.0f} bars/s (same process); runtime "
             f"{f.runtime}.\n"]  # fmt: skip
    lines.append(_verdict(f"a round trip's flows ≤ {FLOW_TARGET:.0f} µs", FLOW_TARGET, f.floor))
    pure = f.runtime != "compiled"
    if f.blueprint == "ema_trend" and not pure:
        for name, rate in ((f"≥ {FAST_TARGET:,} bars/s", FAST_TARGET),
                           ("≥ 5× backtesting.py", 5 * f.backtesting_rate)):  # fmt: skip
            budget = allowed(rate, f.tick_us, per)
            lines.append(_verdict(f"{name} ({rate:,.0f} bars/s)", budget, f.floor))
    if f.blueprint == "ema_trend" and (pure or f.pure_tick_us is not None):
        rate, tick = 2 * f.backtesting_rate, f.tick_us if pure else f.pure_tick_us
        assert tick is not None
        said = ("the floor of this pure process" if pure else "an estimate: the compiled "
                "build's floor; the pure floor: this command with STC_PURE_PYTHON=1")  # fmt: skip
        lines.append(_verdict(f"pure Python ≥ 2× backtesting.py ({rate:,.0f} bars/s; pure "
                              f"per-tick path {tick:.3f} µs a bar; {said})",
                              allowed(rate, tick, per), f.floor))  # fmt: skip
    if f.startup_s is not None and f.report_s is not None and f.backtesting_whole_s:
        whole = f.backtesting_whole_s / 3
        ticks = f.tick_us * f.bars / 1e6
        left = whole - f.startup_s - f.report_s - ticks
        lines.append(_verdict(
            f"whole process ≥ 3× backtesting.py's ({f.backtesting_whole_s:.2f} s CPU → "
            f"{whole:.2f} s; less start-up {f.startup_s:.2f} s, report {f.report_s:.2f} s, "
            f"per-tick path {ticks:.2f} s; CSV loading not counted)",
            left / f.trades * 1e6, f.floor, "start-up, report and per-tick path"))  # fmt: skip
    if f.filing_seconds:
        rate = 3 * f.bars / f.filing_seconds
        lines.append(_verdict(f"ict_smc ≥ 3× its filing-day figure ({f.filing_seconds:.2f} s "
                              f"CPU for these bars, given → {rate:,.0f} bars/s)",
                              allowed(rate, f.tick_us, per), f.floor))  # fmt: skip
    if f.incremental_rate:
        rate = 3 * f.incremental_rate
        lines.append(_verdict(f"ict_smc ≥ 3× today's incremental engine (runtime_throughput's "
                              f"reading; {f.incremental_rate:,.0f} → {rate:,.0f} bars/s)",
                              allowed(rate, f.tick_us, per), f.floor))  # fmt: skip
    return lines


def report(f: Floor) -> str:
    """The markdown tables and the targets."""
    lines = [f"{f.blueprint}, {f.bars:,} seeded bars, {f.trades:,} round trips; µs a round "
             "trip, CPU time\n", "| part | µs a round trip |", "|---|---:|"]  # fmt: skip
    lines += [f"| {label} | {us:,.1f} |" for label, us in f.parts.items()]
    lines += [
        f"| today's flows, same process (whole run − per-tick path) | {f.flows_us:,.1f} |",
        f"| a with model_construct for all | {sum(r[2] for r in f.dto_sdk):,.1f} |",
        f"| floor with each DTO's cheaper path and SQLite bare | {f.bare_floor:,.1f} |",
        f"| e. per-tick path (µs a bar) | {f.tick_us:.3f} |",
        f"| f. backtesting.py (bars/s) | {f.backtesting_rate:,.0f} |",
        "",
        "| a. DTO built (a round trip) | SDK µs | model_construct µs |",
        "|---|---:|---:|",
    ]
    lines += [f"| {label} | {sdk:,.1f} | {bare:,.1f} |" for label, sdk, bare in f.dto_sdk]
    lines += ["", "| b. JSON (a round trip) | µs |", "|---|---:|"]
    lines += [f"| {label} | {us:,.1f} |" for label, us in f.json]
    batches_us, close_us, bare_us = f.sqlite
    lines += ["", "| c. SQLite (a round trip) | µs |", "|---|---:|",
              f"| the journal's batches ({BATCH_FLOWS} flows a transaction) | {batches_us:,.1f} |",
              f"| `Journal.close` (index, checkpoint) | {close_us:,.1f} |",
              f"| bare: synchronous=OFF, journal_mode=OFF, no index, one transaction "
              f"| {bare_us:,.1f} |",
              "", "| d. handler (a round trip) | own code µs | replayed µs (with its DTOs) |",
              "|---|---:|---:|"]  # fmt: skip
    lines += [f"| {label} | {own:,.1f} | {whole:,.1f} |" for label, own, whole in f.plugins]
    same, tried = f.replay_fidelity
    lines.append(f"\nReplays that returned the recorded output's type: {same:,} of {tried:,}. "
                 "Not replayed (live context input), calls a round trip: " + (", ".join(
                     f"{k} ×{v:.2f}" for k, v in f.live_calls.items()) or "none"))  # fmt: skip
    rows = sum(len(r) for r in f.collected.values()) / f.trades if f.collected else 0.0
    lines.append(
        f"\nRows a round trip: {rows:.1f} ("
        + ", ".join(f"{t} {len(r) / f.trades:.2f}" for t, r in f.collected.items())
        + "); the floor's "
        f"journal holds exactly the collected rows: {f.rows_equal}. JSON equal to the "
        "journal's: " + ", ".join(f"{k} {e:,}/{c:,}" for k, (e, c) in f.json_equal.items())
    )
    if f.incremental_rate:
        lines.append(f"\nIncremental engine, same process: {f.incremental_rate:,.0f} bars/s; "
                     f"fast: {1e6 / f.whole_us:,.0f}.")  # fmt: skip
    return "\n".join([*lines, "", *targets(f)])


# --- the process-level figures ------------------------------------------------------------
def pure_tick_us(n: int, blueprint: Path, repeat: int) -> float:
    """µs a bar of the per-tick path with ``STC_PURE_PYTHON=1`` (a child process)."""
    env = {**os.environ, "STC_PURE_PYTHON": "1"}
    out = subprocess.run(
        [sys.executable, __file__, "--tick", str(n), str(blueprint), str(repeat)],
        check=True, env=env, capture_output=True, text=True,
    )  # fmt: skip
    return float(out.stdout.split()[-1])


def quiet_seconds(n: int, blueprint: Path, repeat: int) -> float:
    """CPU s of the engine with its journal on ``n`` bars without a signal."""
    return best_of(repeat, lambda: run_ema_engine(n, rising=True, blueprint=blueprint))[0]


def whole_process(n: int, blueprint: Path, tmp: Path) -> tuple[float, float, float]:
    """(start-up: a one-bar ``stc run``'s process CPU, the report stage at ``n`` bars,
    backtesting.py's whole process CPU on the same CSV), from ``run_stages.py`` and
    ``backtesting_whole.py``; CPU s."""
    data, one = tmp / "bars.csv", tmp / "one.csv"
    whole = HERE / "backtesting_whole.py"
    subprocess.run([sys.executable, str(whole), str(data), "--write", str(n)], check=True)
    lines = data.read_text(encoding="utf-8").splitlines(keepends=True)
    one.write_text("".join(lines[:2]), encoding="utf-8")
    startup = _repetition(one, blueprint, "fast")["process total (user + sys)"]
    report_s = _repetition(data, blueprint, "fast")["report"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, str(whole), str(data)], check=True, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    bt = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return startup, report_s, bt


def measure(n: int, blueprint: Path, repeat: int, whole: bool = False) -> Floor:
    """Collect, then time every part (CPU time: ``time.perf_counter`` of the reused
    helpers is the process clock while this runs)."""
    with tempfile.TemporaryDirectory() as name, patched(time, "perf_counter", time.process_time):
        tmp = Path(name)
        seeded = captured(n, blueprint, False, tmp / "seeded.sqlite")
        rising = captured(n, blueprint, True, tmp / "rising.sqlite")
        warm_schemas()  # pydantic builds them on first use: not a round trip's cost
        rows = journal_rows(tmp / "seeded.sqlite")
        quiet_rows = journal_rows(tmp / "rising.sqlite")
        trips = seeded.trades
        full, trades = best_of(repeat, lambda: run_ema_engine(n, blueprint=blueprint))
        assert trades == trips, (trades, trips)
        quiet = quiet_seconds(n, blueprint, repeat)
        batches_s, close_s, bare_s = sqlite_times(rows, repeat, tmp)
        if any(quiet_rows.values()):  # the per-tick path's own rows are not the trips'
            q = sqlite_times(quiet_rows, repeat, tmp)
            batches_s, close_s, bare_s = batches_s - q[0], close_s - q[1], bare_s - q[2]
        dto_sdk, each_us = dto_rows(seeded, rising, repeat)
        plugins, same, tried = replay_calls(blueprint, seeded, rising, repeat, each_us)
        rows_equal = journal_rows(tmp / "floor0.sqlite") == rows
        name_ = blueprint.stem
        floor = Floor(
            blueprint=name_, bars=n, trades=trips,
            dto_sdk=dto_sdk, json=json_rows(seeded, rising, repeat),
            sqlite=(batches_s / trips * 1e6, close_s / trips * 1e6, bare_s / trips * 1e6),
            plugins=plugins, replay_fidelity=(same, tried),
            live_calls={f"{w}.{h}": share(seeded.live_calls, rising.live_calls, (w, h), trips)
                        for w, h in seeded.live_calls
                        if share(seeded.live_calls, rising.live_calls, (w, h), trips)},
            tick_us=quiet / n * 1e6, flows_us=(full - quiet) / trips * 1e6,
            whole_us=full / n * 1e6,
            backtesting_rate=n / best_of(repeat, lambda: run_backtesting_py(n))[0],
            collected=rows, rows_equal=rows_equal, runtime=runtime.native_status(),
            json_equal=json_checks(seeded, rows),
        )  # fmt: skip
        if name_ == "ema_trend":
            if floor.runtime == "compiled":
                floor.pure_tick_us = pure_tick_us(n, blueprint, repeat)
            if whole:
                floor.startup_s, floor.report_s, floor.backtesting_whole_s = whole_process(
                    n, blueprint, tmp
                )
        else:
            incremental = best_of(repeat, lambda: run_ema_engine(
                n, blueprint=blueprint, mode="incremental"))[0]  # fmt: skip
            floor.incremental_rate = n / incremental
    return floor


# --- instruction counts (callgrind): a round trip's work, TRIPS times ---------------------
TRIPS = 1000
"""Round trips' worth of each part a counted process does (a, b, d: each DTO or call
``share × TRIPS`` times; c: the run's rows, ÷ its round trips)."""
PARTS = ("none", "a", "a0", "b", "c", "c0", "d", "dm")
"""The counted processes: nothing past the common set-up; a as the SDK builds, with
``model_construct``; b; c as the journal writes, bare; d whole; d's own DTO builds."""


def _repeated(
    keys: dict[Any, list[Any]], times: Callable[[Any], float]
) -> Iterable[tuple[Any, Any]]:
    """(key, sample) ``round(times(key) × TRIPS)`` times a key, cycling its samples."""
    for key, samples in keys.items():
        for i in range(round(times(key) * TRIPS)):
            yield key, samples[i % len(samples)]


def part_work(data: dict[str, Any]) -> dict[str, list[tuple[Callable[[Any], Any], Any]]]:
    """Every part's work as (call, argument) pairs, ``TRIPS`` round trips' worth (c:
    the run's rows): built whole in every counted process, ``none`` included, so the
    set-up cancels and a part's count is its calls plus a minimal loop."""
    from stc.runtime.engine import Engine

    seeded, rising, rows = Capture(**data["seeded"]), Capture(**data["rising"]), data["rows"]
    trips = seeded.trades
    built = lambda key: share(seeded.built, rising.built, key, trips)  # noqa: E731
    builders = {key: _sdk_build(*key) for key in seeded.built_samples}
    fields = {
        key: _construct_fields(*key, samples) for key, samples in seeded.built_samples.items()
    }
    work: dict[str, list[tuple[Callable[[Any], Any], Any]]] = {part: [] for part in PARTS}
    for key, payload in _repeated(seeded.built_samples, built):
        work["a"].append((builders[key], payload))
    for (_, cls), values in _repeated(fields, built):
        work["a0"].append((lambda v, cls=cls: cls.model_construct(**v), values))
    journaled = lambda cls: share(seeded.journaled, rising.journaled, cls, trips)  # noqa: E731
    work["b"] = [(json_text, dto) for _, dto in _repeated(seeded.journaled_samples, journaled)]
    notes = max(seeded.notes - rising.notes, 0) / trips
    work["b"] += [(to_json, f) for _, f in _repeated({0: seeded.note_samples}, lambda _: notes)]
    prepared, one = batches(rows, BATCH_FLOWS), batches(rows, 1 << 62)
    work["c"] = [(lambda path: write_journal(path, prepared), "floor.sqlite")]
    work["c0"] = [(lambda path: write_bare(path, one), "bare.sqlite")]
    own = {k: seeded.built_samples[k[2:]] for k in seeded.handler_built}
    made = lambda k: share(seeded.handler_built, rising.handler_built, k, trips)  # noqa: E731
    work["dm"] = [(builders[key[2:]], payload) for key, payload in _repeated(own, made)]
    workers = Engine(ema_plan(Path(data["blueprint"])), []).workers
    calls = lambda k: share(seeded.calls, rising.calls, k, trips)  # noqa: E731
    for (worker_id, name), sample in _repeated(seeded.call_samples, calls):
        worker = workers[worker_id]
        worker._journal = lambda note, fields: None
        work["d"].append((partial(_replayed, worker, getattr(worker, name)), sample))
    return work


def _replayed(worker: Any, handler: Callable[..., Any], sample: Any) -> Any:
    """One recorded handler call on ``worker``, its reads answered from the recording."""
    args, ledger, context, _ = sample
    worker._ledger, worker.context = _ReadReplay(ledger), _ReadReplay(context)
    return handler(*args)


def part_process(part: str, data_file: Path) -> None:
    """The counted process: the common set-up (load, schemas, every part's work list,
    an empty journal written), then one part's list run (``none``: nothing more)."""
    warm_schemas()
    work = part_work(pickle.loads(data_file.read_bytes()))
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        write_journal(tmp / "empty.sqlite", [])
        for call, argument in work.get(part, []):
            call(tmp / argument if part in ("c", "c0") else argument)


def instructions(n: int, blueprint: Path) -> dict[str, float]:
    """Instructions a round trip of a, a with model_construct, b, c, c bare, d, d's own
    code: each part's process under callgrind less the ``none`` process, ÷ ``TRIPS``
    (c: ÷ the run's round trips). Needs valgrind."""
    import re

    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        seeded = captured(n, blueprint, False, tmp / "seeded.sqlite")
        rising = captured(n, blueprint, True, tmp / "rising.sqlite")
        data = tmp / "data.pickle"
        data.write_bytes(pickle.dumps({"seeded": vars(seeded), "rising": vars(rising),
                                       "rows": journal_rows(tmp / "seeded.sqlite"),
                                       "blueprint": str(blueprint)}))  # fmt: skip
        env = {**os.environ, "PYTHONHASHSEED": "0", "STC_NO_CACHE": "1"}
        command = [sys.executable, __file__, "--part", "none", str(data)]
        subprocess.run(command, check=True, env=env)  # bytecode and caches written
        counts: dict[str, int] = {}
        for part in PARTS:
            command[3] = part
            done = subprocess.run(
                ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
                capture_output=True, text=True, env=env, check=True,
            )  # fmt: skip
            found = re.search(r"Collected : (\d+)", done.stderr)
            assert found is not None, done.stderr
            counts[part] = int(found.group(1))
    per = {part: (counts[part] - counts["none"]) / TRIPS for part in PARTS[1:]}
    for part in ("c", "c0"):
        per[part] = (counts[part] - counts["none"]) / seeded.trades
    per["d own"] = per["d"] - per["dm"]
    return per


def main() -> None:
    """Measure and print, or (internal) be one of the child processes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bars", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--blueprint", type=Path, default=EMA_BLUEPRINT)
    parser.add_argument(
        "--whole",
        action="store_true",
        help="also run run_stages.py and backtesting_whole.py (whole process)",
    )
    parser.add_argument("--capture", nargs=5, help=argparse.SUPPRESS)
    parser.add_argument("--tick", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--part", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument(
        "--filing-seconds",
        type=float,
        metavar="S",
        help="ict_smc: CPU s of --bars bars on the filing day (tree_cpu.py)",
    )
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="count a, b, c, d with callgrind instead (needs valgrind)",
    )
    args = parser.parse_args()
    if args.part:
        part_process(args.part[0], Path(args.part[1]))
        return
    if args.instructions:
        per = instructions(args.bars, args.blueprint.resolve())
        print(
            f"{args.blueprint.stem}, {args.bars:,} bars: instructions a round trip "
            f"(callgrind, each part's process − the set-up's; a, b, d: {TRIPS:,} round "
            "trips' worth; c: the run's rows ÷ its round trips)\n"
        )
        print("| part | instructions |\n|---|---:|")
        for part, label in INSTRUCTION_ROWS:
            print(f"| {label} | {per[part]:,.0f} |")
        floor = per["a"] + per["b"] + per["c"] + per["d own"]
        print(f"| **floor** (a + b + c + d own) | **{floor:,.0f}** |")
        return
    if args.capture:
        n, blueprint, kind, journal, out = args.capture
        cap = capture(int(n), Path(blueprint), kind == "rising", Path(journal))
        Path(out).write_bytes(pickle.dumps(vars(cap)))  # a dict: Capture may be __main__'s
        return
    if args.tick:
        n, blueprint, repeat = int(args.tick[0]), Path(args.tick[1]), int(args.tick[2])
        with patched(time, "perf_counter", time.process_time):
            print(quiet_seconds(n, blueprint, repeat) / n * 1e6)
        return
    floor = measure(args.bars, args.blueprint.resolve(), args.repeat, args.whole)
    floor.filing_seconds = args.filing_seconds
    print(report(floor))
    print(f"\n(runtime {runtime.native_status()}; CPU time, best of {args.repeat}; {REPO})")


if __name__ == "__main__":
    main()
