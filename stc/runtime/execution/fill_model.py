"""The backtest fill model: pure functions of one bar (SPEC §6, docs/runtime.md).

Every function looks only at the bar being processed, never at later bars. Prices are
floats (market data); the ledger converts fills to Decimal.

Rules:
- market orders fill at the bar's open moved *against* the trader by ``slippage``;
- a LIMIT fills when the bar's range touches the limit: at the limit, or at the open
  when the bar gapped through it favourably (never better than the open);
- a STOP triggers when the range touches the stop (at the open when gapped through);
- a STOP_LIMIT triggers like a stop, then fills at the trigger price if that is within
  the limit, else rests as a plain limit from the next bar on;
- stop-loss / take-profit: if the open already crosses a level, that level fills at
  the open (it is the bar's first price); otherwise, when both are touched in the bar,
  the STOP wins (we cannot know the intrabar path, so we assume the worse one). Stop
  fills are market orders on trigger and take slippage; take-profits are limits and
  do not;
- slippage never moves a fill outside the bar's traded range: a slipped price is
  clamped to ``[low, high]`` (a buy at the high is the worst price the bar offered;
  fees are computed on that real fill price).

The order in which these apply within one bar is the venue's
(:meth:`stc.runtime.execution.venue.Venue.process_bar`, docs/runtime.md "Intrabar order
of events").
"""

from __future__ import annotations

from typing import Literal

from stc.runtime.dtos.market import Bar


def slipped(price: float, side: str, slippage: float) -> float:
    """``price`` moved adversely: a buyer pays more, a seller receives less."""
    return price * (1.0 + slippage) if side == "BUY" else price * (1.0 - slippage)


def in_bar(price: float, bar: Bar) -> float:
    """``price`` clamped to ``bar``'s traded range ``[low, high]``."""
    return bar.low if price < bar.low else bar.high if price > bar.high else price


def slipped_in_bar(price: float, bar: Bar, side: str, slippage: float) -> float:
    """``price`` moved adversely by ``slippage``, but never beyond the bar's range."""
    if slippage == 0.0:
        return price
    return in_bar(slipped(price, side, slippage), bar)


def market_fill(bar: Bar, side: str, slippage: float) -> float:
    """Fill price of a market order that becomes executable at ``bar``'s open."""
    return slipped_in_bar(bar.open, bar, side, slippage)


def limit_fill(bar: Bar, side: str, limit: float) -> float | None:
    """Fill price of a resting limit order in ``bar``, or None when not touched."""
    if side == "BUY":
        if bar.open <= limit:
            return bar.open
        return limit if bar.low <= limit else None
    if bar.open >= limit:
        return bar.open
    return limit if bar.high >= limit else None


def stop_trigger(bar: Bar, side: str, stop: float) -> float | None:
    """Price at which a stop order (BUY above / SELL below the market) triggers."""
    if side == "BUY":
        if bar.open >= stop:
            return bar.open
        return stop if bar.high >= stop else None
    if bar.open <= stop:
        return bar.open
    return stop if bar.low <= stop else None


def stop_limit_fill(bar: Bar, side: str, stop: float, limit: float) -> tuple[bool, float | None]:
    """(triggered, fill price) of a not-yet-triggered STOP_LIMIT order in ``bar``."""
    trigger = stop_trigger(bar, side, stop)
    if trigger is None:
        return False, None
    within = trigger <= limit if side == "BUY" else trigger >= limit
    return True, (trigger if within else None)


def exit_check(
    bar: Bar, direction: str, stop: float | None, target: float | None
) -> tuple[float, Literal["STOP_LOSS", "TAKE_PROFIT"]] | None:
    """Protective exit of a position in ``bar``: (raw price, reason) or None.

    ``direction`` is the position's (BUY = long). The price is before slippage.
    """
    long = direction == "BUY"
    if stop is not None and (bar.open <= stop if long else bar.open >= stop):
        return bar.open, "STOP_LOSS"
    if target is not None and (bar.open >= target if long else bar.open <= target):
        return bar.open, "TAKE_PROFIT"
    if stop is not None and (bar.low <= stop if long else bar.high >= stop):
        return stop, "STOP_LOSS"
    if target is not None and (bar.high >= target if long else bar.low <= target):
        return target, "TAKE_PROFIT"
    return None


def fee(price: float, size: float, fee_pct: float) -> float:
    """Commission of one fill: ``fee_pct`` of its notional."""
    return abs(price * size) * fee_pct
