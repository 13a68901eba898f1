"""Every diagnostic code with its default severity and title (SPEC §5.2), derived
from the rules (``stc.compiler.rules``) that the emitting modules declare.

Codes are stable: never renumber, never reuse. ``CODES`` is read lazily: importing
this module does not import the checks.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Final

from stc.compiler.diagnostics import Severity


class _Codes(Mapping[str, tuple[Severity, str]]):
    """Code → (severity, title), in code order, built from the rules on first use."""

    def _table(self) -> dict[str, tuple[Severity, str]]:
        from stc.compiler.rules import all_rules

        return {code: (rule.severity, rule.title) for code, rule in all_rules().items()}

    def __getitem__(self, code: str) -> tuple[Severity, str]:
        return self._table()[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self._table())

    def __len__(self) -> int:
        return len(self._table())


CODES: Final[Mapping[str, tuple[Severity, str]]] = _Codes()
