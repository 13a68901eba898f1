"""The executor seam: one interface, three backends that do the scheduling.

``local`` is a ``spawn`` process pool over the machine's cores (spawn: no fork of a
parent holding threads or open files; the same code path on Linux, macOS and
Windows); ``dask://HOST:PORT`` is a ``dask.distributed`` client of a scheduler the
user already runs; ``ray`` / ``ray://HOST:PORT`` is a local Ray or a Ray cluster.
stc hands every backend the same pure task (``stc.runtime.sweep.task.run_variant``); the
backends schedule, retry lost workers and move the data. Dask and Ray are optional
extras, imported only when chosen.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from itertools import islice
from typing import Any, Protocol

from stc.runtime.sweep.task import VariantResult, VariantTask, pin_threads, run_variant

RETRIES = 2
"""How often a backend re-runs a task whose worker died (not a task that failed:
``run_variant`` turns every exception into an ``error`` row)."""


def in_flight(workers: int) -> int:
    """Tasks handed to a backend at once: enough to keep every worker busy (4 each),
    few enough that 100,000 variants never sit in the scheduler's memory at once."""
    return max(8, 4 * max(1, workers))


def lost(key: str, exc: BaseException) -> VariantResult:
    """The row of a variant whose worker kept dying (the backend gave up retrying)."""
    return VariantResult(key, "error", error=f"worker lost: {type(exc).__name__}: {exc}")


class ExecutorError(RuntimeError):
    """An executor that cannot be used: a missing extra, an unreachable scheduler."""


class Executor(Protocol):
    """Runs tasks somewhere and yields their results as they finish (any order)."""

    description: str

    def map_unordered(self, tasks: Sequence[VariantTask]) -> Iterator[VariantResult]: ...

    def close(self) -> None: ...


def make_executor(spec: str, workers: int | None = None) -> Executor:
    """The executor named by ``--executor`` (``local``, ``dask://H:P``, ``ray``, ``ray://H:P``)."""
    if spec == "local":
        return LocalExecutor(workers or os.cpu_count() or 1)
    if spec.startswith("dask://"):
        return DaskExecutor(spec.removeprefix("dask://"))
    if spec == "ray" or spec.startswith("ray://"):
        return RayExecutor(None if spec == "ray" else spec, workers)
    raise ExecutorError(
        f"unknown executor {spec!r}: use local, dask://HOST:PORT, ray or ray://HOST:PORT"
    )


class LocalExecutor:
    """A ``spawn`` process pool; each process pins BLAS/OpenMP to one thread."""

    def __init__(self, workers: int) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self.workers = max(1, workers)
        self.description = f"local ({self.workers} process{'es' if self.workers > 1 else ''})"
        context = multiprocessing.get_context("spawn")
        self._pool = ProcessPoolExecutor(self.workers, context, initializer=pin_threads)

    def map_unordered(self, tasks: Sequence[VariantTask]) -> Iterator[VariantResult]:
        from concurrent.futures import FIRST_COMPLETED, Future, wait

        queue = iter(tasks)
        pending: set[Future[VariantResult]] = set()
        try:
            while True:
                for task in islice(queue, in_flight(self.workers) - len(pending)):
                    pending.add(self._pool.submit(run_variant, task))
                if not pending:
                    return
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield self._result(future)
        finally:
            for future in pending:
                future.cancel()

    @staticmethod
    def _result(future: Any) -> VariantResult:
        from concurrent.futures.process import BrokenProcessPool

        try:
            result: VariantResult = future.result()
        except BrokenProcessPool:
            raise ExecutorError(
                "a worker process died (killed, or out of memory); the finished variants "
                "are kept: continue with `stc sweep --resume OUT`"
            ) from None
        return result

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def _missing_extra(extra: str, exc: ImportError) -> ExecutorError:
    return ExecutorError(
        f"--executor {extra} needs the `{extra}` extra ({exc.name} is not installed): "
        f"pip install 's1mpletrader[{extra}]'"
    )


class DaskExecutor:
    """A ``dask.distributed`` client of a running scheduler."""

    def __init__(self, address: str) -> None:
        try:
            from distributed import Client
        except ImportError as exc:
            raise _missing_extra("dask", exc) from None
        target = address if "://" in address else f"tcp://{address}"
        try:
            self._client: Any = Client(target, timeout="10s")  # type: ignore[no-untyped-call]
        except OSError as exc:
            raise ExecutorError(f"cannot reach the Dask scheduler at {target}: {exc}") from None
        self.description = f"dask ({target})"

    def map_unordered(self, tasks: Sequence[VariantTask]) -> Iterator[VariantResult]:
        from distributed import as_completed

        queue = iter(tasks)
        window = in_flight(sum(self._client.nthreads().values()))
        first = [self._submit(task) for task in islice(queue, window)]
        running: Any = as_completed(first)  # type: ignore[no-untyped-call]
        try:
            for future in running:
                try:
                    result: VariantResult = future.result()
                except Exception as exc:  # the worker died RETRIES + 1 times: record it
                    result = lost(str(future.key).removeprefix("stc-"), exc)
                yield result
                for task in islice(queue, 1):  # one out, one in: a bounded window
                    running.add(self._submit(task))
        finally:
            running.clear()

    def _submit(self, task: VariantTask) -> Any:
        return self._client.submit(
            run_variant, task, key=f"stc-{task.key}", pure=False, retries=RETRIES
        )

    def close(self) -> None:
        self._client.close()


class RayExecutor:
    """A local Ray (``ray``) or a Ray cluster (``ray://HOST:PORT``, Ray Client)."""

    def __init__(self, address: str | None, workers: int | None) -> None:
        try:
            import ray
        except ImportError as exc:
            raise _missing_extra("ray", exc) from None
        self._ray: Any = ray
        self._owned = not ray.is_initialized()
        if self._owned:
            options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
            if address is None and workers:
                options["num_cpus"] = workers
            try:
                ray.init(address=address, **options)
            except ConnectionError as exc:
                raise ExecutorError(f"cannot reach Ray at {address}: {exc}") from None
        self.description = f"ray ({address or 'local'})"
        self._remote = ray.remote(max_retries=RETRIES)(run_variant)

    def map_unordered(self, tasks: Sequence[VariantTask]) -> Iterator[VariantResult]:
        ray = self._ray
        queue = iter(tasks)
        window = in_flight(int(ray.cluster_resources().get("CPU", 1)))
        keys: dict[Any, str] = {}

        def submit(task: VariantTask) -> Any:
            ref = self._remote.remote(task)
            keys[ref] = task.key
            return ref

        pending = [submit(task) for task in islice(queue, window)]
        try:
            while pending:  # ray.wait is linear in the list: keep the list short
                ready, pending = ray.wait(pending, num_returns=1)
                for ref in ready:
                    try:
                        result: VariantResult = ray.get(ref)
                    except Exception as exc:  # the worker died RETRIES + 1 times
                        result = lost(keys[ref], exc)
                    keys.pop(ref, None)
                    yield result
                pending += [submit(task) for task in islice(queue, len(ready))]
        finally:
            for ref in pending:
                ray.cancel(ref)

    def close(self) -> None:
        if self._owned:
            self._ray.shutdown()
