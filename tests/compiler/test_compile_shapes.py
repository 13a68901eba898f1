"""Issue 27: compile cost is linear in chain length and fan width.

Measured without a clock: the Python function calls of a warm compile (plugin modules
already imported, no on-disk cache) are counted with cProfile for a chain, a fan-out and
a fan-in of N = 40, 80 and 160 context workers. A linear compile adds the same number of
calls per worker from 80 to 160 as from 40 to 80 (measured: ~1,150 both ways, within
3 %); a pass quadratic in N with two or more calls per pair of workers (an ancestor walk
per worker, a list scan per requirement) raises the second slope by more than 10 %.
Timings live in benchmarks/compile_scaling.py (``--shapes``) and docs/performance.md.
"""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest

from benchmarks.chain_shapes import SHAPES, warm_compile_calls, write_shape
from stc.compiler.api import compile_blueprint

SIZES = (40, 80, 160)


@pytest.mark.parametrize("shape", SHAPES)
def test_compile_calls_grow_linearly_with_chain_length_and_fan_width(
    shape: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STC_NO_CACHE", "1")
    small, middle, large = (warm_compile_calls(*write_shape(tmp_path, shape, n)) for n in SIZES)
    first = (middle - small) / (SIZES[1] - SIZES[0])
    second = (large - middle) / (SIZES[2] - SIZES[1])
    assert second < first * 1.1, f"{shape}: {first:,.0f} then {second:,.0f} calls a worker"


def test_a_long_chain_compiles_within_the_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """200 chained context workers: a clean compile within 2 s of CPU time and 200 MB
    of Python allocations (warm: the plugin modules are imported by a first compile)."""
    monkeypatch.setenv("STC_NO_CACHE", "1")
    path, root = write_shape(tmp_path, "chain", 200)
    assert compile_blueprint(path, plugin_dirs=[root]).ok
    tracemalloc.start()
    start = time.process_time()
    result = compile_blueprint(path, plugin_dirs=[root])
    text = result.wiring_map
    elapsed = time.process_time() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert result.ok and text.count("ctx_00199") >= 1
    assert elapsed < 2.0 and peak < 200e6, (elapsed, peak)
