"""Data-source checks (issue 19): an operation links a blueprint to data of the
symbol the blueprint trades (STC071: GBPUSD bars quietly fed an EURUSD strategy), and
a data source's file has the bar interval its ``timeframe`` declares (STC072: daily
bars declared as 1h played hourly bars).
"""

from __future__ import annotations

from pathlib import Path

from stc.compiler.data_needs import reads_volume
from stc.compiler.diagnostics import Diagnostic, Related, Severity
from stc.compiler.rules import Rule
from stc.compiler.sources import locate
from stc.compiler.unit import CompileUnit

STC071 = Rule(
    "STC071",
    Severity.ERROR,
    "data source symbol differs from the blueprint's",
    """The operation's data source is for another symbol than the blueprint.

    Why it is bad: the strategy would trade one market's decisions on another market's
    prices, and every number of the run would be quietly wrong. Example: ``data_sources:
    {gbp: {path: GBPUSD_1h.csv, symbol: GBPUSD, ...}}`` linked to a blueprint with
    ``symbol: EURUSD``. Fix: link data of the blueprint's symbol, or, when the other
    market is deliberate (a proxy), say so on the strategy link with
    ``allow_symbol_mismatch: true``.""",
    bad=(
        "# operation.yaml, linked to a blueprint with symbol: EURUSD\n"
        "data_sources:\n"
        "  gbp: {path: GBPUSD_1h.csv, symbol: GBPUSD, timeframe: 1h}"
    ),
    fixed=("data_sources:\n  eur: {path: EURUSD_1h.csv, symbol: EURUSD, timeframe: 1h}"),
)


def check_data_source(unit: CompileUnit) -> list[Diagnostic]:
    """Report STC071 (the rule above says why)."""
    source, operation = unit.data_source, unit.operation
    if source is None or operation is None or unit.link_index is None:
        return []
    link = operation.strategy_links[unit.link_index]
    symbol = unit.blueprint.symbol
    if source.symbol == symbol or link.allow_symbol_mismatch:
        return []
    name = unit.data_source_name or "?"
    loaded = unit.operation_loaded
    mark = locate(loaded.data, ("data_sources", name, "symbol")) if loaded else None
    where = unit.mark(("symbol",))
    related = Related(
        message=f"the blueprint trades {symbol}",
        file=unit.blueprint_file,
        line=where.line if where else None,
        column=where.column if where else None,
    )
    return [
        STC071.at(
            f"data source `{name}` is {source.symbol}, but the blueprint trades {symbol}",
            unit.operation_file,
            mark,
            f"link data of {symbol}, or add `allow_symbol_mismatch: true` to the strategy "
            "link if the other market is deliberate",
            related=(related,),
        )
    ]


STC072 = Rule(
    "STC072",
    Severity.ERROR,
    "data source file's bar interval differs from its declared timeframe",
    """The data source's file does not have the bars its ``timeframe`` says.

    Why it is bad: the checks of the blueprint's timeframes (STC070) trust the declared
    ``timeframe``; bars of another length would be played as if they had it (a daily bar
    as an hourly one). The interval is the most common spacing of the file's first 2,000
    bars, so weekends and gaps do not count. Example: ``{path: GOOG_1d.csv, timeframe:
    1h}``. Fix: declare the file's real bar length, or link the file that has the
    declared one.""",
    bad=("data_sources:\n  goog: {path: GOOG_1d.csv, symbol: GOOG, timeframe: 1h}"),
    fixed=("data_sources:\n  goog: {path: GOOG_1d.csv, symbol: GOOG, timeframe: 1d}"),
)


def check_data_interval(unit: CompileUnit) -> list[Diagnostic]:
    """Report STC072 (the rule above says why)."""
    from stc.runtime.data import timeframe_seconds
    from stc.runtime.data_fit import describe_interval, sampled_interval

    source, name = unit.data_source, unit.data_source_name
    if source is None or name is None or unit.operation_file is None:
        return []
    path = Path(unit.operation_file).parent / source.path
    interval = sampled_interval(path) if path.is_file() else None
    declared = timeframe_seconds(source.timeframe)
    if interval is None or abs(interval / declared - 1) <= 0.1:
        return []
    loaded = unit.operation_loaded
    mark = locate(loaded.data, ("data_sources", name, "timeframe")) if loaded else None
    have = describe_interval(interval)
    return [
        STC072.at(
            f"data source `{name}` declares {source.timeframe} bars, but `{source.path}` "
            f"has bars {have} apart (its most common spacing)",
            unit.operation_file,
            mark,
            f"declare `timeframe: {have}`, or link data with {source.timeframe} bars",
        )
    ]


STC075 = Rule(
    "STC075",
    Severity.ERROR,
    "worker reads volume the data source does not have",
    """A worker reads bar volume, but the operation's data source has none.

    Why it is bad: ``format: {volume: optional}`` reads a file without a volume column
    with volume 0 on every bar; a worker whose manifest says ``requires_volume`` (a
    volume z-score, a liquidity monitor) would compute on zeros and never say so.
    Example: a blueprint with ``VolumeSpikeRefiner`` linked to ``{path: closes.csv,
    format: {volume: optional}, ...}`` where the file has no volume column. Fix: link
    data with a volume column, or remove the worker. A file that has a volume column
    is fine with ``volume: optional``; a missing file is reported as such (STC009).""",
    bad=(
        "# closes.csv has no volume column; the blueprint has VolumeSpikeRefiner\n"
        "data_sources:\n"
        "  eur: {path: closes.csv, symbol: EURUSD, timeframe: 1h, format: {volume: optional}}"
    ),
    fixed=("data_sources:\n  eur: {path: EURUSD_1h.csv, symbol: EURUSD, timeframe: 1h}"),
)


def check_volume_source(unit: CompileUnit) -> list[Diagnostic]:
    """Report STC075 (the rule above says why)."""
    from stc.runtime.data_formats import lacks_volume, plan_data_format

    source, name = unit.data_source, unit.data_source_name
    if source is None or name is None or unit.operation_file is None:
        return []
    readers = [w for w in unit.resolved() if reads_volume(w)]
    path = Path(unit.operation_file).parent / source.path
    fmt = plan_data_format(source.model_dump(mode="json"))
    if not readers or not path.is_file() or not lacks_volume(path, fmt):
        return []
    loaded = unit.operation_loaded
    mark = locate(loaded.data, ("data_sources", name, "format", "volume")) if loaded else None
    worker = readers[0]
    related = unit.related(f"`{worker.id}` ({worker.plugin}) reads bar volume", worker.loc)
    return [
        STC075.at(
            f"data source `{name}` has no volume column (`{source.path}`; `volume: optional` "
            f"reads 0), but worker `{worker.id}` ({worker.plugin}) reads bar volume",
            unit.operation_file,
            mark,
            f"link data with a volume column, or remove `{worker.id}` from the blueprint",
            related=(related,),
        )
    ]


CHECKS = (check_data_source, check_data_interval, check_volume_source)
