"""Digests of every reference run's outputs, to prove a refactoring changed no result.

For each reference blueprint in ``blueprints/`` (the operation file too), compile and
run it on the first ``SAMPLE_BARS`` bars of the bundled EURUSD data, then hash
``trades.csv``, ``metrics.json`` and the journal's rows (every table, in rowid order,
as JSON). ``tests/fixtures/reference_runs.json`` holds the digests recorded before the
plan format moved into the runtime (issue 24); the test
``tests/integration/test_reference_runs.py`` recomputes and compares them.

    python -m tools.reference_runs            # print the digests as JSON
    python -m tools.reference_runs --write    # rewrite the committed digests

Rewrite only when a change of results is intended, and say so in the commit.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import sqlite3
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BLUEPRINTS = REPO / "blueprints"
DIGESTS = REPO / "tests" / "fixtures" / "reference_runs.json"
SAMPLE_BARS = 1500


STANDALONE_ONLY_VIA_OPERATION = {"dca_weekly.yaml"}
"""Blueprints whose scheduled event needs the operation that links them (STC051 alone)."""


def reference_files() -> list[Path]:
    """The reference strategies: every top-level YAML of ``blueprints/`` that runs."""
    found = sorted(BLUEPRINTS.glob("*.yaml"))
    return [p for p in found if p.name not in STANDALONE_ONLY_VIA_OPERATION]


VOLATILE_META = ("data", "data_as_given", "plan_sha256", "engine")
"""Journal ``meta`` keys left out: the data file's temporary path, the hash of the
wiring map's text (the map's own snapshots compare it; removing ``schedule`` changed it),
and the engine mode (issue 23: both modes must give these digests)."""


LOGICAL_TABLES = {
    "dtos": "seq",
    "faults": "seq",
    "flows": "flow_id",
    "links": "seq",
    "meta": "rowid",
    "notes": "seq",
}
"""The journal's logical tables and their row order (``links`` is a view of the links
folded onto the ``dtos`` rows in format 2, a table before; ``flow_links`` is read
through it)."""


def journal_digest(path: Path) -> str:
    """sha256 over every row of every logical table of the journal, tables by name,
    rows in insertion order (``meta`` without ``VOLATILE_META``; ``dtos`` and ``notes``
    decoded and ``links`` read through its view, as ``Journal.rows`` gives them: the
    digests are of the logical rows, whatever the compact encoding)."""
    from stc.runtime.journal_codec import decoded_dto_rows, decoded_note_rows

    digest = hashlib.sha256()
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        query = "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name"
        tables = [r[0] for r in db.execute(query) if r[0] in LOGICAL_TABLES]
        for table in tables:
            digest.update(table.encode())
            if table == "dtos":
                rows: Iterable[Any] = decoded_dto_rows(db)
            elif table == "notes":
                rows = decoded_note_rows(db)
            else:
                rows = db.execute(f'SELECT * FROM "{table}" ORDER BY {LOGICAL_TABLES[table]}')
            for row in rows:
                if table == "meta" and row[0] in VOLATILE_META:
                    continue
                digest.update(json.dumps(row, default=repr).encode())
    return digest.hexdigest()


def run_digests(blueprint: Path, data: Path, out: Path) -> dict[str, str]:
    """Run ``blueprint`` on ``data`` into ``out``; the digests of its results."""
    from stc.commands.cli import main

    with contextlib.redirect_stdout(io.StringIO()):
        code = main(["run", str(blueprint), "--data", str(data), "--out", str(out), "--quiet"])
    if code != 0:
        raise SystemExit(f"stc run {blueprint.name} exited {code}")
    folders = sorted({p.parent for p in out.rglob("metrics.json")})
    found: dict[str, str] = {}
    for folder in folders:
        prefix = "" if folder == out else folder.relative_to(out).as_posix() + "/"
        for name in ("trades.csv", "metrics.json"):
            found[prefix + name] = hashlib.sha256((folder / name).read_bytes()).hexdigest()
        found[prefix + "journal rows"] = journal_digest(folder / "journal.sqlite")
    return found


def sample_data(folder: Path) -> Path:
    """The first ``SAMPLE_BARS`` bars of the bundled EURUSD file."""
    lines = (REPO / "data" / "EURUSD_1h.csv").read_text(encoding="utf-8").splitlines()
    path = folder / "EURUSD_1h.csv"
    path.write_text("\n".join(lines[: SAMPLE_BARS + 1]) + "\n", encoding="utf-8")
    return path


def all_digests() -> dict[str, dict[str, str]]:
    """blueprint file name → result name → sha256."""
    with tempfile.TemporaryDirectory() as tmp:
        data = sample_data(Path(tmp))
        return {bp.name: run_digests(bp, data, Path(tmp) / bp.stem) for bp in reference_files()}


def main(argv: list[str]) -> int:
    text = json.dumps(all_digests(), indent=2, sort_keys=True) + "\n"
    if "--write" in argv:
        DIGESTS.write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
