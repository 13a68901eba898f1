"""``stc check --engine-plan``: per worker, batched or not and the compiler's reason
(issue 23); deterministic text on stdout, snapshot-tested."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from syrupy.assertion import SnapshotAssertion

from stc.commands.cli import main
from tests.compiler.test_batch_id_draws import DRAWING_EMA
from tests.compiler.test_batchable import _copy_plugin, _small_graph
from tests.conftest import BLUEPRINTS, REPO


def _plan(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["check", "--engine-plan", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("name", ["ict_smc.yaml", "dca_weekly.operation.yaml"])
def test_reference_blueprints(
    name: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    snapshot: SnapshotAssertion,
) -> None:  # fmt: skip
    monkeypatch.chdir(REPO)
    code, out, err = _plan([f"blueprints/{name}"], capsys)
    assert code == 0 and err == "ok: no problems found\n"
    assert out == snapshot


def test_every_reason_a_worker_is_not_batched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    snapshot: SnapshotAssertion,
) -> None:  # fmt: skip
    """Plugins that each miss one rule (test_batchable's small graph), one whose handler
    draws ids, and the run's later phases."""
    path = _small_graph(tmp_path)
    _copy_plugin(tmp_path / "plugins", "context_worker/ema_detector", "DrawingEMA", DRAWING_EMA)
    blueprint = yaml.safe_load(path.read_text("utf-8"))
    blueprint["workforce"]["context_workers"].append({"plugin": "DrawingEMA"})
    path.write_text(yaml.safe_dump(blueprint, sort_keys=False), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, _ = _plan(["small.yaml", "--plugins-dir", "plugins"], capsys)
    assert code == 0
    for reason in ("does not declare `batch: true`", "reads the ledger", "does not define",
                   "which is not batchable", "draws ids (`tag` names `new_id`)",
                   "reads bars only"):  # fmt: skip
        assert reason in out
    assert out == snapshot
    assert main(["check", "--engine-plan", "small.yaml", "--plugins-dir", "plugins"]) == 0
    assert capsys.readouterr().out == out  # deterministic


def test_a_blueprint_with_errors_has_no_plan_and_json_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.yaml"
    text = (BLUEPRINTS / "ema_trend.yaml").read_text("utf-8")
    broken.write_text(text.replace("EMACrossDetector", "NoSuchDetector"), encoding="utf-8")
    code, out, err = _plan([str(broken)], capsys)
    assert code == 1 and "error[" in err
    assert out.endswith("  none: the blueprint has errors (see above)\n")
    code, out, err = _plan(["--format", "json", str(BLUEPRINTS / "ema_trend.yaml")], capsys)
    assert code == 2 and out == "" and "--engine-plan prints text" in err
