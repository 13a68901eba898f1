"""sweep.yaml: a blueprint plus a space of variants (see docs/sweeps.md)."""

from typing import Annotated, Any, Literal

from pydantic import Field

from stc.compiler.model.common import StrictModel

ParamPath = Annotated[str, Field(pattern=r"^[a-z_][a-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$")]
"""``WORKER_ID.PARAM``: a worker of the blueprint (its id) and one of its params."""


class StructuralVariant(StrictModel):
    """A named structural variant: edits to the blueprint's workforce."""

    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.+-]+$", max_length=64)]
    edits: list[str] = Field(min_length=1)
    """``SLOT+=Plugin`` (add), ``-WORKER_ID`` (remove), ``WORKER_ID=Plugin`` (swap)."""


class Walkforward(StrictModel):
    """Walk-forward windows, in bars of the data (``stc walkforward``)."""

    in_sample: int = Field(ge=10)
    out_of_sample: int = Field(ge=10)
    step: int | None = Field(default=None, ge=1)
    """Bars between two windows' starts (default: ``out_of_sample``)."""
    anchored: bool = False
    """Anchored: every in-sample window starts at the first bar."""


class SweepFile(StrictModel):
    """A sweep: the blueprint, the parameter space and how to search it."""

    sweep_version: Literal[1]
    blueprint: str
    """The blueprint file, relative to the sweep file."""
    data: str | None = None
    """The OHLCV file, relative to the sweep file (default: the embedded sample)."""
    method: Literal["grid", "random", "optuna"] = "grid"
    samples: int | None = Field(default=None, ge=1)
    """``random``: grid points to draw (without replacement); ``optuna``: trials (20)."""
    seed: int = 0
    """The seed of ``random`` and of Optuna's TPE sampler (same seed, same points)."""
    batch: int = Field(default=8, ge=1, le=1024)
    """``optuna``: trials asked per round (fixed, so the search never depends on how
    many workers run it)."""
    metric: str = "sharpe"
    """The metric the report ranks by and walk-forward optimises."""
    direction: Literal["maximize", "minimize"] = "maximize"
    params: dict[ParamPath, list[Any] | str] = Field(default_factory=dict)
    """Each param's values: a list, ``"a,b,c"`` or a range ``"START:STOP:STEP"``."""
    variants: list[StructuralVariant] = Field(default_factory=list)
    walkforward: Walkforward | None = None
