"""Numbers people read (trades.csv, ``stc explain``) are plain and rounded; the journal
keeps the exact values. And the run command's own words: the environment it ran, and
``--speed`` as the time factor it is."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from rt_helpers import EURUSD

from stc.commands.cli import main
from stc.compiler import compile_blueprint
from stc.runtime.api import explain, run, write_trades
from stc.runtime.display import plain, shown
from stc.runtime.dtos.ledger import Trade
from stc.runtime.journal import Journal

REPO = Path(__file__).resolve().parents[2]
EMA_TREND = REPO / "blueprints" / "ema_trend.yaml"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("0E-10", "0"),
        ("-0.00000000001", "0"),
        ("0.75000000000", "0.75"),
        ("1.090420099999999326481665479", "1.0904201"),
        ("-46.93218963746515500000000679", "-46.9321896375"),
        ("458.79977977", "458.79977977"),
        ("1E+2", "100"),
        ("123456789012345678901234567890.5", "123456789012345678901234567890.5"),
        ("0.00000000005", "0"),  # half to even
        ("0.00000000015", "0.0000000002"),
        ("NaN", "NaN"),
    ],
)
def test_plain_rounds_to_ten_places_without_exponent_or_trailing_zeros(
    value: str, text: str
) -> None:
    assert plain(Decimal(value)) == text


def test_shown_touches_numbers_only() -> None:
    assert shown("0.90") == "0.9"
    assert shown(Decimal("2.50")) == "2.5"
    for other in ("BUY", "TRD_20170423_210000_00008", "ema_cross", "1.5x", None, 1.08977):
        assert shown(other) == str(other)


def test_trades_csv_shows_plain_decimals(tmp_path: Path) -> None:
    when = datetime(2020, 1, 1, tzinfo=UTC)
    trade = Trade(
        trade_id="TRD_20200101_000000_00001", symbol="EURUSD", direction="BUY",
        execution_directive_id=None, entry_time=when,
        entry_price=Decimal("1.090420099999999326481665479"),
        size=Decimal("100.000"), exit_time=when, exit_price=Decimal("1.1"),
        exit_reason="SIGNAL", fees=Decimal("0E-10"),
        pnl=Decimal("-46.93218963746515500000000679"),
    )  # fmt: skip
    write_trades(tmp_path / "trades.csv", [trade])
    row = next(csv.DictReader((tmp_path / "trades.csv").open(encoding="utf-8")))
    assert (row["entry_price"], row["size"], row["fees"], row["pnl"]) == (
        "1.0904201", "100", "0", "-46.9321896375",
    )  # fmt: skip


def test_explain_ends_its_last_line_and_keeps_the_journal_exact(tmp_path: Path) -> None:
    plan = yaml.safe_load(compile_blueprint(EMA_TREND).wiring_map)
    result = run(plan, data=EURUSD, out_dir=tmp_path)
    text = explain(tmp_path, result.trades[0].trade_id)
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert not any(line.endswith(":") or line.endswith(": ") for line in text.splitlines())
    assert "E-" not in text  # no exponent form (a zero weakness was `0E-10`)
    assert "ExecutionDirective by planning_aggregator\n" in text
    trade = result.trades[0]
    recorded = Journal(tmp_path / "journal.sqlite", create=False).dto(trade.trade_id)
    assert recorded is not None
    assert recorded[3]["pnl"] == str(trade.pnl)  # the journal: exact, as the ledger has it
    assert f"pnl {plain(trade.pnl)}," in text


def test_a_paper_run_says_so_and_speed_is_a_time_factor(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "bars.csv"
    data.write_text("".join(EURUSD.read_text(encoding="utf-8").splitlines(True)[:400]))
    out = tmp_path / "paper"
    args = ["run", str(EMA_TREND), "--data", str(data), "--env", "paper", "--quiet"]
    assert main([*args, "--speed", "1e9", "--out", str(out)]) == 0
    assert capsys.readouterr().out.startswith("ema_trend: paper run finished\n")
    for bad in ("0", "-5", "nan", "inf", "fast"):
        with pytest.raises(SystemExit) as stop:
            main([*args, "--speed", bad, "--out", str(out)])
        assert stop.value.code == 2
        assert f"--speed: must be a number above 0, not '{bad}'" in capsys.readouterr().err


def test_explain_names_the_schedule_behind_a_scheduled_directive(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    operation = REPO / "blueprints" / "dca_weekly.operation.yaml"
    assert main(["run", str(operation), "--out", str(tmp_path), "--quiet"]) == 0
    capsys.readouterr()
    trade_id = next(csv.DictReader((tmp_path / "trades.csv").open(encoding="utf-8")))["trade_id"]
    text = explain(tmp_path, trade_id)
    lines = text.splitlines()
    assert lines[2] == "  schedule        WEEKLY_DCA_TICK (every 1w)"
    assert lines[3].startswith("  directive       STR_") and "by dca_planner" in lines[3]
    assert "opportunity" not in text


def _plain_in_a_local_context(value: Decimal) -> str:
    """``plain`` as it was written before session 14: a ``localcontext`` per call, its
    precision raised to hold the quantized value (the oracle of the one shared context)."""
    from decimal import ROUND_HALF_EVEN, localcontext

    if not value.is_finite():
        return str(value)
    with localcontext() as context:
        context.prec = max(context.prec, value.adjusted() + 12)
        rounded = value.quantize(Decimal("1E-10"), rounding=ROUND_HALF_EVEN)
    text = format(rounded, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


@settings(max_examples=2000, deadline=None)
@given(
    st.decimals(allow_nan=True, allow_infinity=True)
    | st.builds(
        lambda digits, exponent: Decimal(digits).scaleb(exponent),
        st.integers(-(10**60), 10**60),
        st.integers(-80, 80),
    )
)
def test_plain_in_its_shared_context_prints_what_a_local_context_did(value: Decimal) -> None:
    assert plain(value) == _plain_in_a_local_context(value)


def _cell_as_it_was(value: object, name: str) -> str:
    """A trades.csv cell as written before session 14 (the general rule, per cell)."""
    from stc.runtime.api import PRICE_COLUMNS
    from stc.runtime.display import plain_price

    if value is None:
        return ""
    if isinstance(value, Decimal):
        return plain_price(value) if name in PRICE_COLUMNS else plain(value)
    iso = getattr(value, "isoformat", None)
    return str(iso()) if iso is not None else str(value)


def test_trades_csv_cells_by_column_match_the_general_rule() -> None:
    """Each column's formatter (chosen once, exact types first) writes what the general
    rule wrote, for every field type a Trade holds, set or empty."""
    from stc.runtime.api import TRADE_COLUMNS, TradeRows

    when = datetime(2020, 1, 1, 5, 30, tzinfo=UTC)
    full = Trade(
        trade_id="TRD_20200101_000000_00001", symbol="EURUSD", direction="SELL",
        execution_directive_id="EXE_1", entry_time=when,
        entry_price=Decimal("0.000001234567891234"), size=Decimal("1E+3"),
        stop_loss_price=Decimal("1.2"), take_profit_price=Decimal("0.9"),
        exit_time=when, exit_price=Decimal("1.10000"), exit_reason="STOP_LOSS",
        fees=Decimal("0.00000000015"), pnl=Decimal("-0.00000000001"),
    )  # fmt: skip
    bare = Trade(
        trade_id="TRD_20200101_000000_00002", symbol="X", direction="BUY",
        execution_directive_id=None, entry_time=when, entry_price=Decimal("3"), size=Decimal("1"),
    )  # fmt: skip
    buffer = io.StringIO()
    rows = TradeRows(buffer)
    for trade in (full, bare):
        rows.write(trade)
    written = buffer.getvalue().splitlines()[1:]
    expected = [
        ",".join(_cell_as_it_was(getattr(t, name), name) for name in TRADE_COLUMNS)
        for t in (full, bare)
    ]
    assert written == expected
    assert ",SELL,2020-01-01T05:30:00+00:00,0.0000012345678912,1000," in written[0]
