"""The journal's texts written without the general encoders (session 17, journalcut):
each is byte for byte what the encoder it replaces writes, for the platform's ids and
times and for anything else (odd ids, other zones, subclasses, odd note values), which
must take the general path. The reference digests and the parity suites check the same
on whole runs; these check the edges those runs never reach."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import example, given, settings
from hypothesis import strategies as st

from stc.runtime.dtos.ids import IdFactory, _stamp, tick_text
from stc.runtime.journal import to_json
from stc.runtime.journal_codec import (
    _UNSAFE,
    appended_link,
    encode_links,
    fields_json,
    link_items,
    plain_id,
    prepended_links,
)

_PLATFORM_IDS = st.builds(
    lambda prefix, n, fill: f"{prefix}_20200101_000000_{n:05x}{fill}",
    st.sampled_from(["OPP", "CTX", "STR", "ENT", "EXE", "TRD"]),
    st.integers(0, 16**6),
    st.sampled_from(["", "/F1", "/F2"]),
)
IDS = st.one_of(_PLATFORM_IDS, st.text(max_size=8), st.sampled_from(['a"b', "a\\b", "é", "\x7f"]))
ITEMS = st.lists(st.one_of(IDS, st.tuples(IDS, IDS)), max_size=5)


def _reference_links(items: list[str | tuple[str, str]]) -> str | None:
    """encode_links as written before session 17 (the regex test, json.dumps for pairs)."""
    if not items:
        return None
    if len(items) == 1 and isinstance(items[0], str) and _UNSAFE.search(items[0]) is None:
        return f'["{items[0]}"]'
    if all(isinstance(i, str) for i in items) and _UNSAFE.search("".join(items)) is None:  # type: ignore[arg-type]
        return '["' + '","'.join(items) + '"]'  # type: ignore[arg-type]
    return json.dumps([item if isinstance(item, str) else list(item) for item in items])


@settings(deadline=None)  # a loaded machine stalls a draw, not the code
@given(ITEMS)
@example(["TRD_20200101_000000_0000a", ("EXE_20200101_000000_0000b", "TRD_20200101_000000_0000a")])
@example([("a", "b")])
@example(["a", "b\x7f", ("c", "d")])
def test_link_texts_are_the_encoders(items: list[str | tuple[str, str]]) -> None:
    """Links, single or many, with or without pairs: the text json.dumps (or the plain
    join) gives; read back, the same items."""
    text = encode_links(items)
    assert text == _reference_links(items)
    assert link_items(text) == items
    if text is not None:
        assert link_items(text) == [i if isinstance(i, str) else tuple(i) for i in json.loads(text)]


@settings(deadline=None)  # a loaded machine stalls a draw, not the code
@given(ITEMS, st.one_of(IDS, st.tuples(IDS, IDS)))
def test_an_appended_link_is_the_whole_text_encoded_again(
    items: list[str | tuple[str, str]], item: str | tuple[str, str]
) -> None:
    assert appended_link(encode_links(items), item) == _reference_links([*items, item])


@settings(deadline=None)  # a loaded machine stalls a draw, not the code
@given(ITEMS, st.lists(st.tuples(IDS, IDS), min_size=1, max_size=3), IDS)
def test_prepended_links_are_the_whole_text_encoded_again(
    items: list[str | tuple[str, str]], pairs: list[tuple[str, str]], dto_id: str
) -> None:
    first = [p if c == dto_id else (p, c) for p, c in pairs]
    expected = _reference_links([*first, *items])
    assert prepended_links(encode_links(items), pairs, dto_id) == expected


@settings(deadline=None)  # a loaded machine stalls a draw, not the code
@given(st.text(max_size=40))
@example('["a","b"')
@example('["a\x01"]')
@example('["a", "b"]')
@example("[]")
def test_link_items_reads_what_the_json_decoder_reads(text: str) -> None:
    """Any text: the split of plain texts gives the decoder's items, and a text the
    decoder rejects is rejected (a damaged journal stays an error)."""
    try:
        expected = [v if isinstance(v, str) else (v[0], v[1]) for v in json.loads(text)]
    except (ValueError, TypeError, KeyError, IndexError):
        expected = None
    try:
        got = link_items(text)
    except (ValueError, TypeError, KeyError, IndexError):
        got = None
    assert got == expected


@settings(deadline=None)  # a loaded machine stalls a draw, not the code
@given(st.text(max_size=12))
def test_a_plain_id_needs_no_escape(text: str) -> None:
    if plain_id(text):
        assert _UNSAFE.search(text) is None
        assert json.dumps(text) == f'"{text}"'


_ZONES = st.sampled_from(
    [None, UTC, timezone(timedelta(0)), timezone(timedelta(hours=2)), timezone.min]
)


@settings(deadline=None)  # a loaded machine stalls a draw, not the code
@given(st.datetimes(), _ZONES, st.booleans())
@example(datetime(999, 1, 1), UTC, True)
@example(datetime(2020, 1, 1, 0, 0, 0, 5), UTC, False)
def test_tick_text_is_isoformat(moment: datetime, zone: timezone | None, whole: bool) -> None:
    when = moment.replace(tzinfo=zone, microsecond=0 if whole else moment.microsecond)
    assert tick_text(when) == when.isoformat()


class _Stamp(datetime):
    def isoformat(self, sep: str = "T", timespec: str = "auto") -> str:
        del sep, timespec  # the signature is isoformat's; the text is its own
        return "a subclass's own text"


def test_tick_text_leaves_a_subclass_to_its_isoformat() -> None:
    when = _Stamp(2020, 1, 1, tzinfo=UTC)
    assert tick_text(when) == "a subclass's own text"


@settings(deadline=None)  # a loaded machine stalls a draw, not the code
@given(st.integers(min_value=-40, max_value=16**7), st.integers(1, 40), st.datetimes())
def test_ids_count_in_five_hex_digits(start: int, count: int, moment: datetime) -> None:
    """Each id is the prefix, the stamp and ``%05x`` of the run's counter, whatever the
    counter (the factory keeps all but the last digit from id to id)."""
    ids = IdFactory(start=start)
    when = moment.replace(tzinfo=UTC)
    got = [ids.new("ENT", when) for _ in range(count)]
    stamp = _stamp(when)
    assert got == [f"ENT_{stamp}_{'%05x' % n}" for n in range(start, start + count)]  # noqa: UP031


def test_ids_are_as_before() -> None:
    """The id text: prefix, the tick's UTC stamp, the run's counter in five hex digits."""
    ids = IdFactory(start=0xFFFFE)
    when = datetime(2020, 3, 4, 5, 6, 7, tzinfo=timezone(timedelta(hours=1)))
    assert [ids.new("OPP", when) for _ in range(3)] == [
        "OPP_20200304_040607_ffffe",
        "OPP_20200304_040607_fffff",
        "OPP_20200304_040607_100000",
    ]


_VALUES = st.one_of(
    st.text(max_size=8), st.integers(), st.booleans(), st.none(), st.floats(), st.decimals()
)


@settings(deadline=None)  # a loaded machine stalls a draw, not the code
@given(st.dictionaries(st.one_of(st.text(max_size=6), st.integers()), _VALUES, max_size=4))
@example({"reason": 'no directive é\n"'})
@example({"file": "d.csv", "line": 3, "reason": "bad"})
def test_note_texts_are_the_encoders(fields: dict[object, object]) -> None:
    try:
        expected = to_json(dict(fields))
    except TypeError:  # keys of mixed types cannot be sorted: the general path raises too
        return
    assert fields_json(fields, to_json) == expected
