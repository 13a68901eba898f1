"""Where the fast engine's time goes outside the flows (issue 23, session 16): CPU time
(``time.thread_time_ns``) inside each of the fast loop's pieces over one engine+journal
run on the seeded bars, and the incremental engine's handlers for comparison.

Each piece is wrapped on its class for the run (a Python wrapper: ~1 µs of the
per-call figures is the clock's own), so the absolute seconds are a little high; the
split and the before/after of a piece are what this is for. Pieces: the skipper's
query (``Skipper.next_busy``), the windows over a skipped stretch
(``FastLoop._skip_windows``), the higher-timeframe carry (``FrameCarry.carry``), the
marks (``FastLoop._mark``), the batch part a block at a time (``StreamBlocks.advance``),
the adapters in the handlers' places (``BatchedCall.__call__``) and the loop's set-up
(``FastLoop.__init__``: the columns, the whole-data batch part). With ``--engine
incremental`` the context and signal workers' handlers are wrapped instead.

    python benchmarks/fast_pieces.py --blueprint blueprints/ict_smc.yaml --bars 100000
    python benchmarks/fast_pieces.py --blueprint blueprints/ict_smc.yaml --engine incremental
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import runtime_throughput as rt

from stc.runtime import batched, fast_loop, frame_carry, skipping, stream_blocks
from stc.runtime.engine import Engine
from stc.runtime.journal import Journal

Spent = dict[str, list[int]]


def wrap(owner: Any, name: str, label: str, spent: Spent) -> None:
    """Replace ``owner.name`` by a wrapper adding its thread CPU time to ``spent[label]``."""
    original: Callable[..., Any] = getattr(owner, name)
    spent[label] = [0, 0]
    clock = time.thread_time_ns

    def timed(*args: Any, **kwargs: Any) -> Any:
        start = clock()
        try:
            return original(*args, **kwargs)
        finally:
            cell = spent[label]
            cell[0] += clock() - start
            cell[1] += 1

    timed.__name__ = getattr(original, "__name__", name)
    timed.__qualname__ = getattr(original, "__qualname__", name)
    setattr(owner, name, timed)


def fast_pieces(spent: Spent) -> None:
    """Wrap the fast loop's pieces."""
    wrap(skipping.Skipper, "next_busy", "Skipper.next_busy", spent)
    wrap(fast_loop.FastLoop, "_skip_windows", "FastLoop._skip_windows", spent)
    wrap(fast_loop.FastLoop, "_mark", "FastLoop._mark", spent)
    wrap(frame_carry.FrameCarry, "carry", "FrameCarry.carry", spent)
    wrap(stream_blocks.StreamBlocks, "advance", "StreamBlocks.advance (batch part)", spent)
    wrap(batched.BatchedCall, "__call__", "BatchedCall.__call__ (adapters)", spent)
    wrap(fast_loop.FastLoop, "__init__", "FastLoop.__init__", spent)


def handlers(plan: Any, spent: Spent) -> None:
    """Wrap the per-bar handlers of the plan's context and signal workers' classes."""
    from stc.runtime.plan.classes import load_worker_class

    for spec in plan.workers:
        if spec.type not in ("context_worker", "opportunity_worker"):
            continue
        cls = load_worker_class(spec, ())
        name = "on_tick" if spec.type == "context_worker" else "on_context_assessment"
        if name in vars(cls):
            wrap(cls, name, f"{cls.__name__}.{name}", spent)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bars", type=int, default=100_000)
    parser.add_argument("--blueprint", type=Path, default=rt.EMA_BLUEPRINT)
    parser.add_argument("--engine", choices=("fast", "incremental"), default="fast")
    args = parser.parse_args()
    import numpy  # noqa: F401  (imported before the clock)

    plan = rt.ema_plan(args.blueprint)
    bars = list(rt.synthetic_bars(args.bars))
    spent: Spent = {}
    if args.engine == "fast":
        fast_pieces(spent)
    else:
        handlers(plan, spent)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.process_time()
        journal = Journal(Path(tmp) / "j.sqlite")
        engine = Engine(plan, bars, journal=journal, engine=args.engine)
        result = engine.run()
        journal.close()
        seconds = time.process_time() - start
    loop = engine.fast
    skipped = loop.skipped_bars if loop is not None else 0
    holds = getattr(getattr(loop, "backoff", None), "holds", 0)
    print(f"{args.blueprint.name}, {args.bars:,} bars, {args.engine}: {seconds:.2f} s CPU, "
          f"{len(result.trades)} trades, {skipped:,} bars skipped, {holds} holds")  # fmt: skip
    print("| piece | calls | CPU s | µs a call |")
    print("|---|---:|---:|---:|")
    for label, (ns, calls) in spent.items():
        print(f"| {label} | {calls:,} | {ns / 1e9:.3f} | {ns / max(calls, 1) / 1e3:.2f} |")


if __name__ == "__main__":
    main()
