"""Every reference run's results are byte-identical to the digests recorded before the
plan format moved into the runtime (issue 24): trades.csv, metrics.json and the
journal's rows (tools/reference_runs.py says what is hashed and how to re-record)."""

from __future__ import annotations

import json

from tools.reference_runs import DIGESTS, all_digests


def test_reference_runs_match_their_recorded_digests() -> None:
    recorded = json.loads(DIGESTS.read_text(encoding="utf-8"))
    assert all_digests() == recorded
