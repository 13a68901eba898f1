"""What the journal's JSON of each DTO class costs (issue 23 item 3), on the DTOs a
run journals: the figure to beat for any other encoder.

A child process runs ``ema_trend`` with its journal on ``--bars`` seeded bars in the
pure build (there the recorder's ``to_json`` and ``FlowRecorder.dto`` are attributes a
spy can replace) and pickles every DTO the recorder journals. This process then times, per class,
``stc.runtime.journal.to_json`` over all captured instances in turn (CPU time,
``time.process_time``, best of ``--repeat``; cycling through the instances, not one
warm object) and prints µs and bytes a DTO and µs a round-trip trade (instances a
trade × cost). Session 13 (branch trustedjson) measured a compiled field-by-field
writer against it here: see docs/decisions.md.

Usage: ``python benchmarks/dto_json.py [--bars 10000] [--repeat 5]``.
"""

from __future__ import annotations

import argparse
import os
import pickle
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def capture(n: int, out: Path) -> None:
    """The child: run ema_trend (pure build), pickle (trades, DTOs encoded)."""
    from runtime_throughput import ema_plan, synthetic_bars

    import stc.runtime.flow_recorder as recorder
    from stc.runtime.engine import Engine
    from stc.runtime.journal import Journal

    seen: list[Any] = []
    real, real_dto, real_json = recorder.to_json, recorder.FlowRecorder.dto, recorder.dto_json
    inside = [False]

    def spy(value: Any) -> str:  # notes: encoded by ``to_json``
        if not inside[0]:
            seen.append(value)
        return real(value)

    def json_spy(value: Any) -> str:  # fills and trades: ``dto_json`` (session 17)
        if not inside[0]:
            seen.append(value)
        return real_json(value)

    def dto_spy(self: Any, worker: str, dto: Any) -> None:
        # every journaled DTO, whichever encoder the recorder picks for its class
        # (session 14: most go to pydantic's serializer directly, not through ``to_json``)
        seen.append(dto)
        inside[0] = True
        try:
            real_dto(self, worker, dto)
        finally:
            inside[0] = False

    recorder.to_json = spy
    recorder.dto_json = json_spy
    recorder.FlowRecorder.dto = dto_spy  # type: ignore[method-assign]
    bars = list(synthetic_bars(n))
    with tempfile.TemporaryDirectory() as tmp:
        journal = Journal(Path(tmp) / "j.sqlite")
        result = Engine(ema_plan(), bars, journal=journal, plugin_timeout=0).run()
        journal.close()
    out.write_bytes(pickle.dumps((len(result.trades), seen)))


def best(encode: Any, values: list[Any], repeat: int) -> float:
    """Best CPU seconds of encoding every value once, over ``repeat`` rounds (×20)."""
    times = []
    for _ in range(repeat):
        start = time.process_time()
        for _ in range(20):
            for value in values:
                encode(value)
        times.append(time.process_time() - start)
    return min(times) / (20 * len(values))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bars", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--capture", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.capture:
        capture(args.bars, Path(args.capture))
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "dtos.pickle"
        env = {**os.environ, "STC_PURE_PYTHON": "1"}
        subprocess.run([sys.executable, __file__, "--bars", str(args.bars), "--capture",
                        str(path)], check=True, env=env)  # fmt: skip
        trades, seen = pickle.loads(path.read_bytes())

    import stc.runtime as runtime
    from stc.runtime.journal import to_json

    by_class: dict[str, list[Any]] = defaultdict(list)
    for value in seen:
        by_class[type(value).__name__].append(value)
    print(f"ema_trend, {args.bars:,} bars, {trades} trades; runtime {runtime.native_status()}")
    print("| DTO | a trade | bytes | µs a DTO | µs a trade |")
    print("|---|---:|---:|---:|---:|")
    total = 0.0
    for name, values in sorted(by_class.items()):
        size = sum(len(to_json(v).encode()) for v in values) / len(values)
        cost = best(to_json, values, args.repeat) * 1e6
        per_trade = len(values) / max(trades, 1)
        total += cost * per_trade
        print(f"| {name} | {per_trade:.2f} | {size:.0f} | {cost:.2f} | {cost * per_trade:.1f} |")
    print(f"| **all** | | | | **{total:.1f}** |")


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.path.insert(0, str(REPO / "benchmarks"))
    main()
