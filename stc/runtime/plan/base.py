"""The pydantic base of stc's file formats, shared by the plan and the input formats.

It lives with the plan format because the runtime must load plans without the
compiler; the compiler's input formats (``stc.compiler.model``) build on the same base.
"""

from typing import Annotated, Any, TypeVar, cast

from pydantic import BaseModel, ConfigDict, Field

EventName = Annotated[str, Field(pattern=r"^_?[A-Z][A-Z0-9_]*$", max_length=128)]
"""An event name such as ``TICK_RECEIVED`` or ``_flow_stop``-style internal names."""
DtoName = Annotated[str, Field(pattern=r"^[A-Z][A-Za-z0-9_]*$", max_length=128)]
"""A DTO's class name, as manifests and plans name payloads."""


class StrictModel(BaseModel):
    """Formats reject unknown keys: a typo must never be silently ignored.

    ``defer_build``: a model's validator is built when it first validates, so a
    ``stc check`` of a blueprint never builds those of the operation, platform or
    wiring-map formats. Defaults that are model instances are made with
    ``default_of`` for the same reason.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


M = TypeVar("M", bound=StrictModel)


def default_of(model: type[M]) -> M:
    """``model()`` without building ``model``'s validator (``model()`` would build it at
    import time, ~1 ms a model, though the outer model's validator builds it again).

    The same instance: without arguments pydantic validates nothing either (defaults
    are not validated), and no format model has a default-changing model validator.
    """
    return cast(M, model.model_construct())  # pydantic types it as the base class


def empty_list() -> list[Any]:
    """``default_factory`` of list fields: ``list`` itself would do, but pydantic asks
    ``inspect.signature`` whether a factory takes the validated data, and for a builtin
    that parses its text signature with ``tokenize``, whose regexes take ~5 ms to
    compile in every fresh ``stc check``."""
    return []


def empty_dict() -> dict[str, Any]:
    """``default_factory`` of mapping fields (see ``empty_list``)."""
    return {}


def empty_tuple() -> tuple[Any, ...]:
    """``default_factory`` of tuple fields (see ``empty_list``)."""
    return ()
