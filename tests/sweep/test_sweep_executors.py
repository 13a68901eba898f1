"""The same 12-variant sweep gives byte-identical results.csv on every executor:
a local pool of 1 and of 2 processes, a real dask.distributed cluster (scheduler and
workers on 127.0.0.1) and a local Ray. One cluster and one Ray session per module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sweep.helpers import small_data, sweep


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return small_data(tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="module")
def reference(data: Path, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """results.csv of a local pool of one process."""
    out = tmp_path_factory.mktemp("local1")
    assert sweep(out, data, "--workers", "1") == 0
    return (out / "results.csv").read_bytes()


@pytest.fixture(scope="module")
def dask_address() -> Iterator[str]:
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None, silence_logs=40,
    )  # fmt: skip
    try:
        yield cluster.scheduler_address.removeprefix("tcp://")
    finally:
        cluster.close()


@pytest.fixture(scope="module")
def ray_session() -> Iterator[None]:
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        yield None
    finally:
        ray.shutdown()


def test_reference_has_twelve_finished_variants(reference: bytes) -> None:
    lines = reference.decode().splitlines()
    assert len(lines) == 13
    statuses = {line.split(",")[3] for line in lines[1:]}
    assert statuses == {"ok"}


def test_two_processes(reference: bytes, data: Path, tmp_path: Path) -> None:
    assert sweep(tmp_path, data, "--workers", "2") == 0
    assert (tmp_path / "results.csv").read_bytes() == reference


def test_dask_cluster(reference: bytes, data: Path, tmp_path: Path, dask_address: str) -> None:
    assert sweep(tmp_path, data, "--executor", f"dask://{dask_address}") == 0
    assert (tmp_path / "results.csv").read_bytes() == reference


def test_local_ray(reference: bytes, data: Path, tmp_path: Path, ray_session: None) -> None:
    assert sweep(tmp_path, data, "--executor", "ray") == 0
    assert (tmp_path / "results.csv").read_bytes() == reference
