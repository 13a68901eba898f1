"""The Python API for notebooks and scripts: ``compile_blueprint`` and ``run``.

    import stc
    result = stc.compile_blueprint("ema_trend.yaml")     # or the YAML text itself
    result                                                # Jupyter shows the wiring
    backtest = stc.run(result, data=df)                  # df: a pandas OHLCV DataFrame
    backtest.metrics["sharpe"], backtest.trades.head(), backtest.equity.plot()

Why a facade of its own: the compiler and the runtime are libraries with narrower
contracts (a path in, a plan mapping in); a notebook user has a path *or* text, a
compile result *or* a wiring map, a file *or* a DataFrame. This module turns each into
what the libraries take, and the results into pandas objects (pandas is imported only
when a result is asked for as a frame; it is not a dependency of stc).
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stc.compiler.api import CompileResult
    from stc.runtime.api import EngineMode, RunResult

PRICE_COLUMNS = ("open", "high", "low", "close", "volume")
TIME_COLUMNS = ("time", "timestamp", "date", "datetime", "open_time")


def compile_blueprint(
    source: str | Path,
    *,
    plugin_dirs: Sequence[str | Path] = (),
    platform: str | Path | None = None,
) -> CompileResult:
    """Compile a blueprint or operation given as a path, or as its YAML text (a string
    with a line break). Text is compiled from a file ``blueprint.yaml`` in a temporary
    folder, so an operation's relative data paths should be given by path instead."""
    from stc.compiler.api import compile_blueprint as compile_path

    if isinstance(source, str) and "\n" in source:
        folder = Path(tempfile.mkdtemp(prefix="stc-text-"))
        path = folder / "blueprint.yaml"
        path.write_text(source, encoding="utf-8")
        return compile_path(path, plugin_dirs=plugin_dirs, platform=platform)
    return compile_path(source, plugin_dirs=plugin_dirs, platform=platform)


@dataclass(frozen=True)
class Backtest:
    """A finished run: ``metrics`` (dict), ``trades`` and ``equity`` (DataFrames),
    ``folder`` (trades.csv, metrics.json, journal.sqlite; ``stc explain ID --out
    folder`` explains a trade)."""

    result: RunResult
    folder: Path
    times: Sequence[Any] = field(default=())

    @property
    def metrics(self) -> dict[str, Any]:
        """The metrics of ``metrics.json``."""
        return dict(self.result.metrics)

    @cached_property
    def trades(self) -> Any:
        """The trades as a pandas DataFrame (the columns of ``trades.csv``)."""
        import pandas as pd

        return pd.read_csv(self.result.paths["trades"])

    @cached_property
    def equity(self) -> Any:
        """The equity after each bar as a DataFrame with one ``equity`` column, indexed
        by the bars' times when the data was a DataFrame of the same length."""
        import pandas as pd

        curve = list(self.result.equity_curve)
        index = list(self.times) if len(self.times) == len(curve) else None
        return pd.DataFrame({"equity": curve}, index=index)

    def _repr_html_(self) -> str:
        """Jupyter: the metrics as a table."""
        rows = "".join(
            f"<tr><th style='text-align:left'>{key}</th><td>{value}</td></tr>"
            for key, value in sorted(self.result.metrics.items())
        )
        return f"<table><caption>stc backtest · {self.folder}</caption>{rows}</table>"


def run(
    plan: CompileResult | str | Path | Mapping[str, Any],
    *,
    data: str | Path | Any = None,
    out: str | Path | None = None,
    env: str | None = None,
    plugin_dirs: Sequence[str | Path] = (),
    on_bad_bar: str = "error",
    engine: EngineMode = "incremental",
) -> Backtest:
    """Backtest (or paper-trade) a compiled strategy.

    ``plan`` is a ``CompileResult``, a path to a blueprint, operation or wiring map, or
    a wiring map already loaded as a mapping. ``data`` is a CSV/Parquet path or a pandas
    DataFrame with open/high/low/close/volume columns (any case) and a DatetimeIndex or
    a time column; ``None`` uses the plan's data source or the embedded sample. ``out``
    is the run folder (a new temporary folder when omitted). A failed compile raises
    ``CompileError`` with the rendered diagnostics. ``engine="incremental"`` (the default)
    runs every worker on every bar: the reference the ``fast`` engine equals.
    """
    from stc.runtime.api import run as run_plan

    folder = Path(out) if out is not None else Path(tempfile.mkdtemp(prefix="stc-run-"))
    data_path, times = _data(data, folder)
    result = run_plan(
        _plan(plan, plugin_dirs), data=data_path, out_dir=folder, env=env,
        plugin_roots=[Path(p) for p in plugin_dirs], on_bad_bar=on_bad_bar,  # type: ignore[arg-type]
        engine=engine,
    )  # fmt: skip
    return Backtest(result, folder, times)


def _plan(plan: Any, plugin_dirs: Sequence[str | Path]) -> Mapping[str, Any] | Path:
    """What the runtime's loader takes: a wiring-map mapping or a wiring-map path."""
    import yaml

    if isinstance(plan, Mapping):
        return plan
    if isinstance(plan, str | Path) and not (isinstance(plan, str) and "\n" in plan):
        path = Path(plan)
        head = path.read_text(encoding="utf-8")[:4096] if path.is_file() else ""
        if "wiring_map_version" in head:
            return path
    result = (
        plan if hasattr(plan, "wiring_map") else compile_blueprint(plan, plugin_dirs=plugin_dirs)
    )
    loaded = yaml.safe_load(result.wiring_map)  # raises CompileError when it failed
    assert isinstance(loaded, dict)
    return loaded


def _data(data: Any, folder: Path) -> tuple[Path | None, Sequence[Any]]:
    """A data path for the runtime, and the bars' times when they are known here."""
    if data is None or isinstance(data, str | Path):
        return (Path(data) if data is not None else None), ()
    if not hasattr(data, "to_csv"):
        raise TypeError(f"data must be a path or a pandas DataFrame, not {type(data).__name__}")
    frame = _ohlcv_frame(data)
    scratch = Path(tempfile.mkdtemp(prefix="stc-data-"))
    path = scratch / "data.csv"
    frame.to_csv(path, date_format="%Y-%m-%d %H:%M:%S")
    return path, list(frame.index)


def _ohlcv_frame(data: Any) -> Any:
    """The DataFrame with a time index and the columns Open..Volume, or a ValueError
    that names what is missing."""
    import pandas as pd

    frame = data.rename(columns={c: str(c).lower() for c in data.columns})
    if not isinstance(frame.index, pd.DatetimeIndex):
        column = next((c for c in TIME_COLUMNS if c in frame.columns), None)
        if column is None:
            raise ValueError(
                f"data has no DatetimeIndex and no time column (one of {', '.join(TIME_COLUMNS)})"
            )
        frame = frame.set_index(pd.to_datetime(frame[column], utc=True))
    missing = [c for c in PRICE_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"data lacks the column(s) {', '.join(missing)}")
    index = frame.index.tz_convert("UTC") if frame.index.tz is not None else frame.index
    out = frame[list(PRICE_COLUMNS)].set_axis(index.tz_localize(None), axis=0)
    return out.rename(columns=str.capitalize)
