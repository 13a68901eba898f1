"""The study file (``OUT/study.sqlite``): what a sweep is and what it has finished.

Every finished variant is committed as it arrives, so a sweep killed at any moment
(SIGKILL included) resumes with ``stc sweep --resume OUT``: the finished variants are
not run again and the final results.csv is the one an uninterrupted sweep writes
(rows are ordered by the variant's index, never by arrival).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from stc.runtime.sweep.task import VariantResult

STUDY_FILE = "study.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS variants (
    idx INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, structure TEXT NOT NULL,
    params TEXT NOT NULL, status TEXT NOT NULL, result TEXT
);
"""


class StudyError(ValueError):
    """A study file that cannot be resumed (missing, or from another sweep)."""


class Study:
    """One sweep's SQLite file: its spec, its variants and their results."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = sqlite3.connect(path)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    @classmethod
    def open_existing(cls, path: Path) -> Study:
        """The study of a sweep to resume; StudyError when there is none."""
        if not path.is_file():
            raise StudyError(f"{path}: no study file; is this the --out of a sweep?")
        return cls(path)

    def meta(self) -> dict[str, str]:
        """The sweep's recorded settings (the command's arguments, the fingerprint)."""
        return dict(self._db.execute("SELECT name, value FROM meta").fetchall())

    def set_meta(self, values: Mapping[str, str]) -> None:
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", values.items())

    def add_variants(self, rows: Iterable[tuple[int, str, str, str, str]]) -> None:
        """(index, key, structure, params JSON, status) of variants not yet recorded."""
        with self._db:
            self._db.executemany(
                "INSERT OR IGNORE INTO variants (idx, key, structure, params, status) "
                "VALUES (?, ?, ?, ?, ?)",
                rows,
            )

    def done(self) -> set[str]:
        """Keys of the variants that finished (ok, faulted or error)."""
        rows = self._db.execute("SELECT key FROM variants WHERE result IS NOT NULL")
        return {key for (key,) in rows}

    def record(self, result: VariantResult, *, full: bool = False) -> None:
        """Commit one finished variant (one transaction: a kill never half-writes it);
        ``full`` keeps its equity curve and trades (walk-forward's out-of-sample runs)."""
        self.record_many([result], full=full)

    def record_many(self, results: Sequence[VariantResult], *, full: bool = False) -> None:
        """Commit finished variants in one transaction (~1 ms, whatever their number:
        a driver receiving thousands of results a second batches them)."""
        rows = []
        for result in results:
            row = asdict(result)
            if not full:
                row.pop("trades_csv", None)
                row.pop("equity", None)
            rows.append((result.status, json.dumps(row, sort_keys=True), result.key))
        with self._db:
            self._db.executemany("UPDATE variants SET status = ?, result = ? WHERE key = ?", rows)

    def rows(self) -> list[dict[str, Any]]:
        """Every variant in index order: key, structure, params, status, result."""
        found = self._db.execute(
            "SELECT idx, key, structure, params, status, result FROM variants ORDER BY idx"
        )
        return [
            {
                "index": idx,
                "key": key,
                "structure": structure,
                "params": json.loads(params),
                "status": status,
                "result": json.loads(result) if result else None,
            }
            for idx, key, structure, params, status, result in found
        ]

    def close(self) -> None:
        self._db.close()
