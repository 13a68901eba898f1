"""What the parity suite runs in both engine modes: the reference files retimed to the
real data sets, seeded random walks with the awkward shapes of real data, and the
runner that compares the two modes (``tools.engine_parity``)."""

from __future__ import annotations

import copy
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

from tools.engine_parity import RunOutputs, assert_same_results, run_both

REPO = Path(__file__).resolve().parents[2]
BLUEPRINTS = REPO / "blueprints"
REAL_DATA_DIR = REPO / "data"
"""The three real data sets: the repository's copies, byte-identical to the project's
shared ``data/`` folder (the sample files of the ``backtesting`` package)."""

REAL_DATA: dict[str, tuple[str, str | None]] = {
    "EURUSD_1h.csv": ("1h", "4h"),
    "GOOG_1d.csv": ("1d", "1w"),
    "BTCUSD_1M.csv": ("1M", None),
}
"""Real data set → (its bar, the higher timeframe the reference files' ``4h`` becomes;
None: none can be built from monthly bars, the higher-timeframe workers tick on 1M)."""

EURUSD_ROWS = 3000
"""Bars of EURUSD the reference files run on (of 5000: the budget of issue 23, 40 s)."""


def reference_files() -> list[Path]:
    """Every runnable reference file: the blueprints and the operation (dca_weekly's
    blueprint runs through its operation: alone it has no schedule, STC051)."""
    from tools.reference_runs import reference_files as runnable

    return runnable()


def real_data(name: str, folder: Path, rows: int | None = None) -> Path:
    """The real data set ``name`` (its first ``rows`` bars when given) as a file."""
    source = REAL_DATA_DIR / name
    if rows is None:
        return source
    lines = source.read_text(encoding="utf-8").splitlines()[: rows + 1]
    target = folder / name
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


# ------------------------------------------------------------------ retiming
def retimed(source: Path, tick: str, higher: str | None, folder: Path, data: Path) -> Path:
    """A copy of the reference file ``source`` in ``folder`` for data with ``tick``
    bars: ``1h`` becomes ``tick``, ``4h`` becomes ``higher`` (or ``tick``); an
    operation's data source names ``data`` and its linked blueprints are retimed too."""
    document = yaml.safe_load(source.read_text(encoding="utf-8"))
    mapping = {"1h": tick, "4h": higher or tick}
    if "operation_version" in document:
        for link in document["strategy_links"]:
            retimed(source.parent / link["blueprint"], tick, higher, folder, data)
        for data_source in document["data_sources"].values():
            data_source.update(path=str(data), timeframe=tick)
    else:
        document = _retimed_blueprint(document, mapping)
    target = folder / source.name
    target.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return target


def _retimed_blueprint(document: dict[str, Any], mapping: Mapping[str, str]) -> dict[str, Any]:
    document = copy.deepcopy(document)
    timeframes = [mapping.get(tf, tf) for tf in document["timeframes"]]
    document["timeframes"] = list(dict.fromkeys(timeframes))
    for entries in document["workforce"].values():
        for entry in _entries(entries):
            if "timeframe" in entry:
                entry["timeframe"] = mapping.get(entry["timeframe"], entry["timeframe"])
    return document


def _entries(slot: Any) -> list[dict[str, Any]]:
    """The worker entries of a workforce slot (a list, one entry, or planning kinds)."""
    if isinstance(slot, list):
        return [e for e in slot if isinstance(e, dict)]
    if isinstance(slot, dict) and "plugin" in slot:
        return [slot]
    if isinstance(slot, dict):
        return [e for kind in slot.values() for e in _entries(kind)]
    return []


# ------------------------------------------------------------------ random walks
@dataclass(frozen=True)
class Walk:
    """A seeded random walk of OHLCV bars with the shapes real data has."""

    seed: int
    bars: int = 1500
    gap_rate: float = 0.0
    """Chance per bar that a hole of 1-30 bars follows (weekends, outages)."""
    flat_rate: float = 0.0
    """Chance per bar that a stretch of 5-60 bars with one price follows (a halted market)."""
    bad_rows: int = 0
    """Rows with high below low, scattered: ``on_bad_bar="skip"`` drops them."""
    step: timedelta = timedelta(hours=1)


def write_walk(path: Path, walk: Walk) -> Path:
    """``walk`` as a CSV in the layout of the real data sets (unnamed time column)."""
    rng = random.Random(walk.seed)
    rows = _walk_rows(rng, walk)
    for _ in range(walk.bad_rows):
        at = rng.randrange(1, len(rows))
        time, open_, high, low, close, volume = rows[at]
        rows[at] = (time, open_, low * 0.99, high * 1.01, close, volume)  # high < low
    lines = [",Open,High,Low,Close,Volume"]
    lines += [f"{t:%Y-%m-%d %H:%M:%S},{o:.5f},{h:.5f},{lo:.5f},{c:.5f},{v:.0f}"
              for t, o, h, lo, c, v in rows]  # fmt: skip
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _walk_rows(
    rng: random.Random, walk: Walk
) -> list[tuple[datetime, float, float, float, float, float]]:
    time, price = datetime(2023, 1, 2, tzinfo=UTC), 100.0
    rows: list[tuple[datetime, float, float, float, float, float]] = []
    flat_left = 0
    while len(rows) < walk.bars:
        if flat_left == 0 and rng.random() < walk.flat_rate:
            flat_left = rng.randint(5, 60)
        if flat_left:
            flat_left -= 1
            price = round(price, 5)
            rows.append((time, price, price, price, price, rng.choice((0.0, 10.0))))
        else:
            open_ = price
            price = max(open_ * (1 + rng.gauss(0, 0.006)), 1.0)
            high = max(open_, price) * (1 + abs(rng.gauss(0, 0.003)))
            low = min(open_, price) * (1 - abs(rng.gauss(0, 0.003)))
            rows.append((time, open_, high, low, price, rng.uniform(100, 5000)))
        time += walk.step
        if rng.random() < walk.gap_rate:
            time += walk.step * rng.randint(1, 30)
    return [(t, round(o, 5), round(h, 5), round(lo, 5), round(c, 5), v)
            for t, o, h, lo, c, v in rows]  # fmt: skip


# ------------------------------------------------------------------ running both modes
def compiled(path: Path) -> dict[str, Any]:
    """The wiring map of a blueprint or operation (its first strategy), as data."""
    from stc.compiler.api import compile_blueprint

    result = compile_blueprint(path)
    plan = yaml.safe_load(result.wiring_map)  # CompileError when the file does not compile
    assert isinstance(plan, dict)
    return plan


def run_modes(plan: Mapping[str, Any], data: Path, out: Path, **options: Any) -> list[RunOutputs]:
    """``stc.runtime.api.run`` of ``plan`` over ``data`` in each engine mode (the way
    ``stc run`` calls it: trades streamed, no history kept); what each wrote."""
    from stc.runtime.api import run

    def run_mode(mode: str, folder: Path) -> None:
        run(copy.deepcopy(dict(plan)), data=data, out_dir=folder, engine=mode,  # type: ignore[arg-type]
            keep_history=False, **options)  # fmt: skip

    return run_both(run_mode, out)


def assert_modes_equal(
    plan: Mapping[str, Any], data: Path, out: Path, **options: Any
) -> Sequence[RunOutputs]:
    """Run ``plan`` in both modes and fail with the first difference of each artefact."""
    outputs = run_modes(plan, data, out, **options)
    assert_same_results(*outputs)
    return outputs


def walks(
    bars: tuple[int, int],
    gap_rates: Sequence[float],
    flat_rates: Sequence[float] = (0.0, 0.01, 0.03),
) -> st.SearchStrategy[Walk]:
    """Seeded walks for the parity properties: ``bars`` (min, max) long, gaps and flat
    stretches drawn from the rates given (the shapes real data has)."""
    return st.builds(
        Walk,
        seed=st.integers(0, 2**32 - 1),
        bars=st.integers(*bars),
        gap_rate=st.sampled_from(list(gap_rates)),
        flat_rate=st.sampled_from(list(flat_rates)),
    )
