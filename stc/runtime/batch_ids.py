"""A batched context worker draws no ids: enforced while it runs (issue 23).

The compiler does not mark a context worker batchable when its handler's code names
an id-drawing attribute (:mod:`stc.compiler.id_draws`). What reading the code cannot
see — an id drawn through a helper of another module that is handed the worker — is
refused here: a context worker the plan runs in batch form (``WorkerSpec.batch``) is
bound to :class:`RefusingIds` instead of the run's id factory, in both engines, so a
draw raises a :class:`~stc.runtime.errors.PluginContractError` in that worker's call:
a fault of its flow, journaled with the worker's name and what to change, never a
silent shift of every later id. (The fast engine hands a run with a batched worker's
own fault to the incremental engine, :mod:`stc.runtime.fast_fallback`, so both modes
then journal the same faults.)
"""

from __future__ import annotations

from datetime import datetime

from stc.runtime.dtos.ids import IdFactory
from stc.runtime.errors import PluginContractError


class RefusingIds(IdFactory):
    """The id factory of a batched context worker: every draw is a contract fault."""

    __slots__ = ("worker",)

    def __init__(self, worker: str) -> None:
        super().__init__()
        self.worker = worker

    def new(self, prefix: str, tick_time: datetime) -> str:
        """Refuse: a batched context worker's ids would be missing on skipped bars."""
        raise PluginContractError(
            self.worker, "new_id",
            f"drew an id ({prefix}) but runs in batch form: the fast engine skips the "
            "bars where nothing can happen and would not draw it there, shifting every "
            "later id; a batchable context worker draws no ids (draw them in a later "
            "phase, or remove `batch: true` from its manifest)",
        )  # fmt: skip
