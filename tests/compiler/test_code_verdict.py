"""The cached verdict of the checks against plugin code (``stc.compiler.code_verdict``):
the warm-cache path is reached, says so on the unit, and skips exactly the checks the
verdict covers; a check that reads the worker classes outside ``CODE_CHECKS`` is found
in the code (it would go silent on a warm cache)."""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from stc.compiler import cache, code_verdict
from stc.compiler.callees import module_callees
from stc.compiler.checks import coded_checks, types
from stc.compiler.diagnostics import Severity
from stc.compiler.pipeline import Session, compile_path
from stc.compiler.rules import Rule
from stc.compiler.unit import CodeChecks, CompileUnit

BLUEPRINTS = Path(__file__).parents[2] / "blueprints"

STC999 = Rule("STC999", Severity.ERROR, "throw-away", "Why it is bad: a test.", bad="a", fixed="b")
"""A rule for the throw-away class-reading check below (not in any family)."""


def _reads_classes(function: Callable[..., Any]) -> bool:
    """Whether ``function``, or a function of its module it calls (transitively), reads
    an attribute called ``cls`` (``worker.cls``)."""
    return any(_reads_cls(callee) for callee in module_callees(function))


def _reads_cls(function: Callable[..., Any]) -> bool:
    """Whether the source of ``function`` itself reads an attribute called ``cls``."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    return any(isinstance(node, ast.Attribute) and node.attr == "cls" for node in ast.walk(tree))


def _class_readers() -> dict[str, bool]:
    """Each check's code → whether its check reads the worker classes."""
    return {code: _reads_classes(check) for code, check in coded_checks()}


def test_every_check_that_reads_classes_is_covered_by_the_cached_verdict() -> None:
    readers = {code for code, reads in _class_readers().items() if reads}
    assert readers, "the detector finds the type checks (STC013, STC032, STC081)"
    assert readers <= code_verdict.CODE_CHECKS


def test_a_new_class_reading_check_outside_code_checks_is_found(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def check_new(unit: CompileUnit) -> list[Any]:
        return [
            STC999.at("undocumented class", None, None, None)
            for w in unit.workers
            if w.cls is not None and w.cls.__doc__ is None
        ]

    monkeypatch.setattr(types, "CHECKS", (*types.CHECKS, check_new))
    monkeypatch.setattr(types, "check_new", check_new, raising=False)
    readers = {code for code, reads in _class_readers().items() if reads}
    assert "STC999" in readers - code_verdict.CODE_CHECKS


def _compile(blueprint: Path) -> tuple[CompileUnit, list[str]]:
    outcome = compile_path(blueprint, str(blueprint), Session())[0]
    assert outcome.unit is not None
    return outcome.unit, [d.code for d in outcome.diagnostics]


def test_a_warm_cache_skips_exactly_the_code_checks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv(cache.DISABLE_ENV, raising=False)
    monkeypatch.setattr(code_verdict, "fresh_process", lambda: True)  # as `stc check` starts
    ran: list[str] = []

    def recorded() -> list[tuple[str, Callable[[CompileUnit], list[Any]]]]:
        def wrap(code: str, check: Callable[[CompileUnit], list[Any]]) -> Any:
            def run(unit: CompileUnit) -> list[Any]:
                ran.append(code)
                return check(unit)

            return run

        checks = coded_checks()
        wrapped = {id(check): wrap(code, check) for code, check in checks}
        return [(code, wrapped[id(check)]) for code, check in checks]

    monkeypatch.setattr(code_verdict, "coded_checks", recorded)
    cache.reset()
    try:
        blueprint = BLUEPRINTS / "ema_trend.yaml"
        cold, cold_codes = _compile(blueprint)
        assert cold.code_checks is CodeChecks.RAN
        assert all(w.cls is not None for w in cold.resolved())
        cold_ran, ran[:] = list(ran), []
        warm, warm_codes = _compile(blueprint)
        assert warm.code_checks is CodeChecks.CACHED_CLEAN  # the warm path was reached
        assert all(w.cls is None for w in warm.resolved())  # nothing imported
        assert warm_codes == cold_codes
        skipped = set(cold_ran) - set(ran)
        checks = coded_checks()
        owners = code_verdict.code_check_owners(checks)
        covered = {code for code, check in checks if owners[id(check)] <= code_verdict.CODE_CHECKS}
        assert skipped == covered and skipped  # exactly the checks the verdict covers
        readers = {code for code, reads in _class_readers().items() if reads}
        assert not readers & set(ran)  # no class-reading check ran without classes
    finally:
        cache.reset()
