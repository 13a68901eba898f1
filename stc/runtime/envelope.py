"""DispositionEnvelope: how bus-agnostic workers say what should happen next.

A worker never sees the event bus. It returns an envelope (or just a DTO, which the
EventAdapter treats as PUBLISH on the worker's default event) and the compiled
wiring decides who receives it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Disposition(StrEnum):
    """What the EventAdapter does with a worker's result."""

    CONTINUE = "CONTINUE"  # nothing to publish; the flow goes on
    PUBLISH = "PUBLISH"  # publish ``payload`` as ``event_name``
    STOP = "STOP"  # end the flow (the adapter emits ``_flow_stop``)


class DispositionEnvelope(BaseModel):
    """A worker's result: a disposition, an optional event and payload, metadata."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", arbitrary_types_allowed=True, defer_build=True
    )
    """``defer_build``: the validator is built with the first envelope, not when the
    SDK is imported (``stc check`` imports it with the plugin classes, and never
    builds an envelope)."""

    disposition: Disposition = Disposition.CONTINUE
    event_name: str | None = None
    payload: Any = None
    metadata: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _publish_needs_event(self) -> DispositionEnvelope:
        if self.disposition is Disposition.PUBLISH and not self.event_name:
            raise ValueError("a PUBLISH envelope needs an event_name")
        if self.disposition is Disposition.CONTINUE and self.event_name:
            raise ValueError("a CONTINUE envelope publishes nothing; drop event_name")
        return self

    @classmethod
    def publish(cls, event_name: str, payload: Any, **metadata: Any) -> DispositionEnvelope:
        """Shorthand for a PUBLISH envelope."""
        return cls(
            disposition=Disposition.PUBLISH,
            event_name=event_name,
            payload=payload,
            metadata=metadata,
        )

    @classmethod
    def stop(cls, **metadata: Any) -> DispositionEnvelope:
        """Shorthand for a STOP envelope (ends the flow)."""
        return cls(disposition=Disposition.STOP, metadata=metadata)
