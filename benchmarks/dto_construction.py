"""What one pydantic DTO of a run costs to build: validated, and with ``model_construct``.

Runs ``ema_trend`` for 5,000 seeded bars while recording the keyword arguments of the
first construction of every pydantic model class the run builds (the flow's DTOs and
the plan's own models), then times building each
class from those same arguments both ways (timeit, best of 5). The point it settles:
skipping validation is no way to make a signal flow cheaper, because pydantic v2's
``model_construct`` runs in Python while validation runs in its Rust core.

Usage: ``python benchmarks/dto_construction.py``. Prints a markdown table.
"""

from __future__ import annotations

import sys
import timeit
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pydantic

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from runtime_throughput import ema_plan, synthetic_bars

from stc.runtime.engine import Engine


@contextmanager
def first_arguments() -> Iterator[dict[type, dict[str, Any]]]:
    """Record the keyword arguments of each DTO class's first construction."""
    seen: dict[type, dict[str, Any]] = {}
    original = pydantic.BaseModel.__init__

    def recording(self: pydantic.BaseModel, **data: Any) -> None:
        original(self, **data)
        seen.setdefault(type(self), data)

    pydantic.BaseModel.__init__ = recording  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        pydantic.BaseModel.__init__ = original  # type: ignore[method-assign]


def per_call_us(call: Any, number: int = 5_000) -> float:
    return min(timeit.repeat(call, number=number, repeat=5)) / number * 1e6


def main() -> None:
    with first_arguments() as seen:
        Engine(ema_plan(), list(synthetic_bars(5_000))).run()
    print("| DTO | validated (µs) | model_construct (µs) |")
    print("|---|---:|---:|")
    for cls, data in sorted(seen.items(), key=lambda item: item[0].__name__):
        validated = per_call_us(lambda cls=cls, data=data: cls(**data))
        constructed = per_call_us(lambda cls=cls, data=data: cls.model_construct(**data))
        print(f"| {cls.__name__} | {validated:.2f} | {constructed:.2f} |")


if __name__ == "__main__":
    main()
