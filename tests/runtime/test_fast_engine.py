"""The fast engine (issue 23): equal to the incremental one, and skipping for real.

The parity suite (tests/integration) is the full contract; these are the fast engine's
own checks: reference blueprints on real data in both modes (trades, metrics, every
journal row), columns as input, the bulk mark-to-market bit for bit against
``Ledger.mark``, and the skipper refusing what it cannot prove."""

from __future__ import annotations

import itertools
import json
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from stc.compiler.api import compile_blueprint
from stc.runtime.api import _with_handler, trades_csv_text
from stc.runtime.batch import BarArrays
from stc.runtime.bulk_marks import mark_stretch
from stc.runtime.data import load_bars
from stc.runtime.dtos.market import Bar
from stc.runtime.engine import Engine
from stc.runtime.journal import Journal
from stc.runtime.ledger import Ledger
from stc.runtime.quiet_bars import mark_closes
from tests.conftest import BLUEPRINTS, REPO
from tools.fast_parity import journal_rows, on_timeframe

EURUSD = REPO / "data" / "EURUSD_1h.csv"


def _run(plan: Any, bars: Any, mode: str, folder: Path) -> tuple[dict[str, Any], Engine]:
    folder.mkdir(parents=True)
    journal = Journal(folder / "journal.sqlite")
    engine = Engine(_with_handler(plan, "backtest"), bars, journal=journal, engine=mode)  # type: ignore[arg-type]
    result = engine.run()
    journal.close()
    assert result.metrics is not None
    metrics = result.metrics.metrics(result.times, result.exposed_bars, len(result.faults),
                                     gaps=result.gaps)  # fmt: skip
    return {
        "trades": trades_csv_text(result.trades),
        "metrics": json.dumps(metrics, sort_keys=True),
        "journal": journal_rows(folder / "journal.sqlite"),
        "equity": list(result.equity_curve),
    }, engine


SKIPS_AT_LEAST = {"ema_trend.yaml": 0.9, "ict_smc.yaml": 0.5, "direct_planning.yaml": 0.05,
                  "managed_trend.yaml": 0.5}  # fmt: skip
"""Share of the 2500 bars each blueprint skips (measured: 0.96, 0.8, 0.08, 0.72; direct_planning
has a signal on most bars; managed_trend runs every bar while a trade is open, for its
POSITION_UPDATE subscriber)."""


@pytest.mark.parametrize("name", sorted(SKIPS_AT_LEAST))
def test_both_modes_are_equal_on_real_data(name: str, tmp_path: Path) -> None:
    bars = load_bars(EURUSD)[:2500]
    plan = compile_blueprint(BLUEPRINTS / name).plan
    slow, _ = _run(plan, bars, "incremental", tmp_path / "incremental")
    fast, engine = _run(plan, bars, "fast", tmp_path / "fast")
    assert fast == slow
    assert slow["journal"], "a run that journals nothing proves nothing"
    assert engine.fast is not None
    assert engine.fast.skipped_bars >= SKIPS_AT_LEAST[name] * len(bars)


def test_columns_as_input_equal_bars(tmp_path: Path) -> None:
    """``Engine`` takes BarArrays (the columnar loader's output) as well as bars."""
    bars = load_bars(EURUSD)[:1500]
    plan = compile_blueprint(BLUEPRINTS / "ema_trend.yaml").plan
    from_bars, _ = _run(plan, bars, "fast", tmp_path / "bars")
    columns, _ = _run(plan, BarArrays.from_bars(bars, "1h"), "fast", tmp_path / "columns")
    assert columns == from_bars


def test_a_tick_by_tick_worker_keeps_every_bar_running(tmp_path: Path) -> None:
    """managed_trend with its LiquidityCrisisDetector unbatched (the plan as the compiler
    wrote it before that worker had a batch form): no skipping (said why), still equal."""
    bars = load_bars(EURUSD)[:1200]
    plan = compile_blueprint(BLUEPRINTS / "managed_trend.yaml").plan
    workers = tuple(
        w.model_copy(update={"batch": None}) if w.id == "liquidity_crisis_detector" else w
        for w in plan.workers
    )
    plan = plan.model_copy(update={"workers": workers})
    slow, _ = _run(plan, bars, "incremental", tmp_path / "incremental")
    fast, engine = _run(plan, bars, "fast", tmp_path / "fast")
    assert fast == slow
    assert engine.fast.skipped_bars == 0
    why = engine.fast.skipper.why_not() or ""
    assert "`liquidity_crisis_detector` runs tick by tick" in why
    assert (
        engine.table.context_chain[0][0] == engine.workers["ema_detector"].on_tick
    )  # handlers kept


def test_a_higher_timeframe_worker_no_longer_keeps_every_bar_running(tmp_path: Path) -> None:
    """The same plan without that worker (tests/parity/blueprints/htf_trend.yaml): the
    4h regime is carried over the stretches, most bars are skipped, the runs equal
    (equity curve included)."""
    bars = load_bars(EURUSD)[:2500]
    plan = compile_blueprint(REPO / "tests" / "parity" / "blueprints" / "htf_trend.yaml").plan
    slow, _ = _run(plan, bars, "incremental", tmp_path / "incremental")
    fast, engine = _run(plan, bars, "fast", tmp_path / "fast")
    assert fast == slow
    assert slow["journal"], "a run that journals nothing proves nothing"
    assert engine.fast.skipper.why_not() is None
    assert engine.fast.skipped_bars >= 0.5 * len(bars)  # measured: 0.69


def test_gaps_and_daily_data_are_counted_alike(tmp_path: Path) -> None:
    """A daily series with weekend gaps: the fast engine counts gaps up front."""
    goog = Path("/work/shared/data/GOOG_1d.csv")
    if not goog.exists():
        pytest.skip("the shared data folder is not here")
    bars = load_bars(goog)
    plan = on_timeframe(compile_blueprint(BLUEPRINTS / "ema_trend.yaml").plan, "1d")
    slow, _ = _run(plan, bars, "incremental", tmp_path / "incremental")
    fast, _ = _run(plan, bars, "fast", tmp_path / "fast")
    assert fast == slow
    assert json.loads(fast["metrics"])["data_gaps"] > 0


def _walk(n: int, seed: int) -> list[Bar]:
    rng = random.Random(seed)
    price, start, bars = 100.0, datetime(2020, 1, 1, tzinfo=UTC), []
    for i in range(n):
        close = max(price * (1 + rng.gauss(0, 0.01)), 0.01)
        high, low = max(price, close) * 1.002, min(price, close) * 0.998
        bars.append(Bar(start + timedelta(hours=i), price, high, low, close, 1.0))
        price = close
    return bars


def _compiled_loop_marks(ledger: Ledger, arrays: BarArrays, lo: int, hi: int, last: Bar) -> None:
    """``quiet_bars.mark_closes`` with ``mark_stretch``'s arguments."""
    closes, highs, lows = (
        column[lo:hi].tolist() for column in (arrays.close, arrays.high, arrays.low)
    )
    mark_closes(ledger, closes, highs, lows, last)


@pytest.mark.parametrize("bulk_mark", [mark_stretch, _compiled_loop_marks])
@pytest.mark.parametrize("seed", range(5))
def test_bulk_marks_equal_per_bar_marks_bit_for_bit(seed: int, bulk_mark: Any) -> None:
    bars = _walk(3000, seed)
    arrays = BarArrays.from_bars(bars, "1h")
    per_bar, bulk = Ledger(10_000.0, "X"), Ledger(10_000.0, "X")
    for ledger in (per_bar, bulk):
        ledger.entry_fill(
            "TRD_20200101_000000_0000a", "BUY", 100.0, Decimal("37.5"), 0.0, bars[0].time
        )
        if seed % 2:
            ledger.entry_fill(
                "TRD_20200101_000000_0000b", "SELL", 100.0, Decimal("12.25"), 0.0, bars[0].time
            )
        ledger.drain_changes()
    cut = [0, 7, 7, 1000, 2999, 3000]
    for lo, hi in itertools.pairwise(cut):
        for bar in bars[lo:hi]:
            per_bar.mark(bar)
        bulk_mark(bulk, arrays, lo, hi, bars[hi - 1] if hi > lo else bars[0])
    times = (bars[0].time, bars[-1].time)
    assert bulk.metrics.metrics(times, bulk.exposed_bars, 0) == per_bar.metrics.metrics(
        times, per_bar.exposed_bars, 0
    )
    assert list(bulk.equity_curve) == list(per_bar.equity_curve)
    assert bulk.peak_equity == per_bar.peak_equity
    assert bulk.snapshot() == per_bar.snapshot()
    assert [(t.high, t.low, t.bars_held) for t in bulk.open.values()] == [
        (t.high, t.low, t.bars_held) for t in per_bar.open.values()
    ]


def test_the_incremental_mode_skips_nothing(tmp_path: Path) -> None:
    bars = load_bars(EURUSD)[:300]
    plan = compile_blueprint(BLUEPRINTS / "ema_trend.yaml").plan
    _, engine = _run(plan, bars, "incremental", tmp_path / "run")
    assert engine.fast is None


def test_a_stream_runs_the_incremental_loop(tmp_path: Path) -> None:
    """The fast loop needs the data ahead; an iterator (``stc run``'s CSV stream) is
    run bar by bar, with the same result."""
    bars = load_bars(EURUSD)[:600]
    plan = compile_blueprint(BLUEPRINTS / "ema_trend.yaml").plan
    streamed, engine = _run(plan, iter(bars), "fast", tmp_path / "stream")
    listed, _ = _run(plan, bars, "fast", tmp_path / "list")
    assert engine.fast is None
    assert streamed == listed


@pytest.mark.parametrize("gtc", [3, 24])
def test_resting_limits_that_expire_are_watched_by_price_too(gtc: int, tmp_path: Path) -> None:
    """With ``gtc_bars`` > 0 a resting limit is due at its expiry *and* wherever its
    price is touched before it (session 16: the skipper watched only the expiry, and
    ict_smc's limit entries filled in the incremental run were skipped in the fast one:
    107 against 101 trades at gtc_bars 3, 124 against 108 at 24)."""
    bars = load_bars(EURUSD)[:3000]
    plan = compile_blueprint(BLUEPRINTS / "ict_smc.yaml").plan
    workers = tuple(
        w.model_copy(update={"params": {**w.params, "gtc_bars": gtc}})
        if "gtc_bars" in (w.params or {})
        else w
        for w in _with_handler(plan, "backtest").workers
    )
    plan = plan.model_copy(update={"workers": workers})
    slow, _ = _run(plan, bars, "incremental", tmp_path / "incremental")
    fast, engine = _run(plan, bars, "fast", tmp_path / "fast")
    assert fast == slow
    assert slow["trades"].count("\n") > 50
    assert engine.fast.skipped_bars > 0.5 * len(bars)
