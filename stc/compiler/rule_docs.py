"""Each diagnostic code's long explanation and its documentation anchor.

One source for ``docs/diagnostics.md`` (``docs_gen``) and SARIF's rule metadata
(``render``): the docstring of the check that emits the code, or the front end's text
in ``codes.FRONT_END_DOCS``. Kept apart from ``docs_gen`` so rendering SARIF does not
depend on the generator of a repository file.
"""

from __future__ import annotations

import inspect
from functools import cache

from stc.compiler.codes import FRONT_END_DOCS

DOCS_URL = "https://s1mpletrader.dev/docs/diagnostics.md"
"""Where ``docs/diagnostics.md`` is published; each code's section is ``#stcnnn``
(the anchor GitHub and mkdocs derive from the ``## STCnnn`` heading)."""


@cache
def code_docs() -> dict[str, str]:
    """Code → its explanation (what the check does, why it matters, example, fix)."""
    from stc.compiler.checks import all_checks  # the checks import much: only on demand

    docs = dict(FRONT_END_DOCS)
    for code, check in all_checks():
        docs.setdefault(code, inspect.getdoc(check) or "")
    return docs


def help_uri(code: str) -> str:
    """The URL of the code's section in ``docs/diagnostics.md``."""
    return f"{DOCS_URL}#{code.lower()}"
