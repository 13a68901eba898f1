"""A sweep's space: its grammar (command line or sweep.yaml) and its expansion.

Every dimension and structural variant remembers where the user wrote it (a line of
sweep.yaml, or an argument of the command line shown as one line of the
``command line`` source), so an invalid variant is reported at the sweep's own line.

Grammar (docs/sweeps.md):

- ``--param WORKER.PARAM=V1,V2,...`` values as YAML scalars or flow lists
  (``ema_detector.periods=[10,50],[20,100]``); ``START:STOP:STEP`` is an inclusive
  range (``50:200:50`` is 50, 100, 150, 200).
- ``--variant [NAME:]EDIT[;EDIT...]`` with ``SLOT+=Plugin`` (add a worker), ``-WORKER_ID``
  (remove one) or ``WORKER_ID=Plugin`` (swap its plugin, its params dropped); the
  blueprint as written is always the structure ``base``.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import random
import re
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from stc.compiler.diagnostics import Diagnostic, Severity
from stc.compiler.rules import Rule
from stc.compiler.sources import Mark, SourceFile

COMMAND_LINE = "command line"
"""The display name of the sweep's command-line arguments (one argument a line)."""

SWEEP_FIXTURES = "tests/sweep/fixtures"
"""Where the sweep codes' broken fixtures live."""

STC090 = Rule(
    "STC090",
    Severity.ERROR,
    "malformed sweep space (a value list, range or edit that cannot be read)",
    """A value list, range, param name or edit of a sweep that cannot be read: a range
    whose STOP is below its START has no values, ``fast`` is not ``WORKER.PARAM``, a
    param is swept twice, two variants share a name.

    Why it is bad: the sweep would silently run fewer (or other) variants than the quant
    asked for. Fix: the help line shows the literal form (``50:200:50``,
    ``ema_cross_detector.fast``, ``SLOT+=Plugin``).""",
    bad='params:\n  ema_cross_detector.slow: "200:50:50"',
    fixed='params:\n  ema_cross_detector.slow: "50:200:50"',
    fixture_dir=SWEEP_FIXTURES,
)

SWEEP_CODES_DOC = """
## Sweep codes: STC090–STC093 (issue 22)

Reported by `stc sweep` and `stc walkforward` before anything is dispatched, at the
sweep's own line: a line of `sweep.yaml`, or an argument of the command line, shown as
the source `command line` (one argument a line). Errors; the variants they concern are
not run and appear in results.csv with status `invalid` (docs/sweeps.md). Their rules
are declared in `stc.compiler.sweep_space` and `sweep_compile` (sections STC090–STC093
above); fixtures and snapshots are in `tests/sweep/`.

```text
error[STC092]: `ema_cross_detector.fast=0` violates EMACrossDetector's config_schema: 0 is less than the minimum of 1
 --> tests/sweep/fixtures/stc092_value_out_of_range.sweep.yaml:5:29
  |
5 |   ema_cross_detector.fast: [0, 10]
  |                             ^
  |
  = help: remove `0` from `ema_cross_detector.fast`'s values, or keep them within the schema (`stc plugins show EMACrossDetector` lists every bound)
```
"""  # noqa: E501
"""The sweep codes' section of docs/diagnostics.md (``stc.compiler.docs_gen`` appends it)."""

PARAM = re.compile(r"^([a-z_][a-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)$")
EDIT_ADD = re.compile(r"^([a-z_]+(?:\.[a-z_]+)?)\+=([A-Za-z][A-Za-z0-9_]*)$")
EDIT_REMOVE = re.compile(r"^-([a-z_][a-z0-9_]*)$")
EDIT_SWAP = re.compile(r"^([a-z_][a-z0-9_]*)=([A-Za-z][A-Za-z0-9_]*)$")
MAX_VARIANTS = 1_000_000


@dataclass(frozen=True)
class Where:
    """Where the user wrote something: file (display name) and span."""

    file: str
    mark: Mark | None


@dataclass(frozen=True)
class Dimension:
    """One swept parameter: ``worker.param`` and its values, in the user's order."""

    worker: str
    param: str
    values: tuple[Any, ...]
    where: Where
    value_wheres: tuple[Where, ...] = ()
    """Where each value was written (same order as ``values``), when known."""

    def where_of(self, value: Any) -> Where:
        """Where ``value`` was written (the first occurrence), else the whole param."""
        for candidate, where in zip(self.values, self.value_wheres, strict=False):
            if candidate == value and type(candidate) is type(value):
                return where
        return self.where

    @property
    def name(self) -> str:
        """``worker.param``: the results.csv column."""
        return f"{self.worker}.{self.param}"


@dataclass(frozen=True)
class Structure:
    """A structural variant: its name and its edits (``base`` has none)."""

    name: str
    edits: tuple[str, ...]
    where: Where | None


@dataclass(frozen=True)
class Space:
    """Structures × the grid of dimensions, searched by ``method``."""

    dimensions: tuple[Dimension, ...]
    structures: tuple[Structure, ...]
    method: str = "grid"
    samples: int | None = None
    seed: int = 0
    batch: int = 8


@dataclass(frozen=True)
class Variant:
    """One point of the space: its index (results order), key, structure and params."""

    index: int
    key: str
    structure: Structure
    params: tuple[tuple[Dimension, Any], ...]

    def label(self) -> str:
        """``base fast=10 slow=50``-style text for progress and reports."""
        shown = " ".join(f"{d.name}={json.dumps(v)}" for d, v in self.params)
        return f"{self.structure.name} {shown}".strip()


def sweep_error(rule: Rule, message: str, where: Where | None, help: str) -> Diagnostic:
    """A sweep diagnostic of ``rule`` at the sweep's own line."""
    return rule.at(message, where.file if where else None, where.mark if where else None, help)


def variant_key(structure: Structure, params: tuple[tuple[Dimension, Any], ...]) -> str:
    """A stable key from what the variant *is* (edits and values), never its position."""
    body = {"edits": list(structure.edits), "params": {d.name: v for d, v in params}}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def expand(space: Space) -> list[Variant]:
    """Every variant, in a fixed order: structures in order, then the grid (the last
    dimension varies fastest); ``random`` draws ``samples`` grid points with ``seed``."""
    grid = list(itertools.product(*(d.values for d in space.dimensions)))
    points = [(s, values) for s in space.structures for values in grid]
    if space.method == "random" and space.samples is not None and space.samples < len(points):
        chosen = sorted(random.Random(space.seed).sample(range(len(points)), space.samples))
        points = [points[i] for i in chosen]
    variants = []
    for index, (structure, values) in enumerate(points):
        params = tuple(zip(space.dimensions, values, strict=True))
        variants.append(Variant(index, variant_key(structure, params), structure, params))
    return variants


# ----------------------------------------------------------------- the command line
def command_line_space(
    params: list[str], variants: list[str]
) -> tuple[Space, SourceFile, list[Diagnostic]]:
    """The space of ``--param``/``--variant`` arguments; each argument is one line of
    the ``command line`` source, so diagnostics can quote it with a caret."""
    lines = [f"--param {p}" for p in params] + [f"--variant {v}" for v in variants]
    source = SourceFile(COMMAND_LINE, "\n".join(lines) + "\n")
    problems: list[Diagnostic] = []
    dims: list[Dimension] = []
    for number, text in enumerate(params, 1):
        name, sep, values = text.partition("=")
        start = len("--param ") + 1
        where = Where(COMMAND_LINE, Mark(number, start, number, start + len(text)))
        if not sep:
            problems.append(_needs_values(where, text))
            continue
        value_at = Where(
            COMMAND_LINE, Mark(number, start + len(name) + 1, number, start + len(text))
        )
        dim, found = _dimension(name, values, where, value_at)
        problems += found
        if dim is not None:
            first = start + len(name) + 1
            dims.append(replace(dim, value_wheres=_item_wheres(values, number, first)))
    structures = [Structure("base", (), None)]
    for offset, text in enumerate(variants, len(params) + 1):
        start = len("--variant ") + 1
        where = Where(COMMAND_LINE, Mark(offset, start, offset, start + len(text)))
        name, sep, body = text.partition(":")
        if not sep:
            name, body = _default_name(text), text
        edits = tuple(e.strip() for e in body.split(";") if e.strip())
        problems += [_bad_edit(edit, where) for edit in edits if not _edit_ok(edit)]
        structures.append(Structure(name, edits, where))
    problems += _duplicates(dims, structures)
    return Space(tuple(dims), tuple(structures)), source, problems


def _item_wheres(text: str, line: int, column: int) -> tuple[Where, ...]:
    """Each comma-separated value's span on its command-line line (a range: the whole)."""
    if re.fullmatch(r"\s*[-\d.]+:[-\d.]+:[-\d.]+\s*", text):
        return ()
    wheres, offset = [], column
    for part in _split_raw(text):
        lead = len(part) - len(part.lstrip())
        body = part.strip()
        wheres.append(
            Where(COMMAND_LINE, Mark(line, offset + lead, line, offset + lead + len(body)))
        )
        offset += len(part) + 1
    return tuple(wheres)


def _yaml_item_wheres(
    data: Any, name: str, values: Any, display: str, whole: Where
) -> tuple[Where, ...]:
    """Each list item's span in sweep.yaml (a string of values: the whole string)."""
    from stc.compiler.sources import locate

    if not isinstance(values, list):
        return ()
    return tuple(Where(display, locate(data, ("params", name, i))) for i in range(len(values)))


def _default_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.+-]", "_", text)[:64]


def _needs_values(where: Where, text: str) -> Diagnostic:
    return sweep_error(
        STC090, f"`{text}` gives no values", where,
        f"write `--param {text}=10,20,30` (a list) or `--param {text}=50:200:50` (a range)",
    )  # fmt: skip


def _dimension(
    name: str, values: Any, where: Where, value_at: Where
) -> tuple[Dimension | None, list[Diagnostic]]:
    match = PARAM.match(name.strip())
    if match is None:
        help = "name a worker by its id and one of its params: `ema_cross_detector.fast`"
        return None, [sweep_error(STC090, f"`{name}` is not WORKER.PARAM", where, help)]
    parsed, problem = parse_values(values)
    if problem is not None:
        return None, [sweep_error(STC090, problem[0], value_at, problem[1])]
    return Dimension(match.group(1), match.group(2), parsed, where), []


def parse_values(values: Any) -> tuple[tuple[Any, ...], tuple[str, str] | None]:
    """Values from a list, ``"a,b,c"`` or ``"START:STOP:STEP"``; or (message, help)."""
    if isinstance(values, list):
        found = tuple(values)
    elif isinstance(values, str) and re.fullmatch(r"\s*[-\d.]+:[-\d.]+:[-\d.]+\s*", values):
        return _range(values.strip())
    else:
        try:
            found = tuple(yaml.safe_load(item) for item in _split(str(values)))
        except yaml.YAMLError:
            return (), (f"cannot read the values `{values}`", "separate values with commas")
    if not found or any(v is None for v in found):
        return (), (f"`{values}` has an empty value", "separate values with commas: `10,20,30`")
    return found, None


def _split(text: str) -> list[str]:
    """Split at the commas outside brackets: ``[10,50],[20,100]`` is two lists."""
    return [p.strip() for p in _split_raw(text)]


def _split_raw(text: str) -> list[str]:
    """``_split`` without stripping (the parts keep their offsets)."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:
        depth += char in "[{"
        depth -= char in "]}"
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _range(text: str) -> tuple[tuple[Any, ...], tuple[str, str] | None]:
    try:
        start, stop, step = (Decimal(p) for p in text.split(":"))
    except InvalidOperation:
        return (), (f"`{text}` is not a range", "write START:STOP:STEP, e.g. `50:200:50`")
    if step <= 0 or stop < start:
        return (), (
            f"the range `{text}` is empty (STOP < START or STEP <= 0)",
            "write START:STOP:STEP with START <= STOP and STEP > 0, e.g. `50:200:50`",
        )
    count = int((stop - start) / step) + 1
    if count > MAX_VARIANTS:
        return (), (f"the range `{text}` has {count} values", "use a larger STEP")
    integral = all(v == v.to_integral_value() for v in (start, step))
    values = [start + step * i for i in range(count)]
    return tuple(int(v) if integral else float(v) for v in values), None


def _edit_ok(edit: str) -> bool:
    return bool(EDIT_ADD.match(edit) or EDIT_REMOVE.match(edit) or EDIT_SWAP.match(edit))


def _bad_edit(edit: str, where: Where) -> Diagnostic:
    return sweep_error(
        STC090, f"cannot read the edit `{edit}`", where,
        "write `SLOT+=Plugin` (e.g. `threat_workers+=MaxDrawdownMonitor`), `-WORKER_ID` "
        "or `WORKER_ID=Plugin`; join edits with `;`",
    )  # fmt: skip


def _duplicates(dims: list[Dimension], structures: list[Structure]) -> list[Diagnostic]:
    problems, seen = [], set()
    for dim in dims:
        if dim.name in seen:
            problems.append(
                sweep_error(
                    STC090,
                    f"`{dim.name}` is swept twice",
                    dim.where,
                    "give all its values in one `--param`",
                )
            )
        seen.add(dim.name)
    names = set()
    for structure in structures:
        if structure.name in names:
            problems.append(
                sweep_error(
                    STC090,
                    f"two structural variants are called `{structure.name}`",
                    structure.where,
                    "give each variant its own name: `--variant NAME:EDIT`",
                )
            )
        names.add(structure.name)
    return problems


# ----------------------------------------------------------------- sweep.yaml
def file_space(sweep: Any, data: Any, display: str) -> tuple[Space, list[Diagnostic]]:
    """The space of a validated ``SweepFile`` (``data``: its loaded, marked mapping)."""
    from stc.compiler.sources import locate

    problems: list[Diagnostic] = []
    dims = []
    for name, values in sweep.params.items():
        where = Where(display, locate(data, ("params", name), key=True))
        value_at = Where(display, locate(data, ("params", name)))
        dim, found = _dimension(name, values, where, value_at)
        problems += found
        if dim is not None:
            wheres = _yaml_item_wheres(data, name, values, display, value_at)
            dims.append(replace(dim, value_wheres=wheres))
    structures = [Structure("base", (), None)]
    for i, variant in enumerate(sweep.variants):
        for j, edit in enumerate(variant.edits):
            if not _edit_ok(edit):
                problems.append(
                    _bad_edit(edit, Where(display, locate(data, ("variants", i, "edits", j))))
                )
        where = Where(display, locate(data, ("variants", i, "name")))
        structures.append(Structure(variant.name, tuple(variant.edits), where))
    problems += _duplicates(dims, structures)
    space = Space(
        tuple(dims), tuple(structures), sweep.method, sweep.samples, sweep.seed, sweep.batch
    )
    return space, problems
