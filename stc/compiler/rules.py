"""Rules: each diagnostic code's one definition, and the one way to report it.

A ``Rule`` is declared as a module-level constant beside the code that emits it (a
check module in ``stc.compiler.checks``, or the front-end module that reads, validates
or resolves the documents). It carries everything said about the code anywhere: the
default severity, the title, the explanation, a bad and a fixed example. ``Rule.at``
is the only way to make a coded ``Diagnostic``; the severity comes from the rule.

Everything else derives from ``all_rules()``: ``codes.CODES``, SARIF's
``tool.driver.rules`` (``render``), the editor's code links (``lsp``) and
``docs/diagnostics.md`` (``docs_gen``). ``all_rules`` finds the rules by reading the
module globals of ``RULE_MODULES`` and of every check family, so a new rule in an
existing module needs no registration anywhere else.

Codes are stable: never renumber, never reuse.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from functools import cache
from types import ModuleType

from stc.compiler.diagnostics import Diagnostic, Related, Severity, Span, Suggestion

DOCS_URL = "https://s1mpletrader.dev/docs/diagnostics.md"
"""Where ``docs/diagnostics.md`` is published; each code's section is ``#stcnnn``
(the anchor GitHub and mkdocs derive from the ``## STCnnn`` heading)."""

_CODE = re.compile(r"^STC[0-9]{3}$")

RULE_MODULES: tuple[str, ...] = (
    "stc.compiler.sources",
    "stc.compiler.resolve",
    "stc.compiler.registry",
    "stc.compiler.sweep_space",
    "stc.compiler.sweep_compile",
)
"""Front-end modules that declare rules; the check families are listed by
``stc.compiler.checks.FAMILIES``."""


@dataclass(frozen=True)
class Rule:
    """One diagnostic code: what it means, why it matters, how it looks and is fixed.

    ``explanation`` is prose (what the check does, why the problem is bad, the fix);
    ``bad`` and ``fixed`` are the same small YAML excerpt before and after the fix.
    ``fixture_dir`` is the folder of the code's broken fixtures (``stcnnn_*.yaml``,
    whose first-line comment names the code and where it is reported).
    """

    code: str
    severity: Severity
    title: str
    explanation: str
    bad: str
    fixed: str
    fixture_dir: str = "tests/fixtures"
    language: str = "yaml"
    """The language of ``bad`` and ``fixed`` (for the fenced blocks of the docs)."""

    def __post_init__(self) -> None:
        if not _CODE.match(self.code):
            raise ValueError(f"rule code {self.code!r} is not STCnnn")
        if not (self.title and self.explanation.strip() and self.bad.strip()):
            raise ValueError(f"rule {self.code} needs a title, an explanation and examples")

    @property
    def help_uri(self) -> str:
        """The URL of the code's section in ``docs/diagnostics.md``."""
        return f"{DOCS_URL}#{self.code.lower()}"

    def at(
        self,
        message: str,
        file: str | None,
        span: Span | None,
        help: str | None,
        *,
        related: tuple[Related, ...] = (),
        subjects: tuple[str, ...] = (),
        suggestions: tuple[Suggestion, ...] = (),
        demote: bool = False,
    ) -> Diagnostic:
        """A diagnostic of this rule at ``span`` (the node is underlined only when it
        fits on one line). ``demote`` reports an error rule as a warning: the one use
        is a broken third-party plugin distribution, which must not fail every check.
        """
        same_line = span is not None and span.end_line == span.line
        severity = Severity.WARNING if demote else self.severity
        return Diagnostic(
            code=self.code,
            severity=severity,
            message=message,
            file=file,
            line=span.line if span else None,
            column=span.column if span else None,
            end_column=span.end_column if span and same_line else None,
            help=help,
            related=related,
            subjects=subjects,
            suggestions=suggestions,
        )


def rules_of(module: ModuleType) -> list[Rule]:
    """The rules a module declares (its globals that are ``Rule`` objects)."""
    return [value for value in vars(module).values() if isinstance(value, Rule)]


@cache
def all_rules() -> dict[str, Rule]:
    """Code → rule, sorted by code; every module that declares rules is imported.

    A code declared twice (two different objects) is a programming error.
    """
    from stc.compiler.checks import FAMILIES  # the checks import much: only on demand

    modules = [importlib.import_module(name) for name in RULE_MODULES] + list(FAMILIES)
    found: dict[str, Rule] = {}
    for module in modules:
        for rule in rules_of(module):
            other = found.setdefault(rule.code, rule)
            if other is not rule:
                raise ValueError(f"{rule.code} is declared twice ({module.__name__})")
    return dict(sorted(found.items()))


def rule_for(code: str) -> Rule | None:
    """The rule of ``code``; None for a code no module declares."""
    return all_rules().get(code)
