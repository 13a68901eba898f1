"""Shared building blocks of the reference plugins: incremental indicators, swing
detection and score helpers.

Everything here is O(1) (or O(lookback) for swings) per bar, because workers run on
every tick and must never recompute over a whole window.
"""

from __future__ import annotations

import stc.runtime as runtime  # noqa: F401  (first: its guard decides whether indicators load compiled)
from stc.plugins._lib.scores import clamp01 as clamp01
from stc.plugins._lib.scores import to_score as to_score
