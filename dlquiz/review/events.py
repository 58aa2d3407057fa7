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
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from typing import Iterable, Iterator, NamedTuple

from dlquiz.review.schedule import NEW, CardState, lapsed
from dlquiz.sm2 import START_EF_CENTI, SM2State
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


def _step(state: tuple, grade: int, day: int) -> tuple:
    reps, ef, ivl, last, lapses = state
    lapses += lapsed(grade, last is not None)
    reps, ef, ivl = sm2_step(reps, ef, ivl, grade)
    return reps, ef, ivl, day, lapses


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
    db.execute("CREATE TEMP TABLE IF NOT EXISTS affected (card_id TEXT PRIMARY KEY) WITHOUT ROWID")
    db.execute("DELETE FROM temp.affected")
    db.executemany("INSERT OR IGNORE INTO temp.affected VALUES (?)", ((card_id,) for card_id in card_ids))


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
    db.executemany(store._WRITE, writes)
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


# -- merging events made elsewhere
@dataclass
class Merged:
    """What a merge added: events new to the log, events it held already (by identity, or a
    grade from Anki by its revlog id), and the cards replayed."""

    added: int = 0
    known: int = 0
    cards: set[str] = field(default_factory=set)
    devices: set[str] = field(default_factory=set)  # whose events were added
    by_type: dict[str, int] = field(default_factory=dict)


_INSERT_REVIEW = (
    "INSERT INTO reviews (card_id, reviewed_at, day, grade, answer_ms, kind, undoes, device, seq, origin, anki_id, "
    "undoes_device, undoes_seq, reps_before, ef_before, interval_before, due_before, lapses_before, reps_after, ef_after, "
    f"interval_after, due_after, lapses_after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, {START_EF_CENTI}, 0, NULL, 0, "
    f"0, {START_EF_CENTI}, 0, NULL, 0)"
)


def merge(store, events: Iterable[Event], dry_run: bool = False) -> Merged:
    """Add the events the log does not hold (inside the caller's write transaction) and replay
    the cards they touch. With `dry_run`, count only."""
    db = store.db
    known: dict[tuple[str, str], set[int]] = {}
    anki_ids: set[int] | None = None
    result = Merged()
    reviews, suspensions, burials = [], [], []
    for event in events:
        table = TABLES[event.type]
        seen = known.get((table, event.device))
        if seen is None:
            seen = known[(table, event.device)] = {
                row[0] for row in db.execute(f"SELECT seq FROM {table} WHERE device = ?", (event.device,))}
        if event.seq in seen:
            result.known += 1
            continue
        if event.anki_id is not None:
            if anki_ids is None:
                anki_ids = {row[0] for row in db.execute("SELECT anki_id FROM reviews WHERE anki_id IS NOT NULL")}
            if event.anki_id in anki_ids:
                result.known += 1
                continue
            anki_ids.add(event.anki_id)
        seen.add(event.seq)
        result.added += 1
        result.by_type[event.type] = result.by_type.get(event.type, 0) + 1
        result.cards.add(event.card_id)
        result.devices.add(event.device)
        if table == "reviews":
            undo = event.type == "undo"
            reviews.append((event.card_id, event.at, event.day, None if undo else event.grade, event.answer_ms,
                            "undo" if undo else event.kind, None, event.device, event.seq, event.origin, event.anki_id,
                            *(event.undoes if undo else (None, None))))
        elif table == "suspensions":
            suspensions.append((event.card_id, event.at, event.day, int(bool(event.suspended)), event.device, event.seq))
        else:
            burials.append((event.card_id, event.at, event.day, event.until or None, event.device, event.seq))
    if dry_run or not result.added:
        return result
    db.executemany("INSERT INTO suspensions (card_id, at, day, suspended, device, seq) VALUES (?, ?, ?, ?, ?, ?)", suspensions)
    db.executemany("INSERT INTO burials (card_id, at, day, until, device, seq) VALUES (?, ?, ?, ?, ?, ?)", burials)
    fast, slow = _split(db, reviews)
    db.executemany(_INSERT_REVIEW, (row for card_id in slow for row in slow[card_id]))
    if slow:  # undos whose grade is here now (it may have come before the undo, or with it)
        db.execute("UPDATE reviews SET undoes = (SELECT t.id FROM reviews t WHERE t.device = reviews.undoes_device AND "
                   "t.seq = reviews.undoes_seq AND t.card_id = reviews.card_id AND t.kind != 'undo') "
                   "WHERE undoes_device IS NOT NULL AND undoes IS NULL")
    _move_on(store, fast, result.cards - set(slow))
    replay_cards(store, slow)
    return result


def _split(db: sqlite3.Connection, reviews: list[tuple]) -> tuple[dict[str, list[tuple]], dict[str, list[tuple]]]:
    """The new rows of the reviews table by card: (those of cards whose new rows are all grades
    that come after the card's log, in replay order, and that no undo in the log names; those
    of the other cards, which are replayed)."""
    by_card: dict[str, list[tuple]] = {}
    for row in reviews:
        by_card.setdefault(row[0], []).append(row)
    mark_affected(db, by_card)
    last = dict(db.execute("SELECT card_id, max(reviewed_at) FROM reviews WHERE card_id IN "
                           "(SELECT card_id FROM temp.affected) GROUP BY card_id"))
    named = set(db.execute("SELECT undoes_device, undoes_seq FROM reviews WHERE undoes_device IS NOT NULL AND undoes IS NULL"))
    fast, slow = {}, {}
    for card_id, rows in by_card.items():
        rows.sort(key=lambda row: (row[1], row[7], row[8]))
        after_the_log = card_id not in last or rows[0][1] > last[card_id]
        if after_the_log and all(row[5] != "undo" and (row[7], row[8]) not in named for row in rows):
            fast[card_id] = rows
        else:
            slow[card_id] = rows
    return fast, slow


_INSERT_WITH_COLUMNS = (
    "INSERT INTO reviews (card_id, reviewed_at, day, grade, answer_ms, kind, undoes, device, seq, origin, anki_id, "
    f"undoes_device, undoes_seq, {_SM2_COLUMNS}) VALUES ({', '.join('?' * 23)})"
)


def _move_on(store, fast: dict[str, list[tuple]], cards: set[str]) -> None:
    """Cards whose new grades all come after their log: each grade applied to the card's state
    as `Store.record` applies it (SM-2 on plain integers, as `walk` does), the rows written with
    their SM-2 columns; and the cards that only got burials or suspensions. Their marks from the
    logs."""
    db, scheduler = store.db, store.scheduler
    mark_affected(db, cards)
    current = {card_id: store._state(row) for card_id, *row in db.execute(
        f"SELECT card_id, {store._COLUMNS} FROM cards WHERE card_id IN (SELECT card_id FROM temp.affected)")}
    marks = latest_marks(db, affected=True)
    rows, writes = [], []
    for card_id in sorted(cards):  # (in key order: the indexes by card are written page by page)
        state = was = current.get(card_id, NEW)
        sm2 = (state.sm2.repetitions, state.sm2.easiness_centi, state.sm2.interval,
               None if state.last_day is None else state.last_day.toordinal(), state.lapses)
        graded = False
        for row in fast.get(card_id, ()):
            before = sm2
            if row[5] == "review":
                sm2, graded = _step(sm2, row[3], date.fromisoformat(row[2]).toordinal()), True
                if scheduler.name != "sm2":  # (SM-2's state is `sm2` itself; another scheduler keeps its own)
                    state = scheduler.apply(state, row[3], date.fromisoformat(row[2]), row[1], card_id)
                else:
                    last_review = row[1]
            rows.append((*row, *_columns(before), *_columns(sm2)))
        if graded and scheduler.name == "sm2":
            reps, ef, ivl, last, lapses = sm2
            day = date.fromordinal(last)
            state = CardState(SM2State.from_centi(reps, ef, ivl), day + timedelta(days=ivl), lapses, last_review, None, day)
        if graded or card_id in current or card_id in marks:  # (as record: a re-drill alone writes no state)
            buried, suspended = marks.get(card_id, (was.buried_until, was.suspended))
            writes.append(store._values(card_id, replace(state, buried_until=buried, suspended=suspended)))
    db.execute(f"PRAGMA cache_size = {-128 << 10}")  # (128 MB at most, for this batch: the inserts land in cached pages)
    try:
        with _bulk(db, len(rows)):
            db.executemany(_INSERT_WITH_COLUMNS, rows)
        db.executemany(store._WRITE, writes)
    finally:
        db.execute("PRAGMA cache_size = -2000")  # SQLite's default


@contextmanager
def _bulk(db: sqlite3.Connection, adding: int):
    """Adding more rows than the reviews table holds (a first sync, a first import from Anki):
    its indexes are dropped and built again afterwards, in the same transaction (a third sooner)."""
    if adding < 50_000 or adding < (db.execute("SELECT max(id) FROM reviews").fetchone()[0] or 0):
        yield
        return
    indexes = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'reviews' "
                         "AND sql IS NOT NULL").fetchall()
    for name, _ in indexes:
        db.execute(f"DROP INDEX {name}")
    yield
    for _, sql in indexes:
        db.execute(sql)
