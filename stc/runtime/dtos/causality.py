"""CausalityChain: the IDs that led to a decision, carried from tick to fill.

Every DTO downstream of the strategy planner carries the chain, so that the
FlowTerminator (and ``stc explain``) can rebuild why a trade happened from the journal.
"""

from datetime import datetime
from typing import Any

from stc.runtime.dtos.common import FrozenDTO
from stc.runtime.dtos.ids import CtxId, EntId, ExeId, ExtId, OppId, RouId, SizId, StrId, ThrId

_SINGLE_IDS = {
    "context_assessment_id": "CTX",
    "strategy_directive_id": "STR",
    "entry_plan_id": "ENT",
    "size_plan_id": "SIZ",
    "exit_plan_id": "EXT",
    "routing_plan_id": "ROU",
    "execution_directive_id": "EXE",
}
_LATER_IDS = tuple(_SINGLE_IDS)[1:]
"""The single-id fields after the context assessment's, in flow order."""


class CausalityChain(FrozenDTO):
    """IDs of every DTO on the path of one flow; empty fields are not reached yet."""

    tick_time: datetime
    context_assessment_id: CtxId | None = None
    opportunity_ids: tuple[OppId, ...] = ()
    threat_ids: tuple[ThrId, ...] = ()
    strategy_directive_id: StrId | None = None
    entry_plan_id: EntId | None = None
    size_plan_id: SizId | None = None
    exit_plan_id: ExtId | None = None
    routing_plan_id: RouId | None = None
    execution_directive_id: ExeId | None = None

    def with_ids(self, **ids: Any) -> "CausalityChain":
        """Return a copy with more IDs filled in (validated like the original)."""
        return CausalityChain.model_validate({**self.model_dump(), **ids})

    def all_ids(self) -> tuple[str, ...]:
        """Every ID on the chain in flow order (tick → execution)."""
        out: list[str] = []
        if self.context_assessment_id:
            out.append(self.context_assessment_id)
        out.extend(self.opportunity_ids)
        out.extend(self.threat_ids)
        for name in _LATER_IDS:
            value = getattr(self, name)
            if value:
                out.append(value)
        return tuple(out)
