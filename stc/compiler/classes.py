"""Worker classes for the checks against plugin code: STC080 (here) and STC013,
STC032, STC081 (``stc.compiler.checks.types``, which skip a worker without a class).

Why they may stay unimported: importing the plugin classes pulls in their modules and
every runtime DTO, a sixth of the 300 ms that ``stc check`` may take. When the on-disk
cache (``stc.compiler.cache``) knows that these exact workers, wired this exact way, passed
every check against code before — and none of the source files that verdict was
computed with has changed since — the classes are not imported and those checks stay
silent, as they would have been. Anything else imports and checks for real, and a
clean result is remembered. A process that has already loaded the worker base classes
(a test suite, a benchmark, ``stc run``) checks for real: importing is cheap there,
and hashing the key (~2 µs a worker) would only add time.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from stc.compiler import cache
from stc.compiler.diagnostics import Diagnostic
from stc.compiler.resolve import import_class
from stc.compiler.unit import CompileUnit
from stc.compiler.wiring import known_events

CODE_CHECKS = frozenset({"STC013", "STC032", "STC080", "STC081"})
"""Codes that read the plugin classes (STC032 also covers unknown wiring workers)."""


def load_classes(unit: CompileUnit) -> tuple[list[Diagnostic], str | None]:
    """Import every resolved worker's class unless the cache knows the code checks
    pass; the diagnostics (STC080) and the cache key to ``remember_clean`` with."""
    key = None
    if "stc.runtime.workers" not in sys.modules:  # a fresh process: importing is costly
        key = clean_code_key(unit)
        if key is not None and cache.CLEAN_CODE.get(key):
            return [], None
    return _import_all(unit), key


def _import_all(unit: CompileUnit) -> list[Diagnostic]:
    """``import_class`` once per plugin: its other workers share the verified class (a
    plugin that fails is reported at each worker, with that worker's note)."""
    verified: dict[int, type] = {}
    problems: list[Diagnostic] = []
    for worker in unit.resolved():
        cls = verified.get(id(worker.record))
        if cls is not None:
            worker.cls = cls
            continue
        found = import_class(unit, worker)
        if found:
            problems += found
        elif worker.cls is not None:
            verified[id(worker.record)] = worker.cls
    return problems


def remember_clean(unit: CompileUnit, key: str | None, diagnostics: Sequence[Diagnostic]) -> None:
    """Record that the checks against code found nothing for ``key``."""
    if key is None or any(d.code in CODE_CHECKS for d in diagnostics):
        return
    if all(w.cls is not None for w in unit.resolved()):
        cache.CLEAN_CODE.put(key, True)


def clean_code_key(unit: CompileUnit) -> str | None:
    """sha256 of everything the checks against code read besides the code itself:
    each worker's id, slot, trigger and plugin (manifest content, folder, package), the
    subscriptions, the payload of every event and the known event names. None when
    the cache is off."""
    if not cache.enabled():
        return None
    parts = ["workers"]
    for worker in unit.workers:
        record = worker.record
        plugin = "-"
        if record is not None:
            plugin = f"{record.name}|{record.sha256}|{record.folder}|{record.root.package}"
        parts.append(f"{worker.id}|{worker.slot}|{worker.trigger}|{plugin}")
    parts.append("subscriptions")
    for sub in unit.subscriptions:
        parts.append(f"{sub.event}|{sub.worker}|{sub.method}|{sub.adapter}|{sub.origin}")
    parts.append("payloads")
    parts += [f"{event}|{payload}" for event, payload in sorted(unit.event_payloads.items())]
    parts.append("known")
    parts += sorted(known_events(unit))
    return cache.digest(*parts)
