"""Multi-timeframe plans whose workers are all batchable (issue 23, item 2): the fast
engine skips quiet bars across the closes of the higher timeframes, carrying the
batched workers on them over each skipped stretch (``stc.runtime.frame_carry``), and
writes exactly what the incremental engine writes: trades.csv, metrics.json and every
journal row, ids included.

The plan is ``tests/parity/blueprints/htf_trend.yaml`` (managed_trend without its
tick-by-tick threat worker) in three shapes: the regime on the higher timeframe; the
regime and the EMA cross on it (a signal worker counted over the stretches); the
regime on a second, higher one (1d) with the cross on 4h."""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stc.plugins.context_worker.adx_regime_classifier.worker import ADXRegimeClassifier
from stc.runtime.batch import BatchOutput
from stc.runtime.data import load_bars
from stc.runtime.dtos.market import TradingContext
from stc.runtime.engine import Engine
from stc.runtime.fast_fallback import FastFallback
from stc.runtime.frame_carry import FrameCarry
from stc.runtime.plan import load_plan
from tests.parity.cases import (
    EURUSD_ROWS,
    REAL_DATA,
    Walk,
    compiled,
    real_data,
    write_walk,
)
from tests.parity.cases import walks as generated_walks
from tools.engine_parity import RunOutputs, assert_same_results, run_both

HTF_TREND = Path(__file__).parent / "blueprints" / "htf_trend.yaml"

SHAPES: dict[str, dict[str, str]] = {
    "regime-higher": {"regime": "higher"},
    "regime-and-cross-higher": {"regime": "higher", "cross": "higher"},
    "regime-highest-cross-higher": {"regime": "highest", "cross": "higher"},
}
"""Worker → the clock it runs on (``tick``, ``higher``, ``highest``)."""

CLOCKS: dict[str, dict[str, str]] = {
    "1h": {"tick": "1h", "higher": "4h", "highest": "1d"},
    "1d": {"tick": "1d", "higher": "1w", "highest": "1w"},
    "1M": {"tick": "1M", "higher": "1M", "highest": "1M"},
}
"""The clocks on each real data set's bars (monthly bars have no higher timeframe the
resampler builds: every worker ticks on 1M there)."""


def shaped(folder: Path, shape: str, tick: str = "1h") -> Path:
    """htf_trend with its workers on the clocks of ``shape`` for ``tick`` bars."""
    document = yaml.safe_load(HTF_TREND.read_text(encoding="utf-8"))
    clocks = CLOCKS[tick]
    chosen = {worker: clocks[clock] for worker, clock in SHAPES[shape].items()}
    workforce = document["workforce"]
    regime, cross = workforce["context_workers"][1], workforce["opportunity_workers"][0]
    regime["timeframe"] = chosen["regime"]
    if "cross" in chosen:
        cross["timeframe"] = chosen["cross"]
    document["timeframes"] = list(dict.fromkeys([tick, *chosen.values()]))
    target = folder / f"{shape}.yaml"
    target.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return target


def both_modes(plan: dict[str, Any], data: Path, out: Path) -> tuple[list[RunOutputs], str]:
    """``stc.runtime.api.run`` in each mode, compared; (outputs, the fast run's note)."""
    from stc.runtime.api import run

    notes: dict[str, str] = {}

    def run_mode(mode: str, folder: Path) -> None:
        result = run(copy.deepcopy(plan), data=data, out_dir=folder, engine=mode,  # type: ignore[arg-type]
                     keep_history=False)  # fmt: skip
        notes[mode] = result.engine_note

    outputs = run_both(run_mode, out)
    assert_same_results(*outputs)
    return outputs, notes["fast"]


def skipped_share(note: str) -> float:
    """The share of bars the fast run skipped, from its note ("3,548 of 5,000 bars
    skipped ..."); 0 when it ran every bar."""
    if "bars skipped" not in note:
        return 0.0
    skipped, total = (int(n.replace(",", "")) for n in note.split(" bars")[0].split(" of "))
    return skipped / total


@pytest.mark.parametrize("shape", sorted(SHAPES))
@pytest.mark.parametrize("data_name", sorted(REAL_DATA))
def test_higher_timeframe_plans_on_real_data(data_name: str, shape: str, tmp_path: Path) -> None:
    tick, _ = REAL_DATA[data_name]
    data = real_data(data_name, tmp_path, EURUSD_ROWS if tick == "1h" else None)
    outputs, note = both_modes(compiled(shaped(tmp_path, shape, tick)), data, tmp_path / "runs")
    assert skipped_share(note) > 0.3, note  # measured: 0.72-0.99 on the three sets
    if tick == "1h":
        assert outputs[0].journal["flows"][1], "no flow at all: nothing was compared"


walks = generated_walks((400, 1200), (0.0, 0.02, 0.08))


def test_higher_timeframe_plans_on_generated_walks() -> None:
    """Gaps release partial higher bars late (and two on one tick), flat stretches
    leave nothing to do for long: every shape, both modes, the same files."""

    @settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(shape=st.sampled_from(sorted(SHAPES)), walk=walks)
    def check(shape: str, walk: Walk) -> None:
        with tempfile.TemporaryDirectory(prefix="stc-htf-") as tmp:
            folder = Path(tmp)
            data = write_walk(folder / "walk.csv", walk)
            both_modes(compiled(shaped(folder, shape)), data, folder / "runs")

    check()


def test_the_carry_is_what_makes_them_equal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without carrying the higher-timeframe workers over the skipped stretches the
    comparison above fails (so it can): the replayed regime and the calls are stale."""
    data = real_data("EURUSD_1h.csv", tmp_path, EURUSD_ROWS)
    plan = compiled(shaped(tmp_path, "regime-and-cross-higher"))
    monkeypatch.setattr(FrameCarry, "carry", lambda self, bars, hi: None)
    with pytest.raises(AssertionError):
        both_modes(plan, data, tmp_path / "runs")


class LateBadRegime(ADXRegimeClassifier):
    """Its batch form returns a plain dict, which the contract rejects, from the
    ``BAD_FROM``-th 4h bar on (its handler stays correct: the incremental engine is
    unaffected)."""

    BAD_FROM = 0

    def result_at(self, output: BatchOutput, index: int, context: TradingContext) -> Any:
        if index >= self.BAD_FROM and output.is_present(index):
            return {"regime": "trending"}
        return super().result_at(output, index, context)


def test_a_skipped_close_that_breaks_its_contract_hands_over(tmp_path: Path) -> None:
    """A result re-run for a skipped close that the incremental engine would have
    faulted on cannot be matched by skipping: the fast run stops with
    :class:`FastFallback` (``stc run`` then runs the incremental engine), naming it."""
    bars = load_bars(real_data("EURUSD_1h.csv", tmp_path, EURUSD_ROWS))
    plan = compiled(shaped(tmp_path, "regime-higher"))
    whys = []
    for bad_from in range(200, 212):  # some of these 4h bars close on a skipped tick
        LateBadRegime.BAD_FROM = bad_from
        engine = Engine(load_plan(copy.deepcopy(plan)), bars, engine="fast",
                        worker_classes={"regime": LateBadRegime})  # fmt: skip
        with pytest.raises(FastFallback) as caught:
            engine.run()
        whys.append(caught.value.why)
        assert caught.value.fault.worker == "regime"
    assert "broke its contract on a skipped close of 4h" in whys, whys
