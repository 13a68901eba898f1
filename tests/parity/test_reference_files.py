"""Every reference blueprint and the operation, on the three real data sets, in both
engine modes: the same trades.csv, metrics.json and journal rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.parity.cases import (
    EURUSD_ROWS,
    REAL_DATA,
    assert_modes_equal,
    compiled,
    real_data,
    reference_files,
    retimed,
)

CASES = [(f, d) for f in reference_files() for d in REAL_DATA]


@pytest.mark.parametrize(("source", "data_name"), CASES, ids=[f"{f.stem}-{d}" for f, d in CASES])
def test_reference_file_gives_the_same_results_in_both_modes(
    source: Path, data_name: str, tmp_path: Path
) -> None:
    tick, higher = REAL_DATA[data_name]
    data = real_data(data_name, tmp_path, EURUSD_ROWS if tick == "1h" else None)
    if tick != "1h":
        source = retimed(source, tick, higher, tmp_path, data)
    outputs = assert_modes_equal(compiled(source), data, tmp_path / "runs")
    if tick == "1h":  # the real hourly data makes every reference strategy act
        assert outputs[0].journal["flows"][1], "no flow at all: nothing was compared"
