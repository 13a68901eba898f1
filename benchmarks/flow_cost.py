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
  every journaled DTO (``runtime.engine.to_json`` returning ``""``), the rest of the
  journal's work (the run without a journal, minus both);
- **validated DTOs**: every pydantic DTO the run constructs, counted by class in a
  separate (untimed) census run, each class's construction timed alone with the
  arguments it was first built with;
- **engine around the plugins**: the engine without a journal against
  ``runtime_throughput.run_ema_hand``, a loop calling the same plugin objects directly.

Usage: ``python benchmarks/flow_cost.py [--bars 100000] [--repeat 3]``. Prints a
markdown table (µs a bar and µs a round-trip trade) and the budget that
150,000 bars/s leaves the flows.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import timeit
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import starmap
from pathlib import Path
from typing import Any

from bar_rows import rising_rows
from pydantic import BaseModel
from runtime_throughput import TARGET, ema_plan, run_ema_hand, synthetic_bars

import runtime
import runtime.engine as engine_module
from runtime.dtos.market import Bar
from runtime.engine import Engine
from runtime.journal import Journal


def run_once(bars: list[Bar], journal: bool = True) -> tuple[float, int]:
    """One timed engine run of ema_trend over ``bars``: (seconds, trades)."""
    plan = ema_plan()
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        sink = Journal(Path(tmp) / "j.sqlite") if journal else None
        result = Engine(plan, bars, journal=sink).run()
        if sink is not None:
            sink.close()
        return time.perf_counter() - start, len(result.trades)


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


def best_of(repeat: int, run: Callable[[], tuple[float, int]]) -> tuple[float, int]:
    """The fastest of ``repeat`` runs (seconds, trades)."""
    return min((run() for _ in range(repeat)), key=lambda got: got[0])


def dto_census(bars: list[Bar]) -> tuple[Counter[type], dict[type, dict[str, Any]]]:
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
        run_once(bars)
    return counts, samples


def construction_us(cls: type, kwargs: dict[str, Any]) -> float:
    """µs to construct (validate) one ``cls`` from ``kwargs``, best of 5."""
    number = 2000
    return min(timeit.repeat(lambda: cls(**kwargs), number=number, repeat=5)) / number * 1e6


def main() -> None:
    """Measure every variant and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bars", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    n, repeat = args.bars, args.repeat
    bars = list(synthetic_bars(n))
    rising = list(starmap(Bar, rising_rows(n)))

    full, trades = best_of(repeat, lambda: run_once(bars))
    quiet, _ = best_of(repeat, lambda: run_once(rising))
    with patched(Journal, "flush", _drop_batches):
        no_sqlite, _ = best_of(repeat, lambda: run_once(bars))
    with patched(engine_module, "to_json", lambda value: ""):
        no_json, _ = best_of(repeat, lambda: run_once(bars))
    no_journal, _ = best_of(repeat, lambda: run_once(bars, journal=False))
    hand, _ = best_of(repeat, lambda: run_ema_hand(n))
    counts, samples = dto_census(bars)
    dto_seconds = sum(counts[c] * construction_us(c, samples[c]) for c in counts) / 1e6

    def row(label: str, seconds: float) -> str:
        return f"| {label} | {seconds / n * 1e6:.2f} | {seconds / trades * 1e6:,.0f} |"

    flows = full - quiet
    sqlite, json = full - no_sqlite, full - no_json
    print(f"ema_trend, {n:,} seeded bars, {trades:,} round-trip trades, runtime "
          f"{runtime.native_status()}, best of {repeat}\n")  # fmt: skip
    print("| part | µs a bar | µs a trade |")
    print("|---|---:|---:|")
    print(row("whole run (engine + journal)", full))
    print(row("per-tick path (bars without a signal)", quiet))
    print(row("**flows** (whole run − per-tick path)", flows))
    print(row("… journal: SQLite writes", sqlite))
    print(row("… journal: JSON of the DTOs", json))
    print(row("… journal: the rest (records, links, ids)", full - no_journal - sqlite - json))
    print(row(f"… validated pydantic DTOs ({sum(counts.values()):,} built)", dto_seconds))
    print(row("… engine around the plugins (no journal − hand loop)", no_journal - hand))
    budget = n / TARGET - quiet
    print(f"\n{TARGET:,} bars/s leaves the flows {budget / trades * 1e6:,.0f} µs a trade; "
          f"they take {flows / trades * 1e6:,.0f}.\n")  # fmt: skip
    print("| DTO class | built | µs each | µs a trade |")
    print("|---|---:|---:|---:|")
    for cls, count in counts.most_common():
        each = construction_us(cls, samples[cls])
        print(f"| {cls.__name__} | {count:,} | {each:.1f} | {count * each / trades:,.0f} |")


if __name__ == "__main__":
    sys.exit(main())
