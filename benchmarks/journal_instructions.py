"""Instructions of a trade's journal writes, as written now (format 3: chains by
reference), chains and decision notes whole (format 2) and links as rows (format 0),
counted by valgrind on the same recorded flows.

``flow_instructions.py`` counts a whole run, whose per-tick part moves by tens of
millions of instructions between runs on the shared VM; the journal's writes alone
repeat to a few instructions. One ``ema_trend`` run on ``--bars`` seeded bars
(``journal_cost.record``) records its flows (``FlowRecord``, pickled); then
``valgrind --tool=callgrind`` counts six processes: each loads the flows (formats 2
and 0 also make the chains and notes whole, format 0 turns each flow's links into
rows, as the recorder made them before sessions 14 and 13 — not counted: its load-only
process does the same), and three of them write them into
a fresh journal (``Journal.write`` … ``close``). Printed: (write − load) / trades for
each format.

Usage: ``python benchmarks/journal_instructions.py [--bars 20000]`` (needs valgrind).
"""

from __future__ import annotations

import argparse
import pickle
import re
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = """
import pickle, sys, tempfile
from pathlib import Path
sys.path.insert(0, {bench!r})
from journal_cost import _FORMAT_0, whole
from stc.runtime.journal import FlowRecord, Journal
flows = pickle.loads(Path({flows!r}).read_bytes())
if {whole!r}:
    flows = whole(flows)
if {format_0!r}:
    made = {{id(f): f.links() for f in flows}}
    FlowRecord.links = lambda self: made[id(self)]
if {write!r}:
    with tempfile.TemporaryDirectory() as tmp:
        journal = Journal(Path(tmp) / "j.sqlite")
        if {format_0!r}:
            journal._db.executescript(_FORMAT_0)
        for flow in flows:
            journal.write(flow)
        journal.close()
"""


def instructions(flows: Path, format_0: bool, write: bool, whole: bool = False) -> int:
    """Instructions of one child process under callgrind."""
    bench = str(Path(__file__).resolve().parent)
    code = CHILD.format(
        bench=bench, flows=str(flows), format_0=format_0, write=write, whole=whole or format_0
    )
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/cg.out",
             sys.executable, "-c", code],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    found = re.search(r"Collected : (\d+)", done.stderr)
    assert found is not None, done.stderr[-2000:]
    return int(found.group(1))


def main() -> None:
    """Record, count and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bars", type=int, default=20_000)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from journal_cost import record

    trades, flows, _, _ = record(args.bars)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "flows.pickle"
        path.write_bytes(pickle.dumps(flows))
        subprocess.run([sys.executable, "-c", "import stc.runtime.journal"], check=True)
        print(f"ema_trend, {args.bars:,} seeded bars, {len(flows):,} flows, {trades} trades\n")
        print("| journal writes (close included) | instructions a trade |\n|---|---:|")
        for label, format_0, whole in (
            ("as written now (format 3)", False, False),
            ("chains and decision notes whole (format 2)", False, True),
            ("links as rows (format 0)", True, True),
        ):
            cost = instructions(path, format_0, True, whole) - instructions(
                path, format_0, False, whole
            )
            print(f"| {label} | {cost / trades:,.0f} |")


if __name__ == "__main__":
    main()
