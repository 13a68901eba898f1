"""Shared pieces of the sweep tests: small data and the 12-variant sweep."""

from __future__ import annotations

from pathlib import Path

from stc.commands.cli import main

REPO = Path(__file__).resolve().parents[2]
BLUEPRINT = str(REPO / "blueprints" / "ema_trend.yaml")

TWELVE = [
    "--param", "ema_cross_detector.fast=5,10,20",
    "--param", "ema_cross_detector.slow=30,60",
    "--variant", "liq:threat_workers+=LiquidityCrisisDetector",
]  # fmt: skip
"""3 × 2 params × 2 structures: the 12-variant sweep of the issue's identity test."""


def small_data(folder: Path, bars: int = 800) -> Path:
    """The first ``bars`` bars of the embedded EURUSD 1h sample (fast variants)."""
    lines = (REPO / "data" / "EURUSD_1h.csv").read_text(encoding="utf-8").splitlines()
    target = folder / f"eurusd_{bars}.csv"
    target.write_text("\n".join(lines[: bars + 1]) + "\n", encoding="utf-8")
    return target


def sweep(out: Path, data: Path, *extra: str) -> int:
    """``stc sweep`` of the 12 variants in this process (the executor starts its own)."""
    return main(["sweep", BLUEPRINT, *TWELVE, "--data", str(data), "--out", str(out),
                 "--quiet", *extra])  # fmt: skip
