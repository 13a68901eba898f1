"""Phase 6: the FlowTerminator closes a planning flow (``_flow_stop``).

It receives the ExecutionDirective with the complete CausalityChain and records the
decision chain (every id, tick → execution) as a journal note, so ``explain`` can
follow a trade back without searching. Metrics are computed once at the end of the
run (``stc.runtime.metrics``), not per flow.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from stc.runtime.dtos.plans import ExecutionDirective

Note = Callable[[str, Mapping[str, Any]], None]
ChainNote = Callable[[ExecutionDirective], None]


class FlowTerminator:
    """Platform component ``flow_terminator``."""

    def __init__(self, note: Note, chain_note: ChainNote | None = None) -> None:
        self._note = note
        self._chain_note = chain_note
        """The journal's own way to note a chain (``FlowRecorder.decision_chain``: by
        reference to the directive's row when it can), the same note when read."""

    def on_flow_stop(self, directive: ExecutionDirective) -> None:
        """Record the finished flow's decision chain."""
        if self._chain_note is not None:
            self._chain_note(directive)
            return
        chain = directive.causality
        self._note(
            "decision_chain",
            {
                "execution_directive_id": directive.directive_id,
                "tick_time": chain.tick_time.isoformat(),
                "ids": list(chain.all_ids()),
            },
        )
