"""The checks against plugin code, with their verdict cached at the pass boundary.

Why they may stay unimported: importing the plugin classes pulls in their modules and
every runtime DTO, a sixth of the 300 ms that ``stc check`` may take. When the on-disk
cache (``stc.compiler.cache``) knows that these exact workers, wired this exact way,
passed every check against code before — and none of the source files that verdict
was computed with has changed since — the classes are not imported, the unit says so
(``CodeChecks.CACHED_CLEAN``) and the checks that own only ``CODE_CHECKS`` codes are
not run (they would find nothing); every other check runs as always. Anything else
imports and checks for real, and a clean result is remembered. A process that has
already loaded the worker base classes (a test suite, a benchmark, ``stc run``) checks
for real: importing is cheap there, and hashing the key (~2 µs a worker) would only
add time.

The passes themselves (``classes``, ``checks``) know no cache. A check that reads
``worker.cls`` must own only codes of ``CODE_CHECKS``, or it would run on a warm cache
without classes and go silent: ``tests/compiler/test_code_verdict.py`` finds such
checks in the code and fails.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from stc.compiler import cache
from stc.compiler.batchable import handler_method
from stc.compiler.checks import Check, coded_checks
from stc.compiler.classes import import_all
from stc.compiler.diagnostics import Diagnostic
from stc.compiler.id_draws import id_draw_site
from stc.compiler.unit import CodeChecks, CompileUnit
from stc.compiler.wiring import known_events
from stc.runtime.batch import offers_batch

CODE_CHECKS = frozenset({"STC013", "STC032", "STC080", "STC081"})
"""Codes that read the plugin classes (STC032 also covers unknown wiring workers)."""


def check_against_code(unit: CompileUnit) -> list[Diagnostic]:
    """Import the classes and run every check, or, when the cache knows the checks
    against code pass, run only the others; the diagnostics."""
    key = None
    if fresh_process():
        key = clean_code_key(unit)
        remembered = cache.CLEAN_CODE.get(key) if key is not None else None
        if isinstance(remembered, dict):  # an older entry (True, a list) lacks a part
            unit.code_checks = CodeChecks.CACHED_CLEAN
            unit.batch_offers = frozenset(remembered["offers"])
            unit.batch_id_draws = dict(remembered["id_draws"])
            return _run(unit, skip=CODE_CHECKS)
    found = [*import_all(unit), *_run(unit, skip=frozenset())]
    _remember_clean(unit, key, found)
    return found


def fresh_process() -> bool:
    """True before anything imported the worker base classes (importing is costly)."""
    return "stc.runtime.workers" not in sys.modules


def code_check_owners(checks: Sequence[tuple[str, Check]]) -> dict[int, frozenset[str]]:
    """Each check of ``checks`` (by id) → every code it owns (a check may own several)."""
    owned: dict[int, set[str]] = {}
    for code, check in checks:
        owned.setdefault(id(check), set()).add(code)
    return {key: frozenset(codes) for key, codes in owned.items()}


def _run(unit: CompileUnit, skip: frozenset[str]) -> list[Diagnostic]:
    """Every check once, but those owning only codes of ``skip``."""
    checks = coded_checks()
    owners = code_check_owners(checks)
    seen: set[int] = set()
    found: list[Diagnostic] = []
    for _, check in checks:
        if id(check) in seen or owners[id(check)] <= skip:
            continue
        seen.add(id(check))
        found.extend(check(unit))
    return found


def _remember_clean(unit: CompileUnit, key: str | None, diagnostics: Sequence[Diagnostic]) -> None:
    """Record that the checks against code found nothing for ``key``."""
    if key is None or any(d.code in CODE_CHECKS for d in diagnostics):
        return
    resolved = unit.resolved()
    if all(w.cls is not None for w in resolved):  # the batch offers ride along (wiring map)
        offers = sorted(w.id for w in resolved if w.cls is not None and offers_batch(w.cls))
        draws = {}
        for worker in resolved:
            if worker.cls is not None and worker.slot == "context_workers":
                site = id_draw_site(worker.cls, handler_method(unit, worker))
                if site is not None:
                    draws[worker.id] = site
        cache.CLEAN_CODE.put(key, {"offers": offers, "id_draws": draws})


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
