"""Runtime throughput: ticks/s of a blueprint through the engine vs a hand loop.

Seeded synthetic hourly bars (a random walk, generated lazily so the feed itself uses
no memory) drive the SWOT test blueprint ``tests/runtime/fixtures/swot.yaml`` (its
position-management and ledger-threat workers removed, so the hand loop can call the
rest directly). Three configurations, each in its own subprocess so peak RSS is its
own:

- ``hand``: a hand-written loop calling the *same plugin objects* directly: window
  and resampler updates, fills and marking, context workers, the opportunity worker
  and, when it fires, assessment → SWOTInputs → planner → entry/size/exit/routing →
  ExecutionDirective → handler;
- ``engine``: the engine with no journal;
- ``engine+journal``: the engine writing its SQLite journal (what ``run`` does).

Second table (issue 4's throughput target): the ``ema_trend`` reference blueprint
(EMA 20/50 cross through the whole pipeline) on the same kind of bars, each
configuration in a fresh subprocess (its own peak RSS; the compiled/pure mode is per
process):

- ``ema engine+journal``: the engine and its SQLite journal, bars streamed from the
  generator (their generation, ~1 µs a bar, is inside the timing);
- ``ema stc run (CSV)``: ``runtime.api.run`` on a CSV of those bars (written before the
  clock starts): parse + validate, engine, journal, trades.csv, metrics.json;
- the same two with ``STC_PURE_PYTHON=1`` (the runtime not compiled, see
  runtime/_native.py);
- ``backtesting.py``: the same EMA(20/50) long-only cross in backtesting.py (a dev
  dependency) on a DataFrame of the same bars built before the clock starts.

Usage: ``python benchmarks/runtime_throughput.py [--ticks 100000 1000000]``.
Prints two markdown tables; the targets are engine ≥ 0.75 × hand and ema_trend
≥ 150k bars/s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from runtime.dtos.causality import CausalityChain  # noqa: E402
from runtime.dtos.market import Bar  # noqa: E402
from runtime.dtos.plans import ExecutionDirective, RoutingRequest  # noqa: E402
from runtime.dtos.swot import SWOTInputs  # noqa: E402
from runtime.engine import Engine  # noqa: E402
from runtime.journal import Journal  # noqa: E402
from runtime.ledger import dec  # noqa: E402
from runtime.plan import Plan, load_plan  # noqa: E402

ROOTS = (REPO / "tests" / "runtime" / "test_plugins",)
FIXTURE = REPO / "tests" / "runtime" / "fixtures" / "swot.yaml"
EMA_BLUEPRINT = REPO / "blueprints" / "ema_trend.yaml"


def synthetic_bars(n: int, seed: int = 42) -> Iterator[Bar]:
    """``n`` hourly bars of a seeded random walk (lazily)."""
    rng = random.Random(seed)
    t = datetime(2020, 1, 1, tzinfo=UTC)
    price = 1.1
    hour = timedelta(hours=1)
    for _ in range(n):
        o = price
        price *= 1.0 + rng.gauss(0.0, 0.0015)
        wiggle = abs(rng.gauss(0.0, 0.0008)) * o
        yield Bar(t, o, max(o, price) + wiggle, min(o, price) - wiggle, price, 100.0)
        t += hour


def bench_plan() -> Plan:
    """The SWOT fixture without the event-driven workers the hand loop does not model."""
    raw = yaml.safe_load(FIXTURE.read_text())
    drop = {"dd_threat", "trail"}
    raw["workers"] = [w for w in raw["workers"] if w["id"] not in drop]
    raw["event_wirings"] = [
        w
        for w in raw["event_wirings"]
        if w["event"] not in ("LEDGER_UPDATE", "POSITION_UPDATE", "EXIT_PLAN_UPDATED")
    ]
    return load_plan(raw)


def bound_test_instrumentation(engine: Engine) -> None:
    """The test plugin ``HtfContext`` records every tick in ``seen`` for the no-look-ahead
    tests; a benchmark must not measure that list (1M ticks = ~200 MB), so keep one."""
    engine.workers["htf"].seen = deque(maxlen=1)  # type: ignore[attr-defined]


def run_engine(n: int, journal: bool) -> int:
    """Engine run; returns the number of trades."""
    with tempfile.TemporaryDirectory() as tmp:
        sink = Journal(Path(tmp) / "j.sqlite") if journal else None
        engine = Engine(bench_plan(), synthetic_bars(n), journal=sink, plugin_roots=ROOTS)
        bound_test_instrumentation(engine)
        result = engine.run()
        if sink is not None:
            sink.close()
    return len(result.trades)


def run_hand(n: int) -> int:
    """The same plugin objects called directly in a loop; returns the number of trades."""
    engine = Engine(bench_plan(), [], plugin_roots=ROOTS)  # bootstrap only: objects, wiring
    bound_test_instrumentation(engine)
    w: dict[str, Any] = engine.workers
    ctx, ledger, handler = engine.context, engine.ledger, engine.handler
    agg, ids = engine.context_aggregator, engine.ids
    sma, htf, cross, swot = w["sma"], w["htf"], w["cross"], w["swot"]
    market, limit, size, exit_, router = (
        w["market_entry"], w["limit_entry"], w["fixed_size"], w["rr_exit"], w["router"],
    )  # fmt: skip
    tick_window = engine.windows["1h"]
    resampler, htf_window = engine._resamplers[0]
    htf_closed = 0
    for index, bar in enumerate(synthetic_bars(n)):
        tick_window.append(bar)
        for higher in resampler.push(bar):
            htf_window.append(higher)
            htf_closed += 1
        ctx.begin_tick(bar)
        handler.on_bar(bar, index)
        ledger.mark(bar)
        ledger.changes.clear()
        for worker in (sma, htf):
            dto = worker.on_tick(ctx)
            if dto is not None:
                ctx.provide(dto)
        agg.ready = True
        if index < 20 or htf_closed < 2:
            continue
        signal = cross.on_context_assessment(ctx)
        if signal is None:
            continue
        assessment = agg.build(ctx)
        directive = swot.on_swot(
            SWOTInputs(timestamp=bar.time, symbol="EURUSD", reference_price=dec(bar.close),
                       context_assessment=assessment, opportunity_signals=(signal,))
        )  # fmt: skip
        if directive is None:
            continue
        entry_planner = market if directive.confidence >= Decimal("0.7") else limit
        entry, sized, exits = (
            entry_planner.on_strategy_directive(directive),
            size.on_strategy_directive(directive),
            exit_.on_strategy_directive(directive),
        )
        routing = router.on_routing_request(
            RoutingRequest(strategy_directive=directive, entry_plan=entry, size_plan=sized,
                           exit_plan=exits)
        )  # fmt: skip
        exe_id = ids.new("EXE", bar.time)
        chain = CausalityChain(
            tick_time=bar.time, context_assessment_id=assessment.assessment_id,
            opportunity_ids=(signal.signal_id,), strategy_directive_id=directive.directive_id,
            entry_plan_id=entry.plan_id, size_plan_id=sized.plan_id, exit_plan_id=exits.plan_id,
            routing_plan_id=routing.plan_id, execution_directive_id=exe_id,
        )  # fmt: skip
        handler.begin_flow(index)
        handler.on_execution_directive(
            ExecutionDirective(directive_id=exe_id, timestamp=bar.time, causality=chain,
                               entry_plan=entry, size_plan=sized, exit_plan=exits,
                               routing_plan=routing)
        )  # fmt: skip
        handler.commit()
    return len(ledger.closed)


def ema_plan() -> Plan:
    """The compiled ``ema_trend`` reference blueprint."""
    from compiler import compile_blueprint

    return load_plan(yaml.safe_load(compile_blueprint(EMA_BLUEPRINT).wiring_map))


def run_ema_engine(n: int) -> tuple[float, int]:
    """ema_trend through the engine with its journal; (seconds, trades)."""
    plan = ema_plan()
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        sink = Journal(Path(tmp) / "j.sqlite")
        result = Engine(plan, synthetic_bars(n), journal=sink).run()
        sink.close()
        return time.perf_counter() - start, len(result.trades)


def run_ema_csv(n: int) -> tuple[float, int]:
    """``runtime.api.run`` of ema_trend on a CSV of the bars; (seconds, trades)."""
    from runtime.api import run

    plan = ema_plan()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "bars.csv"
        with data.open("w", encoding="utf-8") as out:
            out.write("time,open,high,low,close,volume\n")
            for b in synthetic_bars(n):
                stamp = b.time.strftime("%Y-%m-%d %H:%M:%S")
                out.write(f"{stamp},{b.open!r},{b.high!r},{b.low!r},{b.close!r},{b.volume!r}\n")
        start = time.perf_counter()
        result = run(plan, data=data, out_dir=Path(tmp) / "run")
        return time.perf_counter() - start, len(result.trades)


def run_backtesting_py(n: int) -> tuple[float, int]:
    """The same EMA(20/50) long-only cross in backtesting.py; (seconds, trades)."""
    import pandas as pd
    from backtesting import Backtest, Strategy
    from backtesting.lib import crossover

    bars = list(synthetic_bars(n))
    frame = pd.DataFrame(
        {
            "Open": [b.open for b in bars], "High": [b.high for b in bars],
            "Low": [b.low for b in bars], "Close": [b.close for b in bars],
            "Volume": [b.volume for b in bars],
        },
        index=pd.DatetimeIndex([b.time for b in bars]),
    )  # fmt: skip
    del bars

    def ema(values: Any, span: int) -> Any:
        return pd.Series(values).ewm(span=span, adjust=False).mean()

    class EmaCross(Strategy):  # type: ignore[misc]
        def init(self) -> None:
            self.fast = self.I(ema, self.data.Close, 20)
            self.slow = self.I(ema, self.data.Close, 50)

        def next(self) -> None:
            if crossover(self.fast, self.slow) and not self.position:
                self.buy()
            elif crossover(self.slow, self.fast) and self.position:
                self.position.close()

    start = time.perf_counter()
    stats = Backtest(frame, EmaCross, cash=1_000_000, finalize_trades=True).run()
    return time.perf_counter() - start, int(stats["# Trades"])


EMA_CONFIGS: dict[str, tuple[Any, dict[str, str]]] = {
    "ema engine+journal": (run_ema_engine, {}),
    "ema stc run (CSV)": (run_ema_csv, {}),
    "ema engine+journal, pure Python": (run_ema_engine, {"STC_PURE_PYTHON": "1"}),
    "ema stc run (CSV), pure Python": (run_ema_csv, {"STC_PURE_PYTHON": "1"}),
    "backtesting.py": (run_backtesting_py, {}),
}


def timed(config: str, n: int) -> tuple[float, int]:
    """Seconds and trades of one run of ``config`` in this process."""
    if config in EMA_CONFIGS:
        result: tuple[float, int] = EMA_CONFIGS[config][0](n)
        return result
    start = time.perf_counter()
    journal = config == "engine+journal"
    trades = run_hand(n) if config == "hand" else run_engine(n, journal=journal)
    return time.perf_counter() - start, trades


def one_process(config: str, n: int) -> dict[str, Any]:
    """Run ``config`` once in a fresh subprocess: seconds, trades, peak RSS, mode."""
    env = {k: v for k, v in os.environ.items() if k != "STC_PURE_PYTHON"}
    env.update(EMA_CONFIGS[config][1] if config in EMA_CONFIGS else {})
    out = subprocess.run(
        [sys.executable, __file__, "--one", config, str(n)],
        check=True, capture_output=True, text=True, env=env,
    )  # fmt: skip
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def peak_rss_of_this_process() -> float:
    """Peak RSS (MB) of this process image: ``VmHWM``. Not ``ru_maxrss``, which Linux
    carries across ``exec`` — a child forked from a large parent would report the
    parent's size (the SWOT table runs its timings in the parent first)."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_rss_mb(config: str, n: int) -> float:
    """Peak RSS of one run of ``config`` in a fresh subprocess."""
    return float(one_process(config, n)["peak_rss_mb"])


def main() -> None:
    """Measure (alternating configs, best of ``--repeat``) and print the markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ticks", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3, help="rounds per size (best kept)")
    parser.add_argument("--table", choices=("ema", "swot", "both"), default="both")
    parser.add_argument("--one", nargs=2, metavar=("CONFIG", "TICKS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        import runtime

        seconds, trades = timed(args.one[0], int(args.one[1]))
        rss = peak_rss_of_this_process()
        print(json.dumps({"peak_rss_mb": rss, "seconds": seconds, "trades": trades,
                          "mode": runtime.native_status()}))  # fmt: skip
        return
    if args.table in ("ema", "both"):
        ema_table(args.ticks, args.repeat)
    if args.table == "ema":
        return
    configs = ("hand", "engine", "engine+journal")
    print("| ticks | config | ticks/s | × hand | peak RSS (MB) | trades |")
    print("|---:|---|---:|---:|---:|---:|")
    for n in args.ticks:
        best: dict[str, tuple[float, int]] = {}
        for _ in range(args.repeat):  # alternate so machine noise hits every config alike
            for config in configs:
                seconds, trades = timed(config, n)
                if config not in best or seconds < best[config][0]:
                    best[config] = (seconds, trades)
        hand = n / best["hand"][0]
        for config in configs:
            seconds, trades = best[config]
            rate = n / seconds
            print(f"| {n:,} | {config} | {rate:,.0f} | {rate / hand:.2f} | "
                  f"{peak_rss_mb(config, n):.0f} | {trades} |", flush=True)  # fmt: skip


def ema_table(sizes: list[int], repeat: int) -> None:
    """The ema_trend table: each config in its own process, best of ``repeat``."""
    print("| bars | config | bars/s | µs/bar | peak RSS (MB) | trades | runtime |")
    print("|---:|---|---:|---:|---:|---:|---|")
    for n in sizes:
        best: dict[str, dict[str, Any]] = {}
        for _ in range(repeat):  # alternate so machine noise hits every config alike
            for config in EMA_CONFIGS:
                got = one_process(config, n)
                if config not in best or got["seconds"] < best[config]["seconds"]:
                    best[config] = got
        for config, got in best.items():
            mode = "—" if config == "backtesting.py" else got["mode"]
            print(f"| {n:,} | {config} | {n / got['seconds']:,.0f} | "
                  f"{got['seconds'] / n * 1e6:.1f} | {got['peak_rss_mb']:.0f} | "
                  f"{got['trades']} | {mode} |", flush=True)  # fmt: skip
    print()


if __name__ == "__main__":
    main()
