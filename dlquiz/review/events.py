"""The logs' events: their identity, their order, and events made elsewhere merged in.

Every event of the logs (a grade or an undo in table `reviews`, a suspension in `suspensions`, a
burial in `burials`) has an identity, (device, seq): the random id of the store that made it
(`meta` 'device', migration m007) and that device's next number. The replay order is (time,
device, seq) everywhere, so two stores holding the same events compute the same states.

`merge(store, events)` adds the events made elsewhere (another machine's, through `dlquiz sync`;
Anki's reviews, through `dlquiz import anki`) that the log does not hold yet, and replays the
cards they touch, in one transaction: their states (table `cards`, under the active scheduler)
and the SM-2 before/after columns of their rows in `reviews`, which are the SM-2 replay of the
log in this order (`walk`). No event column of a row already in the log is ever changed.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import date, datetime, timezone
from typing import Iterable, Iterator, NamedTuple

from dlquiz.review import bulk
from dlquiz.review.schedule import NEW
from dlquiz.sm2 import START_EF_CENTI
from dlquiz.sm2 import step as sm2_step

ORDER = "reviewed_at, device, seq"  # the replay order of the reviews table
TABLES = {"grade": "reviews", "undo": "reviews", "suspension": "suspensions", "burial": "burials"}


class Event(NamedTuple):
    """One event of the logs, as it travels between stores. (A NamedTuple: a sync makes
    100,000 of them, and a frozen dataclass takes five times longer to make.)"""

    type: str  # 'grade', 'undo', 'suspension' or 'burial'
    device: str
    seq: int
    card_id: str
    at: str  # UTC, ISO 8601 with microseconds: '2026-11-26T09:00:00.000000+00:00'
    day: str  # the review day where it was made: '2026-11-26'
    kind: str | None = None  # a grade: 'review', 'redrill' or 'cram'
    grade: int | None = None  # a grade: 0-5
    answer_ms: int = 0
    origin: str = "dlquiz"  # a grade: 'dlquiz', or 'anki' (imported from Anki's review log)
    anki_id: int | None = None  # a grade from Anki: its revlog id
    undoes: tuple[str, int] | None = None  # an undo: the identity of the grade it takes back
    suspended: bool | None = None  # a suspension: True suspends, False unsuspends
    until: str | None = None  # a burial: the review day it ends ('' or None: unburied)

    @property
    def identity(self) -> tuple[str, int]:
        return self.device, self.seq


def utc(moment: datetime) -> str:
    """A moment as the logs keep it: UTC, ISO 8601 with microseconds (text that sorts as time does)."""
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def next_seq(db: sqlite3.Connection, device: str) -> int:
    """The number of this device's next event (call inside the write transaction)."""
    return 1 + max(db.execute(f"SELECT coalesce(max(seq), 0) FROM {table} WHERE device = ?", (device,)).fetchone()[0]
                   for table in ("reviews", "suspensions", "burials"))


def events_of(db: sqlite3.Connection, device: str, after: int = 0) -> list[Event]:
    """A device's events numbered above `after`, in its order (what `dlquiz sync` writes)."""
    events = [
        Event("undo" if kind == "undo" else "grade", dev, seq, card_id, at, day, None if kind == "undo" else kind, grade,
              answer_ms, origin, anki_id, (undoes_device, undoes_seq) if kind == "undo" else None)
        for dev, seq, card_id, at, day, kind, grade, answer_ms, origin, anki_id, undoes_device, undoes_seq in db.execute(
            "SELECT device, seq, card_id, reviewed_at, day, kind, grade, answer_ms, origin, anki_id, undoes_device, "
            "undoes_seq FROM reviews WHERE device = ? AND seq > ?", (device, after))
    ]
    events += [Event("suspension", dev, seq, card_id, at, day, suspended=bool(suspended)) for dev, seq, card_id, at, day, suspended
               in db.execute("SELECT device, seq, card_id, at, day, suspended FROM suspensions WHERE device = ? AND seq > ?",
                             (device, after))]
    events += [Event("burial", dev, seq, card_id, at, day, until=until) for dev, seq, card_id, at, day, until
               in db.execute("SELECT device, seq, card_id, at, day, until FROM burials WHERE device = ? AND seq > ?",
                             (device, after))]
    events.sort(key=lambda event: event.seq)
    return events


# -- the SM-2 columns of the log, replayed
Columns = tuple[int, int, int, str | None, int]  # reps, E-Factor (hundredths), interval, SM-2 due day, lapses
_NEW = (0, START_EF_CENTI, 0, None, 0)  # reps, ef, interval, last review day (ordinal), lapses


_STEPS: dict[tuple[int, int, int, int], tuple[int, int, int]] = {}  # SM-2 on (reps, ef, interval, grade), kept


def _step(state: tuple, grade: int, day: int) -> tuple:
    reps, ef, ivl, last, lapses = state
    moved = _STEPS.get((reps, ef, ivl, grade))
    if moved is None:  # (a log of 500,000 grades has a few thousand distinct SM-2 steps)
        if len(_STEPS) > 1 << 16:
            _STEPS.clear()
        moved = _STEPS[(reps, ef, ivl, grade)] = sm2_step(reps, ef, ivl, grade)
    return moved[0], moved[1], moved[2], day, lapses + (grade < 3 and last is not None)


_ISO: dict[int, str] = {}  # day ordinal -> ISO date (a log has a few thousand days; a replay, millions of rows)


def _columns(state: tuple) -> Columns:
    reps, ef, ivl, last, lapses = state
    if last is None:
        return reps, ef, ivl, None, lapses
    due = _ISO.get(last + ivl)
    if due is None:
        due = _ISO[last + ivl] = date.fromordinal(last + ivl).isoformat()
    return reps, ef, ivl, due, lapses


def walk(rows: Iterable[tuple]) -> Iterator[tuple[int, Columns, Columns]]:
    """One card's log rows in replay order, (id, kind, grade, day, device, seq, undoes_device,
    undoes_seq), with the SM-2 columns each row gets: (id, before, after).

    They are what the store writes when the rows are made one after the other in this order: a
    scheduled review moves SM-2 on; a re-drill or cram answer changes nothing; an undo takes its
    grade back, the state becoming the replay of the reviews before it that stand. A grade taken
    back by an undo earlier in the order (another machine's clock) changes nothing."""
    state, active, undone = _NEW, [], set()
    for row_id, kind, grade, day, device, seq, undoes_device, undoes_seq in rows:
        before = state
        if kind == "review" and (device, seq) not in undone:
            state = _step(state, grade, date.fromisoformat(day).toordinal())
            active.append(((device, seq), grade, state[3]))
        elif kind == "undo":
            target = (undoes_device, undoes_seq)
            undone.add(target)
            if any(identity == target for identity, _, _ in active):
                active = [review for review in active if review[0] != target]
                state = _NEW
                for _, grade_then, day_then in active:
                    state = _step(state, grade_then, day_then)
        yield row_id, _columns(before), _columns(state)


def mark_affected(db: sqlite3.Connection, card_ids: Iterable[str]) -> None:
    """Put these card ids in the connection's temporary table `affected` (for queries of theirs)."""
    bulk.fill(db, "affected", card_ids)


_SM2_COLUMNS = ("reps_before, ef_before, interval_before, due_before, lapses_before, "
                "reps_after, ef_after, interval_after, due_after, lapses_after")


def replay_cards(store, card_ids: Iterable[str]) -> int:
    """Replay these cards' logs (call inside the store's write transaction): the SM-2 columns of
    their rows where they differ from `walk`'s, and their states under the active scheduler,
    with burial and suspension from their logs. The number of rows whose columns changed."""
    db = store.db
    mark_affected(db, card_ids)
    rows = db.execute(f"SELECT card_id, id, kind, grade, day, device, seq, undoes_device, undoes_seq, {_SM2_COLUMNS} "
                      f"FROM reviews WHERE card_id IN (SELECT card_id FROM temp.affected) ORDER BY card_id, {ORDER}")
    changes, card, mine, reviewed = [], None, [], set()
    for row in (*rows, (None,) * 19):
        if row[2] == "review":
            reviewed.add(row[0])
        if row[0] != card:
            for (row_id, before, after), stored in zip(walk(r[1:9] for r in mine), mine):
                if before + after != tuple(stored[9:]):
                    changes.append((*before, *after, row_id))
            card, mine = row[0], []
        mine.append(row)
    db.executemany("UPDATE reviews SET " + ", ".join(f"{c} = ?" for c in _SM2_COLUMNS.split(", ")) + " WHERE id = ?",
                   changes)
    states = store.scheduler.replay(store._effective_reviews(in_affected=True))
    marks = latest_marks(db, affected=True)
    present = {row[0] for row in db.execute("SELECT card_id FROM cards WHERE card_id IN (SELECT card_id FROM temp.affected)")}
    writes = []
    for (card_id,) in db.execute("SELECT card_id FROM temp.affected").fetchall():
        buried, suspended = marks.get(card_id, (None, False))
        if card_id in states or card_id in present or card_id in marks or card_id in reviewed:
            state = replace(states.get(card_id, NEW), buried_until=buried, suspended=suspended)
            writes.append(store._values(card_id, state))
    bulk.write_states(db, store._WRITE, writes)
    return len(changes)


def latest_marks(db: sqlite3.Connection, affected: bool = False) -> dict[str, tuple[date | None, bool]]:
    """card id -> (buried until, suspended) from the latest burial and suspension of each card
    in replay order (of the cards in temp.affected only, with `affected`)."""
    where = "WHERE card_id IN (SELECT card_id FROM temp.affected)" if affected else ""
    marks: dict[str, tuple[date | None, bool]] = {}
    for table, column in (("burials", "until"), ("suspensions", "suspended")):
        rows = db.execute(f"SELECT card_id, {column} FROM (SELECT card_id, {column}, row_number() OVER (PARTITION BY "
                          f"card_id ORDER BY at DESC, device DESC, seq DESC) AS latest FROM {table} {where}) "
                          "WHERE latest = 1")
        for card_id, value in rows:
            buried, suspended = marks.get(card_id, (None, False))
            if table == "burials":
                buried = date.fromisoformat(value) if value else None
            else:
                suspended = bool(value)
            marks[card_id] = (buried, suspended)
    return marks


def later_than(db: sqlite3.Connection, card_id: str, at: str, device: str, seq: int, table: str = "reviews") -> bool:
    """Whether the card's log (of grades, or `table`) holds a row after (at, device, seq) in
    replay order (an event of another machine whose clock is ahead): then a new event is
    replayed into place."""
    time = "reviewed_at" if table == "reviews" else "at"
    return db.execute(f"SELECT 1 FROM {table} WHERE card_id = ? AND ({time}, device, seq) > (?, ?, ?) LIMIT 1",
                      (card_id, at, device, seq)).fetchone() is not None
