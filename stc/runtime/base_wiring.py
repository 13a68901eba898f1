"""The platform's base wiring (``base_wiring.yaml``, next to this module): how each
worker type is subscribed by default and which events it publishes.

One file, read by both sides: the compiler expands it for each blueprint
(``stc.compiler.wiring``), the runtime derives :data:`TYPE_EVENTS` from it for its
contract checks (``stc.runtime.contracts``).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, get_args

import yaml

from stc.runtime.plan.model import WorkerType

BASE_WIRING_FILE = Path(__file__).parent / "base_wiring.yaml"


@cache
def base_wiring() -> dict[str, Any]:
    """The packaged table (parsed once per process). Read next to this module, not
    through ``importlib.resources``, whose import (with ``tempfile``, ``shutil`` and
    the compression modules) costs ~4 ms of every cold ``stc check``; the package is
    never imported from a zip (wheels install as files)."""
    text = BASE_WIRING_FILE.read_text("utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ~10x faster
    data: dict[str, Any] = yaml.load(text, Loader=loader)
    return data


def type_events() -> dict[str, tuple[str, ...]]:
    """Per worker type, the events every worker of the type may publish without
    declaring them: the base wiring's ``publishes``."""
    table = base_wiring()
    return {kind: tuple(table[kind].get("publishes") or ()) for kind in get_args(WorkerType)}


TYPE_EVENTS: dict[str, tuple[str, ...]] = type_events()
"""Events every worker of a type may publish without declaring them."""
