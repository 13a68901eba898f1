"""Every diagnostic code: its default severity and one-line title (SPEC §5.2).

Codes are stable: never renumber, never reuse. ``docs/diagnostics.md`` is generated
from this table and the docstrings of the check modules.
"""

from __future__ import annotations

from typing import Final

from stc.compiler.diagnostics import Severity

E, W = Severity.ERROR, Severity.WARNING

CODES: Final[dict[str, tuple[Severity, str]]] = {
    "STC001": (E, "YAML syntax error"),
    "STC002": (E, "document does not match its schema"),
    "STC003": (E, "unknown plugin"),
    "STC004": (E, "duplicate worker id"),
    "STC005": (E, "plugin type does not fit its slot"),
    "STC006": (E, "params violate the plugin's config_schema"),
    "STC007": (E, "plugin name defined twice across plugin roots"),
    "STC008": (E, "params break a rule between params declared by the manifest"),
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
    "STC071": (E, "data source symbol differs from the blueprint's"),
    "STC072": (E, "data source file's bar interval differs from its declared timeframe"),
    "STC073": (W, "timeframe in months on intraday data"),
    "STC074": (W, "warm-up longer than the data"),
    "STC075": (E, "worker reads volume the data source does not have"),
    "STC080": (E, "plugin entrypoint cannot be imported or has the wrong base class"),
    "STC081": (E, "manifest and code disagree"),
}


def severity_of(code: str) -> Severity:
    """The default severity of ``code``."""
    return CODES[code][0]


FRONT_END_DOCS: Final[dict[str, str]] = {
    "STC001": """STC001 — YAML syntax error.

    Why it is bad: nothing after a syntax error can be read reliably. Example: an
    unclosed ``[`` or a tab used for indentation. Fix: correct the YAML at the caret;
    the help line says what the parser expected.""",
    "STC002": """STC002 — the document does not match its schema: an unknown key (with a
    did-you-mean), a wrong type, a missing required key, a duplicate key (reported at
    its second occurrence), or a trigger key that is not a directive field.

    Why it is bad: YAML would silently keep the last of two duplicate keys, and an
    unknown key is a setting that is silently ignored. Example: ``workfroce:``. Fix:
    use the key the help line suggests; ``stc schema NAME`` prints every key.""",
    "STC003": """STC003 — unknown plugin (with a did-you-mean over all discovered plugins).

    Why it is bad: the worker cannot exist. Example: ``plugin: EMADetecter``. Fix: use
    a name from ``stc plugins list``, or add the plugin's root with ``--plugins-dir``.""",
    "STC004": """STC004 — duplicate worker id.

    Why it is bad: wiring and journal entries name workers by id; two workers with
    one id are indistinguishable. Example: two ``EMADetector`` entries without
    ``id:`` (both default to ``ema_detector``). Fix: give each an explicit ``id:``.""",
    "STC005": """STC005 — a plugin's type does not fit the slot it is placed in.

    Why it is bad: a worker runs in the phase of its slot with that slot's handler;
    a planner under ``context_workers`` would never be called correctly. Fix: move
    the worker to the slot the message names.""",
    "STC006": """STC006 — ``params`` violate the plugin's ``config_schema``.

    Why it is bad: the plugin would run with values its author never allowed.
    Example: ``periods: [20, 0]`` where periods must be >= 1. Fix: the message names
    the parameter, the constraint and the value; ``stc plugins show NAME`` lists them.""",
    "STC007": """STC007 — a plugin name is defined twice across plugin roots.

    Why it is bad: a blueprint names plugins only by name, so the name must pick
    exactly one manifest. Fix: rename one plugin.""",
    "STC009": """STC009 — input refused: a file over the size limit, not UTF-8 or binary,
    nested too deeply, too many nodes or an alias bomb, a string over the length
    limit, an unsafe tag such as ``!!python/object``, more worker instances than
    ``limits.max_workers``, or a file/folder that does not exist.

    Why it is bad: such input is either hostile or a mistake, and loading it would
    hang, exhaust memory or execute code. Fix: the message names the limit and the
    place; limits are set in ``platform.yaml`` (``limits:``; docs/robustness.md says
    which platform file applies to what).""",
    "STC080": """STC080 — a plugin's entrypoint cannot be imported, its class is missing,
    or it does not derive from the base class of its type.

    Why it is bad: the runtime could not instantiate the worker. Example:
    ``entrypoint: worker:EMADetektor`` or a class deriving from ``object``. Fix: the
    module is relative to the manifest's folder; derive from ``stc.runtime.workers``.""",
}
"""Docs of the codes produced by the loader, the validator and the resolve pass (the
codes of check passes are documented in the docstrings of their check functions)."""
