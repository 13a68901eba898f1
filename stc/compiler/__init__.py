"""stc — the S1mpleTrader strategy compiler.

``from stc.compiler import compile_blueprint`` compiles a blueprint into a wiring map.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stc.compiler.api import CompileResult, compile_blueprint

__all__ = ["CompileResult", "compile_blueprint"]


def __getattr__(name: str) -> Any:
    """Import the API lazily so ``import compiler`` (and the CLI) start fast."""
    if name in __all__:
        from stc.compiler import api

        return getattr(api, name)
    raise AttributeError(name)
