"""The benchmark scripts are modules of ``benchmarks/`` (not a package): imported by
name with that folder on ``sys.path`` only for the import."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def import_benchmark(name: str) -> ModuleType:
    """``benchmarks/<name>.py`` as a module (its own imports of siblings included)."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(BENCHMARKS))


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    """benchmarks/runtime_throughput.py."""
    return import_benchmark("runtime_throughput")


@pytest.fixture(scope="module")
def flow_cost() -> ModuleType:
    """benchmarks/flow_cost.py."""
    return import_benchmark("flow_cost")


@pytest.fixture(scope="module")
def journal_cost() -> ModuleType:
    """benchmarks/journal_cost.py."""
    return import_benchmark("journal_cost")
