"""``stc diff`` for review (issue 21): every semantic change classified breaking,
behavioural or cosmetic, with its impact set; exit codes 0/1/3; ``--against REV``.

Pairs are built two ways: blueprint texts edited and compiled (what a user changes),
and compiled wiring maps edited as data (changes a compiling blueprint cannot show,
e.g. a consumer left without its provider, as in a hand-edited or stale map).
"""

from __future__ import annotations

import copy
import json
import subprocess
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from stc.commands.cli import main
from stc.compiler.api import compile_blueprint
from stc.compiler.emit.review import Review, review_maps, to_markdown

REPO = Path(__file__).resolve().parents[3]
ICT = (REPO / "blueprints/ict_smc.yaml").read_text(encoding="utf-8")
EMA_BLOCK = "    - plugin: EMADetector\n      params: {periods: [20, 50, 200]}\n"
REGIME_LINE = (
    "    - {id: regime, plugin: ADXRegimeClassifier, params: {period: 14, trend_threshold: 25}}\n"
)


@cache
def _map_of(text: str) -> str:
    with tempfile.TemporaryDirectory(prefix="stc-review-") as folder:
        path = Path(folder) / "ict_smc.yaml"  # the same file name: no change in `inputs`
        path.write_text(text, encoding="utf-8")
        result = compile_blueprint(path)
    assert result.ok, result.rendered_diagnostics()
    return result.wiring_map


def _ict_map() -> dict[str, Any]:
    return copy.deepcopy(yaml.safe_load(_map_of(ICT)))


def _text_pair(edit: Callable[[str], str]) -> Review:
    changed = edit(ICT)
    assert changed != ICT
    return review_maps(yaml.safe_load(_map_of(ICT)), yaml.safe_load(_map_of(changed)))


def _swap_chain(text: str) -> str:
    return text.replace(EMA_BLOCK + REGIME_LINE, REGIME_LINE + EMA_BLOCK)


def _add_worker(text: str) -> str:
    return text.replace(
        "  opportunity_workers:\n",
        "  opportunity_workers:\n    - {id: fvg_fast, plugin: FVGEntryDetector, "
        "params: {min_gap_atr: 0.1}}\n",
    )


TEXT_PAIRS: dict[str, tuple[Callable[[str], str], int, set[str]]] = {
    "comment only": (lambda t: t.replace("name: ict_smc", "name: ict_smc  # same"), 0, set()),
    "flow style": (lambda t: t.replace("size: [{plugin: FixedRiskSizer}]",
                                       "size:\n      - plugin: FixedRiskSizer"), 0, set()),
    "chain order": (_swap_chain, 1, {"chain-order"}),
    "param and warm-up": (lambda t: t.replace("period: 14, trend", "period: 21, trend"), 1,
                          {"param", "warmup"}),
    "worker added": (_add_worker, 1, {"worker-added"}),
    "trigger ranges": (lambda t: t.replace("[0.6, 1.0]", "[0.5, 1.0]").replace("[0.3, 0.6]",
                                           "[0.3, 0.5]"), 1, {"triggers"}),
    "aggregation weights": (lambda t: t.replace("trend_strength: 0.4", "trend_strength: 0.5")
                            .replace("regime_clarity: 0.3", "regime_clarity: 0.2"), 1, {"setting"}),
    "symbol": (lambda t: t.replace("symbol: EURUSD", "symbol: GBPUSD"), 1, {"setting"}),
    "entry planners reordered": (
        lambda t: t.replace(
            "      - plugin: AggressiveMarketEntryPlanner\n"
            "        triggers: {confidence: [0.6, 1.0]}\n",
            "",
        ).replace(
            "        params: {offset_pct: 0.001}\n",
            "        params: {offset_pct: 0.001}\n      - plugin: AggressiveMarketEntryPlanner\n"
            "        triggers: {confidence: [0.6, 1.0]}\n",
        ), 0, {"order"}),
    "threat param": (lambda t: t.replace("max_drawdown: 0.05", "max_drawdown: 0.08"), 1,
                     {"param"}),
    "default made explicit": (lambda t: t.replace("params: {lookback: 3}",
                                                  "params: {lookback: 3, decay_bars: 20}"), 0,
                              {"param-origin"}),
    "planner param": (lambda t: t.replace("risk_reward_ratio: 2.5", "risk_reward_ratio: 3.0"), 1,
                      {"param"}),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(TEXT_PAIRS))
def test_blueprint_pairs_are_classified(name: str) -> None:
    edit, code, kinds = TEXT_PAIRS[name]
    review = _text_pair(edit)
    assert review.exit_code == code, review.lines()
    assert kinds <= {c.kind for c in review.changes}, review.lines()


def _drop_worker(data: dict[str, Any], worker: str) -> None:
    data["workers"] = [w for w in data["workers"] if w["id"] != worker]
    for wiring in data["event_wirings"]:
        wiring["publishers"] = [p for p in wiring["publishers"] if p != worker]
        wiring["subscribers"] = [s for s in wiring["subscribers"] if s["worker"] != worker]


def _worker(data: dict[str, Any], worker: str) -> dict[str, Any]:
    return next(w for w in data["workers"] if w["id"] == worker)


def _provider_lost(data: dict[str, Any]) -> None:
    _drop_worker(data, "market_structure_detector")


def _producer_changed(data: dict[str, Any]) -> None:
    _worker(data, "market_structure_detector")["provides"] = []
    _worker(data, "ema_detector")["provides"].append("MarketStructure")


def _coverage_lost(data: dict[str, Any]) -> None:
    _drop_worker(data, "fixed_risk_sizer")


def _type_changed(data: dict[str, Any]) -> None:
    _worker(data, "structure_based_exit")["type"] = "entry_planner"


def _provider_after_consumer(data: dict[str, Any]) -> None:
    _worker(data, "regime")["requires"] = ["MarketStructure"]  # regime now builds on structure
    workers = data["workers"]
    workers.insert(2, workers.pop(0))  # ... and the structure detector moved after it


def _version(data: dict[str, Any]) -> None:
    _worker(data, "twap_router")["version"] = "1.1.0"


def _subscriber_added(data: dict[str, Any]) -> None:
    wiring = next(w for w in data["event_wirings"] if w["event"] == "POSITION_UPDATE")
    wiring["subscribers"].append({"worker": "backtest_handler", "method": "on_position"})


def _timeframe(data: dict[str, Any]) -> None:
    _worker(data, "ema_detector")["timeframe"] = "4h"


def _schedules(data: dict[str, Any]) -> None:
    data["schedules"] = {"WEEKLY": "1w"}


def _payload_type(data: dict[str, Any]) -> None:
    wiring = next(w for w in data["event_wirings"] if w["event"] == "OPPORTUNITY_DETECTED")
    wiring["payload"] = "OpportunitySignalV2"


def _consumer_added(data: dict[str, Any]) -> None:
    _worker(data, "fixed_risk_sizer")["requires"] = ["MarketStructure"]


def _nothing(data: dict[str, Any]) -> None:
    return None


MAP_PAIRS: dict[str, tuple[Callable[[dict[str, Any]], None], int, set[str]]] = {
    "identical": (_nothing, 0, set()),
    "payload type changes": (_payload_type, 3, {"payload-type"}),
    "DTO consumer added": (_consumer_added, 1, {"dto-consumers"}),
    "consumer loses its provider": (_provider_lost, 3, {"dto-provider-lost", "worker-removed"}),
    "producer changes": (_producer_changed, 3, {"dto-producer"}),
    "size kind loses coverage": (_coverage_lost, 3, {"coverage"}),
    "type changes": (_type_changed, 3, {"type"}),
    "provider after consumer": (_provider_after_consumer, 3, {"provider-after-consumer"}),
    "version": (_version, 1, {"version"}),
    "subscriber added": (_subscriber_added, 1, {"event-subscribers"}),
    "timeframe": (_timeframe, 1, {"timeframe"}),
    "schedules": (_schedules, 1, {"setting"}),
}


@pytest.mark.parametrize("name", sorted(MAP_PAIRS))
def test_wiring_map_pairs_are_classified(name: str) -> None:
    edit, code, kinds = MAP_PAIRS[name]
    old, new = _ict_map(), _ict_map()
    edit(new)
    review = review_maps(old, new)
    assert review.exit_code == code, review.lines()
    assert kinds <= {c.kind for c in review.changes}, review.lines()
    if code == 3:
        assert all(c.klass == "breaking" for c in review.changes[: review.count("breaking")])


def test_swapping_the_chain_is_a_change_the_old_diff_missed() -> None:
    review = _text_pair(_swap_chain)
    chain = next(c for c in review.changes if c.kind == "chain-order")
    assert chain.old == ["market_structure_detector", "ema_detector", "regime"]
    assert chain.new == ["market_structure_detector", "regime", "ema_detector"]


def test_an_added_worker_shows_plugin_params_and_what_it_publishes() -> None:
    review = _text_pair(_add_worker)
    added = next(c for c in review.changes if c.kind == "worker-added")
    assert "FVGEntryDetector" in added.message and '"min_gap_atr": 0.1' in added.message
    assert "publishes OPPORTUNITY_DETECTED" in added.message
    assert "requires MarketStructure" in added.message
    publishers = next(c for c in review.changes if c.kind == "event-publishers")
    assert publishers.subject == "OPPORTUNITY_DETECTED" and "fvg_fast" in publishers.new
    assert any(i.worker == "adaptive_momentum_planner" for i in publishers.impact)


def test_a_warmup_change_is_reported_in_bars() -> None:
    review = _text_pair(lambda t: t.replace("period: 14, trend", "period: 21, trend"))
    warm = next(c for c in review.changes if c.kind == "warmup")
    assert (warm.old, warm.new) == (28, 42) and "28 → 42 bars" in warm.message


def test_impact_sets_give_the_reason() -> None:
    old, new = _ict_map(), _ict_map()
    _provider_after_consumer(new)
    review = review_maps(old, new)
    broken = next(c for c in review.changes if c.kind == "provider-after-consumer")
    assert broken.impact[0].worker == "regime"
    assert (
        "MarketStructure" in broken.impact[0].reason and "moved after it" in broken.impact[0].reason
    )


def test_markdown_has_a_summary_table_and_a_mermaid_graph_of_the_change() -> None:
    review = _text_pair(_add_worker)
    text = to_markdown(review)
    assert "| class | changes |" in text and "| behavioural |" in text
    assert "```mermaid\nflowchart TB" in text and ":::added" in text and ":::impacted" in text


def test_cli_formats_and_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text(_map_of(ICT), encoding="utf-8")
    data = _ict_map()
    _provider_lost(data)
    b.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert main(["diff", str(a), str(a)]) == 0
    assert "No semantic change" in capsys.readouterr().out
    assert main(["diff", str(a), str(b), "--format", "json"]) == 3
    parsed = json.loads(capsys.readouterr().out)
    assert parsed["exit_code"] == 3 and parsed["summary"]["breaking"] >= 1
    assert main(["diff", str(a), str(b), "--format", "markdown"]) == 3
    assert "```mermaid" in capsys.readouterr().out


def _git(folder: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(folder), "-c", "user.name=t", "-c", "user.email=t@t", *args],
        check=True, capture_output=True,
    )  # fmt: skip


def test_against_a_git_revision(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "repo"
    (repo / "bp").mkdir(parents=True)
    path = repo / "bp" / "ict.yaml"
    path.write_text(ICT, encoding="utf-8")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "first")
    assert main(["diff", str(path), "--against", "HEAD"]) == 0
    capsys.readouterr()
    path.write_text(_swap_chain(ICT), encoding="utf-8")
    assert main(["diff", str(path), "--against", "HEAD"]) == 1
    assert "context chain order" in capsys.readouterr().out
    other = repo / "bp" / "new.yaml"
    other.write_text(ICT, encoding="utf-8")
    assert main(["diff", str(other), "--against", "HEAD"]) == 2
    assert "bp/new.yaml does not exist at revision `HEAD`" in capsys.readouterr().err
    assert main(["diff", str(path), "--against", "nope"]) == 2
    assert "`nope` is not a revision" in capsys.readouterr().err
    assert sorted(p.name for p in (repo / "bp").iterdir()) == ["ict.yaml", "new.yaml"]


def test_a_param_change_says_whether_it_was_defaulted_or_set() -> None:
    review = _text_pair(
        lambda t: t.replace("params: {lookback: 3}", "params: {lookback: 3, decay_bars: 30}")
    )
    change = next(c for c in review.changes if c.kind == "param")
    assert change.message == "market_structure_detector.params.decay_bars: 20 (default) → 30 (set)"
