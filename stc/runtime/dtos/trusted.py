"""DTOs the platform builds from values it has already checked, without re-validation.

Why: a round-trip trade's flows build ~29 pydantic models; about half are the
platform's own (the context assessment and its factors, the SWOT inputs, the routing
request, the execution directive, envelopes, the ledger's fills, trades and
snapshots), assembled from values that were validated where they entered the platform:
a plugin's published DTO passed its contract check (:mod:`stc.runtime.contracts`:
type, declared event, every number finite and within its field's bounds), a score
passed ``TradingContext.score``, a price is a bar's (checked by the data stream) or
the ledger's arithmetic on those, an id comes from the run's :class:`IdFactory`.
Validating them again costs 1.5–3.5 µs each and can find nothing.

:func:`trusted` builds such a model the way ``model_construct`` does (same
``__dict__`` in field order, same ``model_fields_set``, the defaults filled in, the
default factories called), at a fraction of its cost: the per-class template of
defaults is computed once. It never runs validators: a check that protects the run
and is not implied by the inputs' own checks (the execution directive's stop-side
rule) is called explicitly by the builder. A plugin's output is never built here:
it is untrusted and stays validated (and contract-checked when published).

docs/decisions.md ("Cheap flows") lists, per DTO, which path it takes and why.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

M = TypeVar("M", bound=BaseModel)

_MISSING: Any = object()
"""Placeholder of a required field in a template (keeps the field order)."""


class _Template:
    """One model class's defaults, in field order, computed once."""

    __slots__ = (
        "defaults", "factories", "named", "names", "required", "set_dict",
        "set_extra", "set_named", "set_private", "tails",
    )  # fmt: skip

    def __init__(self, cls: type[BaseModel]) -> None:
        if cls.__private_attributes__ or cls.__pydantic_post_init__:
            raise TypeError(f"{cls.__name__} has private attributes or a post-init hook: "
                            "build it with its constructor")  # fmt: skip
        if cls.__new__ is not _new:
            raise TypeError(f"{cls.__name__} has its own __new__: build it with its constructor")
        # the data descriptors object.__setattr__ would find (by the MRO), their setters
        # bound once: the same stores without a lookup per call
        self.set_dict = _setter(cls, "__dict__")
        self.set_named = _setter(cls, "__pydantic_fields_set__")
        self.set_extra = _setter(cls, "__pydantic_extra__")
        self.set_private = _setter(cls, "__pydantic_private__")
        self.defaults: dict[str, Any] = {}
        self.factories: list[tuple[str, Callable[[], Any]]] = []
        required: list[str] = []
        for name, info in cls.model_fields.items():
            if info.default_factory is not None:
                self.defaults[name] = _MISSING
                self.factories.append((name, info.default_factory))  # type: ignore[arg-type]
            elif info.default is PydanticUndefined:
                self.defaults[name] = _MISSING
                required.append(name)
            else:
                self.defaults[name] = info.default
        self.names: tuple[str, ...] = tuple(self.defaults)
        """Every field's name, in field order."""
        self.required: tuple[str, ...] = tuple(required)
        self.named: list[set[str]] = [set(self.names[:k]) for k in range(len(self.names) + 1)]
        """``named[k]``: the first ``k`` field names as a set, copied for each build's
        ``model_fields_set`` (a copy of a set is cheaper than a set built from a dict)."""
        factory_of = dict(self.factories)
        self.tails: list[list[tuple[str, Any, Callable[[], Any] | None]] | None] = []
        """``tails[k]``: (name, default, default factory or None) of every field after the
        first ``k``; None when one of them is required."""
        for k in range(len(self.names) + 1):
            rest = self.names[k:]
            self.tails.append(
                None
                if any(name in required for name in rest)
                else [(name, self.defaults[name], factory_of.get(name)) for name in rest]
            )


def _setter(cls: type[BaseModel], name: str) -> Callable[[Any, Any], None]:
    """The ``__set__`` of the data descriptor ``object.__setattr__(model, name, …)``
    stores through on a ``cls`` instance: the first one ``name`` has on the MRO."""
    for klass in cls.__mro__:
        found = klass.__dict__.get(name)
        if found is not None:
            setter: Callable[[Any, Any], None] = found.__set__
            return setter
    raise TypeError(f"{cls.__name__} has no {name} slot: build it with its constructor")


_TEMPLATES: dict[type[BaseModel], _Template] = {}

_new = object.__new__
"""``cls.__new__`` of every model :func:`trusted` builds (checked per class)."""


def trusted(cls: type[M], /, **values: Any) -> M:
    """A ``cls`` holding ``values`` (and its defaults), not validated: only for values
    the platform has already checked (see the module docstring).

    Raises ``TypeError`` for a missing required field or an unknown one: those are
    programming errors of the builder, which validation would also have caught.

    Why two paths: a builder that names the first fields in field order (every field:
    the ledger's snapshots and trades; all but trailing defaults: an entry fill, an
    envelope) hands over the very dict the model keeps — ``values`` is this call's own
    (``**`` always makes a new one) and already holds those keys in the template's
    order —, so only the trailing defaults are appended; nothing is copied or merged.
    Any other set or order of names takes the general path.
    """
    template = _TEMPLATES.get(cls)
    if template is None:
        template = _TEMPLATES[cls] = _Template(cls)
    given = len(values)
    if given <= len(template.names) and _is_prefix(values, template.names):
        tail = template.tails[given]  # empty when every field is named
        if tail is None:
            _wrong_fields(cls, template, values)
        named = template.named[given].copy()
        fields = values
        for name, default, factory in tail:
            fields[name] = default if factory is None else factory()
    else:
        fields, named = _filled(cls, template, values), set(values)
    model = _new(cls)  # past the frozen model's __setattr__, as model_construct does
    template.set_dict(model, fields)
    template.set_named(model, named)
    template.set_extra(model, None)
    template.set_private(model, None)
    return model


def _is_prefix(values: dict[str, Any], names: tuple[str, ...]) -> bool:
    """``tuple(values) == names[:len(values)]`` (``len(values) <= len(names)``), without
    building the tuple: the keys compared in place, a name first by identity (a keyword
    and a field name are the same interned string)."""
    return all(key == names[index] for index, key in enumerate(values))


def _filled(cls: type[BaseModel], template: _Template, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` completed with ``cls``'s defaults (fresh from each default factory),
    in field order."""
    fields = template.defaults.copy()
    fields.update(values)
    if len(fields) != len(template.names):
        _wrong_fields(cls, template, values)
    for name in template.required:
        if name not in values:
            _wrong_fields(cls, template, values)
    for name, factory in template.factories:
        if name not in values:
            fields[name] = factory()
    return fields


def _wrong_fields(cls: type[BaseModel], template: _Template, values: dict[str, Any]) -> NoReturn:
    unknown = sorted(values.keys() - template.defaults.keys())
    missing = sorted(name for name in template.required if name not in values)
    raise TypeError(f"trusted {cls.__name__}: unknown fields {unknown}, missing fields {missing}")
