"""Packaged resources of the runtime: the bundled sample data set."""

from __future__ import annotations

from pathlib import Path

import stc.runtime as runtime

DEFAULT_DATA_FILE = "EURUSD_1h.csv"


def default_data_path() -> Path:
    """The bundled ``EURUSD_1h.csv``: inside an installed wheel it is
    ``stc/runtime/_bundled/data``; in a source checkout it is the repository's ``data/``."""
    package_dir = Path(runtime.__file__).resolve().parent
    for candidate in (
        package_dir / "_bundled" / "data" / DEFAULT_DATA_FILE,
        package_dir.parents[1] / "data" / DEFAULT_DATA_FILE,
    ):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"bundled data set {DEFAULT_DATA_FILE} not found near {package_dir}")
