"""Hypothesis-generated blueprints (the reference plugins, random params, one or two
timeframes, direct or SWOT planning) on hypothesis-shaped random walks, in both
engine modes: the same results. Derandomized (tests/conftest.py): the same examples
every run; ``HYPOTHESIS_PROFILE=explore`` searches new ones."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings

from tests.parity.cases import Walk, assert_modes_equal, compiled, write_walk
from tests.parity.cases import walks as generated_walks
from tests.parity.generated import blueprints

walks = generated_walks((300, 900), (0.0, 0.01, 0.05))


def test_generated_blueprints_give_the_same_results_in_both_modes() -> None:
    """Each example compiles (``compiled`` raises otherwise) and runs in both modes; at
    the end, most examples must have traded: a parity test over strategies that never
    act would prove little."""
    traded: list[bool] = []

    @settings(max_examples=14, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(blueprint=blueprints(), walk=walks)
    def both_modes(blueprint: dict[str, Any], walk: Walk) -> None:
        with tempfile.TemporaryDirectory(prefix="stc-parity-") as tmp:
            folder = Path(tmp)
            source = folder / "generated.yaml"
            source.write_text(yaml.safe_dump(blueprint, sort_keys=False), encoding="utf-8")
            data = write_walk(folder / "walk.csv", walk)
            outputs = assert_modes_equal(compiled(source), data, folder / "runs")
            traded.append(outputs[0].trades.count(b"\n") > 1)

    both_modes()
    assert sum(traded) >= 3 * len(traded) // 4, traded  # all 14 trade today
