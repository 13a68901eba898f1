"""Shared pieces of the input-format models."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Identifier = Annotated[str, Field(pattern=r"^[a-z_][a-z0-9_]*$", max_length=128)]
"""A worker id: snake_case, as the blueprint's ``id`` or derived from the plugin name."""
PluginName = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$", max_length=128)]
"""A plugin's manifest name: a bare identifier, never a path or module name."""
EventName = Annotated[str, Field(pattern=r"^_?[A-Z][A-Z0-9_]*$", max_length=128)]
"""An event name such as ``TICK_RECEIVED`` or ``_flow_stop``-style internal names."""
DtoName = Annotated[str, Field(pattern=r"^[A-Z][A-Za-z0-9_]*$", max_length=128)]
Timeframe = Annotated[str, Field(pattern=r"^[1-9][0-9]*(m|h|d|w|M)$")]
"""A bar length: minutes ``m``, hours ``h``, days ``d``, weeks ``w``, months ``M``."""


class StrictModel(BaseModel):
    """Input formats reject unknown keys: a typo must never be silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)
