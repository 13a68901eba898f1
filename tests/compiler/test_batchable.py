"""The compiler's batchability analysis (issue 23, item 1): which workers may run in
batch form, on the reference blueprints and on small graphs that break one rule each."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from stc.compiler.api import CompileError, compile_blueprint
from stc.compiler.batchable import batch_plan
from stc.compiler.unit import Subscription
from tests.conftest import BLUEPRINTS, REPO

PLUGINS = REPO / "stc" / "plugins"

EXPECTED_BATCHABLE = {
    "ema_trend.yaml": {"ema_detector", "ema_cross_detector"},
    "ict_smc.yaml": {"market_structure_detector", "ema_detector", "regime", "fvg_entry_detector"},
    "managed_trend.yaml": {
        "ema_detector",
        "regime",
        "ema_cross_detector",
        "liquidity_crisis_detector",
    },
    "direct_planning.yaml": {"atr_volatility", "volume_spike_refiner", "divergence_scanner"},
    "dca_weekly.operation.yaml": set(),
}


@pytest.mark.parametrize("name", sorted(EXPECTED_BATCHABLE))
def test_reference_blueprints(name: str) -> None:
    result = compile_blueprint(BLUEPRINTS / name)
    verdicts = result.batchable
    assert {w for w, v in verdicts.items() if v.batchable} == EXPECTED_BATCHABLE[name]
    assert list(verdicts) == [w.id for w in result.outcome.unit.resolved()]  # type: ignore[union-attr]
    for verdict in verdicts.values():
        assert verdict.reason
        if not verdict.batchable:
            assert verdict.inputs == ()


def test_a_consumer_names_the_batchable_provider_it_reads() -> None:
    verdicts = compile_blueprint(BLUEPRINTS / "ict_smc.yaml").batchable
    fvg = verdicts["fvg_entry_detector"]
    assert fvg.inputs == ("market_structure_detector",)
    assert "`market_structure_detector`" in fvg.reason
    assert verdicts["ema_detector"].reason == "reads bars only"
    assert "threat_worker" in verdicts["max_drawdown_monitor"].reason


def _copy_plugin(root: Path, source: str, name: str, code: str, **manifest_changes: object) -> None:
    """A plugin ``name`` whose manifest is ``source``'s with ``manifest_changes``."""
    folder = root / name.lower()
    folder.mkdir(parents=True)
    manifest = yaml.safe_load((PLUGINS / source / "plugin_manifest.yaml").read_text("utf-8"))
    manifest["identification"]["name"] = name
    manifest["entrypoint"] = f"worker:{name}"
    for key, value in manifest_changes.items():
        if value is None:
            manifest.pop(key, None)
        else:
            manifest[key] = value
    (folder / "plugin_manifest.yaml").write_text(yaml.safe_dump(manifest), encoding="utf-8")
    (folder / "worker.py").write_text(code, encoding="utf-8")


def _small_graph(tmp_path: Path) -> Path:
    """Plugins that each miss one rule, and a blueprint using them."""
    root = tmp_path / "plugins"
    _copy_plugin(root, "context_worker/market_structure_detector", "PlainStructure",
                 "from stc.plugins.context_worker.market_structure_detector.worker import "
                 "MarketStructureDetector\n\n\nclass PlainStructure(MarketStructureDetector):\n"
                 "    pass\n", batch=None)  # fmt: skip
    _copy_plugin(root, "context_worker/atr_volatility", "LedgerATR",
                 "from stc.plugins.context_worker.atr_volatility.worker import ATRVolatility\n\n\n"
                 "class LedgerATR(ATRVolatility):\n    pass\n",
                 capabilities={"state": False, "events": False, "journaling": False,
                               "ledger": "read"})  # fmt: skip
    _copy_plugin(root, "context_worker/ema_detector", "HandlerOnlyEMA",
                 "from stc.runtime.workers import ContextWorker\n\n\n"
                 "class HandlerOnlyEMA(ContextWorker):\n"
                 "    def on_tick(self, context):  # type: ignore[no-untyped-def]\n"
                 "        return None\n")  # fmt: skip
    blueprint = yaml.safe_load((BLUEPRINTS / "ema_trend.yaml").read_text("utf-8"))
    blueprint["workforce"]["context_workers"] = [
        {"plugin": "PlainStructure"}, {"plugin": "LedgerATR"}, {"plugin": "HandlerOnlyEMA"},
        {"plugin": "ADXRegimeClassifier"},
    ]  # fmt: skip
    blueprint["workforce"]["opportunity_workers"] = [
        {"plugin": "FVGEntryDetector"}, {"plugin": "VolumeSpikeRefiner"},
    ]  # fmt: skip
    blueprint["aggregation"] = {"method": "weighted_average"}
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(blueprint, sort_keys=False), encoding="utf-8")
    return path


def test_each_rule_on_a_small_graph(tmp_path: Path) -> None:
    result = compile_blueprint(_small_graph(tmp_path), plugin_dirs=[tmp_path / "plugins"])
    assert result.ok, result.rendered_diagnostics()
    verdicts = result.batchable
    reasons = {worker: v.reason for worker, v in verdicts.items() if not v.batchable}
    assert reasons["plain_structure"] == "its manifest does not declare `batch: true`"
    assert reasons["ledger_atr"] == "it reads the ledger (`capabilities.ledger: read`)"
    assert reasons["handler_only_ema"] == (
        "its class `HandlerOnlyEMA` does not define `batch` and `result_at`"
    )
    assert reasons["fvg_entry_detector"] == (
        "requires `MarketStructure` from `plain_structure`, which is not batchable"
    )
    assert verdicts["adx_regime_classifier"].batchable
    assert verdicts["volume_spike_refiner"].batchable


def test_an_extra_subscription_feeds_the_run_back(tmp_path: Path) -> None:
    """Rule 4 on the unit: a wiring of a later phase's event into a context worker."""
    result = compile_blueprint(BLUEPRINTS / "ema_trend.yaml")
    unit = result.outcome.unit
    assert unit is not None and result.batchable["ema_detector"].batchable
    unit.subscriptions.append(
        Subscription("THREAT_DETECTED", "ema_detector", "on_threat", origin="blueprint")
    )
    verdicts = batch_plan(unit)
    assert not verdicts["ema_detector"].batchable
    assert "`THREAT_DETECTED`" in verdicts["ema_detector"].reason
    assert verdicts["ema_cross_detector"].batchable  # reads bars, not ema_detector's DTO


def test_a_failed_compile_has_no_batch_plan(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("blueprint_version: 1\nname: x\n", encoding="utf-8")
    with pytest.raises(CompileError):
        _ = compile_blueprint(broken).batchable


@pytest.mark.parametrize("name", sorted(EXPECTED_BATCHABLE))
def test_the_wiring_map_records_the_batch_plan(name: str) -> None:
    """``WorkerSpec.batch`` is present exactly for the batchable workers, with the
    inputs of their verdict; the map's text round-trips through the runtime's loader."""

    result = compile_blueprint(BLUEPRINTS / name)
    verdicts = result.batchable
    for spec in result.plan.workers:
        verdict = verdicts[spec.id]
        if verdict.batchable:
            assert spec.batch is not None and spec.batch.inputs == verdict.inputs
        else:
            assert spec.batch is None


def test_a_map_without_batch_plans_still_loads(tmp_path: Path) -> None:
    """Maps written before the field existed load, every worker running tick by tick."""
    from stc.runtime.plan import load_plan

    data = yaml.safe_load(compile_blueprint(BLUEPRINTS / "ema_trend.yaml").wiring_map)
    removed = [worker.pop("batch") for worker in data["workers"]]
    assert any(removed)
    path = tmp_path / "wiring_map.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    plan = load_plan(path)
    assert all(spec.batch is None for spec in plan.workers)


def test_the_cached_class_verdict_gives_the_same_plan() -> None:
    """When the compile cache skipped importing the classes (``CACHED_CLEAN``), the
    class side of the verdict comes from the ids the cache remembered: same plan."""
    from stc.compiler.unit import CodeChecks

    result = compile_blueprint(BLUEPRINTS / "ict_smc.yaml")
    unit = result.outcome.unit
    assert unit is not None
    expected = batch_plan(unit)
    offers = frozenset(w.id for w in unit.resolved() if w.cls is not None
                       and callable(getattr(w.cls, "batch", None)))  # fmt: skip
    for worker in unit.resolved():
        worker.cls = None
    unit.code_checks, unit.batch_offers = CodeChecks.CACHED_CLEAN, offers
    assert batch_plan(unit) == expected
    unit.batch_offers = offers - {"ema_detector"}
    assert "does not define" in batch_plan(unit)["ema_detector"].reason


def test_a_threat_worker_is_batchable_only_on_ticks() -> None:
    """Rule 1 for threat workers: on ``TICK_RECEIVED`` (managed_trend's
    LiquidityCrisisDetector) it sees the bars only; triggered by an event of the run it
    is not (the same worker moved to ``LEDGER_UPDATE``; MaxDrawdownMonitor there)."""
    result = compile_blueprint(BLUEPRINTS / "managed_trend.yaml")
    unit = result.outcome.unit
    assert unit is not None
    assert result.batchable["liquidity_crisis_detector"].reason == "reads bars only"
    assert "`LEDGER_UPDATE`" in result.batchable["max_drawdown_monitor"].reason
    worker = next(w for w in unit.resolved() if w.id == "liquidity_crisis_detector")
    worker.trigger = "LEDGER_UPDATE"
    verdict = batch_plan(unit)["liquidity_crisis_detector"]
    assert not verdict.batchable
    assert verdict.reason == (
        "a threat_worker triggered by `LEDGER_UPDATE` runs on events of the run, not on "
        "bars alone (batch forms are for tick-threat workers)"
    )
