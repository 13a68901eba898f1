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
(EMA 20/50 cross through the whole pipeline) on the same bars, each configuration in a
fresh subprocess (its own peak RSS; the compiled/pure mode is per process). Every
engine gets its data built before the clock starts, as backtesting.py gets its
DataFrame; two stc rows also time the feed:

- ``ema engine+journal``: the engine and its SQLite journal (the target's row);
- ``ema engine, no journal`` and ``ema hand loop (same plugin objects)``: the dispatch
  ratio on the reference blueprint — the hand loop calls ema_trend's own plugin objects
  directly in the engine's order, with no engine and no journal, so it is also the
  ceiling these plugins allow;
- ``ema engine+journal, streamed``: bars generated lazily inside the timing (~3 µs a
  bar here); the memory target is read from this row (the in-memory rows hold every bar);
- ``ema stc run (CSV)``: ``stc.runtime.api.run`` on a CSV of those bars (written before the
  clock starts): parse + validate, engine, journal, trades.csv, metrics.json;
- two rows with ``STC_PURE_PYTHON=1`` (the runtime not compiled, see stc/runtime/_native.py);
- the engines issue 4 names, on the same bars: ``backtesting.py`` (a dev dependency),
  ``backtrader`` and ``NautilusTrader`` (benchmarks/other_engines.py; ``make
  bench-engines`` installs them; without them their rows say so);
- issue 4's two pure-Python reference points: the cross as one hand-written incremental
  loop over lists of floats, and split into one function call per stage.

Usage: ``python benchmarks/runtime_throughput.py [--ticks 100000 1000000]``.
Prints two markdown tables and, under the second, each of issue 4's targets with
the figures of the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Iterable, Iterator
from decimal import Decimal
from functools import partial
from itertools import starmap
from pathlib import Path
from typing import Any

import yaml
from backtesting_whole import ema_cross_strategy
from bar_rows import rising_rows, synthetic_rows

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from stc.runtime.dtos.causality import CausalityChain  # noqa: E402
from stc.runtime.dtos.market import Bar  # noqa: E402
from stc.runtime.dtos.plans import ExecutionDirective, RoutingRequest  # noqa: E402
from stc.runtime.dtos.swot import SWOTInputs  # noqa: E402
from stc.runtime.engine import Engine  # noqa: E402
from stc.runtime.journal import Journal  # noqa: E402
from stc.runtime.ledger import dec  # noqa: E402
from stc.runtime.plan import Plan, load_plan  # noqa: E402

ROOTS = (REPO / "tests" / "runtime" / "test_plugins",)
FIXTURE = REPO / "tests" / "runtime" / "fixtures" / "swot.yaml"
EMA_BLUEPRINT = REPO / "blueprints" / "ema_trend.yaml"


def synthetic_bars(n: int, seed: int = 42) -> Iterator[Bar]:
    """``n`` hourly bars of a seeded random walk (lazily): ``bar_rows``' rows as Bars."""
    return starmap(Bar, synthetic_rows(n, seed))


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
    resampler, htf_window = engine.frames.resamplers[0]
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


def ema_plan(blueprint: Path = EMA_BLUEPRINT) -> Plan:
    """The compiled ``ema_trend`` reference blueprint (or another one)."""
    from stc.compiler import compile_blueprint

    return load_plan(yaml.safe_load(compile_blueprint(blueprint).wiring_map))


def run_ema_engine(
    n: int,
    journal: bool = True,
    streamed: bool = False,
    rising: bool = False,
    mode: str = "fast",
    blueprint: Path = EMA_BLUEPRINT,
) -> tuple[float, int]:
    """ema_trend through the engine; (seconds, trades). ``streamed``: bars come from the
    generator inside the timing (what the memory target is read from); otherwise they
    are built in memory before the clock starts, as every other engine's data is.
    ``rising``: bars on which the cross never fires (``bar_rows.rising_rows``), so only
    the per-tick path is timed."""
    plan = ema_plan(blueprint)
    source = starmap(Bar, rising_rows(n)) if rising else synthetic_bars(n)
    bars: Iterable[Bar] = source if streamed else list(source)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        sink = Journal(Path(tmp) / "j.sqlite") if journal else None
        result = Engine(plan, bars, journal=sink, engine=mode).run()  # type: ignore[arg-type]
        if sink is not None:
            sink.close()
        return time.perf_counter() - start, len(result.trades)


def run_ema_hand(n: int, rising: bool = False) -> tuple[float, int]:
    """ema_trend's plugin objects called directly in a loop, bars in memory, no journal:
    what the engine's own dispatch is measured against (issue 4's dispatch ratio on the
    reference blueprint). (seconds, closed trades). ``rising``: as in run_ema_engine."""
    bars = list(starmap(Bar, rising_rows(n)) if rising else synthetic_bars(n))
    engine = Engine(ema_plan(), [])  # bootstrap only: the objects and their wiring
    w: dict[str, Any] = engine.workers
    ctx, ledger, handler, agg = (
        engine.context,
        engine.ledger,
        engine.handler,
        engine.context_aggregator,
    )
    detector, cross, planner = (
        w["ema_detector"],
        w["ema_cross_detector"],
        w["adaptive_momentum_planner"],
    )
    entry, size, exit_, router = (
        w["aggressive_market_entry_planner"], w["fixed_risk_sizer"], w["fixed_rr_exit_planner"],
        w["market_order_router"],
    )  # fmt: skip
    window, ids, symbol = engine.windows["1h"], engine.ids, engine.plan.symbol
    warm_after = max(engine.frames.needs.values())
    start = time.perf_counter()
    for index, bar in enumerate(bars):
        window.append(bar)
        ctx.begin_tick(bar)
        agg.ready = False
        handler.on_bar(bar, index)
        ledger.mark(bar)
        ledger.changes.clear()
        values = detector.on_tick(ctx)
        if values is not None:
            ctx.provide(values)
        agg.ready = True
        signal = cross.on_context_assessment(ctx)
        if signal is None or index < warm_after - 1:
            continue
        assessment = ctx.assessment
        assert assessment is not None
        directive = planner.on_swot(
            SWOTInputs(timestamp=bar.time, symbol=symbol, reference_price=dec(bar.close),
                       context_assessment=assessment, opportunity_signals=(signal,))
        )  # fmt: skip
        if directive is None:
            continue
        handler.begin_flow(index)
        if directive.scope == "CLOSE_EXISTING":
            handler.close_trades(directive.target_trade_ids)
            handler.commit()
            continue
        plans = (entry.on_strategy_directive(directive), size.on_strategy_directive(directive),
                 exit_.on_strategy_directive(directive))  # fmt: skip
        routing = router.on_routing_request(
            RoutingRequest(strategy_directive=directive, entry_plan=plans[0], size_plan=plans[1],
                           exit_plan=plans[2])
        )  # fmt: skip
        exe_id = ids.new("EXE", bar.time)
        chain = directive.causality.model_copy(update={
            "entry_plan_id": plans[0].plan_id, "size_plan_id": plans[1].plan_id,
            "exit_plan_id": plans[2].plan_id, "routing_plan_id": routing.plan_id,
            "execution_directive_id": exe_id,
        })  # fmt: skip
        handler.on_execution_directive(
            ExecutionDirective(directive_id=exe_id, timestamp=bar.time, causality=chain,
                               entry_plan=plans[0], size_plan=plans[1], exit_plan=plans[2],
                               routing_plan=routing)
        )  # fmt: skip
        handler.commit()
    handler.finish(bars[-1]) if bars else None
    return time.perf_counter() - start, len(ledger.closed)


def run_ema_csv(n: int) -> tuple[float, int]:
    """``stc.runtime.api.run`` of ema_trend on a CSV of the bars; (seconds, trades)."""
    from stc.runtime.api import run

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
    from backtesting import Backtest

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
    strategy = ema_cross_strategy()

    start = time.perf_counter()
    stats = Backtest(frame, strategy, cash=1_000_000, finalize_trades=True).run()
    return time.perf_counter() - start, int(stats["# Trades"])


# --- issue 4's pure-Python reference points ---------------------------------------------
# The same EMA(20/50) long-only cross, written by hand: no framework, no DTOs, no journal.
# Issue 4 measured both on its reference machine (≈5M and ≈600k bars/s); run here, in the
# same table as ema_trend, they say how fast this machine is compared to that one.


def _opens_and_closes(n: int) -> tuple[list[float], list[float]]:
    """The synthetic bars' opens and closes as plain lists (built before the clock)."""
    opens: list[float] = []
    closes: list[float] = []
    for bar in synthetic_bars(n):
        opens.append(bar.open)
        closes.append(bar.close)
    return opens, closes


def run_hand_incremental(n: int) -> tuple[float, int]:
    """One loop over the closes: two incremental EMAs, the cross, a long opened and
    closed at the next bar's open (and at the last close when the data ends). (seconds,
    closed trades)."""
    opens, closes = _opens_and_closes(n)
    start = time.perf_counter()
    a_fast, a_slow = 2.0 / 21.0, 2.0 / 51.0
    fast = slow = closes[0] if closes else 0.0
    last_sign = 0
    long = False
    pending = 0  # +1 open at the next open, -1 close at the next open
    entry = 0.0
    pnl: list[float] = []
    for i in range(n):
        if pending:
            if pending > 0:
                entry, long = opens[i], True
            else:
                pnl.append(opens[i] - entry)
                long = False
            pending = 0
        close = closes[i]
        fast += a_fast * (close - fast)
        slow += a_slow * (close - slow)
        if i < 49 or fast == slow:
            continue
        sign = 1 if fast > slow else -1
        if sign != last_sign:
            if last_sign and sign > 0 and not long:
                pending = 1
            elif last_sign and sign < 0 and long:
                pending = -1
            last_sign = sign
    if long:  # what is open at the end closes at the last close, as in the engine
        pnl.append(closes[-1] - entry)
    return time.perf_counter() - start, len(pnl)


class _HandEMA:
    """An incremental EMA for the per-stage baseline (pandas ``adjust=False`` seeding)."""

    __slots__ = ("alpha", "count", "period", "value")

    def __init__(self, period: int) -> None:
        self.alpha, self.period, self.count, self.value = 2.0 / (period + 1.0), period, 0, 0.0

    def update(self, x: float) -> float | None:
        self.value = x if self.count == 0 else self.value + self.alpha * (x - self.value)
        self.count += 1
        return self.value if self.count >= self.period else None


class _HandStages:
    """The same strategy split into one function call per pipeline stage: context
    (EMAs), opportunity (cross), planning (an order), execution (fill at the next
    open), ledger (the closed trade)."""

    def __init__(self) -> None:
        self.fast, self.slow = _HandEMA(20), _HandEMA(50)
        self.last_sign = 0
        self.position: tuple[int, float] | None = None  # (bar index, entry price)
        self.pending: str | None = None
        self.closed: list[tuple[int, int, float, float]] = []

    def context(self, close: float) -> tuple[float, float] | None:
        fast, slow = self.fast.update(close), self.slow.update(close)
        return None if fast is None or slow is None else (fast, slow)

    def opportunity(self, emas: tuple[float, float] | None) -> str | None:
        if emas is None or emas[0] == emas[1]:
            return None
        sign = 1 if emas[0] > emas[1] else -1
        previous, self.last_sign = self.last_sign, sign
        if previous == 0 or previous == sign:
            return None
        return "BUY" if sign > 0 else "SELL"

    def plan(self, signal: str | None) -> str | None:
        if signal == "BUY" and self.position is None:
            return "open"
        if signal == "SELL" and self.position is not None:
            return "close"
        return None

    def execute(self, index: int, open_: float) -> None:
        if self.pending == "open":
            self.position = (index, open_)
        elif self.pending == "close" and self.position is not None:
            self.ledger(self.position, index, open_)
            self.position = None
        self.pending = None

    def ledger(self, position: tuple[int, float], index: int, price: float) -> None:
        self.closed.append((position[0], index, position[1], price))


def run_hand_stages(n: int) -> tuple[float, int]:
    """``_HandStages`` driven bar by bar; (seconds, closed trades)."""
    opens, closes = _opens_and_closes(n)
    start = time.perf_counter()
    stages = _HandStages()
    for i in range(n):
        stages.execute(i, opens[i])
        order = stages.plan(stages.opportunity(stages.context(closes[i])))
        if order is not None:
            stages.pending = order
    if stages.position is not None:  # closed at the last close, as in the engine
        stages.ledger(stages.position, n - 1, closes[-1])
    return time.perf_counter() - start, len(stages.closed)


HAND_ROW = "ema hand loop (same plugin objects)"
QUIET_ROW = "ema engine+journal, bars without a signal"
"""The per-tick path alone: ema_trend on bars where the cross never fires (no flow, no
trade); with the full run's figures it splits a bar's cost into the tick and the
flows (see ``_flow_cost``)."""
ICT_BLUEPRINT = REPO / "blueprints" / "ict_smc.yaml"
INCREMENTAL_ROW = "ema engine+journal, incremental"
PURE_INCREMENTAL_ROW = "ema engine+journal, pure Python, incremental"
QUIET_INCREMENTAL_ROW = "ema engine+journal, bars without a signal, incremental"
ICT_ROW = "ema ict_smc engine+journal"
ICT_INCREMENTAL_ROW = "ema ict_smc engine+journal, incremental"
"""Issue 23's rows: the default (fast) engine against the incremental one it must equal
(the engine before issue 23, the rows' "today"), and the ict_smc reference blueprint."""

EMA_CONFIGS: dict[str, tuple[Any, dict[str, str]]] = {
    "ema engine+journal": (run_ema_engine, {}),
    "ema engine, no journal": (partial(run_ema_engine, journal=False), {}),
    HAND_ROW: (run_ema_hand, {}),
    "ema engine+journal, streamed": (partial(run_ema_engine, streamed=True), {}),
    QUIET_ROW: (partial(run_ema_engine, rising=True), {}),
    "ema stc run (CSV)": (run_ema_csv, {}),
    "ema engine+journal, pure Python": (run_ema_engine, {"STC_PURE_PYTHON": "1"}),
    "ema stc run (CSV), pure Python": (run_ema_csv, {"STC_PURE_PYTHON": "1"}),
    INCREMENTAL_ROW: (partial(run_ema_engine, mode="incremental"), {}),
    QUIET_INCREMENTAL_ROW: (partial(run_ema_engine, rising=True, mode="incremental"), {}),
    PURE_INCREMENTAL_ROW: (partial(run_ema_engine, mode="incremental"), {"STC_PURE_PYTHON": "1"}),
    ICT_ROW: (partial(run_ema_engine, blueprint=ICT_BLUEPRINT), {}),
    ICT_INCREMENTAL_ROW: (partial(run_ema_engine, mode="incremental", blueprint=ICT_BLUEPRINT), {}),
    "backtesting.py": (run_backtesting_py, {}),
    "backtrader": (lambda n: other_engines().run_backtrader(n), {}),
    "NautilusTrader": (lambda n: other_engines().run_nautilus(n), {}),
    "hand-written incremental loop": (run_hand_incremental, {}),
    "hand-written per-stage calls": (run_hand_stages, {}),
}
"""Issue 4's table: stc's rows first, then the engines users would pick instead and the
two pure-Python reference points, each in its own process on the same seeded bars."""


def other_engines() -> Any:
    """benchmarks/other_engines.py (backtrader, NautilusTrader: ``make bench-engines``)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import other_engines as module

    return module


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
    """Run ``config`` once in a fresh subprocess: seconds, trades, peak RSS, mode (an
    empty dict when the engine it needs is not installed)."""
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
    """Measure (alternating configs, ``--repeat`` rounds) and print the markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ticks", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument(
        "--repeat", type=int, default=3, help="rounds per size (median and best reported)"
    )
    parser.add_argument("--table", choices=("ema", "swot", "both"), default="both")
    parser.add_argument("--configs", nargs="+", choices=list(EMA_CONFIGS), metavar="CONFIG",
                        help="rows of the ema table to run (default: all)")  # fmt: skip
    parser.add_argument("--one", nargs=2, metavar=("CONFIG", "TICKS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        import stc.runtime as runtime

        try:
            seconds, trades = timed(args.one[0], int(args.one[1]))
        except ModuleNotFoundError:  # backtrader / NautilusTrader: `make bench-engines`
            print("{}")
            return
        rss = peak_rss_of_this_process()
        print(json.dumps({"peak_rss_mb": rss, "seconds": seconds, "trades": trades,
                          "mode": runtime.native_status()}))  # fmt: skip
        return
    if args.table in ("ema", "both"):
        ema_table(args.ticks, args.repeat, args.configs or list(EMA_CONFIGS))
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


def ema_table(sizes: list[int], repeat: int, configs: list[str]) -> None:
    """The ema_trend table: each config in its own process ``repeat`` times, alternating
    configs; the median run (issue 4 quotes medians of 3) and the best one. Issue 4's
    targets are judged on the medians."""
    print("| bars | config | bars/s (median) | best | µs/bar (median) | peak RSS (MB) "
          "| trades | runtime |")  # fmt: skip
    print("|---:|---|---:|---:|---:|---:|---:|---|")
    verdicts: list[str] = []
    for n in sizes:
        runs: dict[str, list[dict[str, Any]]] = {config: [] for config in configs}
        for _ in range(repeat):  # alternate so machine noise hits every config alike
            for config in configs:
                got = one_process(config, n)
                if got:
                    runs[config].append(got)
        for config in configs:
            print(_ema_row(n, config, runs[config]), flush=True)
        rates = {c: n / median_run(r)["seconds"] for c, r in runs.items() if r}
        trades = {c: int(median_run(r)["trades"]) for c, r in runs.items() if r}
        verdicts += _ema_verdicts(n, rates, trades)
    print()
    print("\n".join(verdicts))


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median time (the slower middle one of an even count)."""
    ordered = sorted(runs, key=lambda got: float(got["seconds"]))
    return ordered[len(ordered) // 2]


def _ema_row(n: int, config: str, runs: list[dict[str, Any]]) -> str:
    if not runs:
        return f"| {n:,} | {config} | not installed (`make bench-engines`) | | | | | |"
    mid = median_run(runs)
    best = min(float(got["seconds"]) for got in runs)
    mode = mid["mode"] if config.startswith("ema ") else "—"
    rss = max(float(got["peak_rss_mb"]) for got in runs)
    rate, us = n / mid["seconds"], mid["seconds"] / n * 1e6
    return (f"| {n:,} | {config} | {rate:,.0f} | {n / best:,.0f} | {us:.1f} | {rss:.0f} "
            f"| {mid['trades']} | {mode} |")  # fmt: skip


TARGET = 150_000
"""Issue 4's bars/s for ema_trend through the whole pipeline, journal included."""


def _flow_cost(n: int, full: float, quiet: float, trades: int) -> tuple[float, float]:
    """(µs the flows of one round-trip trade cost, µs they may cost at ``TARGET``): a
    bar's cost above the per-tick path's (``quiet``: bars/s without a signal), times the
    bars per trade of the full run (``full`` bars/s, ``trades`` trades)."""
    tick_us = 1e6 / quiet
    per_trade = n / trades
    return (1e6 / full - tick_us) * per_trade, (1e6 / TARGET - tick_us) * per_trade


def _ema_verdicts(
    n: int, rate: dict[str, float], trades: dict[str, int] | None = None
) -> list[str]:
    """Issue 4's throughput targets at ``n`` bars, from this run's rates (and, given the
    trades and the per-tick row, the split of a bar's cost into tick and flows)."""
    lines: list[str] = []
    stc = rate.get("ema engine+journal")
    if stc is None:
        return lines
    verdict = "PASS" if stc >= TARGET else "FAIL"
    lines.append(
        f"- {n:,} bars: ema_trend engine+journal {stc:,.0f} bars/s ≥ {TARGET:,}: {verdict}"
    )
    quiet, made = rate.get(QUIET_ROW), (trades or {}).get("ema engine+journal")
    if quiet and made:
        cost, budget = _flow_cost(n, stc, quiet, made)
        lines.append(f"- {n:,} bars: the per-tick path alone (bars without a signal) "
                     f"{quiet:,.0f} bars/s, {1e6 / quiet:.2f} µs a bar; the flows of one "
                     f"round-trip trade (signal → … → fills, journal included) cost "
                     f"{cost:,.0f} µs; {TARGET:,} bars/s with {made:,} trades leaves them "
                     f"{budget:,.0f} µs")  # fmt: skip
    engine, hand = rate.get("ema engine, no journal"), rate.get(HAND_ROW)
    if engine and hand:
        lines.append(f"- {n:,} bars: dispatch (engine without journal / hand loop of the same "
                     f"plugin objects) {engine / hand:.2f} ≥ 0.75; the hand loop alone: "
                     f"{hand:,.0f} bars/s")  # fmt: skip
    lines += _fast_verdicts(n, rate)
    for other in ("backtesting.py", "backtrader", "NautilusTrader"):
        if other in rate:
            lines.append(f"- {n:,} bars: stc / {other} = {stc / rate[other]:.2f}×")
    for ref, issue_rate in (("hand-written incremental loop", 5e6),
                            ("hand-written per-stage calls", 6e5)):  # fmt: skip
        if ref in rate:
            lines.append(f"- {n:,} bars: {ref} {rate[ref]:,.0f} bars/s here "
                         f"(issue 4's machine: ≈{issue_rate:,.0f})")  # fmt: skip
    return lines


FAST_TARGET = 1_000_000
"""Issue 23: ema_trend engine+journal bars/s at 1M bars (compiled)."""


def _fast_verdicts(n: int, rate: dict[str, float]) -> list[str]:
    """Issue 23's throughput targets, from this run's rates."""
    lines: list[str] = []
    names = ("ema engine+journal", "ema engine+journal, pure Python", "backtesting.py")
    stc, pure, bt = (rate.get(name) for name in names)
    if stc:
        lines.append(f"- {n:,} bars (issue 23): ema_trend engine+journal {stc:,.0f} bars/s "
                     f"≥ {FAST_TARGET:,}: {'PASS' if stc >= FAST_TARGET else 'FAIL'}")  # fmt: skip
    if stc and bt:
        lines.append(f"- {n:,} bars (issue 23): compiled / backtesting.py = {stc / bt:.2f}× "
                     f"≥ 5: {'PASS' if stc >= 5 * bt else 'FAIL'}")  # fmt: skip
    if pure and bt:
        lines.append(f"- {n:,} bars (issue 23): pure Python / backtesting.py = {pure / bt:.2f}× "
                     f"≥ 2: {'PASS' if pure >= 2 * bt else 'FAIL'}")  # fmt: skip
    for fast, slow, name in (("ema engine+journal", INCREMENTAL_ROW, "ema_trend"),
                             (QUIET_ROW, QUIET_INCREMENTAL_ROW, "bars without a signal"),
                             ("ema engine+journal, pure Python", PURE_INCREMENTAL_ROW,
                              "ema_trend pure"),
                             (ICT_ROW, ICT_INCREMENTAL_ROW, "ict_smc")):  # fmt: skip
        if rate.get(fast) and rate.get(slow):
            ratio = rate[fast] / rate[slow]
            target = " ≥ 3: " + ("PASS" if ratio >= 3 else "FAIL") if name == "ict_smc" else ""
            lines.append(f"- {n:,} bars (issue 23): {name} fast / incremental = {rate[fast]:,.0f}"
                         f" / {rate[slow]:,.0f} = {ratio:.2f}×{target}")  # fmt: skip
    return lines


if __name__ == "__main__":
    main()
