"""Batch forms against their per-tick handlers (issue 23, item 1), in one process.

For every reference plugin with a batch form (``stc.runtime.batch``), over the same
seeded series of N bars (default 1,000,000; a random walk with hourly stamps):

* **per tick** — the handler called on every bar through a real TradingContext, as
  the engine's phases 1a/2a call it (window append, ``begin_tick``, the upstream
  context worker first where the plugin reads one);
* **batch** — ``batch(arrays, upstream)`` once over the whole arrays (the upstream's
  batch included);
* **batch + results** — that plus ``result_at`` on every bar where the batch form
  says the handler returns something (what an engine materialises: a signal where an
  opportunity fires; a context DTO on each of its bars).

Times are wall-clock medians of ``--repeat`` runs with GC disabled, so read the
*ratios* (same process, same data, measured back to back) rather than the absolute
figures, and note the load average printed with them. Both forms are also compared
for equality on the first 20,000 bars before timing (the parity tests do it fully).

    .venv/bin/python benchmarks/batch_forms.py [--bars 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import stc.runtime as runtime
from stc.plugins.context_worker.adx_regime_classifier.worker import (
    ADXRegimeClassifier,
)
from stc.plugins.context_worker.atr_volatility.worker import ATRVolatility
from stc.plugins.context_worker.ema_detector.worker import EMADetector
from stc.plugins.context_worker.market_structure_detector.worker import (
    MarketStructureDetector,
)
from stc.plugins.opportunity_worker.divergence_scanner.worker import (
    DivergenceScanner,
)
from stc.plugins.opportunity_worker.ema_cross_detector.worker import (
    EMACrossDetector,
)
from stc.plugins.opportunity_worker.fvg_entry_detector.worker import (
    FVGEntryDetector,
)
from stc.plugins.opportunity_worker.volume_spike_refiner.worker import (
    VolumeSpikeRefiner,
)
from stc.runtime.batch import BarArrays, BatchOutput
from stc.runtime.dtos.ids import IdFactory
from stc.runtime.dtos.market import Bar, OHLCVWindow, TradingContext
from stc.runtime.workers import ContextWorker, Worker

PLUGINS: tuple[tuple[type[Worker], dict[str, Any]], ...] = (
    (EMADetector, {"periods": [20, 50, 200]}),
    (ATRVolatility, {}),
    (ADXRegimeClassifier, {}),
    (MarketStructureDetector, {}),
    (EMACrossDetector, {}),
    (VolumeSpikeRefiner, {}),
    (DivergenceScanner, {}),
    (FVGEntryDetector, {}),
)
"""The plugins with a batch form, with their manifest defaults (EMADetector as in
ict_smc)."""

UPSTREAM: dict[type[Worker], type[Worker]] = {FVGEntryDetector: MarketStructureDetector}


def synthetic_bars(count: int, seed: int = 23) -> list[Bar]:
    """A seeded random walk of ``count`` hourly bars (log-normal steps, positive prices)."""
    rng = np.random.default_rng(seed)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.002, count)))
    opening = np.concatenate(([100.0], close[:-1]))
    spread = np.abs(rng.normal(0.0, 0.0015, count)) * close
    high = np.maximum(opening, close) + spread
    low = np.minimum(opening, close) - spread
    volume = rng.lognormal(8.0, 0.6, count)
    start = datetime(2000, 1, 1, tzinfo=UTC)
    hour = timedelta(hours=1)
    return [
        Bar(start + i * hour, o, h, lo, c, v)
        for i, (o, h, lo, c, v) in enumerate(zip(
            opening.tolist(), high.tolist(), low.tolist(), close.tolist(), volume.tolist(),
            strict=True,
        ))
    ]  # fmt: skip


def defaults(cls: type[Worker]) -> dict[str, Any]:
    """The manifest's schema defaults (what a blueprint that sets no params gets)."""
    module = sys.modules[cls.__module__].__file__ or ""
    manifest = yaml.safe_load((Path(module).parent / "plugin_manifest.yaml").read_text("utf-8"))
    properties = manifest["config_schema"].get("properties", {})
    return {name: spec["default"] for name, spec in properties.items() if "default" in spec}


def _bound(cls: type[Worker], params: dict[str, Any], context: TradingContext) -> Any:
    worker = cls({**defaults(cls), **params})
    worker.bind("w", IdFactory(), context=context)
    return worker


def _context() -> TradingContext:
    return TradingContext("SYM", {"1h": OHLCVWindow("1h", 64)})


def per_tick(cls: type[Worker], params: dict[str, Any], bars: Sequence[Bar]) -> list[Any]:
    """The handler on every bar (after its upstream context worker, if any)."""
    context = _context()
    worker = _bound(cls, params, context)
    chain = [_bound(UPSTREAM[cls], {}, context)] if cls in UPSTREAM else []
    handler = worker.on_tick if isinstance(worker, ContextWorker) else worker.on_context_assessment
    window = context.window()
    results = []
    for bar in bars:
        window.append(bar)
        context.begin_tick(bar)
        for upstream in chain:
            dto = upstream.on_tick(context)
            if dto is not None:
                context.provide(dto)
        results.append(handler(context))
    return results


def batch(
    cls: type[Worker], params: dict[str, Any], bars: Sequence[Bar], arrays: BarArrays,
    materialise: bool,
) -> list[Any]:  # fmt: skip
    """``batch`` over the arrays; with ``materialise``, ``result_at`` where present
    (the upstream's DTO provided on those bars, as an engine would)."""
    context = _context()
    worker = _bound(cls, params, context)
    upstream: dict[str, BatchOutput] = {}
    provider = None
    if cls in UPSTREAM:
        provider = _bound(UPSTREAM[cls], {}, context)
        upstream["MarketStructure"] = provider.batch(arrays, {})
    output = worker.batch(arrays, upstream)
    if not materialise:
        return []
    results: list[Any] = [None] * len(bars)
    for index in np.flatnonzero(output.present).tolist():
        context.begin_tick(bars[index])
        if provider is not None:
            context.provide(provider.result_at(upstream["MarketStructure"], index, context))
        results[index] = worker.result_at(output, index, context)
    return results


def timed(run: Callable[[], object], repeat: int) -> float:
    """Median wall seconds of ``repeat`` runs, GC off."""
    samples = []
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        start = time.perf_counter()
        run()
        samples.append(time.perf_counter() - start)
        gc.enable()
    return statistics.median(samples)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bars", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    bars = synthetic_bars(args.bars)
    arrays = BarArrays.from_bars(bars, "1h")
    head, head_arrays = bars[:20_000], BarArrays.from_bars(bars[:20_000], "1h")
    print(f"runtime: {runtime.native_status()}; bars: {args.bars:,}; repeat: {args.repeat}; "
          f"load average: {os.getloadavg()[0]:.2f} (2 cores)")  # fmt: skip
    print("| plugin | per tick (s) | batch (s) | batch + results (s) | results | speed-up | "
          "speed-up with results |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|")
    for cls, params in PLUGINS:
        same = per_tick(cls, params, head) == batch(cls, params, head, head_arrays, True)
        assert same, f"{cls.__name__}: batch and per-tick results differ"
        tick = timed(partial(per_tick, cls, params, bars), args.repeat)
        bare = timed(partial(batch, cls, params, bars, arrays, False), args.repeat)
        full = timed(partial(batch, cls, params, bars, arrays, True), args.repeat)
        count = sum(r is not None for r in batch(cls, params, bars, arrays, True))
        print(f"| {cls.__name__} | {tick:.2f} | {bare:.3f} | {full:.3f} | {count:,} | "
              f"{tick / bare:.0f}× | {tick / full:.1f}× |")  # fmt: skip
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
