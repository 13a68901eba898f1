"""Workers that read bar volume are refused before the run when the data has none
(``--volume optional`` on a file without a volume column): statically in ``stc check``
(STC075, tests/compiler/test_diagnostic_codes.py) and by ``stc run`` before any bar."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rt_helpers import EURUSD, REPO

from stc.commands.cli import main
from stc.compiler import compile_blueprint
from stc.runtime.api import run
from stc.runtime.data_fit import DataFitError


def _no_volume(tmp_path: Path, rows: int = 800) -> Path:
    lines = EURUSD.read_text().splitlines()[: rows + 1]
    path = tmp_path / "closes.csv"
    path.write_text("\n".join(",".join(line.split(",")[:5]) for line in lines) + "\n")
    return path


def _readers(blueprint: str) -> list[str]:
    wiring = yaml.safe_load(compile_blueprint(REPO / blueprint).wiring_map)
    return [w["id"] for w in wiring["workers"] if w["reads_volume"]]


def test_reference_plugins_that_read_volume_say_so() -> None:
    assert _readers("blueprints/ema_trend.yaml") == []
    assert _readers("blueprints/direct_planning.yaml") == ["volume_spike_refiner"]
    assert _readers("blueprints/managed_trend.yaml") == ["liquidity_crisis_detector"]


@pytest.mark.parametrize(("reference", "reads"), [("volume", True), ("lagged_return", False)])
def test_a_param_decides_whether_a_worker_reads_volume(
    tmp_path: Path, reference: str, reads: bool
) -> None:
    text = (REPO / "blueprints" / "ema_trend.yaml").read_text()
    blueprint = yaml.safe_load(text)
    blueprint["workforce"].setdefault("threat_workers", []).append(
        {"id": "breach", "plugin": "CorrelationBreachDetector", "params": {"reference": reference}}
    )
    path = tmp_path / "bp.yaml"
    path.write_text(yaml.safe_dump(blueprint))
    result = compile_blueprint(path)
    assert not [d for d in result.diagnostics if d.severity == "error"], result.diagnostics
    workers = {w["id"]: w for w in yaml.safe_load(result.wiring_map)["workers"]}
    assert workers["breach"]["reads_volume"] is reads


def test_stc_run_refuses_a_volume_reader_before_the_first_bar(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, out = _no_volume(tmp_path), tmp_path / "out"
    blueprint = str(REPO / "blueprints" / "managed_trend.yaml")
    args = ["run", blueprint, "--quiet", "--data", str(data), "--out", str(out)]
    assert main([*args, "--volume", "optional"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ")
    assert "`liquidity_crisis_detector (LiquidityCrisisDetector)` reads bar volume" in err
    assert not out.exists()  # refused before the run folder is written
    # a blueprint that reads no volume runs on the same file
    ema = str(REPO / "blueprints" / "ema_trend.yaml")
    assert main(["run", ema, "--quiet", "--data", str(data), "--out", str(out),
                 "--volume", "optional"]) == 0  # fmt: skip


def test_the_python_api_refuses_it_too(tmp_path: Path) -> None:
    wiring = yaml.safe_load(
        compile_blueprint(REPO / "blueprints" / "direct_planning.yaml").wiring_map
    )
    from stc.runtime.data_formats import make_format

    with pytest.raises(DataFitError, match="volume_spike_refiner"):
        run(wiring, data=_no_volume(tmp_path), out_dir=tmp_path / "o",
            data_format=make_format(volume="optional"))  # fmt: skip
    assert not (tmp_path / "o").exists()
