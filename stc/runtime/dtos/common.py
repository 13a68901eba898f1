"""Shared field types and the frozen base model of every platform DTO."""

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Direction = Literal["BUY", "SELL"]
Score = Annotated[Decimal, Field(ge=Decimal(0), le=Decimal(1))]
"""A 0..1 score (confidence, severity, strength, weakness), validated."""
PositivePrice = Annotated[Decimal, Field(gt=Decimal(0))]
NonNegative = Annotated[Decimal, Field(ge=Decimal(0))]
Metadata = dict[str, Any]


class FrozenDTO(BaseModel):
    """Base of platform DTOs: immutable, strict about unknown fields, finite decimals."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False, defer_build=True)


def build_deferred(*bases: type[BaseModel]) -> int:
    """Build the validators and serializers of ``bases`` and their subclasses that are
    still deferred (``defer_build``), from an explicit namespace; how many were built.

    Why: a deferred model builds itself on first use, and pydantic then looks a fixed
    number of Python frames up the caller's stack for a namespace. The compiled
    runtime's frames are not Python frames, so an ``Engine`` run from the top level of a
    script (no function around it) found too few, and every flow faulted with "call
    stack is not deep enough" (docs/decisions.md, "Session 16, merge"). Built here, the
    forward references resolve in the class's own module and defining scope, as they
    would anyway, whatever the stack. A model that cannot build yet (a plugin's
    unresolved forward reference) stays deferred, as before. Cost: ~27 ms for the 24
    platform DTOs, most of which a run builds anyway."""
    built = 0
    pending = list(bases)
    seen: set[type[BaseModel]] = set()
    while pending:
        model = pending.pop()
        if model in seen:
            continue
        seen.add(model)
        pending.extend(model.__subclasses__())
        if not model.__pydantic_complete__ and model.model_rebuild(
            raise_errors=False, _types_namespace={}
        ):
            built += 1
    return built
