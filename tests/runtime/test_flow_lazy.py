"""The cheaper forms of a trade's flows (session 13, flowlazy) compute exactly what the
forms they replaced computed: the ledger's price Decimal, the ids' time stamp, the
contract number check, the ledger snapshot."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from stc.runtime.contracts import number_problem
from stc.runtime.dtos.ids import IdFactory, _stamp
from stc.runtime.dtos.plans import SizePlan
from stc.runtime.ledger import Ledger, dec, money, ten_places
from stc.runtime.platform.context_aggregator import to_score
from stc.runtime.precision import price_decimal


def _near_powers_of_ten() -> list[float]:
    """The floats around every power of ten from 1e-300 to 1: where a log10 errs."""
    out: list[float] = []
    for k in range(-300, 1):
        power = float(f"1e{k}")
        below = above = power
        for _ in range(3):
            below = math.nextafter(below, 0.0)
            above = math.nextafter(above, 2.0)
            out += [below, above]
        out.append(power)
    return out


def test_dec_is_price_decimal_around_every_power_of_ten() -> None:
    for value in _near_powers_of_ten():
        for signed in (value, -value):
            assert str(dec(signed)) == str(price_decimal(signed)), signed


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_dec_is_price_decimal_on_any_float(value: float) -> None:
    assert str(dec(value)) == str(price_decimal(value))


@given(st.floats(min_value=1e-12, max_value=1.0, exclude_max=True))
def test_dec_of_small_prices_keeps_eleven_digits(value: float) -> None:
    assert dec(value) == price_decimal(value)


def _ten_places_reference(value: float) -> Decimal:
    """What ``money`` (and ``dec`` at ≥ 1) computed before session 14."""
    return Decimal(repr(round(value, 10)))


def _same(value: float) -> None:
    got, want = ten_places(value), _ten_places_reference(value)
    assert (got.as_tuple(), str(got)) == (want.as_tuple(), str(want)), value


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_ten_places_is_repr_of_round_on_any_float(value: float) -> None:
    _same(value)


@given(st.integers(-(10**15), 10**15), st.integers(0, 12))
def test_ten_places_on_short_decimals_and_halfway_points(digits: int, places: int) -> None:
    _same(digits / 10**places)
    _same((digits + 0.5) / 10**10)


def test_ten_places_on_every_magnitude_and_at_the_edges() -> None:
    """A seeded sweep (sizes 1e-16 .. 1e6, both signs) and the values where the fast
    path ends or a rounding carries into a new digit."""
    rnd = random.Random(14)
    for _ in range(20_000):
        value = rnd.choice((1.0, -1.0)) * 10 ** rnd.uniform(-16.0, 6.0)
        _same(value)
        _same(float(f"{value:.11f}"))
    edges = (0.0, -0.0, 1e5, -1e5, math.nextafter(1e5, 0.0), math.nextafter(-1e5, 0.0),
             99999.99999999999, 99999.99999999995, 5e-11, -5e-11, 1.5e-10, 2.5e-10, 1e-300,
             5e-324, math.inf, -math.inf, math.nan, 1.0, 100.0, 0.1 + 0.2)  # fmt: skip
    for value in edges:
        _same(value)
    assert money(12.5) == ten_places(12.5) and str(dec(1.25)) == "1.25"


@given(
    st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 30)),
    st.sampled_from([None, UTC, timezone(timedelta(hours=5, minutes=30)),
                     timezone(-timedelta(hours=3))]),
)  # fmt: skip
def test_stamp_is_strftime_of_utc(moment: datetime, zone: timezone | None) -> None:
    when = moment.replace(tzinfo=zone)
    utc = when.astimezone(UTC) if zone is not None else when
    assert _stamp(when) == f"{utc:%Y%m%d_%H%M%S}"


def test_ids_share_the_tick_stamp_and_count_up() -> None:
    ids = IdFactory(0xFFFE)
    tick = datetime(2024, 3, 5, 7, 8, 9, 123456, tzinfo=UTC)
    later = datetime(2024, 3, 5, 7, 8, 10, tzinfo=UTC)
    assert ids.new("OPP", tick) == "OPP_20240305_070809_0fffe"
    assert ids.new("STR", tick) == "STR_20240305_070809_0ffff"
    assert ids.new("EXE", later) == "EXE_20240305_070810_10000"


def _size_plan(**changes: object) -> SizePlan:
    plan = SizePlan(plan_id="SIZ_20240101_000000_00001", position_size=Decimal("1.5"),
                    position_value=Decimal("150"), risk_amount=Decimal("10"))  # fmt: skip
    for name, value in changes.items():
        object.__setattr__(plan, name, value)
    return plan


def _problem(**changes: object) -> str:
    return number_problem(_size_plan(**changes)) or ""


def test_number_problem_still_finds_every_kind_of_bad_number() -> None:
    assert number_problem(_size_plan()) is None
    assert "position_size=0 must be > 0" in _problem(position_size=Decimal(0))
    assert "not a finite number" in _problem(position_size=Decimal("NaN"))
    assert "not a finite number" in _problem(risk_amount=float("inf"))
    assert "not a Decimal" in _problem(position_size=1.5)
    assert "is a str, not a number" in _problem(position_size="1.5")
    assert "too large to book" in _problem(position_size=Decimal("1E+400"))
    assert "too large to book" in _problem(position_size=10**400)
    assert "leverage=0.5 must be >= 1" in _problem(leverage=Decimal("0.5"))
    missing = _size_plan()
    del missing.__dict__["position_value"]  # a model_construct without the field
    assert number_problem(missing) is None


def test_snapshot_sums_as_before() -> None:
    """The one-pass snapshot equals the sums the generator form made."""
    ledger = Ledger(10_000.0, "EURUSD")
    when = datetime(2024, 1, 1, tzinfo=UTC)
    flat = ledger.snapshot()
    assert flat.equity == ledger.cash and str(flat.unrealised_pnl) == "0"
    ledger.entry_fill("TRD_20240101_000000_00001", "BUY", 0.91234567891, Decimal("3"), 0.01, when)
    ledger.entry_fill("TRD_20240101_000000_00002", "SELL", 0.9, Decimal("2"), 0.01, when)
    ledger.last_price, ledger.last_time = 0.95, when
    snap = ledger.snapshot()
    close = price_decimal(0.95)
    held = sum((t.sign * close * t.size for t in ledger.open.values()), Decimal(0))
    assert snap.equity == ledger.cash + held
    assert str(snap.equity) == str(ledger.cash + held)
    assert snap.unrealised_pnl == sum((p.unrealised_pnl for p in snap.open_positions), Decimal(0))
    assert [p.trade_id for p in snap.open_positions] == list(ledger.open)


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_to_score_keeps_the_f_string_digits(value: float) -> None:
    clamped = 0.0 if value < 0.0 else 1.0 if value > 1.0 else value
    assert str(to_score(value)) == str(Decimal(f"{clamped:.10f}"))
