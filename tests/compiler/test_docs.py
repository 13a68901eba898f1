"""Generated documentation stays in sync with the code it is generated from."""

from __future__ import annotations

from stc.compiler.docs_gen import TARGET, render


def test_diagnostics_page_is_current() -> None:
    assert TARGET.read_text(encoding="utf-8") == render(), "run `python -m stc.compiler.docs_gen`"


def test_every_code_is_documented() -> None:
    assert "(undocumented)" not in render()
