"""``trades.csv`` read once, kept bounded: what the report's table shows and what the
equity needs.

A run can close hundreds of thousands of trades (108k for an EMA 2/4 cross over 1M
bars); holding each as a dict cost more memory than the bars did and made a 19 MB
page. One pass keeps, for every trade, only the few numbers marking it to market needs
(:class:`~stc.runtime.report.prices.OpenTrade`), and the rows of at most
``MAX_TRADES`` trades to show: all of them up to that, past it the first, last, best
and worst quarter-``MAX_TRADES`` each — the complete list stays ``trades.csv``.
"""

from __future__ import annotations

import csv
import heapq
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from stc.runtime.artefacts import ArtefactError
from stc.runtime.report.prices import OpenTrade, open_trade, to_float

MAX_TRADES = 5_000
"""Most trades the page's table holds (5k rows are about 0.9 MB of the page)."""
KEPT_COLUMNS = (
    "trade_id", "symbol", "direction", "entry_time", "entry_price", "size", "exit_time",
    "exit_price", "exit_reason", "fees", "pnl",
)  # fmt: skip
"""The columns of a shown row the report uses (the others stay in trades.csv)."""

Row = dict[str, str]


@dataclass
class TradeScan:
    """What one pass over ``trades.csv`` keeps."""

    count: int = 0
    shown: list[Row] = field(default_factory=list)  # file order
    opened: list[OpenTrade] = field(default_factory=list)  # every trade with an entry
    first: Row | None = None


class _Keeper:
    """The first, last, best and worst ``quarter`` rows of a stream, in stream order."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.quarter = max(limit // 4, 1)
        self.rows: list[tuple[int, Row]] = []  # all, while count <= limit
        self.head: list[tuple[int, Row]] = []
        self.tail: deque[tuple[int, Row]] = deque(maxlen=self.quarter)
        self.best: list[tuple[float, int, Row]] = []  # min-heap of the largest P&Ls
        self.worst: list[tuple[float, int, Row]] = []  # min-heap of -P&L
        self.count = 0

    def push(self, row: Row) -> None:
        index, pnl = self.count, to_float(row.get("pnl"))
        self.count += 1
        row = {key: row[key] for key in KEPT_COLUMNS if key in row}
        if index < self.limit:
            self.rows.append((index, row))
        elif index == self.limit:
            self.rows = []  # past the limit: only the quarters below are shown
        if index < self.quarter:
            self.head.append((index, row))
        self.tail.append((index, row))
        for heap, key in ((self.best, pnl), (self.worst, -pnl)):
            if len(heap) < self.quarter:
                heapq.heappush(heap, (key, -index, row))
            elif key > heap[0][0]:
                heapq.heapreplace(heap, (key, -index, row))

    def kept(self) -> list[Row]:
        if self.count <= self.limit:
            return [row for _, row in self.rows]
        picked = dict((*self.head, *self.tail))
        for _, negative, row in (*self.best, *self.worst):
            picked[-negative] = row
        return [picked[i] for i in sorted(picked)]


def scan_trades(run_dir: Path, limit: int = MAX_TRADES) -> TradeScan:
    """One pass over ``run_dir/trades.csv`` (an empty scan when there is none)."""
    path = run_dir / "trades.csv"
    scan = TradeScan()
    if not path.is_file():
        return scan
    keeper = _Keeper(limit)
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        try:
            for row in reader:
                keeper.push(row)
                scan.first = scan.first or row
                opened = open_trade(row)
                if opened is not None:
                    scan.opened.append(opened)
        except (ValueError, csv.Error) as exc:  # binary text, a field past csv's limit
            line = reader.reader.line_num  # DictReader.line_num lags a row behind
            where = f"{path}:{line}" if line else str(path)
            raise ArtefactError(f"{where}: not the CSV stc writes ({short_reason(exc)})") from None
    scan.count, scan.shown = keeper.count, keeper.kept()
    scan.opened.sort(key=lambda t: t.entry)
    return scan


def short_reason(exc: Exception) -> str:
    """One short line from a decoding or parsing error."""
    if isinstance(exc, UnicodeDecodeError):
        return f"not UTF-8 text at byte {exc.start}"
    return " ".join(str(exc).split())[:120]
