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
