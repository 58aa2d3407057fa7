"""Events made elsewhere merged into the logs: another machine's (`dlquiz sync`), Anki's reviews
(`dlquiz import anki`). docs/sync.md.

`merge(store, events)` adds the events the log does not hold yet (by identity, and a grade
from Anki by its revlog id) and replays the cards they touch, inside the caller's write
transaction: their states (table `cards`, under the active scheduler) and the SM-2 before/after
columns of their rows in `reviews` (dlquiz.review.events.walk). No event column of a row already
in the log is ever changed.

Most events come after their card's log (another machine's recent study): such a card is moved
on from its state, grade by grade, the rows written with their SM-2 columns (`_move_on`, SM-2 on
plain integers); the others (an undo, a grade that comes before the card's last one) are
replayed whole (`events.replay_cards`). Both write in bulk (dlquiz.review.bulk).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter
from typing import Iterable

from dlquiz.review import bulk, events
from dlquiz.review.events import TABLES, Event, _columns, _step, latest_marks, mark_affected
from dlquiz.review.schedule import NEW, iso_day
from dlquiz.sm2 import START_EF_CENTI


@dataclass
class Merged:
    """What a merge added: events new to the log, events it held already (by identity, or a
    grade from Anki by its revlog id), and the cards replayed."""

    added: int = 0
    known: int = 0
    cards: set[str] = field(default_factory=set)
    devices: set[str] = field(default_factory=set)  # whose events were added


_INSERT_REVIEW = (
    "INSERT INTO reviews (card_id, reviewed_at, day, grade, answer_ms, kind, undoes, device, seq, origin, anki_id, "
    "undoes_device, undoes_seq, reps_before, ef_before, interval_before, due_before, lapses_before, reps_after, ef_after, "
    f"interval_after, due_after, lapses_after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, {START_EF_CENTI}, 0, NULL, 0, "
    f"0, {START_EF_CENTI}, 0, NULL, 0)"
)
_SM2 = ("reps_before, ef_before, interval_before, due_before, lapses_before, "
        "reps_after, ef_after, interval_after, due_after, lapses_after")
# A grade with its SM-2 columns, made in dlquiz or in Anki (its revlog id). The columns an undo
# uses are left out, not bound as NULLs: binding None costs Python's sqlite3 four times an integer.
_INSERT_GRADE = (f"INSERT INTO reviews (card_id, reviewed_at, day, grade, answer_ms, kind, device, seq, {_SM2}) "
                 f"VALUES ({', '.join('?' * 18)})")
_INSERT_ANKI_GRADE = (f"INSERT INTO reviews (card_id, reviewed_at, day, grade, answer_ms, kind, device, seq, anki_id, "
                      f"origin, {_SM2}) VALUES ({', '.join('?' * 20)})")


def merge(store, incoming: Iterable[Event], dry_run: bool = False, fresh: bool = False) -> Merged:
    """Add the events the log does not hold (inside the caller's write transaction) and replay
    the cards they touch. With `dry_run`, count only. `fresh`: the events are new by making
    (this store's own, numbered past its log, each Anki revlog id checked against the log and
    given once: an import's), so no identity is looked up."""
    db = store.db
    held = None if fresh else _Held(db)
    result = Merged()
    reviews, suspensions, burials = [], [], []
    for event in incoming:
        kind, device, seq, card_id, at, day, grade_kind, grade, answer_ms, origin, anki_id, undoes, suspended, until = event
        if held is not None and held(kind, device, seq, anki_id):
            result.known += 1
            continue
        if kind == "grade":
            reviews.append((card_id, at, day, grade, answer_ms, grade_kind, None, device, seq, origin, anki_id, None, None))
        elif kind == "undo":
            reviews.append((card_id, at, day, None, answer_ms, "undo", None, device, seq, origin, anki_id, *undoes))
        elif kind == "suspension":
            suspensions.append((card_id, at, day, int(bool(suspended)), device, seq))
        else:
            burials.append((card_id, at, day, until or None, device, seq))
    result.added = len(reviews) + len(suspensions) + len(burials)
    for rows, device in ((reviews, 7), (suspensions, 4), (burials, 4)):
        result.cards.update(map(itemgetter(0), rows))
        result.devices.update(map(itemgetter(device), rows))
    if dry_run or not result.added:
        return result
    with bulk.large_cache(db, len(reviews)):
        db.executemany("INSERT INTO suspensions (card_id, at, day, suspended, device, seq) VALUES (?, ?, ?, ?, ?, ?)",
                       suspensions)
        db.executemany("INSERT INTO burials (card_id, at, day, until, device, seq) VALUES (?, ?, ?, ?, ?, ?)", burials)
        fast, slow = _split(db, reviews)
        db.executemany(_INSERT_REVIEW, (row for card_id in slow for row in slow[card_id]))
        if slow:  # undos whose grade is here now (it may have come before the undo, or with it)
            db.execute("UPDATE reviews SET undoes = (SELECT t.id FROM reviews t WHERE t.device = reviews.undoes_device AND "
                       "t.seq = reviews.undoes_seq AND t.card_id = reviews.card_id AND t.kind != 'undo') "
                       "WHERE undoes_device IS NOT NULL AND undoes IS NULL")
        _move_on(store, fast, result.cards - set(slow))
        events.replay_cards(store, slow)
    return result


class _Held:
    """The identities the log holds, read as first needed: each table's numbers per device, and
    the Anki revlog ids of its grades from Anki."""

    def __init__(self, db):
        self.db = db
        self.seqs: dict[tuple[str, str], set[int]] = {}
        self.anki_ids: set[int] | None = None

    def __call__(self, kind: str, device: str, seq: int, anki_id: int | None) -> bool:
        """Whether the log holds this event already (by its identity, or a grade from Anki by
        its revlog id); if not, it counts as held from now on (an event given twice is added once)."""
        table = TABLES[kind]
        seen = self.seqs.get((table, device))
        if seen is None:
            seen = self.seqs[(table, device)] = {row[0] for row in self.db.execute(
                f"SELECT seq FROM {table} WHERE device = ?", (device,))}
        if seq in seen:
            return True
        if anki_id is not None:
            if self.anki_ids is None:
                self.anki_ids = {row[0] for row in self.db.execute(
                    "SELECT anki_id FROM reviews WHERE anki_id IS NOT NULL")}
            if anki_id in self.anki_ids:
                return True
            self.anki_ids.add(anki_id)
        seen.add(seq)
        return False


def _split(db, reviews: list[tuple]) -> tuple[dict[str, list[tuple]], dict[str, list[tuple]]]:
    """The new rows of the reviews table by card, each card's in replay order: (those of cards
    whose new rows are all grades that come after the card's log, in replay order, and that no
    undo in the log names; those of the other cards, which are replayed)."""
    by_card: dict[str, list[tuple]] = {}
    for row in reviews:
        rows = by_card.get(row[0])
        if rows is None:
            by_card[row[0]] = [row]
        else:
            rows.append(row)
    in_order = itemgetter(1, 7, 8)  # (time, device, seq)
    for rows in by_card.values():
        if len(rows) > 1:
            rows.sort(key=in_order)
    mark_affected(db, by_card)
    last = dict(db.execute("SELECT a.card_id, (SELECT max(r.reviewed_at) FROM reviews r WHERE r.card_id = a.card_id) "
                           "FROM temp.affected a"))
    named = set(db.execute("SELECT undoes_device, undoes_seq FROM reviews WHERE undoes_device IS NOT NULL AND undoes IS NULL"))
    replayed = {row[0] for row in reviews if row[5] == "undo" or (named and (row[7], row[8]) in named)}
    fast, slow = {}, {}
    for card_id, rows in by_card.items():
        before = last.get(card_id)
        if card_id in replayed or (before is not None and rows[0][1] <= before):
            slow[card_id] = rows
        else:
            fast[card_id] = rows
    return fast, slow


def _move_on(store, fast: dict[str, list[tuple]], cards: set[str]) -> None:
    """Cards whose new grades all come after their log: each grade applied to the card's state
    as `Store.record` applies it (SM-2 on plain integers, as `walk` does), the rows written with
    their SM-2 columns; and the cards that only got burials or suspensions. Their marks from the
    logs."""
    db, scheduler = store.db, store.scheduler
    sm2_only = scheduler.name == "sm2"  # (SM-2's state is the integers themselves; another scheduler keeps its own)
    mark_affected(db, cards)
    current = {row[0]: row for row in db.execute(
        f"SELECT card_id, {store._COLUMNS} FROM cards WHERE card_id IN (SELECT card_id FROM temp.affected)")}
    marks = latest_marks(db, affected=True)
    ordinals: dict[str, int] = {}
    ours, theirs, writes = [], [], []
    for card_id in sorted(cards):  # (in key order: the indexes by card are written page by page)
        row = current.get(card_id)
        if row is None:
            sm2, state = (0, START_EF_CENTI, 0, None, 0), NEW
        else:  # (card_id, reps, ef, interval, due, lapses, last_review, buried_until, last_day, stability, difficulty, suspended)
            last_day = row[8]
            sm2 = (row[1], row[2], row[3], None if last_day is None else date.fromisoformat(last_day).toordinal(), row[5])
            state = None if sm2_only else store._state(row[1:])
        columns = _columns(sm2)
        last_review = None
        for card, at, day, grade, answer_ms, kind, _, device, seq, origin, anki_id, _, _ in fast.get(card_id, ()):
            before = columns
            if kind == "review":
                ordinal = ordinals.get(day)
                if ordinal is None:
                    ordinal = ordinals[day] = date.fromisoformat(day).toordinal()
                sm2 = _step(sm2, grade, ordinal)
                columns = _columns(sm2)
                last_review = at
                if not sm2_only:
                    state = scheduler.apply(state, grade, date.fromisoformat(day), at, card_id)
            if origin == "dlquiz" and anki_id is None:
                ours.append((card, at, day, grade, answer_ms, kind, device, seq, *before, *columns))
            else:
                theirs.append((card, at, day, grade, answer_ms, kind, device, seq, anki_id, origin, *before, *columns))
        mark = marks.get(card_id)
        if last_review is None and row is None and mark is None:
            continue  # (as record: a re-drill alone writes no state)
        if sm2_only and last_review is not None:  # the state is SM-2's integers, as `replay` makes it
            reps, ef, ivl, last, lapses = sm2
            values = [card_id, reps, ef, ivl, columns[3], lapses, last_review, None, date.fromordinal(last).isoformat(),
                      None, None, 0]
        elif sm2_only and row is not None:
            values = list(row)
        else:
            values = list(store._values(card_id, state))
        # (buried until, suspended): the logs' latest marks, or else the card's own as they were
        values[7], values[11] = ((iso_day(mark[0]), int(mark[1])) if mark is not None else
                                 (row[7], row[11]) if row is not None else (None, 0))
        writes.append(tuple(values))
    with bulk.indexes_rebuilt(db, "reviews", len(ours) + len(theirs)):
        db.executemany(_INSERT_GRADE, ours)
        db.executemany(_INSERT_ANKI_GRADE, theirs)
    bulk.write_states(db, store._WRITE, writes)
