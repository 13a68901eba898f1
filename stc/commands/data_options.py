"""The data-format options of ``stc run`` (``--data-format``, ``--delimiter``,
``--columns``, ``--time-unit``, ``--volume``): parsed here into a
:class:`stc.runtime.data_formats.CsvFormat` (docs/formats.md, "Data files as
downloaded")."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import TYPE_CHECKING

from stc.commands.options import argument_type

if TYPE_CHECKING:
    from stc.runtime.api import CsvFormat

PRESETS = ("stc", "binance-klines", "yahoo")
"""``stc.runtime.data_formats.PRESETS``' names, spelled here so that building the
parser does not import the runtime (a test keeps the two equal)."""
TIME_UNITS = ("auto", "s", "ms", "us", "iso")


def add_data_format_options(sub: argparse.ArgumentParser) -> None:
    """Add the options to ``sub`` (a command that reads ``--data``)."""
    sub.add_argument(
        "--data-format", choices=tuple(PRESETS), default=None, metavar="PRESET",
        help=f"the data file's shape: {', '.join(PRESETS)} (default: inferred)",
    )  # fmt: skip
    sub.add_argument(
        "--delimiter", type=argument_type(_delimiter), default=None, metavar="CHAR",
        help="the CSV delimiter: , ; tab | (default: sniffed from the first line)",
    )  # fmt: skip
    sub.add_argument(
        "--columns", type=argument_type(_columns), default=None, metavar="FIELD=COLUMN,...",
        help="which column is which, e.g. time=open_time,open=o (date=D,time=T: split "
        "date and time; a headerless file counts columns from 0)",
    )  # fmt: skip
    sub.add_argument(
        "--time-unit", choices=TIME_UNITS, default=None,
        help="epoch timestamps' unit (default auto: s, ms or us by magnitude; iso: text)",
    )  # fmt: skip
    sub.add_argument(
        "--volume", choices=("required", "optional"), default=None,
        help="optional: a file without a volume column loads with volume 0",
    )  # fmt: skip


def data_format(args: argparse.Namespace) -> CsvFormat | None:
    """The format the options name, or None when none was given (inferred)."""
    given = (args.data_format, args.delimiter, args.columns, args.time_unit, args.volume)
    if all(value is None for value in given):
        return None
    from stc.runtime.api import make_format

    return make_format(
        args.data_format, delimiter=args.delimiter, columns=args.columns,
        time_unit=args.time_unit, volume=args.volume,
    )  # fmt: skip


def resumed_format(meta: Mapping[str, str], args: argparse.Namespace) -> CsvFormat | None:
    """The data format of a run being resumed: the one its journal recorded (the
    options of the original command line, or its operation's format block). Options
    given with ``--resume`` must name the same format (ValueError otherwise): a resume
    reads the data exactly as the run did, or its journal could not be continued."""
    from stc.runtime.api import format_from_record, format_record

    text = meta.get("data_format")
    recorded = format_from_record(text) if text else None
    given = data_format(args)
    if given is not None and given != recorded:
        was = format_record(recorded) if recorded is not None else "the inferred format"
        raise ValueError(
            f"the run read its data as {was}; --resume reuses that, so drop the "
            "data-format options (or start a new run with them)"
        )
    return recorded


def _delimiter(text: str) -> str:
    from stc.runtime.api import parse_delimiter

    return parse_delimiter(text)


def _columns(text: str) -> dict[str, str]:
    from stc.runtime.api import parse_columns

    return parse_columns(text)
