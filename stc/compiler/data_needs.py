"""What a worker needs from the data beyond timestamps and prices: today, volume.

A data file may lack volume (``--volume optional`` or a data source's ``format:
{volume: optional}`` read it as 0). A worker whose manifest says
``dependencies.requires_volume`` would then compute on zeros, a wrong result without
an error, so the compiler names such workers in the wiring map (``reads_volume``)
and refuses them statically (STC075) when an operation's data source lacks volume,
and ``stc run`` refuses them before the first bar (``stc.runtime.data_fit``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stc.compiler.unit import WorkerInstance


def reads_volume(worker: WorkerInstance) -> bool:
    """Whether ``worker``, with its resolved params, reads bar volume."""
    if worker.record is None:
        return False
    need = worker.record.manifest.dependencies.requires_volume
    if isinstance(need, bool):
        return need
    return any(_param_in(worker.params, name, values) for name, values in need.items())


def _param_in(params: Mapping[str, Any], name: str, values: list[Any]) -> bool:
    return name in params and any(params[name] == value for value in values)
