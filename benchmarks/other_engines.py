"""Baselines in other engines: the EMA(20/50) long-only cross in backtrader and Nautilus Trader.

Both run on the bars of ``bar_rows.synthetic_rows`` (seed 42, hourly, a random walk
around 1.1: the bars of every row of runtime_throughput.py's ema table), trade a fixed
100,000 units with 1,000,000 of starting cash, buy at market when the fast EMA crosses
above the slow one while flat and close at market when it crosses below while long.
Each returns (seconds, closed trades).

- ``run_backtrader``: ``bt.indicators.EMA`` (seeded with the SMA of its first ``period``
  closes) and ``bt.indicators.CrossOver``; market orders fill at the next bar's open.
  Cerebro defaults (``preload``, ``runonce``) except ``stdstats=False`` (the standard
  observers only feed plots). Timed: ``cerebro.run()``, which also loads the feed into
  backtrader's lines (its preload); the feed is ``PandasDirectData``, the fastest one for
  a DataFrame (``PandasData`` reads it one ``iloc`` a cell: 2.5× slower in all here).
  Trades counted in ``notify_trade`` (``trade.isclosed``).
- ``run_nautilus``: ``BacktestEngine`` (low-level API), SIM venue (NETTING, MARGIN, USD,
  1,000,000 USD), ``TestInstrumentProvider.default_fx_ccy("EUR/USD")`` (its default
  maker/taker fees are kept), ``ExponentialMovingAverage`` (seeded with the first close, like
  pandas ``ewm(adjust=False)``), bars ``EUR/USD.SIM-1-HOUR-LAST-EXTERNAL`` built by
  ``BarDataWrangler`` (prices rounded to 5 decimals) and added before the clock. Logging
  bypassed, no streaming or persistence; default post-run analysis kept. Timed:
  ``engine.run()``. A market order fills in the bar's own time step at its close, which in
  these bars equals the next bar's open; the simulated book offers volume / 4 (25 units)
  there, so each order fills in two parts, the rest one tick worse. Trades counted in
  ``on_position_closed`` (NETTING reuses one position id, so ``cache.positions_closed()``
  is not a trade count).

Usage: ``python benchmarks/other_engines.py --ticks 100000 [--engine backtrader]``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from bar_rows import synthetic_rows

FAST, SLOW = 20, 50
SIZE = 100_000
CASH = 1_000_000


def _frame(n: int) -> Any:
    """The bars as a DataFrame (lowercase OHLCV columns, UTC DatetimeIndex)."""
    import pandas as pd

    rows = list(synthetic_rows(n))
    columns = ("open", "high", "low", "close", "volume")
    frame = pd.DataFrame(
        {name: [row[i + 1] for row in rows] for i, name in enumerate(columns)},
        index=pd.DatetimeIndex([row[0] for row in rows]),
    )
    return frame


def run_backtrader(n: int) -> tuple[float, int]:
    """The EMA(20/50) long-only cross in backtrader; (seconds of cerebro.run(), trades)."""
    import backtrader as bt

    class EmaCross(bt.Strategy):  # type: ignore[misc]
        def __init__(self) -> None:
            fast = bt.indicators.EMA(self.data.close, period=FAST)
            slow = bt.indicators.EMA(self.data.close, period=SLOW)
            self.cross = bt.indicators.CrossOver(fast, slow)
            self.closed = 0

        def next(self) -> None:
            if not self.position:
                if self.cross[0] > 0:
                    self.buy(size=SIZE)
            elif self.cross[0] < 0:
                self.close()

        def notify_trade(self, trade: Any) -> None:
            if trade.isclosed:
                self.closed += 1

    frame = _frame(n)
    frame.index = frame.index.tz_convert(None)  # backtrader works in naive (UTC) datetimes
    cerebro = bt.Cerebro(stdstats=False)
    cerebro.adddata(bt.feeds.PandasDirectData(dataname=frame, openinterest=-1))
    cerebro.addstrategy(EmaCross)
    cerebro.broker.setcash(CASH)
    start = time.perf_counter()
    strategy = cerebro.run()[0]
    return time.perf_counter() - start, int(strategy.closed)


def run_nautilus(n: int) -> tuple[float, int]:
    """The EMA(20/50) long-only cross in Nautilus Trader; (seconds of engine.run(), trades)."""
    from nautilus_trader.backtest.engine import BacktestEngine, BacktestEngineConfig
    from nautilus_trader.config import LoggingConfig, StrategyConfig
    from nautilus_trader.indicators import ExponentialMovingAverage
    from nautilus_trader.model.currencies import USD
    from nautilus_trader.model.data import BarType
    from nautilus_trader.model.enums import AccountType, OmsType, OrderSide
    from nautilus_trader.model.identifiers import InstrumentId, Venue
    from nautilus_trader.model.objects import Money
    from nautilus_trader.persistence.wranglers import BarDataWrangler
    from nautilus_trader.test_kit.providers import TestInstrumentProvider
    from nautilus_trader.trading.strategy import Strategy

    class EmaCrossConfig(StrategyConfig, frozen=True):
        instrument_id: InstrumentId
        bar_type: BarType

    class EmaCross(Strategy):  # type: ignore[misc]
        def __init__(self, config: EmaCrossConfig) -> None:
            super().__init__(config)
            self.fast = ExponentialMovingAverage(FAST)
            self.slow = ExponentialMovingAverage(SLOW)
            self.prev_diff: float | None = None
            self.closed = 0

        def on_start(self) -> None:
            self.instrument = self.cache.instrument(self.config.instrument_id)
            self.register_indicator_for_bars(self.config.bar_type, self.fast)
            self.register_indicator_for_bars(self.config.bar_type, self.slow)
            self.subscribe_bars(self.config.bar_type)

        def on_bar(self, bar: Any) -> None:
            if not self.slow.initialized:
                return
            diff = self.fast.value - self.slow.value
            prev, self.prev_diff = self.prev_diff, diff
            if prev is None:
                return
            instrument_id = self.config.instrument_id
            if prev <= 0.0 < diff and self.portfolio.is_flat(instrument_id):
                order = self.order_factory.market(
                    instrument_id=instrument_id,
                    order_side=OrderSide.BUY,
                    quantity=self.instrument.make_qty(SIZE),
                )
                self.submit_order(order)
            elif prev >= 0.0 > diff and self.portfolio.is_net_long(instrument_id):
                self.close_all_positions(instrument_id)

        def on_position_closed(self, event: Any) -> None:
            self.closed += 1

    venue = Venue("SIM")
    instrument = TestInstrumentProvider.default_fx_ccy("EUR/USD", venue)
    bar_type = BarType.from_str("EUR/USD.SIM-1-HOUR-LAST-EXTERNAL")
    bars = BarDataWrangler(bar_type, instrument).process(_frame(n))

    engine = BacktestEngine(config=BacktestEngineConfig(logging=LoggingConfig(bypass_logging=True)))
    engine.add_venue(
        venue=venue,
        oms_type=OmsType.NETTING,
        account_type=AccountType.MARGIN,
        base_currency=USD,
        starting_balances=[Money(CASH, USD)],
    )
    engine.add_instrument(instrument)
    engine.add_data(bars)
    del bars
    strategy = EmaCross(EmaCrossConfig(instrument_id=instrument.id, bar_type=bar_type))
    engine.add_strategy(strategy)
    start = time.perf_counter()
    engine.run()
    seconds = time.perf_counter() - start
    closed = int(strategy.closed)
    engine.dispose()
    return seconds, closed


ENGINES = {"backtrader": run_backtrader, "nautilus": run_nautilus}


def peak_rss_mb() -> float:
    """Peak RSS (MB) of this process so far (``VmHWM``)."""
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    """Run each selected engine once and print bars/s and trades."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ticks", type=int, default=100_000, help="number of bars")
    parser.add_argument("--engine", choices=(*ENGINES, "both"), default="both")
    args = parser.parse_args()
    names = list(ENGINES) if args.engine == "both" else [args.engine]
    for name in names:
        seconds, trades = ENGINES[name](args.ticks)
        print(
            f"{name}: {args.ticks:,} bars in {seconds:.3f} s = {args.ticks / seconds:,.0f} bars/s, "
            f"{trades} trades, process peak RSS so far {peak_rss_mb():.0f} MB",
            flush=True,
        )


if __name__ == "__main__":
    main()
