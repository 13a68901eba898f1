"""The corpus of realistic mistakes (tests/compiler/corpus/cases.yaml, issue 20).

Each case is a reference blueprint with one mistake written into it. The check must
report exactly the expected codes (the root cause, once, nothing unrelated) on the
line of the mistake; where a literal fix exists, ``--fix`` must give back the
reference file (or the stated variant) byte for byte — so the fix touched only its
spans — and that file must check clean. Property: the machine-applicable fixes of
any case never leave more errors than they found.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from stc.compiler.diagnostics import Diagnostic, Severity
from stc.compiler.fixes import SAFE, UNSAFE, fix_files
from stc.compiler.pipeline import Session, compile_path
from tests.conftest import REPO

CORPUS = Path(__file__).parent / "corpus" / "cases.yaml"
BLUEPRINTS = REPO / "blueprints"


@dataclass(frozen=True)
class Case:
    id: str
    base: str
    old: str
    new: str
    expect: tuple[str, ...]
    fix: str
    line: int | None = None
    after: tuple[str, str] | None = None

    @property
    def reference(self) -> str:
        return (BLUEPRINTS / f"{self.base}.yaml").read_text(encoding="utf-8")

    @property
    def broken(self) -> str:
        assert self.old in self.reference, f"{self.id}: `old` not in {self.base}.yaml"
        return self.reference.replace(self.old, self.new, 1)

    @property
    def lines(self) -> set[int]:
        """Where the diagnostics must point: the given line, or the mutated lines."""
        if self.line is not None:
            return {self.line}
        start = self.reference.index(self.old)
        first = self.reference[:start].count("\n") + 1
        return set(range(first, first + max(self.new.count("\n"), 1)))

    @property
    def fixed(self) -> str:
        if self.after is None:
            return self.reference
        return self.reference.replace(self.after[0], self.after[1], 1)


def _cases() -> list[Case]:
    raw: list[dict[str, Any]] = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
    return [
        Case(
            **{k: v for k, v in item.items() if k not in ("expect", "after")},
            expect=tuple(item["expect"]),
            after=tuple(item["after"]) if "after" in item else None,  # type: ignore[arg-type]
        )
        for item in raw
    ]


CASES = _cases()


def _check(path: Path, texts: Mapping[str, str] | None = None) -> list[Diagnostic]:
    session = Session(emit=False, texts=texts or {})
    return [d for o in compile_path(path, str(path), session) for d in o.diagnostics]


def _write(tmp_path: Path, case: Case) -> Path:
    path = tmp_path / f"{case.base}.yaml"
    path.write_text(case.broken, encoding="utf-8", newline="")
    return path


def test_the_corpus_is_large_and_ids_are_unique() -> None:
    assert len(CASES) >= 80
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_root_cause_once_on_the_line_of_the_mistake(case: Case, tmp_path: Path) -> None:
    found = _check(_write(tmp_path, case))
    shown = [f"{d.code} {d.line}:{d.column} {d.message}" for d in found]
    assert sorted(d.code for d in found) == sorted(case.expect), shown
    assert {d.line for d in found} <= case.lines, shown


@pytest.mark.parametrize("case", [c for c in CASES if c.fix != "none"], ids=lambda c: c.id)
def test_fix_restores_the_file_and_it_checks_clean(case: Case, tmp_path: Path) -> None:
    path = _write(tmp_path, case)
    levels = SAFE if case.fix == "safe" else UNSAFE
    result = fix_files(lambda texts: _check(path, texts), levels)
    assert result.fixed.get(str(path)) == case.fixed
    path.write_text(case.fixed, encoding="utf-8", newline="")
    assert [d for d in _check(path) if d.severity is Severity.ERROR] == []
    if case.fix == "unsafe":  # not applied without --unsafe-fixes
        assert fix_files(lambda texts: _check(path, texts), SAFE).fixed == {}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_machine_applicable_fixes_never_add_errors(case: Case, tmp_path: Path) -> None:
    path = _write(tmp_path, case)
    before = sum(d.is_error for d in _check(path))
    result = fix_files(lambda texts: _check(path, texts), SAFE)
    after = sum(d.is_error for d in _check(path, result.fixed))
    assert after <= before
