"""The incremental re-parse (``stc.compiler.lsp.incremental``) gives what a full parse
gives: the same values and the same marks everywhere, so the same diagnostics; and it
declines every edit it cannot patch exactly."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stc.compiler.lsp.analysis import Analysis
from stc.compiler.lsp.incremental import patch
from stc.compiler.sources import LoadLimits, PMap, PSeq, load_yaml_text
from tests.conftest import REFERENCE_STRATEGIES, REPO

LIMITS = LoadLimits()


def _marks(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every value and the mark of every key and value, as plain tuples."""
    found: list[tuple[Any, ...]] = []
    if isinstance(data, PMap):
        found.append((path, "map", data.mark))
        for key in data:
            found.append(((*path, key), "key", data.mark_of(key, of_key=True)))
            found.append(((*path, key), "value", data.mark_of(key)))
            found += _marks(data[key], (*path, key))
    elif isinstance(data, PSeq):
        found.append((path, "seq", data.mark))
        for index, item in enumerate(data):
            found.append(((*path, index), "item", data.mark_of(index)))
            found += _marks(item, (*path, index))
    else:
        found.append((path, "scalar", repr(data), type(data).__name__))
    return found


def _same_as_full_parse(old_text: str, new_text: str) -> bool:
    """True when the patch applied (and then it must equal the full parse)."""
    old = load_yaml_text(old_text, "bp.yaml", LIMITS)
    patched = patch(old_text, old, new_text, LIMITS)
    if patched is None:
        return False
    full = load_yaml_text(new_text, "bp.yaml", LIMITS)
    assert patched.data == full.data
    assert _marks(patched.data) == _marks(full.data)
    assert patched.source is not None and patched.source.text == new_text
    return True


EMA = (REPO / "blueprints" / "ema_trend.yaml").read_text("utf-8")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("stop_loss_tolerance: 0.2", "stop_loss_tolerance: 0.35"),
        ("risk_reward_ratio: 10", "risk_reward_ratio: ten"),
        ("risk_reward_ratio: 10", "risk_reward_ratio: true"),
        ("plugin: AdaptiveMomentumPlanner ", "plugin: AdaptiveMomentumPlaner "),
        ("plugin: FixedRRExitPlanner", "plugin: X"),
        ("symbol: EURUSD", "symbol: null"),
        ("params: {risk_reward: 10}", "params: {risk_reward: 11}"),  # inside a flow mapping
        ("{periods: [20, 50]}", "{periods: [200, 50]}"),  # a flow list in a flow mapping
        ("{fast: 20, slow: 50,", "{fast: 2, slow: 50,"),  # shorter, more after it
        ("timeframes: [1h]", "timeframes: [4h]"),
    ],
)
def test_value_edits_are_patched_exactly(old: str, new: str) -> None:
    assert old in EMA
    assert _same_as_full_parse(EMA, EMA.replace(old, new, 1))


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("stop_loss_tolerance: 0.2", "stop_loss_tolerans: 0.2"),  # a key
        ("risk_reward_ratio: 10", "risk_reward_ratio: '10'"),  # quoted
        ("risk_reward_ratio: 10", "risk_reward_ratio: [10]"),  # a collection
        ("symbol: EURUSD", "symbol: EURUSD\nextra: 1"),  # a line more
        ("symbol: EURUSD", "symbol: a: b"),  # not plain
    ],
)
def test_other_edits_are_declined(old: str, new: str) -> None:
    assert old in EMA
    assert not _same_as_full_parse(EMA, EMA.replace(old, new, 1))


@settings(max_examples=120, deadline=None)
@given(
    source=st.sampled_from(REFERENCE_STRATEGIES[:4]),
    line=st.integers(0, 80),
    at=st.integers(0, 100),
    cut=st.integers(0, 4),
    token=st.text(alphabet="abcXYZ019._-+: #'[{,}", min_size=0, max_size=8),
)
def test_random_one_line_edits_patch_exactly_or_not_at_all(
    source: str, line: int, at: int, cut: int, token: str
) -> None:
    text = (REPO / source).read_text("utf-8")
    lines = text.split("\n")
    index = line % len(lines)
    column = at % (len(lines[index]) + 1)
    lines[index] = lines[index][:column] + token + lines[index][column + cut :]
    _same_as_full_parse(text, "\n".join(lines))


def test_analysis_diagnostics_after_patched_edits_equal_a_fresh_check() -> None:
    path = str(REPO / "blueprints" / "ema_trend.yaml")
    editing, fresh = Analysis(), Analysis()
    editing.open(path, EMA)
    editing.check(path)
    for old, new in [("plugin: EMADetector ", "plugin: EMADetecter "),
                     ("risk_reward_ratio: 10", "risk_reward_ratio: 0"),
                     ("stop_loss_tolerance: 0.2", "stop_loss_tolerance: 7")]:  # fmt: skip
        text = EMA.replace(old, new, 1)
        editing.change(path, text)
        fresh.open(path, text)
        got, want = editing.check(path).by_file, fresh.check(path).by_file
        assert got == want and any(got.values())
