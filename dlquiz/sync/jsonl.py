"""The event format of a sync folder, version 1: one JSON object per line (docs/sync.md).

    {"v":1,"type":"grade","device":"3f9c0a1b2c3d4e5f","seq":12,"card":"c4w1-pool","at":"2026-11-26T09:00:00.000000+00:00","day":"2026-11-26","kind":"review","grade":4,"ms":5300}
    {"v":1,"type":"grade",...,"origin":"anki","anki":1764147600000}   a review made in Anki
    {"v":1,"type":"undo",...,"undoes":["3f9c0a1b2c3d4e5f",12]}       takes that grade back
    {"v":1,"type":"suspension",...,"suspended":true}
    {"v":1,"type":"burial",...,"until":"2026-11-27"}                 null: unburied

`encode` writes a line; `decode` reads one, checking every field, and says what is wrong with
one that is not an event (`Invalid`), or that it is of a newer version (`Newer`). A grade in the
exact form `encode` writes (a sync reads 100,000 of them) is read by one regular expression and
checked field by field as JSON's would be; any other line goes through `json.loads`: both give
the same event, or the same reason (tests/sync/test_jsonl.py).
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timezone

from dlquiz.review.events import Event

VERSION = 1
DEVICE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
MAX_LINE = 64 * 1024  # bytes: an event is a few hundred
MAX_MS = 24 * 3600 * 1000
_CARD = re.compile(r"[^\x00-\x1f\x7f]{1,300}")
_TYPES = ("grade", "undo", "suspension", "burial")


class Invalid(ValueError):
    """A line that is not a valid event; the message says why."""


class Newer(ValueError):
    """An event of a newer format than this dlquiz reads."""


def encode(event: Event) -> str:
    """The event as one line of JSON (without the newline)."""
    data: dict = {"v": VERSION, "type": event.type, "device": event.device, "seq": event.seq, "card": event.card_id,
                  "at": event.at, "day": event.day}
    if event.type == "grade":
        data.update(kind=event.kind, grade=event.grade, ms=event.answer_ms)
        if event.origin != "dlquiz":
            data.update(origin=event.origin, anki=event.anki_id)
    elif event.type == "undo":
        data["undoes"] = list(event.undoes)
    elif event.type == "suspension":
        data["suspended"] = bool(event.suspended)
    else:
        data["until"] = event.until or None
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


# A grade as `encode` writes it: no spaces, no escapes, the fields in its order. Every group is
# then checked as `decode` checks the field (a card id as UTF-8, the time and day as dates).
_GRADE = re.compile(
    rb'\{"v":1,"type":"grade","device":"([A-Za-z0-9][A-Za-z0-9_-]{0,63})","seq":([1-9][0-9]{0,17}),'
    rb'"card":"([^"\\\x00-\x1f\x7f]{1,300})","at":"([0-9T:.+-]{32})","day":"([0-9-]{10})",'
    rb'"kind":"(review|redrill|cram)","grade":([0-5]),"ms":(0|[1-9][0-9]{0,7})'
    rb'(?:,"origin":"anki","anki":([1-9][0-9]{0,17}))?\}')
_DAYS: set[str] = set()  # days already checked (a file has a few hundred)


def decode(line: bytes | str, device: str | None = None) -> Event:
    """The event on a line (from the file of `device`, whose events it must be)."""
    if type(line) is bytes and (match := _GRADE.fullmatch(line)):
        event = _grade(match, device)
        if event is not None:
            return event
    return _decode(line, device)


def _grade(match: re.Match, device: str | None) -> Event | None:
    """The grade of a line in `encode`'s form, or None when a field needs `_decode` to say why
    it is wrong (a card id not in UTF-8, another device's event, a time or day that is not one)."""
    event_device, seq, card, at, day, kind, grade, ms, anki = match.groups()
    event_device = event_device.decode()
    ms = int(ms)
    if (device is not None and event_device != device) or ms > MAX_MS:
        return None
    try:
        card = card.decode()
    except UnicodeDecodeError:
        return None
    day = day.decode()
    if day not in _DAYS:
        try:
            if _day(day, "day") != day:
                return None
        except Invalid:
            return None
        _DAYS.add(day)
    at = at.decode()
    if at[19] != "." or not at.endswith("+00:00"):  # (written by another program: `_moment` puts it in this form)
        return None
    try:
        datetime.fromisoformat(at)
    except ValueError:
        return None
    return _event(("grade", event_device, int(seq), card, at, day, kind.decode(), int(grade), ms,
                   "dlquiz" if anki is None else "anki", None if anki is None else int(anki), None, None, None))


def _event(fields: tuple) -> Event:
    """An Event of all its fields, made as the tuple it is (a third of the time of Event(...))."""
    return tuple.__new__(Event, fields)


def _decode(line: bytes | str, device: str | None = None) -> Event:
    if not line.strip():
        raise Invalid("an empty line")
    try:
        data = json.loads(line.decode("utf-8") if isinstance(line, bytes) else line)
    except (ValueError, RecursionError):  # (UnicodeDecodeError is a ValueError)
        raise Invalid("not JSON") from None
    if not isinstance(data, dict):
        raise Invalid("not a JSON object")
    version = data.get("v")
    if type(version) is not int or version < 1:
        raise Invalid("no format version (v)")
    if version > VERSION:
        raise Newer(f"event format v{version}, newer than this dlquiz reads (v{VERSION})")
    kind = _get(data, "type", str)
    if kind not in _TYPES:
        raise Invalid(f"unknown type {kind[:40]!r}")
    event_device = _get(data, "device", str)
    if device is not None and event_device != device:  # (the file's name is a device id checked already)
        raise Invalid(f"an event of device {event_device[:70]} in the file of device {device}")
    if device is None and not DEVICE.fullmatch(event_device):
        raise Invalid("a device id must be 1-64 letters, digits, - or _")
    seq = _get(data, "seq", int)
    if seq < 1:
        raise Invalid("seq must be 1 or more")
    card = _get(data, "card", str)
    if not _CARD.fullmatch(card):
        raise Invalid("card must be a card id (1-300 characters, no control characters)")
    at, day = _moment(_get(data, "at", str)), _day(_get(data, "day", str), "day")
    if kind == "grade":
        grade_kind = _get(data, "kind", str)
        if grade_kind not in ("review", "redrill", "cram"):
            raise Invalid("kind must be review, redrill or cram")
        grade = _get(data, "grade", int)
        if not 0 <= grade <= 5:
            raise Invalid("grade must be 0 to 5")
        ms = data.get("ms", 0)
        if type(ms) is not int or not 0 <= ms <= MAX_MS:
            raise Invalid("ms must be a whole number of milliseconds")
        origin = data.get("origin", "dlquiz")
        anki = None
        if origin == "anki":
            anki = _get(data, "anki", int)
            if anki <= 0:
                raise Invalid("anki must be a revlog id")
        elif origin != "dlquiz":
            raise Invalid("origin must be dlquiz or anki")
        return Event(kind, event_device, seq, card, at, day, grade_kind, grade, ms, origin, anki)
    if kind == "undo":
        undoes = data.get("undoes")
        if (not isinstance(undoes, list) or len(undoes) != 2 or type(undoes[0]) is not str
                or not DEVICE.fullmatch(undoes[0]) or type(undoes[1]) is not int or undoes[1] < 1):
            raise Invalid("undoes must be [device, seq]")
        return Event(kind, event_device, seq, card, at, day, undoes=(undoes[0], undoes[1]))
    if kind == "suspension":
        return Event(kind, event_device, seq, card, at, day, suspended=_get(data, "suspended", bool))
    until = data.get("until")
    return Event(kind, event_device, seq, card, at, day, until=None if until is None else _day(until, "until"))


def _get(data: dict, key: str, kind: type):
    value = data.get(key)
    if type(value) is not kind:
        raise Invalid(f"{key} must be {'a string' if kind is str else 'true or false' if kind is bool else 'a whole number'}")
    return value


def _moment(text: str) -> str:
    """A time with its offset, as the logs keep it (UTC, microseconds: text that sorts as time does)."""
    try:
        moment = datetime.fromisoformat(text) if len(text) <= 40 else None
        if moment is not None and len(text) == 32 and text.endswith("+00:00") and text[19] == ".":
            return text  # (as dlquiz writes it: the form the logs keep)
        if moment is not None and moment.tzinfo is not None:
            return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")
    except (ValueError, OverflowError):
        pass
    raise Invalid("at must be an ISO 8601 time with its offset")


def _day(value, key: str) -> str:
    try:
        if isinstance(value, str) and len(value) == 10:
            return date.fromisoformat(value).isoformat()
    except ValueError:
        pass
    raise Invalid(f"{key} must be a date (YYYY-MM-DD)")
