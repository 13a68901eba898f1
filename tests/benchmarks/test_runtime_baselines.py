"""The runtime benchmark's baselines trade the same strategy as ema_trend.

``benchmarks/runtime_throughput.py`` judges ema_trend against a hand loop of its own
plugin objects and against issue 4's two pure-Python reference points; a ratio means
something only if every row makes the same trades. Small sizes: this checks behaviour,
not speed.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest


@pytest.mark.parametrize("bars", [3_000, 8_000])
def test_every_row_makes_the_engines_trades(bench: ModuleType, bars: int) -> None:
    _, engine_trades = bench.run_ema_engine(bars)
    assert engine_trades > 10  # the comparison is about something
    assert bench.run_ema_engine(bars, journal=False)[1] == engine_trades
    assert bench.run_ema_hand(bars)[1] == engine_trades
    assert bench.run_hand_incremental(bars)[1] == engine_trades
    assert bench.run_hand_stages(bars)[1] == engine_trades


def test_streamed_and_in_memory_bars_are_the_same_run(bench: ModuleType) -> None:
    assert bench.run_ema_engine(3_000, streamed=True)[1] == bench.run_ema_engine(3_000)[1]


def test_a_missing_engine_is_a_row_not_a_crash(bench: ModuleType) -> None:
    assert "not installed" in bench._ema_row(1_000, "backtrader", [])
    verdicts = bench._ema_verdicts(1_000, {"ema engine+journal": 160_000.0})
    assert verdicts == [
        "- 1,000 bars: ema_trend engine+journal 160,000 bars/s ≥ 150,000: PASS",
        "- 1,000 bars (issue 23): ema_trend engine+journal 160,000 bars/s ≥ 1,000,000: FAIL",
    ]


def test_the_table_reports_the_median_run_and_the_best(bench: ModuleType) -> None:
    """Issue 4 quotes medians of 3: the row's rate is the median run's, then the best."""
    runs = [
        {"seconds": s, "trades": 9, "peak_rss_mb": rss, "mode": "compiled"}
        for s, rss in ((2.0, 50.0), (1.0, 60.0), (4.0, 40.0))
    ]
    assert bench.median_run(runs)["seconds"] == 2.0
    assert bench.median_run(runs[:2])["seconds"] == 2.0  # even count: the slower middle
    row = bench._ema_row(1_000, "ema engine+journal", runs)
    assert row == "| 1,000 | ema engine+journal | 500 | 1,000 | 2000.0 | 60 | 9 | compiled |"


def test_rising_bars_time_the_per_tick_path_alone(bench: ModuleType, tmp_path: Path) -> None:
    """The per-tick row's bars make no flow at all: no signal, no DTO, no trade."""
    from itertools import starmap

    from stc.runtime.dtos.market import Bar
    from stc.runtime.engine import Engine
    from stc.runtime.journal import Journal

    journal = Journal(tmp_path / "j.sqlite")
    result = Engine(bench.ema_plan(), starmap(Bar, bench.rising_rows(3_000)), journal=journal).run()
    journal.close()
    assert result.trades == []
    assert Journal(tmp_path / "j.sqlite", create=False).rows("dtos") == []
    assert bench.run_ema_engine(3_000, rising=True)[1] == 0


def test_a_quiet_tick_validates_no_pydantic_model_and_writes_no_journal(
    bench: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 4's design rule for the per-tick hot path, checked on ema_trend: over 3,000
    bars on which nothing fires (after bootstrap), not one pydantic model is built or
    validated and the journal is never written; a run with signals builds them."""
    from itertools import starmap

    from pydantic import BaseModel

    from stc.runtime.dtos.market import Bar
    from stc.runtime.engine import Engine
    from stc.runtime.journal import Journal

    def counted(n: int) -> tuple[int, int]:
        bars = starmap(Bar, bench.rising_rows(n)) if n > 0 else bench.synthetic_bars(-n)
        journal = Journal(tmp_path / f"j{n}.sqlite")
        engine = Engine(bench.ema_plan(), bars, journal=journal)
        built, writes = [0], [0]
        init, validate, write = BaseModel.__init__, BaseModel.model_validate.__func__, Journal.write

        def counting_init(self: BaseModel, /, **data: object) -> None:
            built[0] += 1
            init(self, **data)

        def counting_validate(cls: type[BaseModel], *args: object, **kwargs: object) -> object:
            built[0] += 1
            return validate(cls, *args, **kwargs)

        def counting_write(self: Journal, flow: object) -> None:
            writes[0] += 1
            write(self, flow)  # type: ignore[arg-type]

        with monkeypatch.context() as patch:
            patch.setattr(BaseModel, "__init__", counting_init)
            patch.setattr(BaseModel, "model_validate", classmethod(counting_validate))
            patch.setattr(Journal, "write", counting_write)
            engine.run()
        journal.close()
        return built[0], writes[0]

    assert counted(3_000) == (0, 0)
    built, writes = counted(-3_000)  # seeded bars: the cross fires
    assert built > 0 and writes > 0


def test_the_flow_cost_splits_a_bar_into_tick_and_flows(bench: ModuleType) -> None:
    # 10 µs a bar in all, 4 µs of it the tick, a trade every 100 bars: 600 µs a trade;
    # 150,000 bars/s (6.67 µs a bar) leaves 266.7 µs
    cost, budget = bench._flow_cost(1_000, 100_000.0, 250_000.0, 10)
    assert cost == pytest.approx(600.0)
    assert budget == pytest.approx(266.67, abs=0.01)
    rates = {"ema engine+journal": 100_000.0, bench.QUIET_ROW: 250_000.0}
    lines = bench._ema_verdicts(1_000, rates, {"ema engine+journal": 10})
    assert lines[1] == (
        "- 1,000 bars: the per-tick path alone (bars without a signal) 250,000 bars/s, "
        "4.00 µs a bar; the flows of one round-trip trade (signal → … → fills, journal "
        "included) cost 600 µs; 150,000 bars/s with 10 trades leaves them 267 µs"
    )
