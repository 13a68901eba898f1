"""The CSV side of columnar loading (issue 23): a standard stc CSV parsed into numpy
columns, or None (see :mod:`stc.runtime.data_columns` for the promise).

The file is read in blocks of ``BLOCK_BYTES`` cut at line ends. In a block, the
separators give every field's start and end; each field is then read as one or two
little-endian 64-bit words ending at its separator (:class:`_Words`), and its bytes
are classified and its digits summed with SWAR arithmetic (SIMD within a register:
8 characters per integer operation, one numpy operation per column), so a column of
a block costs a few dozen array operations, not one Python step per character.

Numbers of the simple form ``[+-]digits[.digits]`` with at most 15 digits are
``mantissa / 10**fraction`` — Clinger's exact fast path: both exact in float64, one
correctly rounded division, bit for bit what ``float(text)`` returns; every other
field is converted by ``float()`` itself (None when it refuses one). Timestamps:
``YYYY-MM-DD`` and ``YYYY-MM-DD[ T]HH:MM:SS`` with an optional ``Z`` or ``±HH:MM``,
one length per block, every field range-checked.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stc.runtime.data_rows import MAX_LINE, column_index
from stc.runtime.errors import DataError

if TYPE_CHECKING:
    from numpy.typing import NDArray

BarColumns = tuple[Any, Any, Any, Any, Any, Any]
"""time (int64 epoch ns), open, high, low, close, volume (float64)."""

BLOCK_BYTES = 1 << 20
"""Bytes parsed at a time (about 18k rows of a typical file): bounds the temporaries,
~8 bytes for each byte of the block. 1 MB, not 4: a 1M-row file's load peaked 34 MB
lower for the same CPU time (session 14, docs/performance.md)."""

MAX_SIMPLE_DIGITS = 15
"""Digits of a number converted exactly without ``float()``: 10**15 < 2**53."""

_FIRST_YEAR, _LAST_YEAR = 1678, 2261
"""Years whose every instant fits int64 epoch nanoseconds (numpy's datetime64[ns] range)."""

_TIME_LENGTHS = (10, 19, 20, 25)
"""``YYYY-MM-DD``, ``YYYY-MM-DD HH:MM:SS``, the same with ``Z``, with ``±HH:MM``."""

_DIGIT_POSITIONS = (0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18)
_DAYS_IN_MONTH = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_BOM = b"\xef\xbb\xbf"
_BLANK_RUNS = re.compile(rb"\n\n+")
"""Line ends with empty lines between them (after CRLF became LF)."""


def csv_columns(path: Path, np: Any) -> BarColumns | None:
    """The six columns of a standard stc CSV, block by block; None when a block is not
    one the fast path parses.

    Memory: the columns are allocated once, at the file's line count (a first pass
    counts line ends), and every block is copied straight into them; joining per-block
    parts at the end would hold the data twice (and leave the allocator's heap
    fragmented: 1M rows peaked at 178 MB that way, for 48 MB of columns)."""
    columns = _Columns(_rows_at_most(path), np)
    for block in csv_blocks(path, np, blank_lines=True):
        if not columns.add(block):
            return None
    return columns.filled()


def csv_blocks(
    path: Path, np: Any, block_bytes: int = 0, *, blank_lines: bool = False
) -> Iterator[BarColumns | None]:
    """The columns of a standard stc CSV one block (``block_bytes``, default
    ``BLOCK_BYTES``) at a time, for a reader that keeps no more than a block (the
    report's price pass); a None ends the stream where the fast path stops (the file
    is then the row reader's).

    ``blank_lines``: read past blank lines, which the row reader skips silently, for a
    reader that does not count lines (the fast engine's whole columns); else a block
    with one is left to the row reader (a reader that hands over at a line number
    needs every line to be a row)."""
    with path.open("rb") as handle:
        first = handle.readline(MAX_LINE)
        index = _header_index(first)
        if index is None or not first.endswith(b"\n"):  # no header, or one without data
            yield None
            return
        width = _header_width(first)
        carry = b""
        while True:
            chunk = handle.read(block_bytes or BLOCK_BYTES)
            data = carry + chunk
            if not chunk:
                if data.strip(b"\r\n"):
                    last = None if data.endswith(b"\r") else data + b"\n"
                    yield None if last is None else _block(last, np, index, width, blank_lines)
                return
            cut = data.rfind(b"\n") + 1
            carry = data[cut:]
            if cut:
                block = _block(data[:cut], np, index, width, blank_lines)
                yield block
                if block is None:
                    return


def _rows_at_most(path: Path) -> int:
    """An upper bound on the data rows: the line ends after the header, plus one for a
    last line without its end."""
    count = 1
    with path.open("rb") as handle:
        handle.readline(MAX_LINE)
        while chunk := handle.read(BLOCK_BYTES):
            count += chunk.count(b"\n")
    return count


class _Columns:
    """The six output columns, allocated once and filled block by block.

    The last parsed block is kept until the next one is parsed (a few MB): with
    nothing alive above them, every block's temporaries were returned to the system
    and faulted in again (1M rows: ~70k more page faults, +35 % CPU)."""

    def __init__(self, capacity: int, np: Any) -> None:
        self.size = 0
        self.previous: BarColumns | None = None
        floats = (np.empty(capacity, np.float64) for _ in range(5))
        self.parts = (np.empty(capacity, np.int64), *floats)

    def add(self, block: BarColumns | None) -> bool:
        """``block`` copied after the rows so far; False when it cannot be (None: the
        file is not ours; more rows than counted: the file grew while read)."""
        rows = 0 if block is None else len(block[0])
        if block is None or self.size + rows > len(self.parts[0]):
            return False
        for target, values in zip(self.parts, block, strict=True):
            target[self.size : self.size + rows] = values
        self.size += rows
        self.previous = block
        return True

    def filled(self) -> BarColumns | None:
        """The rows parsed so far (None without any)."""
        if self.size == 0:
            return None
        t, o, h, lo, c, v = (part[: self.size] for part in self.parts)
        return t, o, h, lo, c, v


def _header_index(first: bytes) -> list[int] | None:
    """The positions of time, open, high, low, close and volume in a standard header
    (as :func:`stc.runtime.data_csv.open_standard` finds them), or None."""
    if first.startswith(_BOM):
        first = first[len(_BOM) :]
    try:
        text = first.decode("utf-8")
        header = next(csv.reader((text,)), [])
        return column_index([h.strip().lower() for h in header], "")
    except (UnicodeDecodeError, csv.Error, DataError):
        return None


def _header_width(first: bytes) -> int:
    """Columns of a header line (commas + 1; a quoted header with commas inside a name
    gives a width no data row matches, so the file takes the row reader)."""
    return first.count(b",") + 1


def _block(
    data: bytes, np: Any, index: list[int], width: int, blank_lines: bool = False
) -> BarColumns | None:
    """One block of whole lines (each ending in ``\\n``) parsed; None when it holds
    anything the fast path does not parse (the row reader then reads the file).
    ``blank_lines``: drop empty lines (:func:`csv_blocks`) instead of refusing them."""
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n")
        if b"\r" in data:  # a lone CR ends a line for the row reader: not ours
            return None
    if not data.isascii() or b'"' in data or b"\0" in data:
        return None  # (NUL would read as the padding of a word: see _Words)
    if b"\n\n" in data or data.startswith(b"\n"):
        if not blank_lines:
            return None  # blank lines: the row reader skips them
        data = _BLANK_RUNS.sub(b"\n", data).lstrip(b"\n")
        if not data:  # a block of blank lines only
            return np.empty(0, np.int64), *(np.empty(0, np.float64) for _ in range(5))
    buf = np.frombuffer(data, dtype=np.uint8)
    newline = buf == 10
    rows = int(np.count_nonzero(newline))
    seps = np.flatnonzero((buf == 44) | newline)
    if len(seps) != rows * width:
        return None
    seps = seps.reshape(rows, width)
    if not bool((buf[seps[:, -1]] == 10).all()):
        return None  # rows of different widths
    line_start = np.empty(rows, dtype=np.int64)
    line_start[0] = 0
    line_start[1:] = seps[:-1, -1] + 1
    words = _Words(data, np)

    def field(column: int) -> tuple[Any, Any]:
        start = line_start if column == 0 else seps[:, column - 1] + 1
        return start, seps[:, column]

    time = _times(words, *field(index[0]), np)
    if time is None:
        return None
    values = []
    for column in index[1:]:
        parsed = _numbers(words, *field(column), np)
        if parsed is None:
            return None
        values.append(parsed)
    return time, values[0], values[1], values[2], values[3], values[4]


_ONES = 0x0101010101010101
_HIGH = 0x8080808080808080


class _Words:
    """The block as little-endian 64-bit words at every byte offset, so that eight
    characters of a field are one integer and each test below one operation per field
    (SWAR: SIMD within a register), not one per character. The block is padded with
    NUL bytes on both sides (a NUL in the data makes the block not ours)."""

    def __init__(self, data: bytes, np: Any) -> None:
        self.np = np
        self.text = data
        self._padded = b"\0" * 8 + data + b"\0" * 8
        self._at = np.ndarray(
            shape=(len(self._padded) - 7,), dtype="<u8", buffer=self._padded, strides=(1,)
        )

    def ending(self, ends: Any) -> Any:
        """The eight bytes before each of ``ends`` (exclusive), the first in the low byte."""
        return self._at[ends]

    def starting(self, starts: Any) -> Any:
        """The eight bytes from each of ``starts`` on."""
        return self._at[starts + 8]

    def u64(self, value: int) -> Any:
        return self.np.uint64(value)


def _flags(words: _Words, x: Any, low: int, high: int) -> Any:
    """The high bit of every byte of ``x`` whose value lies in ``[low, high]`` (ASCII
    bytes below 0x80: no sum carries into the next byte)."""
    u = words.u64
    at_least = x + u(_ONES * (0x80 - low))
    above = x + u(_ONES * (0x80 - high - 1))
    return at_least & ~above & u(_HIGH)


def _count(words: _Words, flags: Any) -> Any:
    """How many bytes of each word have their high bit set (0..8)."""
    u = words.u64
    return ((flags >> u(7)) * u(_ONES)) >> u(56)


def _eight_digits(words: _Words, digits: Any) -> Any:
    """The number written by eight digit values (0..9, the first in the low byte)."""
    u = words.u64
    value = ((digits & u(0x0F0F0F0F0F0F0F0F)) * u(2561)) >> u(8)
    value = ((value & u(0x00FF00FF00FF00FF)) * u(6553601)) >> u(16)
    return ((value & u(0x0000FFFF0000FFFF)) * u(42949672960001)) >> u(32)


_POWERS_OF_TEN = tuple(10.0**k for k in range(23))
"""Exact in float64 (10**22 < 2**53 * 2**22): the divisors of Clinger's fast path."""


def _numbers(words: _Words, starts: Any, ends: Any, np: Any) -> NDArray[Any] | None:
    """The float of every field ``text[starts[i]:ends[i]]``, equal to ``float()`` of
    its text; None when ``float()`` refuses one (the row is bad).

    Each field is read as its last 8 bytes (and the 8 before them when the column has
    wider fields), right-aligned, bytes before the field zeroed. Per word: which bytes
    are digits, the dot, a sign; the dot taken out by moving the bytes before it one
    place up; the digits summed by SWAR multiplications. A field of the simple form
    (digits, at most one dot, a sign only first, 1 to 15 digits) is then
    ``mantissa / 10**fraction`` (see the module docstring); any other is ``float()``'s.
    """
    u = words.u64
    lengths = ends - starts
    sizes = lengths.astype(np.uint64)
    spans = [(ends, np.clip(sizes, 1, 8), np.uint64(8))]  # (end, bytes kept, chars after)
    if int(lengths.max()) > 8:  # the 8 bytes before those (for wider fields only)
        spans.insert(0, (ends - 8, np.clip(sizes, 8, 16) - u(8), np.uint64(16)))
    others = np.zeros(len(ends), dtype=bool)
    whole = dots = signs = negative = fraction = None
    for end, kept, reach in spans:
        lead = np.clip(sizes, reach - u(7), reach)  # the field's first byte, if in this word
        first = u(0x80) << ((reach - lead) * u(8))
        first = np.where((sizes <= reach) & (sizes + u(8) > reach), first, u(0))
        word = words.ending(end) & _keep_last(kept, u)
        digit = _flags(words, word, 0x30, 0x39)
        dot = _flags(words, word, 0x2E, 0x2E)
        sign = _flags(words, word, 0x2B, 0x2D)  # + or - (a comma is never in a field)
        known = ((digit | dot | sign) >> u(7)) * u(0xFF)  # 0xFF on each known byte
        others |= ((word & ~known) != 0) | ((sign & ~first) != 0)  # a sign only first
        minus = _flags(words, word, 0x2D, 0x2D) != 0
        below = (dot >> u(7)) - (dot != 0).astype(np.uint64)  # the bytes before the dot
        digits = word & ((digit >> u(7)) * u(0xFF))
        value = _eight_digits(words, ((digits & below) << u(8)) | (digits & ~below))
        has_dot = dot != 0
        after = _count(words, digit & ~below) + (reach - u(8))  # digits after the dot
        if whole is None:
            whole, dots, signs, negative = value, _count(words, dot), _count(words, sign), minus
            fraction = np.where(has_dot, after, u(0))
        else:
            whole = whole * np.where(has_dot, u(10_000_000), u(100_000_000)) + value
            dots = dots + _count(words, dot)
            signs = signs + _count(words, sign)
            negative = negative | minus
            fraction = np.where(has_dot, after, fraction)
    assert whole is not None and dots is not None and signs is not None
    assert negative is not None and fraction is not None
    digit_count = sizes - dots - signs
    simple = ~others & (dots <= 1) & (signs <= 1) & (digit_count >= 1)
    simple &= (digit_count <= MAX_SIMPLE_DIGITS) & (lengths <= 16)
    powers = np.asarray(_POWERS_OF_TEN, dtype=np.float64)
    values = whole.astype(np.float64) / powers[np.minimum(fraction, 22).astype(np.int64)]
    if bool(negative.any()):
        values = np.where(negative, -values, values)
    others_at = np.flatnonzero(~simple)
    if len(others_at):  # anything else: float() itself decides (of the ASCII bytes)
        text = words.text
        pieces = zip(starts[others_at].tolist(), ends[others_at].tolist(), strict=True)
        try:
            values[others_at] = [float(text[start:end]) for start, end in pieces]
        except ValueError:
            return None
    parsed: NDArray[Any] = values
    return parsed


def _keep_last(kept: Any, u: Any) -> Any:
    """Masks of the last ``kept`` (0..8) bytes of a word: ``~0 << 8 * (8 - kept)``
    (0 for none: a shift by 64 is undefined)."""
    return (u(0xFFFFFFFFFFFFFFFF) << ((u(8) - kept) * u(8) & u(63))) * (kept != 0)


_TIME_DIGITS = sum(0xFF << (8 * k) for k in _DIGIT_POSITIONS)
"""The digit bytes of ``YYYY-MM-DD HH:MM:SS`` as one mask (byte k at bits 8k..8k+7)."""
_DATE_DIGITS = sum(0xFF << (8 * k) for k in _DIGIT_POSITIONS[:8])
"""The digit bytes of ``YYYY-MM-DD``."""


def _times(words: _Words, starts: Any, ends: Any, np: Any) -> NDArray[Any] | None:
    """Epoch nanoseconds of ISO timestamps of one length (see the module docstring),
    equal to what :func:`stc.runtime.data_time.parse_time` gives; None otherwise."""
    lengths = ends - starts
    size = int(lengths[0])
    if size not in _TIME_LENGTHS or not bool((lengths == size).all()):
        return None
    u = words.u64
    dated = size >= 19
    heads = [words.starting(starts + k) for k in (0, 8, 16)]  # bytes 0-7, 8-15, 16-23
    if dated:
        heads[2] &= u(0xFFFFFF)  # bytes 16-18
    else:
        heads[1] &= u(0xFFFF)  # bytes 8-9
        heads[2] = np.zeros_like(heads[2])
    digit_mask = _TIME_DIGITS if dated else _DATE_DIGITS
    for k, word in enumerate(heads):
        wanted = (digit_mask >> (64 * k)) & 0xFFFFFFFFFFFFFFFF
        wanted_flags = wanted & _HIGH
        if not bool(((_flags(words, word, 0x30, 0x39) & u(wanted_flags)) == u(wanted_flags)).all()):
            return None
    if bool(((heads[0] >> u(32)) & u(0xFF) != 0x2D).any()):
        return None  # byte 4
    if bool(((heads[0] >> u(56)) != 0x2D).any()):
        return None  # byte 7
    if dated:
        ten = (heads[1] >> u(16)) & u(0xFF)
        if not bool(((ten == 0x20) | (ten == 0x54)).all()):
            return None  # byte 10: " " or "T"
        if not bool((((heads[1] >> u(40)) & u(0xFF)) == 0x3A).all()):
            return None  # byte 13
        if not bool(((heads[2] & u(0xFF)) == 0x3A).all()):
            return None  # byte 16

    def digit(at: int) -> Any:
        return ((heads[at // 8] >> u(8 * (at % 8))) & u(0x0F)).astype(np.int64)

    def number(at: int, count: int) -> Any:
        value = digit(at)
        for k in range(at + 1, at + count):
            value = value * 10 + digit(k)
        return value

    year, month, day = number(0, 4), number(5, 2), number(8, 2)
    seconds: Any = 0
    if dated:
        hour, minute, second = number(11, 2), number(14, 2), number(17, 2)
        if not bool(((hour <= 23) & (minute <= 59) & (second <= 59)).all()):
            return None
        seconds = hour * 3600 + minute * 60 + second
    offset = _offset(words, starts, size, np)
    if offset is None or not _real_dates(year, month, day, np):
        return None
    days = _days_from_civil(year, month, day)
    stamps: NDArray[Any] = (days * 86400 + seconds - offset) * 1_000_000_000
    return stamps


def _offset(words: _Words, starts: Any, size: int, np: Any) -> Any | None:
    """Seconds east of UTC of each timestamp (``Z``: 0; none: UTC); None when a suffix
    is not ``Z`` or a valid ``±HH:MM``."""
    if size <= 19:
        return 0
    text = np.frombuffer(words.text, dtype=np.uint8)
    chars = text[starts[:, None] + np.arange(19, size, dtype=np.int64)]
    if size == 20:
        return 0 if bool((chars[:, 0] == 90).all()) else None
    sign, colon = chars[:, 0], chars[:, 3]
    digits = chars[:, [1, 2, 4, 5]].astype(np.int64) - 48
    if not bool(((sign == 43) | (sign == 45)).all()) or not bool((colon == 58).all()):
        return None
    if not bool(((digits >= 0) & (digits <= 9)).all()):
        return None
    hours = digits[:, 0] * 10 + digits[:, 1]
    minutes = digits[:, 2] * 10 + digits[:, 3]
    if not bool(((hours <= 23) & (minutes <= 59)).all()):
        return None
    return np.where(sign == 45, -1, 1) * (hours * 3600 + minutes * 60)


def _real_dates(year: Any, month: Any, day: Any, np: Any) -> bool:
    """Every (year, month, day) a calendar date within the int64-nanosecond years."""
    if not bool(((year >= _FIRST_YEAR) & (year <= _LAST_YEAR)).all()):
        return False
    if not bool(((month >= 1) & (month <= 12) & (day >= 1)).all()):
        return False
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    longest = np.asarray(_DAYS_IN_MONTH, dtype=np.int64)[month] + (leap & (month == 2))
    return bool((day <= longest).all())


def _days_from_civil(year: Any, month: Any, day: Any) -> Any:
    """Days since 1970-01-01 of proleptic Gregorian dates (H. Hinnant's algorithm,
    vectorised; years here are positive)."""
    y = year - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    mp = (month + 9) % 12  # March = 0
    doy = (153 * mp + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468
