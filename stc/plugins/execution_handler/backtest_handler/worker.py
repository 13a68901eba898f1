"""BacktestHandler: execution against the simulated venue and the run's ledger."""

from __future__ import annotations

from stc.runtime.execution.handler import SimulatedExecutionHandler


class BacktestHandler(SimulatedExecutionHandler):
    """Phase 5 for backtests.

    Injection: the engine calls ``attach(ExecutionServices)`` once at bootstrap (ledger,
    id factory, slippage/fee/TWAP settings); per bar it calls ``on_bar`` before the
    tick's flow and wraps the flow in ``begin_flow``/``commit``/``rollback``. Orders of
    a directive decided on bar ``t`` are active from bar ``t + 1``; see
    ``stc.runtime.execution.venue`` and ``docs/runtime.md`` for the fill rules.
    """
