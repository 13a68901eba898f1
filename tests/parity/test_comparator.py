"""The parity comparison bites: one perturbed value in one of the two runs is reported
as exactly that difference, naming the artefact, the row (and its id), the field and
both values. (Until the fast engine differs from the incremental one, this is what
proves that the suite can fail.)"""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.parity.cases import compiled, real_data, reference_files, run_modes
from tools.engine_parity import RunOutputs, assert_same_results, differences, read_outputs

EMA_TREND = next(p for p in reference_files() if p.name == "ema_trend.yaml")


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ema_trend on 1500 real EURUSD bars, once per mode (folders ``fast``, ``incremental``)."""
    out = tmp_path_factory.mktemp("parity_runs")
    run_modes(compiled(EMA_TREND), real_data("EURUSD_1h.csv", out, 1500), out)
    return out


def _perturbed(runs: Path, tmp_path: Path, edit: Callable[[Path], None]) -> list[str]:
    """The differences after ``edit`` changed the incremental run's copy."""
    for mode in ("fast", "incremental"):
        shutil.copytree(runs / mode, tmp_path / mode)
    edit(tmp_path / "incremental")
    return differences(read_outputs(tmp_path / "fast", "fast"),
                       read_outputs(tmp_path / "incremental", "incremental"))  # fmt: skip


def _sql(folder: Path, statement: str, *args: object) -> list[tuple[object, ...]]:
    with contextlib.closing(sqlite3.connect(folder / "journal.sqlite")) as db, db:
        return list(db.execute(statement, args))


def test_equal_runs_have_no_difference(runs: Path) -> None:
    fast, incremental = (read_outputs(runs / m, m) for m in ("fast", "incremental"))
    assert differences(fast, incremental) == []
    assert_same_results(fast, incremental)
    assert fast.journal["dtos"][1] and fast.trades.count(b"\n") > 2, "a run with trades"


def test_an_exit_price_off_in_its_last_digit(runs: Path, tmp_path: Path) -> None:
    lines = (runs / "incremental" / "trades.csv").read_text().splitlines()
    header, row = lines[0].split(","), lines[2].split(",")
    column = header.index("exit_price")
    price = row[column]
    changed = price[:-1] + str((int(price[-1]) + 1) % 10)

    def edit(folder: Path) -> None:
        row[column] = changed
        lines[2] = ",".join(row)
        (folder / "trades.csv").write_text("\n".join(lines) + "\n")

    assert _perturbed(runs, tmp_path, edit) == [
        f"trades.csv: row 3 (trade_id {row[0]}), field exit_price: "
        f"fast {price!r} != incremental {changed!r}"
    ]


def test_one_field_inside_one_journal_dto(runs: Path, tmp_path: Path) -> None:
    seq, dto_id, text = _sql(runs / "incremental",
                             "SELECT seq, dto_id, json FROM dtos WHERE type = 'OpportunitySignal' "
                             "ORDER BY seq LIMIT 1")[0]  # fmt: skip
    fields = json.loads(str(text))
    before = fields["confidence"]  # a decimal as text
    fields["confidence"] = changed = f"{before}1"

    def edit(folder: Path) -> None:
        _sql(folder, "UPDATE dtos SET json = ? WHERE seq = ?", json.dumps(fields), seq)

    assert _perturbed(runs, tmp_path, edit) == [
        f"journal table dtos: row {seq} (dto_id {dto_id}), field json at $.confidence: "
        f"fast {before!r} != incremental {changed!r}"
    ]


def test_one_id_in_a_causality_link(runs: Path, tmp_path: Path) -> None:
    seq, child = _sql(runs / "incremental", "SELECT seq, child FROM links ORDER BY seq LIMIT 1")[0]
    other = str(child)[:-1] + ("9" if str(child)[-1] != "9" else "8")

    def edit(folder: Path) -> None:  # the first link: the first item of the first row's links
        row = _sql(folder, "SELECT seq FROM dtos WHERE links IS NOT NULL ORDER BY seq LIMIT 1")
        _sql(
            folder,
            "UPDATE dtos SET links = json_set(links, '$[0]', "
            "json_array(json_extract(links, '$[0]'), ?)) WHERE seq = ?",
            other,
            row[0][0],
        )

    assert _perturbed(runs, tmp_path, edit) == [
        f"journal table links: row {seq} (seq {seq}), field child: "
        f"fast {child!r} != incremental {other!r}"
    ]


def test_a_metric(runs: Path, tmp_path: Path) -> None:
    metrics = json.loads((runs / "incremental" / "metrics.json").read_text())
    before = metrics["total_return"]

    def edit(folder: Path) -> None:
        metrics["total_return"] = before + 1e-12
        (folder / "metrics.json").write_text(json.dumps(metrics, indent=2, sort_keys=True) + "\n")

    assert _perturbed(runs, tmp_path, edit) == [
        f"metrics.json: $.total_return: fast {before!r} != incremental {before + 1e-12!r}"
    ]


def test_a_missing_flow(runs: Path, tmp_path: Path) -> None:
    flows = _sql(runs / "incremental", "SELECT * FROM flows ORDER BY flow_id")
    last = flows[-1]

    def edit(folder: Path) -> None:
        _sql(folder, "DELETE FROM flows WHERE flow_id = ?", last[0])

    found = _perturbed(runs, tmp_path, edit)
    assert found == [
        f"journal table flows: fast has {len(flows)} rows, incremental {len(flows) - 1}; "
        f"the first row only fast has (row {len(flows)}): "
        + repr(dict(zip(("flow_id", "tick_time", "kind", "outcome", "reason"), last, strict=True)))
    ]


def test_the_mode_is_the_one_meta_row_allowed_to_differ(runs: Path, tmp_path: Path) -> None:
    recorded = dict(_sql(runs / "incremental", "SELECT key, value FROM meta"))
    assert recorded["engine"] == "incremental"
    assert dict(_sql(runs / "fast", "SELECT key, value FROM meta"))["engine"] == "fast"

    def edit(folder: Path) -> None:
        _sql(folder, "UPDATE meta SET value = 'skip' WHERE key = 'on_bad_bar'")

    row = sorted(key for key in recorded if key != "engine").index("on_bad_bar") + 1
    assert _perturbed(runs, tmp_path, edit) == [
        f"journal table meta: row {row} (key on_bad_bar), field value: "
        "fast 'error' != incremental 'skip'"
    ]


def test_the_assertion_lists_every_artefact_that_differs(runs: Path) -> None:
    fast = read_outputs(runs / "fast", "fast")
    broken = RunOutputs("incremental", fast.trades + b"x\n", fast.metrics.replace(b"{", b"[", 1),
                        fast.journal)  # fmt: skip
    with pytest.raises(AssertionError) as raised:
        assert_same_results(fast, broken)
    text = str(raised.value)
    assert text.startswith("the fast and incremental runs differ:\n- trades.csv: ")
    assert "\n- metrics.json: the bytes differ at offset 0 (line 1): fast b'{" in text


def test_a_fast_engine_that_differs_fails_the_suite(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """End to end: the mode reaches ``Engine``, and an engine that decides differently
    in one mode (here: one unit more starting capital, so other sizes) fails
    ``assert_modes_equal`` with the artefacts it changed."""
    import stc.runtime.api as api
    from tests.parity.cases import assert_modes_equal

    real_engine, modes = api.Engine, []

    def engine(plan: Any, bars: Any, **options: Any) -> Any:
        modes.append(options["engine"])
        if options["engine"] == "fast":
            plan = plan.model_copy(update={"starting_capital": plan.starting_capital + 1})
        return real_engine(plan, bars, **options)

    monkeypatch.setattr(api, "Engine", engine)
    with pytest.raises(AssertionError) as raised:
        assert_modes_equal(compiled(EMA_TREND), real_data("EURUSD_1h.csv", tmp_path, 1500),
                           tmp_path / "runs")  # fmt: skip
    assert modes == ["fast", "incremental"]
    text = str(raised.value)
    assert "\n- trades.csv: row 2 (trade_id " in text and ", field size: fast '" in text
    assert "\n- metrics.json: $." in text and "\n- journal table dtos: row " in text
