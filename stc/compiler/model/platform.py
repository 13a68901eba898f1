"""platform.yaml (SPEC §4.3): global settings, the bottom configuration layer."""

from typing import Annotated, Literal

from pydantic import Field

from stc.compiler.model.aggregation import AggregationPolicy
from stc.compiler.model.common import StrictModel, default_of, empty_list
from stc.runtime.plan.model import ExecutionSettings as ExecutionSettings


class LoggingSettings(StrictModel):
    """Log verbosity."""

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


class JournalSettings(StrictModel):
    """Where the run journal goes (one SQLite file per run)."""

    backend: Literal["sqlite"] = "sqlite"
    filename: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+$")] = "journal.sqlite"


class Limits(StrictModel):
    """Input limits of the loader (SPEC §8): each breach is a diagnostic."""

    max_file_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)
    max_depth: int = Field(default=64, ge=4, le=256)
    """Above ~400 levels the loader's walk would exceed Python's recursion limit (and
    libyaml stops at 1,000): 256 is far beyond any real strategy file."""
    max_nodes: int = Field(default=500_000, ge=100)
    max_workers: int = Field(default=20_000, ge=1)
    max_string_length: int = Field(default=65_536, ge=64)


class Platform(StrictModel):
    """The whole ``platform.yaml``."""

    platform_version: Literal[1]
    logging: LoggingSettings = default_of(LoggingSettings)
    journal: JournalSettings = default_of(JournalSettings)
    execution: ExecutionSettings = default_of(ExecutionSettings)
    aggregation: AggregationPolicy = default_of(AggregationPolicy)
    plugin_roots: list[Annotated[str, Field(min_length=1, max_length=1024)]] = Field(
        default_factory=empty_list
    )
    limits: Limits = default_of(Limits)


def default_platform() -> Platform:
    """``Platform(platform_version=1)``, the layer of a check without a platform file,
    without building the platform format's validator (nothing is validated: the one
    given value is the only one its ``Literal[1]`` allows)."""
    return Platform.model_construct(platform_version=1)
