"""The event format's reader: a grade in the form `encode` writes is read by a regular expression
(a sync reads 100,000 of them), anything else by `json.loads`. Both must give the same event, or
refuse a line for the same reason: lines made by `encode` and then damaged (bytes changed, cut,
added) are read both ways."""

from __future__ import annotations

import json
from datetime import timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from dlquiz.review.events import Event
from dlquiz.sync import jsonl

DEVICES = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{0,20}", fullmatch=True)
CARDS = st.one_of(st.from_regex(r"c[1-5]w[1-4]-[a-z0-9-]{1,30}", fullmatch=True), st.text(min_size=1, max_size=40))
MOMENTS = st.one_of(  # as dlquiz writes them (UTC, microseconds), or as another program might
    st.datetimes(timezones=st.just(timezone.utc)).map(lambda moment: moment.isoformat(timespec="microseconds")),
    st.datetimes(timezones=st.timezones()).map(lambda moment: moment.isoformat()))
DAYS = st.dates().map(lambda day: day.isoformat())


@st.composite
def grades(draw) -> Event:
    anki = draw(st.one_of(st.none(), st.integers(1, 10**19)))
    return Event("grade", draw(DEVICES), draw(st.integers(1, 10**19)), draw(CARDS), draw(MOMENTS), draw(DAYS),
                 draw(st.sampled_from(("review", "redrill", "cram"))), draw(st.integers(0, 5)),
                 draw(st.integers(0, jsonl.MAX_MS + 10)), "dlquiz" if anki is None else "anki", anki)


def outcome(read, line: bytes, device: str | None):
    try:
        return "event", tuple(read(line, device))
    except ValueError as error:
        return type(error).__name__, str(error)


@st.composite
def damaged(draw, line: bytes) -> bytes:
    """`line` with a few bytes changed, cut out or added (often the characters JSON cares about)."""
    data = bytearray(line)
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.integers(0, len(data)))
        what = draw(st.one_of(st.binary(min_size=1, max_size=2), st.sampled_from([b'"', b"\\", b",", b":", b" ", b"0", b"9",
                                                                                  b"-", b"\xff", b"\x00", b"}", b"\r"])))
        how = draw(st.sampled_from(("replace", "insert", "delete")))
        if how == "insert":
            data[where:where] = what
        elif how == "delete":
            del data[where:where + len(what)]
        else:
            data[where:where + len(what)] = what
    return bytes(data)


@settings(max_examples=400, deadline=None)
@given(grades(), st.data())
def test_a_grade_is_read_the_same_by_the_quick_path_and_by_json(event, data):
    line = jsonl.encode(event).encode("utf-8")
    for device in (None, event.device, "someone-else"):
        assert outcome(jsonl.decode, line, device) == outcome(jsonl._decode, line, device)
    bad = data.draw(damaged(line))
    for device in (None, event.device):
        assert outcome(jsonl.decode, bad, device) == outcome(jsonl._decode, bad, device)


def test_dlquizs_own_grades_take_the_quick_path():
    for anki in (None, 1764147600000):
        event = Event("grade", "3f9c0a1b2c3d4e5f", 12, "c4w1-pool", "2026-11-26T09:00:00.000000+00:00", "2026-11-26",
                      "review", 4, 5300, "dlquiz" if anki is None else "anki", anki)
        line = jsonl.encode(event).encode()
        assert jsonl._GRADE.fullmatch(line)
        assert jsonl.decode(line) == event and type(jsonl.decode(line)) is Event
    # a time in another form than dlquiz writes, or a field too many, goes through JSON, which puts it right
    other = json.dumps({**json.loads(line), "at": "2026-11-26T10:00:00+01:00"}, separators=(",", ":")).encode()
    assert not jsonl._GRADE.fullmatch(other)
    assert jsonl.decode(other).at == "2026-11-26T09:00:00.000000+00:00"
