"""What the journal's JSON of each DTO class costs: pydantic's serializer against
``stc.runtime.dtos.trusted_json`` (issue 23 item 3), on the DTOs a run journals.

A child process runs ``ema_trend`` with its journal on ``--bars`` seeded bars in the
pure build (there the recorder's ``to_json`` is a module attribute a spy can replace)
and pickles every DTO the recorder encodes. This process (the compiled build when it
is built) then times, per class, both encoders over all captured instances in turn
(CPU time, ``time.process_time``, best of ``--repeat``), checks that both give the
same bytes, and prints µs a DTO and µs a round-trip trade (instances a trade × cost).

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
    real = recorder.to_json

    def spy(value: Any) -> str:
        seen.append(value)
        return real(value)

    recorder.to_json = spy
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
    from stc.runtime.dtos import trusted_json
    from stc.runtime.journal import to_json as pydantic_json

    by_class: dict[str, list[Any]] = defaultdict(list)
    for value in seen:
        by_class[type(value).__name__].append(value)
    print(f"ema_trend, {args.bars:,} bars, {trades} trades; runtime {runtime.native_status()}")
    print("| DTO | a trade | pydantic µs | trusted_json µs | written here | µs a trade before → after |")
    print("|---|---:|---:|---:|---:|---:|")
    total_before = total_after = 0.0
    for name, values in sorted(by_class.items()):
        fast = [trusted_json.fast_json(v) for v in values]
        assert all(f is None or f == pydantic_json(v) for f, v in zip(fast, values, strict=True))
        written = sum(f is not None for f in fast)
        before = best(pydantic_json, values, args.repeat) * 1e6
        after = best(trusted_json.to_json, values, args.repeat) * 1e6
        per_trade = len(values) / max(trades, 1)
        total_before += before * per_trade
        total_after += after * per_trade
        print(f"| {name} | {per_trade:.2f} | {before:.2f} | {after:.2f} | "
              f"{written}/{len(values)} | {before * per_trade:.1f} → {after * per_trade:.1f} |")  # fmt: skip
    print(f"| **all** | | | | | **{total_before:.1f} → {total_after:.1f}** |")


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.path.insert(0, str(REPO / "benchmarks"))
    main()
