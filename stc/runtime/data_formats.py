"""CSV data as people download it: other delimiters, column names and orders, epoch
timestamps in s/ms/µs, split date and time columns, no volume, gzip, and presets for
Binance klines and Yahoo exports.

The standard stc CSV (``time,open,high,low,close,volume``, comma-separated) keeps its
fast path in :mod:`stc.runtime.data_csv`; every other shape comes here and leaves as
normalized rows ``(line, [time, open, high, low, close, volume])`` that
:func:`stc.runtime.data_rows.stream_rows` validates with the same checks and the same
``file:line`` diagnostics (the line is the physical line of the file, header included).
"""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import IO, Any, Literal

from stc.runtime.data_rows import MAX_LINE, TOO_LONG, UNCLOSED
from stc.runtime.data_time import epoch_time
from stc.runtime.errors import DataError

TimeUnit = Literal["auto", "s", "ms", "us", "iso"]
TIME_UNITS: tuple[TimeUnit, ...] = ("auto", "s", "ms", "us", "iso")
VolumeRule = Literal["required", "optional"]
FIELDS = ("time", "date", "open", "high", "low", "close", "volume")
"""Keys of a column mapping: ``date`` with ``time`` means split date and time columns."""
DELIMITERS = (",", ";", "\t", "|")

_TIME_NAMES = ("time", "timestamp", "datetime", "date", "open_time", "open time", "")
_PRICE_NAMES = {  # no one-letter guesses: `--columns open=o,...` names those
    "open": ("open",),
    "high": ("high",),
    "low": ("low",),
    "close": ("close",),
    "volume": ("volume", "vol"),
}


@dataclass(frozen=True)
class CsvFormat:
    """How to read one CSV shape. Every field has an inferring default, so
    ``CsvFormat()`` reads most files as downloaded."""

    delimiter: str | None = None
    """None: sniffed from the first line (``,``, ``;``, tab or ``|``)."""
    columns: tuple[tuple[str, str], ...] = ()
    """Field → column name (or 0-based index without a header); unmapped fields are
    found by their usual names."""
    header: bool | None = None
    """None: a first line that is all numbers is data, not a header."""
    time_unit: TimeUnit = "auto"
    volume: VolumeRule = "required"
    """``optional``: a file without a volume column reads volume 0."""


PRESETS: dict[str, CsvFormat] = {
    "stc": CsvFormat(delimiter=","),
    "binance-klines": CsvFormat(
        delimiter=",",
        columns=(
            ("time", "0"),
            ("open", "1"),
            ("high", "2"),
            ("low", "3"),
            ("close", "4"),
            ("volume", "5"),
        ),
        time_unit="auto",  # ms before 2025, µs after: inferred per row by magnitude
    ),
    "yahoo": CsvFormat(  # time: Date (daily) or Datetime (intraday, zoned), by name
        delimiter=",",
        header=True,
        columns=(
            ("open", "Open"),
            ("high", "High"),
            ("low", "Low"),
            ("close", "Close"),
            ("volume", "Volume"),
        ),
    ),
}
"""Named shapes for ``--data-format`` (``yahoo`` reads Close, not Adj Close)."""


def make_format(
    preset: str | None = None,
    *,
    delimiter: str | None = None,
    columns: Mapping[str, str] | None = None,
    time_unit: TimeUnit | None = None,
    volume: VolumeRule | None = None,
) -> CsvFormat:
    """A preset (default: inferred) with options on top; ValueError on a bad option."""
    if preset is not None and preset not in PRESETS:
        raise ValueError(f"unknown data format {preset!r}: one of {', '.join(PRESETS)}")
    fmt = PRESETS[preset] if preset is not None else CsvFormat()
    if delimiter is not None:
        fmt = replace(fmt, delimiter=parse_delimiter(delimiter))
    if columns:
        unknown = sorted(set(columns) - set(FIELDS))
        if unknown:
            raise ValueError(f"unknown column field {unknown[0]!r}: one of {', '.join(FIELDS)}")
        merged = dict(fmt.columns) | dict(columns)
        header = fmt.header
        if preset == "binance-klines" and not all(v.isdigit() for v in merged.values()):
            header = True
        fmt = replace(fmt, columns=tuple(sorted(merged.items())), header=header)
    if time_unit is not None:
        if time_unit not in TIME_UNITS:
            raise ValueError(f"unknown time unit {time_unit!r}: one of {', '.join(TIME_UNITS)}")
        fmt = replace(fmt, time_unit=time_unit)
    if volume is not None:
        fmt = replace(fmt, volume=volume)
    return fmt


def parse_delimiter(text: str) -> str:
    """``;``, ``,``, ``|``, a tab, or the words ``tab``/``\\t`` for one."""
    value = "\t" if text in ("tab", "\\t", "TAB") else text
    if value not in DELIMITERS:
        raise ValueError(f"unsupported delimiter {text!r}: one of , ; tab |")
    return value


def parse_columns(text: str) -> dict[str, str]:
    """``time=open_time,open=o`` → ``{"time": "open_time", "open": "o"}``."""
    mapping: dict[str, str] = {}
    for part in text.split(","):
        field, sep, column = part.partition("=")
        field = field.strip().lower()
        if not sep or not column.strip() or field not in FIELDS:
            raise ValueError(
                f"bad column mapping {part!r}: expected FIELD=COLUMN with FIELD one of "
                f"{', '.join(FIELDS)} (e.g. time=open_time,open=o)"
            )
        mapping[field] = column.strip()
    return mapping


def open_text(path: Path) -> IO[str]:
    """``path`` as UTF-8 text (a BOM dropped), gunzipped when it ends in ``.gz``."""
    if path.suffix.lower() == ".gz":
        return gzip.open(path, "rt", newline="", encoding="utf-8-sig")
    return path.open(newline="", encoding="utf-8-sig")


def misfit(path: Path, standard: DataError) -> DataError | None:
    """None when the inferred format understands the header of ``path``; else the
    error to report: the inferred format's for a file delimited by another character,
    the ``standard`` reader's for a comma-separated one (its messages are the known)."""
    try:
        with open_text(path) as handle:
            first = handle.readline(MAX_LINE)
            _layout(first, CsvFormat(), path)
    except DataError as exc:
        return standard if _sniff(first) == "," else exc
    except (OSError, UnicodeDecodeError, EOFError, csv.Error):
        return standard
    return None


def normalized_rows(path: Path, fmt: CsvFormat | None) -> Iterator[tuple[int, list[str]]]:
    """The data rows of ``path`` as ``(line, [time, open, high, low, close, volume])``,
    time as ISO text (or as written, when it is no timestamp: the validator then names
    its row); DataError on a file-level problem (empty, unreadable header)."""
    fmt = fmt or CsvFormat()
    handle = open_text(path)
    try:
        first = handle.readline(MAX_LINE)
        if not first:
            raise DataError(f"{path}: empty file")
        delimiter, picks, split, has_header = _layout(first, fmt, path)
    except (OSError, EOFError, UnicodeDecodeError, csv.Error) as exc:
        handle.close()
        raise DataError(f"{path}:1: not a readable CSV header ({exc})") from None
    except BaseException:
        handle.close()
        raise
    return _rows(handle, first, has_header, delimiter, picks, split, fmt.time_unit, path)


def _rows(
    handle: IO[str],
    first: str,
    has_header: bool,
    delimiter: str,
    picks: list[int],
    split: int | None,
    unit: TimeUnit,
    path: Path,
) -> Iterator[tuple[int, list[str]]]:
    """The generator behind :func:`normalized_rows` (closes ``handle``)."""
    line_no = 1 if has_header else 0
    lines = _lines(first, handle, has_header)
    with handle:
        try:
            for line in lines:
                line_no += 1
                if len(line) == MAX_LINE and line[-1] not in "\r\n":
                    while (rest := handle.readline(MAX_LINE)) and rest[-1] not in "\r\n":
                        pass  # the rest of the line, a chunk at a time
                    yield line_no, TOO_LONG
                    continue
                if not line.strip():
                    continue
                if line.count('"') % 2:
                    yield line_no, UNCLOSED
                    continue
                row = next(csv.reader((line,), delimiter=delimiter), [])
                if len(row) <= max(picks):
                    yield line_no, row[:1]  # "too few columns"
                    continue
                when = row[picks[0]] if split is None else f"{row[picks[0]]} {row[split]}"
                values = [row[i] if i >= 0 else "0" for i in picks[1:]]
                yield line_no, [_iso(when, unit), *values]
        except (OSError, EOFError, UnicodeDecodeError) as exc:
            raise DataError(f"{path}:{line_no}: not readable ({exc})") from None


def _lines(first: str, handle: IO[str], has_header: bool) -> Iterator[str]:
    if not has_header:
        yield first
    while line := handle.readline(MAX_LINE):
        yield line


def _iso(text: str, unit: TimeUnit) -> str:
    """An epoch timestamp as ISO text; anything else as written (ISO is parsed, and a
    bad one reported with its line, by the validator)."""
    stripped = text.strip()
    if unit == "iso" or not stripped.lstrip("-").replace(".", "", 1).isdigit():
        return stripped
    try:
        return epoch_time(stripped, unit).isoformat()
    except (ValueError, OverflowError):
        return stripped


def _layout(first: str, fmt: CsvFormat, path: Path) -> tuple[str, list[int], int | None, bool]:
    """Delimiter, the column index of time/open/high/low/close/volume (-1: volume 0),
    the index of a separate time-of-day column (or None), and whether line 1 is a
    header."""
    delimiter = fmt.delimiter or _sniff(first)
    cells = [c.strip() for c in next(csv.reader((first,), delimiter=delimiter), [])]
    has_header = fmt.header if fmt.header is not None else not all(map(_numeric, cells))
    mapping = dict(fmt.columns)
    where = f"{path}:1"
    if not has_header or (mapping and all(v.isdigit() for v in mapping.values())):
        return delimiter, _positional(mapping, len(cells), fmt, where), None, has_header
    names = [c.lower() for c in cells]
    picks: list[int] = []
    split: int | None = None
    date_col = mapping.get("date") or ("date" if "date" in names and "time" in names else None)
    if date_col is not None:
        picks.append(_find(names, date_col, (), where, "date"))
        split = _find(names, mapping.get("time", "time"), (), where, "time")
    else:
        picks.append(_find(names, mapping.get("time"), _TIME_NAMES, where, "time"))
    for field in ("open", "high", "low", "close", "volume"):
        if field == "volume" and fmt.volume == "optional" and not _has(names, mapping, field):
            picks.append(-1)
            continue
        picks.append(_find(names, mapping.get(field), _PRICE_NAMES[field], where, field))
    return delimiter, picks, split, True


def _has(names: list[str], mapping: dict[str, str], field: str) -> bool:
    wanted = mapping.get(field)
    if wanted is not None:
        return wanted.lower() in names
    return any(n in names for n in _PRICE_NAMES[field])


def _find(
    names: list[str], wanted: str | None, usual: tuple[str, ...], where: str, field: str
) -> int:
    """The index of column ``wanted`` (or of the first usual name for ``field``)."""
    for name in (wanted,) if wanted is not None else usual:
        if name is not None and name.lower() in names:
            return names.index(name.lower())
    hint = (
        "; a file without volume loads with --volume optional (volume 0)"
        if field == "volume"
        else f"; name it with --columns {field}=COLUMN"
    )
    looked = repr(wanted) if wanted is not None else " or ".join(repr(u) for u in usual if u)
    raise DataError(f"{where}: no {field} column ({looked}; have {names}){hint}")


def _positional(mapping: dict[str, str], width: int, fmt: CsvFormat, where: str) -> list[int]:
    """Column indexes of a headerless file: mapped ones, else the first six columns
    in stc order (time, open, high, low, close, volume: also Binance's kline order)."""
    picks: list[int] = []
    for i, field in enumerate(("time", "open", "high", "low", "close", "volume")):
        text = mapping.get(field, str(i))
        if not text.isdigit():
            raise DataError(
                f"{where}: the file has no header, so columns are numbers (0 = first), "
                f"not {field}={text!r}"
            )
        picks.append(int(text))
    if width <= picks[5] and fmt.volume == "optional":
        picks[5] = -1
    return picks


def _numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _sniff(line: str) -> str:
    """The delimiter of a first line: the most frequent of ``DELIMITERS`` (ties and a
    line without any go to the comma)."""
    counts = [(line.count(d), -i, d) for i, d in enumerate(DELIMITERS)]
    best = max(counts)
    return best[2] if best[0] > 0 else ","


def plan_data_format(source: Mapping[str, Any] | None) -> CsvFormat | None:
    """The format of a plan's data source: its ``format:`` block (an operation's
    ``data_sources.NAME.format``), None for the plain ``csv``/``parquet`` words."""
    block = source.get("format") if source else None
    if not isinstance(block, Mapping):
        return None
    columns = block.get("columns")
    return make_format(
        block.get("preset"),
        delimiter=block.get("delimiter"),
        columns={str(k): str(v) for k, v in columns.items()} if columns else None,
        time_unit=block.get("time_unit"),
        volume=block.get("volume"),
    )


def format_record(fmt: CsvFormat) -> str:
    """``fmt`` as one line of JSON (keys sorted): what a run records in its journal's
    ``meta`` so that ``stc run --resume`` reads the data the way the run did."""
    return json.dumps(asdict(fmt), sort_keys=True, separators=(",", ":"))


def format_from_record(text: str) -> CsvFormat:
    """The format :func:`format_record` wrote; ValueError when ``text`` is not one (a
    journal's meta is input: it may have been edited or damaged)."""
    try:
        raw = json.loads(text)
        columns = tuple((str(k), str(v)) for k, v in raw["columns"])
        fmt = CsvFormat(
            delimiter=raw["delimiter"], columns=columns, header=raw["header"],
            time_unit=raw["time_unit"], volume=raw["volume"],
        )  # fmt: skip
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"not a recorded data format: {text[:200]!r}") from exc
    valid = (
        (fmt.delimiter is None or fmt.delimiter in DELIMITERS)
        and fmt.header in (None, True, False)
        and fmt.time_unit in TIME_UNITS
        and fmt.volume in ("required", "optional")
        and all(field in FIELDS for field, _ in fmt.columns)
    )
    if not valid:
        raise ValueError(f"not a recorded data format: {text[:200]!r}")
    return fmt


def lacks_volume(path: Path, fmt: CsvFormat | None) -> bool:
    """Whether reading ``path`` with ``fmt`` gives volume 0 because the file has no
    volume column (``volume: optional``). False when a volume column is required (the
    reader refuses a file without one) or when the header cannot be read (the reader
    says why)."""
    if fmt is None or fmt.volume != "optional" or path.suffix.lower() in (".parquet", ".pq"):
        return False
    try:
        with open_text(path) as handle:
            first = handle.readline(MAX_LINE)
            picks = _layout(first, fmt, path)[1]
    except (DataError, OSError, EOFError, UnicodeDecodeError, csv.Error):
        return False
    return picks[5] == -1
