"""Runtime tests: make ``rt_helpers`` importable regardless of the rootdir, and check
the columnar data fast path against the row reader on every run (issue 23)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

ORACLE_MAX_BYTES = 4 << 20
"""Files up to this size are read twice by every runtime test that runs a plan."""


@pytest.fixture(autouse=True)
def _columnar_oracle(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every run of the runtime tests checks the columnar fast path against the row
    reader (issue 23): when ``read_bar_arrays`` (or the fast engine's block reader,
    ``tick_blocks.fast_columns``) accepts a data file, its columns must be
    bit for bit what the row reader gives for the same file; so every CSV and Parquet
    fixture these tests run on (good, bad, odd shapes) is a parity case."""
    import stc.runtime.api as api
    import stc.runtime.tick_blocks as tick_blocks
    from stc.runtime.batch import BarArrays
    from stc.runtime.data import load_bars

    fast = tick_blocks.read_bar_arrays
    fast_columns = tick_blocks.fast_columns

    def same(arrays: BarArrays, path: Path, timeframe: str) -> None:
        expected = BarArrays.from_bars(load_bars(Path(path)), timeframe)
        for column in ("time", "open", "high", "low", "close", "volume"):
            got, want = getattr(arrays, column), getattr(expected, column)
            assert got.dtype == want.dtype and got.tobytes() == want.tobytes(), column

    def checked(path: Path, fmt: object = None, timeframe: str = "") -> BarArrays | None:
        arrays = fast(path, fmt, timeframe)  # type: ignore[arg-type]
        if arrays is not None and Path(path).stat().st_size <= ORACLE_MAX_BYTES:
            same(arrays, path, timeframe)
        return arrays

    def checked_blocks(path: Path, fmt: Any, timeframes: Any, tap: Any = None) -> Any:
        """The block reader's bars (the fast engine's CSV) against the row reader, and
        its acceptance against the whole columns'."""
        found = fast_columns(path, fmt, timeframes, tap)
        if (
            isinstance(found, tick_blocks.BlockBars)
            and Path(path).stat().st_size <= ORACLE_MAX_BYTES
        ):
            same(BarArrays.from_bars(list(found), timeframes[0]), path, timeframes[0])
            assert fast(path, fmt, timeframes[0]) is not None
        elif found is None:
            assert fast(path, fmt, timeframes[0]) is None
        return found

    monkeypatch.setattr(tick_blocks, "read_bar_arrays", checked)
    monkeypatch.setattr(api, "fast_columns", checked_blocks)
    market_data = api._market_data

    def both_readers(*args: Any, columnar: bool, **more: Any) -> Any:
        """The incremental engine (the default) streams rows; the oracle still reads
        every file's columns, so the check does not depend on the engine mode."""
        plan, path, data_format = args[0], args[1], args[5]
        if not columnar:
            checked(path, data_format, plan.timeframes[0])
        return market_data(*args, columnar=columnar, **more)

    monkeypatch.setattr(api, "_market_data", both_readers)


@pytest.fixture(scope="module")
def swot_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A SWOT run on EURUSD (its folder and trade ids): the journal tests' real run."""
    from rt_helpers import EURUSD, PLUGIN_ROOTS, wiring

    from stc.runtime.api import run

    out = tmp_path_factory.mktemp("swot")
    result = run(wiring("swot"), data=EURUSD, out_dir=out, plugin_roots=PLUGIN_ROOTS)
    assert result.trades
    return out, [t.trade_id for t in result.trades]
