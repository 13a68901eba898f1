"""results.csv: one row per variant in index order, the same bytes whoever ran them.

Columns: ``variant`` (index), ``key``, ``structure``, ``status``, one column per swept
parameter (``worker.param``), one per metric of metrics.json (sorted), ``trades_sha256``
and ``error``. Values are JSON scalars (``repr`` of floats: exact, never locale- or
width-formatted); an empty cell is "not applicable".
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

RESULTS_FILE = "results.csv"
FIXED = ("variant", "key", "structure", "status")


def result_table(rows: Sequence[dict[str, Any]]) -> tuple[list[str], list[list[str]]]:
    """The header and the cells of results.csv from the study's rows."""
    params = sorted({name for row in rows for name in row["params"]})
    metrics = sorted({m for row in rows for m in ((row["result"] or {}).get("metrics") or {})})
    header = [*FIXED, *params, *metrics, "trades_sha256", "error"]
    body = []
    for row in rows:
        result = row["result"] or {}
        values = result.get("metrics") or {}
        body.append(
            [
                str(row["index"]),
                row["key"],
                row["structure"],
                row["status"],
                *(_cell(row["params"].get(p)) for p in params),
                *(_cell(values.get(m)) for m in metrics),
                result.get("trades_sha256", ""),
                result.get("error", "") or row.get("why", ""),
            ]
        )
    return header, body


def write_results(path: Path, rows: Sequence[dict[str, Any]]) -> Path:
    """Write results.csv (atomically: a kill never leaves half a file)."""
    header, body = result_table(rows)
    partial = path.with_suffix(".csv.partial")
    with partial.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(body)
    partial.replace(path)
    return path


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, separators=(",", ":"))
