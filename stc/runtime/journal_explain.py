"""The text of ``stc explain``: a trade's causality chain, read from its run journal.

Kept apart from :mod:`stc.runtime.journal` (the writer and its queries): this module
only reads, through ``Journal.dto``/``parents``/``children``/``flow_notes``;
:func:`stc.runtime.journal.explain` wraps it with the file handling and error mapping.
"""

from __future__ import annotations

from typing import Any

from stc.runtime.display import shown
from stc.runtime.journal import Journal, UnknownTradeError, shown_id

CHAIN_KEYS: tuple[tuple[str, str], ...] = (
    ("strategy_directive_id", "directive"),
    ("entry_plan_id", "entry plan"),
    ("size_plan_id", "size plan"),
    ("exit_plan_id", "exit plan"),
    ("routing_plan_id", "routing plan"),
    ("execution_directive_id", "execution"),
)
"""The planning links of a causality chain, in flow order, with their labels: what
``stc explain`` prints and the report's chain shows (:mod:`stc.runtime.report.load`)."""


def _trade(journal: Journal, trade_id: str) -> dict[str, Any]:
    """The fields of trade ``trade_id``; UnknownTradeError when no trade has that id (an
    id SQLite cannot even encode, such as undecodable bytes from argv, included)."""
    try:
        found = journal.dto(trade_id)
    except UnicodeEncodeError:
        found = None
    if found is not None and found[0] == "Trade":
        return found[3]
    what = "is not in" if found is None else f"names a {found[0]} record, not a trade, in"
    raise UnknownTradeError(
        f"trade {shown_id(trade_id)} {what} the journal {journal.path}; "
        "trade ids are the trade_id column of the run's trades.csv"
    )


def explain_trade(journal: Journal, trade_id: str) -> str:
    """The causality chain of ``trade_id`` as text (see ``journal.explain``)."""
    fields = _trade(journal, trade_id)
    exe_id = fields.get("execution_directive_id")
    lines = [f"Trade {trade_id} ({fields.get('direction')} {fields.get('symbol')})"]
    exe = journal.dto(exe_id) if exe_id else None
    if exe is not None:
        chain = exe[3]["causality"]
        lines.append(f"  tick            {chain['tick_time']}")
        lines += _assessment_lines(journal, chain.get("context_assessment_id"))
        for key, label in (("opportunity_ids", "opportunity"), ("threat_ids", "threat")):
            for sid in chain.get(key) or ():
                lines.append(_dto_line(journal, sid, label))
        if not (chain.get("opportunity_ids") or chain.get("threat_ids")):
            lines += _schedule_lines(journal, chain.get("strategy_directive_id"))
        for key, label in CHAIN_KEYS:
            if chain.get(key):
                lines.append(_dto_line(journal, chain[key], label))
    lines += _fill_lines(journal, trade_id)
    if fields.get("exit_time"):
        lines.append(
            f"  exit            {fields['exit_time']} at {shown(fields.get('exit_price'))} "
            f"({fields.get('exit_reason')}), pnl {shown(fields.get('pnl'))}, "
            f"fees {shown(fields.get('fees'))}"
        )
    else:
        lines.append("  exit            (still open)")
    return "\n".join(lines) + "\n"


def _assessment_lines(journal: Journal, ctx_id: str | None) -> list[str]:
    if not ctx_id:
        return []
    found = journal.dto(ctx_id)
    if found is None:
        return [f"  context         {ctx_id} (not journaled)"]
    ctx = found[3]
    out = [
        f"  context         {ctx_id} strength={shown(ctx['strength'])} "
        f"weakness={shown(ctx['weakness'])} ({ctx['method']})"
    ]
    for factor in ctx.get("contributing_factors", ()):
        out.append(
            f"    factor        {factor['name']}={shown(factor['value'])} "
            f"({factor['polarity']}, weight {shown(factor['weight'])}, by {factor['worker_id']})"
        )
    return out


def _schedule_lines(journal: Journal, directive_id: str | None) -> list[str]:
    """The schedule that fired in the directive's flow: the cause of a directive that no
    signal or threat caused (a scheduled planner's, e.g. a weekly DCA buy)."""
    if not directive_id:
        return []
    return [
        f"  schedule        {note.get('event')} (every {note.get('period')})"
        for note in journal.flow_notes(directive_id, "schedule")
    ]


_SUMMARY_KEYS = (
    "direction", "signal_type", "threat_type", "confidence", "severity", "order_type",
    "limit_price", "position_size", "risk_amount", "stop_loss_price", "take_profit_price",
    "timing", "time_in_force", "slices", "scope",
)  # fmt: skip


def _dto_line(journal: Journal, dto_id: str, label: str) -> str:
    found = journal.dto(dto_id)
    if found is None:
        return f"  {label:<15} {dto_id} (not journaled)"
    dto_type, _, worker, fields = found
    summary = ", ".join(
        f"{k}={shown(fields[k])}" for k in _SUMMARY_KEYS if fields.get(k) is not None
    )
    line = f"  {label:<15} {dto_id} {dto_type} by {worker}"
    return f"{line}: {summary}" if summary else line


def _fill_lines(journal: Journal, trade_id: str) -> list[str]:
    """The trade's fills and the exits it was given after its plan (a trailing stop on
    ``EXIT_PLAN_UPDATED``, a ``MODIFY_EXISTING`` directive), in journal order."""
    out = []
    for child_id in journal.children(trade_id):
        found = journal.dto(child_id)
        if found is None:
            continue
        if found[0] == "ExitPlan":
            moved_by = _moved_by(journal, child_id, trade_id)
            out.append(_dto_line(journal, child_id, "exit moved") + moved_by)
            continue
        if found[0] != "Fill":
            continue
        f = found[3]
        out.append(
            f"  fill            {child_id} {f['purpose']} {f['side']} {shown(f['size'])} "
            f"@ {shown(f['price'])} fee {shown(f['fee'])} at {f['timestamp']}"
        )
    return out


def _moved_by(journal: Journal, update_id: str, trade_id: str) -> str:
    """`` (MODIFY_EXISTING STR_… by planner)`` when a directive asked for the new exit
    (update ← the exit planner's plan ← the directive; the trade is a parent too)."""
    for plan_id in journal.parents(update_id):
        if plan_id == trade_id:
            continue
        for directive_id in journal.parents(plan_id):
            found = journal.dto(directive_id)
            if found is not None and found[0] == "StrategyDirective":
                return f" ({found[3].get('scope')} {directive_id} by {found[2]})"
    return ""
