"""Which rows a round-trip trade writes into the journal, by table and kind.

One ``ema_trend`` run on ``--bars`` seeded bars (``runtime_throughput.synthetic_bars``)
into a journal; then, per round-trip trade: the rows of each stored table by kind
(``dtos`` by DTO type, ``notes`` by note, ``flows`` by outcome) and the logical
``links`` rows by (parent kind → child kind), with where they are stored. The count
behind session 13's folding of the links onto their rows (issue 23, item 3).

Usage: ``python benchmarks/journal_rows.py [--bars 20000]``. Prints markdown.
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
from pathlib import Path

from runtime_throughput import ema_plan, synthetic_bars

from stc.runtime.engine import Engine
from stc.runtime.journal import Journal

KINDS = {
    "dtos": "SELECT type, count(*) FROM dtos GROUP BY type",
    "notes": "SELECT note, count(*) FROM notes GROUP BY note",
    "flows": "SELECT outcome, count(*) FROM flows GROUP BY outcome",
    "faults": "SELECT worker, count(*) FROM faults GROUP BY worker",
}
"""A stored table's rows by kind."""


def _kind(dto_id: str) -> str:
    """The id's prefix (``CTX``, ``OPP``…; a fill ``TRD…/F``)."""
    return "FILL" if "/F" in dto_id else dto_id.split("_", 1)[0]


def count(bars: int) -> tuple[int, dict[str, list[tuple[str, int]]], list[tuple[str, int]]]:
    """(trades, rows by table and kind, links by parent → child kind) of one run."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "j.sqlite"
        journal = Journal(path)
        result = Engine(ema_plan(), list(synthetic_bars(bars)), journal=journal).run()
        journal.close()
        with sqlite3.connect(path) as db:
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            rows = {t: sorted(db.execute(sql)) for t, sql in KINDS.items()}
            if "flow_links" in tables:
                rows["flow_links"] = list(db.execute("SELECT 'links', count(*) FROM flow_links"))
            pairs: dict[str, int] = {}
            for parent, child in db.execute("SELECT parent, child FROM links"):
                key = f"{_kind(parent)} → {_kind(child)}"
                pairs[key] = pairs.get(key, 0) + 1
            where = "a table" if "links" in tables else "on the dtos rows (view)"
            rows["links"] = [(where, sum(pairs.values()))]
    return len(result.trades), rows, sorted(pairs.items())


def main() -> None:
    """Run, count and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bars", type=int, default=20_000)
    args = parser.parse_args()
    trades, rows, pairs = count(args.bars)
    print(f"ema_trend, {args.bars:,} seeded bars, {trades:,} round-trip trades\n")
    print("| table | kind | rows a trade |\n|---|---|---:|")
    stored = 0.0
    for table, kinds in rows.items():
        for kind, n in kinds:
            print(f"| {table} | {kind} | {n / trades:.2f} |")
            if not (table == "links" and kind.startswith("on the")):
                stored += n / trades
    print(f"| **rows written** | | **{stored:.2f}** |")
    print("\n| link (parent → child) | a trade |\n|---|---:|")
    for key, n in pairs:
        print(f"| {key} | {n / trades:.2f} |")


if __name__ == "__main__":
    main()
