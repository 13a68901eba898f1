"""Shared pieces of the input-format models.

The pydantic base (``StrictModel``) and the event and DTO name types are the plan
format's (``stc.runtime.plan.base``): one base for every format stc reads or writes.
"""

from typing import Annotated

from pydantic import Field

from stc.runtime.plan.base import DtoName as DtoName
from stc.runtime.plan.base import EventName as EventName
from stc.runtime.plan.base import StrictModel as StrictModel
from stc.runtime.plan.base import default_of as default_of
from stc.runtime.plan.base import empty_dict as empty_dict
from stc.runtime.plan.base import empty_list as empty_list

Identifier = Annotated[str, Field(pattern=r"^[a-z_][a-z0-9_]*$", max_length=128)]
"""A worker id: snake_case, as the blueprint's ``id`` or derived from the plugin name."""
PluginName = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$", max_length=128)]
"""A plugin's manifest name: a bare identifier, never a path or module name."""
Timeframe = Annotated[str, Field(pattern=r"^[1-9][0-9]*(m|h|d|w|M)$")]
"""A bar length: minutes ``m``, hours ``h``, days ``d``, weeks ``w``, months ``M``."""
