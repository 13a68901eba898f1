"""Each rule's documentation as text: the one source for ``docs/diagnostics.md``
(``docs_gen``), SARIF's rule metadata (``render``) and editor hovers (``lsp``).

Kept apart from ``docs_gen`` so rendering SARIF does not depend on the generator of a
repository file.
"""

from __future__ import annotations

import inspect

from stc.compiler.rules import DOCS_URL, Rule, rule_for

__all__ = ["DOCS_URL", "examples_markdown", "examples_text", "explanation", "help_uri"]


def explanation(rule: Rule) -> str:
    """The rule's prose (what the check does, why it matters, the fix), dedented."""
    return inspect.cleandoc(rule.explanation)


def examples_markdown(rule: Rule) -> str:
    """The bad and the fixed example as two fenced blocks."""
    fence = f"```{rule.language}"
    return f"Bad:\n\n{fence}\n{rule.bad}\n```\n\nFixed:\n\n{fence}\n{rule.fixed}\n```"


def examples_text(rule: Rule) -> str:
    """The bad and the fixed example as indented plain text (SARIF ``help.text``)."""

    def indented(text: str) -> str:
        return "\n".join(f"    {line}" for line in text.splitlines())

    return f"Bad:\n{indented(rule.bad)}\n\nFixed:\n{indented(rule.fixed)}"


def help_uri(code: str) -> str:
    """The URL of the code's section in ``docs/diagnostics.md``."""
    rule = rule_for(code)
    return rule.help_uri if rule else f"{DOCS_URL}#{code.lower()}"
