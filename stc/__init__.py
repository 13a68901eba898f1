"""stc — the S1mpleTrader strategy compiler.

One import root for everything the distribution installs, so that a user's own
``compiler``, ``runtime`` or ``plugins`` packages never collide with stc's
(``docs/architecture.md`` draws the rooms):

- ``stc.runtime``  — the SDK plugins are written against, and the executor;
- ``stc.compiler`` — the pipeline of pure passes from YAML to a checked plan;
- ``stc.plugins``  — the reference plugins;
- ``stc.commands`` — the command line, one module per command.

Importing ``stc`` itself imports nothing else: ``stc check`` starts cold.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stc.api import compile_blueprint, run

__all__ = ["compile_blueprint", "run"]


def __getattr__(name: str) -> Any:
    """``stc.compile_blueprint`` and ``stc.run`` (the notebook API, :mod:`stc.api`),
    imported on first use."""
    if name in __all__:
        from stc import api

        return getattr(api, name)
    raise AttributeError(name)
