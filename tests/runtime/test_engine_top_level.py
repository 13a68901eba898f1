"""An ``Engine`` run written at the top level of a script (no function around it).

The platform DTOs build their validators and serializers lazily (``defer_build``), and
a lazy build looks a fixed number of Python frames up the stack; the compiled
runtime's frames are not Python frames, so such a run once faulted every flow with
"call stack is not deep enough". ``Engine.run`` now builds them first
(``dtos.common.build_deferred``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from stc.runtime.dtos.common import FrozenDTO, build_deferred
from tests.conftest import BLUEPRINTS, REPO

SCRIPT = """
from pathlib import Path
from stc.compiler.api import compile_blueprint
from stc.runtime.api import _with_handler
from stc.runtime.data import load_bars
from stc.runtime.engine import Engine
from stc.runtime.journal import Journal

plan = compile_blueprint(Path({blueprint!r})).plan
journal = Journal(Path({journal!r}))
engine = Engine(_with_handler(plan, "backtest"), load_bars(Path({data!r}))[:3000], journal=journal)
result = engine.run()
journal.close()
print(len(result.trades), len(result.faults))
"""


def test_a_run_at_a_scripts_top_level_faults_no_flow(tmp_path: Path) -> None:
    """ema_trend over 3,000 EURUSD bars from a script's top level: trades, no fault."""
    script = tmp_path / "top_level.py"
    script.write_text(SCRIPT.format(
        blueprint=str(BLUEPRINTS / "ema_trend.yaml"),
        journal=str(tmp_path / "journal.sqlite"),
        data=str(REPO / "data" / "EURUSD_1h.csv"),
    ), encoding="utf-8")  # fmt: skip
    done = subprocess.run(
        [sys.executable, str(script)], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    trades, faults = (int(word) for word in done.stdout.split())
    assert trades > 0
    assert faults == 0


def test_build_deferred_builds_each_deferred_model_once() -> None:
    """After one call every platform DTO is built; a second call builds none."""
    build_deferred(FrozenDTO)
    assert build_deferred(FrozenDTO) == 0
    pending: list[type[FrozenDTO]] = [FrozenDTO]
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        if model.__module__.startswith("stc.runtime."):
            assert model.__pydantic_complete__, model
