"""operation.yaml (SPEC §4.3): environment, data, schedules and the strategies to run."""

from typing import Annotated, Any, Literal

from pydantic import Field

from stc.compiler.model.common import EventName, StrictModel, Timeframe, empty_dict
from stc.runtime.plan.model import StartingCapital

Environment = Literal["backtest", "paper", "live"]
RelPath = Annotated[str, Field(min_length=1, max_length=1024)]


DataField = Literal["time", "date", "open", "high", "low", "close", "volume"]


class CsvLayout(StrictModel):
    """How to read a CSV that is not the standard stc layout (docs/formats.md, "Data
    files as downloaded"): the ``stc run`` options ``--data-format``, ``--delimiter``,
    ``--columns``, ``--time-unit`` and ``--volume`` as a block; unset fields are inferred.
    The values mirror ``stc.runtime.data_formats`` (a test keeps them equal)."""

    preset: Literal["stc", "binance-klines", "yahoo"] | None = None
    delimiter: Literal[",", ";", "\t", "tab", "|"] | None = None
    columns: dict[DataField, Annotated[str, Field(min_length=1, max_length=256)]] | None = None
    time_unit: Literal["auto", "s", "ms", "us", "iso"] | None = None
    volume: Literal["required", "optional"] | None = None


class DataSource(StrictModel):
    """An OHLCV file; relative paths are relative to the operation file."""

    path: RelPath
    format: Literal["csv", "parquet"] | CsvLayout = "csv"
    symbol: Annotated[str, Field(min_length=1, max_length=64)]
    timeframe: Timeframe


class Connector(StrictModel):
    """An exchange connector for live/paper trading (settings are connector-specific)."""

    type: Annotated[str, Field(min_length=1, max_length=64)]
    settings: dict[str, Any] = Field(default_factory=empty_dict)


class Schedule(StrictModel):
    """When a scheduled event fires, e.g. ``every: 1w`` (computed from bar times)."""

    every: Timeframe


class StrategyLink(StrictModel):
    """One strategy to run: its blueprint, its data and its starting capital."""

    blueprint: RelPath
    data_source: Annotated[str, Field(min_length=1, max_length=128)]
    starting_capital: StartingCapital = 10_000.0
    allow_symbol_mismatch: bool = False
    """Run on a data source of another symbol on purpose (else STC071)."""


class Operation(StrictModel):
    """The whole ``operation.yaml``."""

    operation_version: Literal[1]
    environment: Environment = "backtest"
    platform: RelPath | None = None
    data_sources: dict[str, DataSource] = Field(default_factory=empty_dict)
    connectors: dict[str, Connector] = Field(default_factory=empty_dict)
    schedules: dict[EventName, Schedule] = Field(default_factory=empty_dict)
    strategy_links: list[StrategyLink] = Field(min_length=1)
