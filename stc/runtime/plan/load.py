"""Load a compiled ``wiring_map.yaml`` through the plan format's models.

Validation is the format's own (:mod:`stc.runtime.plan.model`): the first problem
becomes one :class:`PlanError` that names the file, the key path
(``workers[2].source.origin``) and what is wrong, never a pydantic dump.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from stc.runtime.plan.errors import PlanError
from stc.runtime.plan.model import Plan

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml when it is installed (about 10x faster on a large map); the same safe YAML
1.1 resolver either way."""

LEGACY_KEYS = ("schedule",)
"""Top-level keys format-1 maps written before issue 24 carry and the format no longer
has: the phase schedule was derived data no runtime read (docs/decisions.md)."""

_LABELS = {"type": "worker type"}
"""How a field is called in a message when its name alone says too little."""


def load_plan(source: Path | str | Mapping[str, Any]) -> Plan:
    """Load a plan from a wiring-map file or an already parsed mapping."""
    where = "wiring map"
    base_dir: Path | None = None
    if isinstance(source, Mapping):
        raw: Any = source
    else:
        path = Path(source)
        try:
            raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise PlanError(f"{path}: cannot read wiring map: {exc}") from exc
        where, base_dir = str(path), path.parent
    if not isinstance(raw, Mapping):
        raise PlanError(f"{where}: expected a mapping at the top level")
    if any(key in raw for key in LEGACY_KEYS):
        raw = {k: v for k, v in raw.items() if k not in LEGACY_KEYS}
    try:
        plan = Plan.model_validate(raw)
    except ValidationError as exc:
        raise PlanError(describe(exc, where)) from None
    plan._base_dir = base_dir
    return plan


def describe(error: ValidationError, where: str) -> str:
    """One line for the first problem of ``error`` (and how many more there are)."""
    problems = error.errors(include_url=False)
    text = f"{where}: {_problem(problems[0])}"
    if len(problems) > 1:
        text += f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''})"
    return text


def _problem(detail: ErrorDetails) -> str:
    *parents, last = detail["loc"] or ("",)
    parent = _path(parents)
    at = f"{parent}: " if parent else ""
    kind, value = detail["type"], detail.get("input")
    if kind == "missing":
        return f"{at}missing key `{last}`"
    if kind == "extra_forbidden":
        return f"{at}unknown key `{last}`"
    if kind == "literal_error":
        label = _LABELS.get(str(last), str(last))
        expected = detail.get("ctx", {}).get("expected", "")
        return f"{at}unknown {label} {value!r} (expected {expected})"
    place = _path([*parents, last])
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"{place}: expected a mapping, not {_kind(value)}"
    if kind in ("list_type", "tuple_type"):
        return f"{place}: expected a list, not {_kind(value)}"
    if kind == "too_short":
        least = detail.get("ctx", {}).get("min_length")
        return f"{place}: needs at least {least} item{'' if least == 1 else 's'}, has {len(value)}"
    message = detail["msg"].removeprefix("Value error, ")
    if kind == "value_error":
        return f"{place + ': ' if place else ''}{message}"
    return f"{place}: {message[:1].lower()}{message[1:]}, not {value!r}"


def _path(parts: list[int | str] | tuple[int | str, ...]) -> str:
    """``workers[2].source.origin`` from pydantic's location tuple."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _kind(value: object) -> str:
    return "null" if value is None else f"a {type(value).__name__}"
