"""Where ema_trend's time goes: the per-tick path against the flows, and what a trade's
flows are made of.

``runtime_throughput.py`` gives the rates; this splits them, all in one process on
the same seeded bars (``bar_rows``), best of ``--repeat`` for every timed variant:

- **per-tick path**: the engine with its journal on bars where the cross never fires
  (``bar_rows.rising_rows``): no flow, no trade — what issue 4 says must not validate
  pydantic models, look things up by name or write to SQLite;
- **flows**: the full run's cost above that, per round-trip trade (a golden cross's
  flow that opens the trade and a death cross's that closes it, fills included);
- inside the flows, by ablation (each variant changes one thing and is timed whole):
  the journal's SQLite writes (``Journal.flush`` dropping its batches), the JSON of
  every journaled DTO (every DTO class's pydantic-core serializer answering ``to_json``
  with ``{}`` and the recorder's ``to_json`` of notes with ``""``: the class attribute
  is looked up at run time in the compiled build too, where the recorder's own
  functions are bound natively and cannot be patched), the rest of the journal's work
  (the run without a journal, minus both);
- **validated DTOs**: every pydantic DTO the run constructs, counted by class in a
  separate (untimed) census run, each class's construction timed alone with the
  arguments it was first built with;
- **engine around the plugins**: the engine without a journal against
  ``runtime_throughput.run_ema_hand``, a loop calling the same plugin objects directly,
  on both kinds of bars (the per-tick share and the flows' share);
- **bars with a position open**: not flows at all, but inside "whole run − per-tick
  path": a trade is held ~50 bars, and on each the venue checks its stop and target
  and the ledger marks it. Timed as the venue's ``process_bar`` plus the ledger's
  ``mark`` over the seeded bars with one position open against none, times the run's
  exposed bars (the engine's event skipping, issue 23 item 2, removes most of it);
- **the rest**: what is left of the flows — the plugins' own code, the ledger, fills,
  ids (estimates: the DTO census times construction alone, in warm caches).

Usage: ``python benchmarks/flow_cost.py [--bars 100000] [--repeat 3] [--clock cpu]``.
Prints a markdown table (µs a bar and µs a round-trip trade) and the budget that
150,000 bars/s leaves the flows. ``--clock cpu`` (the default) times with the process's
CPU time (``time.process_time``, SQLite's writes included: it runs in-process) instead
of wall time: on the shared 2-core VM other jobs stretch wall time by 2-4× while they
run, CPU time far less; ``--clock wall`` is the old behaviour.
"""

from __future__ import annotations

import argparse
import time
import timeit
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic import BaseModel
from runtime_throughput import TARGET, ema_plan, run_ema_engine, run_ema_hand, synthetic_bars

import stc.runtime as runtime
import stc.runtime.flow_recorder as recorder_module
from stc.runtime.engine import Engine
from stc.runtime.journal import Journal


@contextmanager
def patched(owner: Any, name: str, value: Any) -> Iterator[None]:
    """``owner.name = value`` for the duration of the block."""
    saved = getattr(owner, name)
    setattr(owner, name, value)
    try:
        yield
    finally:
        setattr(owner, name, saved)


def _drop_batches(journal: Journal) -> None:
    journal._pending = []


class _NoJson:
    """A DTO class's serializer that writes ``{}``: what the run costs without the
    journal's JSON (everything else, ``to_python`` included, is the real one's)."""

    def __init__(self, real: Any) -> None:
        self.real = real

    def to_json(self, value: Any, **kwargs: Any) -> bytes:
        return b"{}"

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def _models(root: type[BaseModel]) -> Iterator[type[BaseModel]]:
    """Every concrete subclass of ``root`` defined so far."""
    for cls in root.__subclasses__():
        if "__pydantic_serializer__" in vars(cls):
            yield cls
        yield from _models(cls)


@contextmanager
def no_dto_json() -> Iterator[None]:
    """Every DTO class's ``to_json`` answering ``{}`` for the duration of the block."""
    saved = {cls: vars(cls)["__pydantic_serializer__"] for cls in set(_models(BaseModel))}
    for cls, real in saved.items():
        type.__setattr__(cls, "__pydantic_serializer__", _NoJson(real))
    try:
        yield
    finally:
        for cls, real in saved.items():
            type.__setattr__(cls, "__pydantic_serializer__", real)


def best_of(repeat: int, run: Callable[[], tuple[float, int]]) -> tuple[float, int]:
    """The fastest of ``repeat`` runs (seconds, trades)."""
    return min((run() for _ in range(repeat)), key=lambda got: got[0])


def dto_census(n: int) -> tuple[Counter[type], dict[type, dict[str, Any]]]:
    """Every pydantic model constructed (validated) in a journaled run, by class, and the
    keyword arguments each class was first built with."""
    counts: Counter[type] = Counter()
    samples: dict[type, dict[str, Any]] = {}
    original = BaseModel.__init__

    def counting(self: BaseModel, /, **data: Any) -> None:
        cls = type(self)
        counts[cls] += 1
        samples.setdefault(cls, dict(data))
        original(self, **data)

    with patched(BaseModel, "__init__", counting):
        run_ema_engine(n)
    return counts, samples


def construction_us(cls: type, kwargs: dict[str, Any]) -> float:
    """µs to construct (validate) one ``cls`` from ``kwargs``, best of 5."""
    number = 2000
    timer = time.perf_counter  # patched to the CPU clock by ``main`` (see --clock)
    runs = timeit.repeat(lambda: cls(**kwargs), number=number, repeat=5, timer=timer)
    return min(runs) / number * 1e6


def open_position_cost(n: int, repeat: int) -> tuple[float, int]:
    """(seconds the venue and ledger spend on ``n`` seeded bars with one long position
    open minus with none, best of ``repeat`` each; the bars the full run held a
    position)."""
    bars = list(synthetic_bars(n))
    exposed = Engine(ema_plan(), bars).run().exposed_bars

    def book(open_trade: bool) -> float:
        engine = Engine(ema_plan(), [])
        ledger, venue = engine.ledger, engine.handler.venue  # type: ignore[attr-defined]
        if open_trade:  # a stop and target no bar of the walk reaches
            first = bars[0]
            stop, target = Decimal("0.01"), Decimal(1000)
            trade = "TRD_20200101_000000_00001"
            ledger.entry_fill(trade, "BUY", first.open, Decimal(100), 0.0, first.time,
                              stop=stop, target=target)  # fmt: skip
            ledger.drain_changes()
        start = time.perf_counter()
        for index, bar in enumerate(bars):
            venue.process_bar(bar, index)
            ledger.mark(bar)
        return time.perf_counter() - start

    flat = min(book(False) for _ in range(repeat))
    held = min(book(True) for _ in range(repeat))
    return (held - flat) / n * exposed, exposed


@dataclass
class Timings:
    """Seconds of every variant (best of the repeats) and the run's figures."""

    bars: int
    trades: int
    full: float  # engine + journal, seeded bars
    quiet: float  # engine + journal, bars without a signal
    quiet_no_journal: float
    hand_quiet: float  # the same plugin objects called directly, bars without a signal
    no_sqlite: float
    no_json: float
    no_journal: float
    hand: float
    dtos: float  # census × construction alone
    open_bars: float  # venue + ledger on the bars a position was open, above a flat bar
    exposed: int
    census: Counter[type] = field(default_factory=Counter)
    each_us: dict[type, float] = field(default_factory=dict)


def measure(n: int, repeat: int) -> Timings:
    """Time every variant on ``n`` bars."""
    full, trades = best_of(repeat, lambda: run_ema_engine(n))
    with patched(Journal, "flush", _drop_batches):
        no_sqlite = best_of(repeat, lambda: run_ema_engine(n))[0]
    with patched(recorder_module, "to_json", lambda value: ""), no_dto_json():
        no_json = best_of(repeat, lambda: run_ema_engine(n))[0]
    counts, samples = dto_census(n)
    each = {cls: construction_us(cls, samples[cls]) for cls in counts}
    open_bars, exposed = open_position_cost(n, repeat)
    return Timings(
        bars=n, trades=trades, full=full,
        quiet=best_of(repeat, lambda: run_ema_engine(n, rising=True))[0],
        quiet_no_journal=best_of(repeat, lambda: run_ema_engine(n, False, rising=True))[0],
        hand_quiet=best_of(repeat, lambda: run_ema_hand(n, rising=True))[0],
        no_sqlite=no_sqlite, no_json=no_json,
        no_journal=best_of(repeat, lambda: run_ema_engine(n, journal=False))[0],
        hand=best_of(repeat, lambda: run_ema_hand(n))[0],
        dtos=sum(counts[c] * each[c] for c in counts) / 1e6, census=counts, each_us=each,
        open_bars=open_bars, exposed=exposed,
    )  # fmt: skip


def parts(t: Timings) -> list[tuple[str, float]]:
    """The table's rows: (label, seconds over the whole run)."""
    flows, journal = t.full - t.quiet, t.full - t.no_journal
    sqlite, json = t.full - t.no_sqlite, t.full - t.no_json
    engine_tick = t.quiet_no_journal - t.hand_quiet
    engine_flows = (t.no_journal - t.hand) - engine_tick
    return [
        ("whole run (engine + journal)", t.full),
        ("per-tick path (bars without a signal)", t.quiet),
        ("… the plugins' own work (hand loop on those bars)", t.hand_quiet),
        ("… the engine around them (no journal − hand loop)", engine_tick),
        ("… the journal on a quiet tick", t.quiet - t.quiet_no_journal),
        ("**flows** (whole run − per-tick path)", flows),
        ("… journal: SQLite writes", sqlite),
        ("… journal: JSON of the DTOs", json),
        ("… journal: the rest (records, links, ids)", journal - sqlite - json),
        (f"… validated pydantic DTOs ({sum(t.census.values()):,} built)", t.dtos),
        ("… engine around the plugins (flows' share)", engine_flows),
        (f"… bars with a position open ({t.exposed:,}: venue + ledger above a flat bar)",
         t.open_bars),
        ("… the rest: plugins' own code, ledger, fills, ids", flows - journal - t.dtos
         - engine_flows - t.open_bars),
    ]  # fmt: skip


def report(t: Timings) -> str:
    """The markdown tables and the budget line."""
    n, trades = t.bars, t.trades
    lines = [
        f"ema_trend, {n:,} seeded bars, {trades:,} round-trip trades, runtime "
        f"{runtime.native_status()}\n",
        "| part | µs a bar | µs a trade |",
        "|---|---:|---:|",
    ]
    lines += [f"| {label} | {s / n * 1e6:.2f} | {s / trades * 1e6:,.0f} |" for label, s in parts(t)]
    budget = (n / TARGET - t.quiet) / trades * 1e6
    lines += [
        f"\n{TARGET:,} bars/s leaves the flows {budget:,.0f} µs a trade; they take "
        f"{(t.full - t.quiet) / trades * 1e6:,.0f}.\n",
        "| DTO class | built | µs each | µs a trade |",
        "|---|---:|---:|---:|",
    ]
    for cls, count in t.census.most_common():
        each = t.each_us[cls]
        lines.append(f"| {cls.__name__} | {count:,} | {each:.1f} | {count * each / trades:,.0f} |")
    return "\n".join(lines)


def main() -> None:
    """Measure every variant and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bars", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--clock", choices=("cpu", "wall"), default="cpu")
    args = parser.parse_args()
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    # run_ema_engine times with time.perf_counter: the CPU clock replaces it here
    with patched(time, "perf_counter", clock):
        print(report(measure(args.bars, args.repeat)))
    print(f"\n(clock: {args.clock})")


if __name__ == "__main__":
    main()
