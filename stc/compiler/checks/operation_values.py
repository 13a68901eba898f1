"""Values of an operation checked for meaning, not only for type (issue 27).

Why: a document can be well-typed and still make nonsense or spin. A ``1m`` schedule
on hourly data fired a scheduled event for every minute of the data and made a
5,000-bar run take minutes (its cost grew with every open DCA position) instead of
being refused; ``environment: live`` with a CSV data source "finished a live run"
against a file. Both are STC diagnostics at the value that causes them.
"""

from __future__ import annotations

from stc.compiler.checks.timeframes import STC070, minutes
from stc.compiler.diagnostics import Diagnostic
from stc.compiler.model.operation import Operation
from stc.compiler.sources import STC002, Loaded, locate


def check_operation_values(display: str, loaded: Loaded, operation: Operation) -> list[Diagnostic]:
    """STC070 for a schedule finer than the data; STC002 for a live operation on files."""
    return _finer_schedules(display, loaded, operation) + _live_sources(display, loaded, operation)


def _finer_schedules(display: str, loaded: Loaded, operation: Operation) -> list[Diagnostic]:
    """A schedule fires on bar times: it cannot fire more often than bars arrive."""
    used = {link.data_source for link in operation.strategy_links}
    sources = [
        (operation.data_sources[n].timeframe, n) for n in used if n in operation.data_sources
    ]
    lengths = [(m, timeframe, name) for timeframe, name in sources if (m := minutes(timeframe))]
    if not lengths:
        return []
    finest, timeframe, name = min(lengths)
    problems = []
    for event, schedule in sorted(operation.schedules.items()):
        every = minutes(schedule.every)
        if every is not None and every < finest:
            problems.append(
                STC070.at(
                    f"schedule `{event}` fires every {schedule.every}, more often than the "
                    f"{timeframe} bars of data source `{name}` arrive",
                    display,
                    locate(loaded.data, ("schedules", event, "every")),
                    f"use `every: {timeframe}` or longer (a schedule fires on bar times)",
                )
            )
    return problems


def _live_sources(display: str, loaded: Loaded, operation: Operation) -> list[Diagnostic]:
    """A live operation trades through a connector; a file cannot be traded against."""
    if operation.environment != "live":
        return []
    problems = []
    if not operation.connectors:
        problems.append(
            STC002.at(
                "`environment: live` needs a connector, and `connectors` names none",
                display,
                locate(loaded.data, ("environment",)),
                "add `connectors: {NAME: {type: ...}}`, or use `environment: paper` to "
                "trade the file's bars in simulation",
            )
        )
    for link_index, link in enumerate(operation.strategy_links):
        source = operation.data_sources.get(link.data_source)
        if source is not None:
            problems.append(
                STC002.at(
                    f"`environment: live` cannot trade data source `{link.data_source}`: "
                    f"it is a {_kind(source.format)} file, not a market",
                    display,
                    locate(loaded.data, ("strategy_links", link_index, "data_source")),
                    "use `environment: backtest` or `paper` for a file",
                )
            )
    return problems


def _kind(data_format: object) -> str:
    """``CSV`` or ``PARQUET``: a CSV layout block is a CSV file."""
    return data_format.upper() if isinstance(data_format, str) else "CSV"
