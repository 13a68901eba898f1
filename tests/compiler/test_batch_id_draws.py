"""A batchable context worker's handler draws no ids (issue 23): the compiler reads the
class's code (``stc.compiler.id_draws``) and does not batch one that does."""

from __future__ import annotations

from pathlib import Path

import yaml

from stc.compiler.api import compile_blueprint
from stc.compiler.id_draws import id_draw_site
from stc.plugins.context_worker.ema_detector.worker import EMADetector
from stc.plugins.opportunity_worker.ema_cross_detector.worker import EMACrossDetector
from tests.compiler.test_batchable import _copy_plugin
from tests.conftest import BLUEPRINTS

DRAWING_EMA = """
from stc.plugins.context_worker.ema_detector.worker import EMADetector


def tag(worker):
    return worker.new_id("CTX")


class DrawingEMA(EMADetector):
    def on_tick(self, context):  # type: ignore[no-untyped-def]
        self._label()
        return super().on_tick(context)

    def _label(self):  # type: ignore[no-untyped-def]
        return tag(self)
"""


def test_the_reference_context_workers_draw_no_ids() -> None:
    assert id_draw_site(EMADetector, "on_tick") is None
    assert id_draw_site(EMACrossDetector, "on_context_assessment") == "EMACrossDetector._signal"


def test_a_context_worker_whose_handler_draws_ids_is_not_batched(tmp_path: Path) -> None:
    """Through a method and a module function: the walk follows both; the verdict
    names the function, and the wiring map has no batch plan for the worker."""
    _copy_plugin(tmp_path / "plugins", "context_worker/ema_detector", "DrawingEMA", DRAWING_EMA)
    blueprint = yaml.safe_load((BLUEPRINTS / "ema_trend.yaml").read_text("utf-8"))
    blueprint["workforce"]["context_workers"] = [
        {"plugin": "DrawingEMA", "params": {"periods": [20, 50]}}
    ]
    path = tmp_path / "drawing.yaml"
    path.write_text(yaml.safe_dump(blueprint, sort_keys=False), encoding="utf-8")
    result = compile_blueprint(path, plugin_dirs=[tmp_path / "plugins"])
    assert result.ok, result.rendered_diagnostics()
    verdict = result.batchable["drawing_ema"]
    assert not verdict.batchable
    assert verdict.reason == (
        "its handler draws ids (`tag` names `new_id`): the fast engine skips bars, and "
        "every later id would shift"
    )
    workers = yaml.safe_load(result.wiring_map)["workers"]
    assert next(w for w in workers if w["id"] == "drawing_ema")["batch"] is None
    assert result.batchable["ema_cross_detector"].batchable  # it draws on its signals only


def test_the_cached_class_verdict_remembers_the_draw(tmp_path: Path) -> None:
    """When the compile cache skipped importing the classes, the draw comes from it."""
    from stc.compiler.batchable import batch_plan
    from stc.compiler.unit import CodeChecks

    _copy_plugin(tmp_path / "plugins", "context_worker/ema_detector", "DrawingEMA", DRAWING_EMA)
    blueprint = yaml.safe_load((BLUEPRINTS / "ema_trend.yaml").read_text("utf-8"))
    blueprint["workforce"]["context_workers"] = [{"plugin": "DrawingEMA"}]
    path = tmp_path / "drawing.yaml"
    path.write_text(yaml.safe_dump(blueprint, sort_keys=False), encoding="utf-8")
    unit = compile_blueprint(path, plugin_dirs=[tmp_path / "plugins"]).outcome.unit
    assert unit is not None
    expected = batch_plan(unit)
    offers = frozenset(w.id for w in unit.resolved() if hasattr(w.cls, "batch"))
    for worker in unit.resolved():
        worker.cls = None
    unit.code_checks, unit.batch_offers = CodeChecks.CACHED_CLEAN, offers
    unit.batch_id_draws = {"drawing_ema": "tag"}
    assert batch_plan(unit) == expected
