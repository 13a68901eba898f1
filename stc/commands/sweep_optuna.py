"""``method: optuna`` — a seeded TPE search over the sweep's (pre-compiled) grid.

Every point of the grid is compiled and checked before the search starts, as for a
grid sweep; Optuna only chooses which ones to run. Trials are asked in rounds of a
fixed ``batch`` (never the worker count), dispatched together, and told back in the
order they were asked, so the sampler (``TPESampler(seed=seed)``) proposes the same
points whichever executor runs them, and a resumed search replays the finished
trials from the study without running them again. Optuna is an optional extra
(``pip install 's1mpletrader[optuna]'``), imported only for this method.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Mapping
from typing import Any

from stc.commands.sweep import Prepared, _dispatch
from stc.compiler.sweep_space import Space, Variant

STRUCTURE = "structure"


def search(
    study: Any,
    prepared: Prepared,
    space: Space,
    tasks: Mapping[str, Any],
    start: Callable[[], Any],
    args: argparse.Namespace,
) -> None:
    """Run ``space.samples`` trials (20 by default), recording each variant once."""
    from stc.runtime.api import ExecutorError, VariantResult

    try:
        import optuna
    except ImportError as exc:
        raise ExecutorError(
            f"method: optuna needs the `optuna` extra ({exc.name} is not installed): "
            "pip install 's1mpletrader[optuna]'"
        ) from None
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    metric, direction = prepared.settings["metric"], prepared.settings["direction"]
    sampler = optuna.samplers.TPESampler(seed=space.seed)
    trials = optuna.create_study(direction=direction, sampler=sampler)
    points = {_point(v): v for v in prepared.variants}
    total = space.samples or 20
    executor = None
    try:
        asked = 0
        while asked < total:
            batch = [trials.ask() for _ in range(min(space.batch, total - asked))]
            chosen = [points[_suggest(trial, space)] for trial in batch]
            done = study.done()
            for variant in chosen:
                why = prepared.compiled.invalid.get(variant.key)
                if why is not None and variant.key not in done:
                    study.record(VariantResult(variant.key, "invalid", error=why))
            todo = {v.key: tasks[v.key] for v in chosen if v.key in tasks and v.key not in done}
            if todo:
                executor = executor or start()
                _dispatch(study, list(todo.values()), executor, args, close=False)
            results = {row["key"]: row for row in study.rows()}
            for trial, variant in zip(batch, chosen, strict=True):
                value = _value(results[variant.key], metric)
                if value is None:
                    trials.tell(trial, state=optuna.trial.TrialState.FAIL)
                else:
                    trials.tell(trial, value)
            asked += len(batch)
    finally:
        if executor is not None:
            executor.close()


def _point(variant: Variant) -> tuple[str, ...]:
    return (variant.structure.name, *(json.dumps(value) for _, value in variant.params))


def _suggest(trial: Any, space: Space) -> tuple[str, ...]:
    """The trial's grid point: a structure and one value per dimension (categorical:
    the grid's values, as JSON text so that lists and strings are choices too)."""
    names = [s.name for s in space.structures]
    structure = trial.suggest_categorical(STRUCTURE, names) if len(names) > 1 else names[0]
    values = [
        trial.suggest_categorical(dim.name, [json.dumps(v) for v in dim.values])
        for dim in space.dimensions
    ]
    return (structure, *values)


def _value(row: Mapping[str, Any], metric: str) -> float | None:
    result = row.get("result") or {}
    value = (result.get("metrics") or {}).get(metric)
    if result.get("status") not in ("ok", "faulted") or not isinstance(value, int | float):
        return None
    return float(value)
