"""Every diagnostic code: its default severity and one-line title (SPEC §5.2).

Codes are stable: never renumber, never reuse. ``docs/diagnostics.md`` is generated
from this table and the docstrings of the check modules.
"""

from __future__ import annotations

from typing import Final

from compiler.diagnostics import Severity

E, W = Severity.ERROR, Severity.WARNING

CODES: Final[dict[str, tuple[Severity, str]]] = {
    "STC001": (E, "YAML syntax error"),
    "STC002": (E, "document does not match its schema"),
    "STC003": (E, "unknown plugin"),
    "STC004": (E, "duplicate worker id"),
    "STC005": (E, "plugin type does not fit its slot"),
    "STC006": (E, "params violate the plugin's config_schema"),
    "STC007": (E, "plugin name defined twice across plugin roots"),
    "STC009": (E, "input refused (limit, encoding, unsafe tag, unreadable file)"),
    "STC010": (E, "required DTO provided by no worker upstream"),
    "STC011": (E, "required DTO provided only later"),
    "STC012": (W, "two workers provide the same DTO to one consumer"),
    "STC013": (E, "event payload does not match the subscriber's parameter type"),
    "STC020": (E, "cycle in the wiring graph"),
    "STC021": (E, "routing planner wired before entry+size+exit are complete"),
    "STC022": (E, "routing without entry/size/exit planning, or the reverse"),
    "STC023": (E, "no strategy planner and no direct-planning path to execution"),
    "STC030": (E, "subscription to an event nobody publishes"),
    "STC031": (W, "event published but nobody subscribes"),
    "STC032": (E, "subscriber method not found on the worker class"),
    "STC040": (W, "trigger ranges leave a gap"),
    "STC041": (E, "trigger ranges overlap"),
    "STC050": (E, "unknown event name"),
    "STC051": (E, "scheduled event has no schedule in the operation"),
    "STC060": (E, "aggregation weight names an unknown factor"),
    "STC061": (W, "aggregation weights do not sum to 1"),
    "STC070": (E, "timeframe the data source cannot supply"),
    "STC080": (E, "plugin entrypoint cannot be imported or has the wrong base class"),
    "STC081": (E, "manifest and code disagree"),
}


def severity_of(code: str) -> Severity:
    """The default severity of ``code``."""
    return CODES[code][0]
