"""The floors under issue 16's two speed targets: what the least work a sync or an import must
do costs on this machine, with no dlquiz code in the way (bench_sync.py reports them beside
dlquiz's figures, measured in the same run, in the same kind of fresh process).

A floor is the cheapest form of each step the command cannot skip, in the most compact log
that could serve dlquiz (integer card, time, day and device keys, no SM-2 columns, the four
indexes its readers need: a card's log in replay order, the days for stats, the event identity,
the Anki revlog id):

- sync: read the other machine's file (`json.loads` per line), look up its cards, read the
  states of the cards it touches, step SM-2 for each grade (memoised, as the replay does),
  append the events to a 500,000-row log, write the states, commit, checkpoint.
- import: bring the revlog rows of the dlquiz notes across in one `INSERT ... SELECT` from the
  attached collection (no Python per row; the GUIDs known in advance, as a cache would hold
  them; the review day in UTC with the rollover hour), build the indexes, step SM-2 through
  every card's log, write the states, commit, checkpoint. Anki's baseline reads the same
  collection file; dlquiz would also have to unpack the .colpkg, which the floor leaves out.

`prepare_*` build the floors' stores (not timed); `python floors.py sync|import ...` is the
timed process.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from datetime import date
from pathlib import Path

SCHEMA = (
    "CREATE TABLE cards (card INTEGER PRIMARY KEY, card_id TEXT NOT NULL UNIQUE, guid TEXT)",
    ("CREATE TABLE log (id INTEGER PRIMARY KEY, card INTEGER NOT NULL, at INTEGER NOT NULL, day INTEGER NOT NULL, "
     "grade INTEGER, answer_ms INTEGER NOT NULL, kind INTEGER NOT NULL, device INTEGER NOT NULL, seq INTEGER NOT NULL, "
     "anki_id INTEGER)"),
    "CREATE TABLE states (card INTEGER PRIMARY KEY, reps INTEGER, ef INTEGER, ivl INTEGER, last_day INTEGER, lapses INTEGER)",
)
INDEXES = (
    "CREATE INDEX log_in_order ON log(card, at, device, seq)",
    "CREATE INDEX log_by_day ON log(day, kind, answer_ms)",
    "CREATE UNIQUE INDEX log_by_event ON log(device, seq)",
    "CREATE UNIQUE INDEX log_from_anki ON log(anki_id) WHERE anki_id IS NOT NULL",
)
KINDS = {"review": 0, "redrill": 1, "cram": 2, "undo": 3, "burial": 4, "suspension": 5}
ROLLOVER_S = 4 * 3600
EPOCH = date(1970, 1, 1).toordinal()
US = "CAST((julianday({0}) - 2440587.5) * 86400000000 AS INTEGER)"  # an ISO time as Unix microseconds


def _create(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    for sql in SCHEMA:
        db.execute(sql)
    return db


def prepare_sync(path: Path, store: Path) -> None:
    """The compact form of a dlquiz store (its log and states), with its four indexes."""
    db = _create(path)
    db.execute("ATTACH ? AS store", (str(store),))
    db.execute("BEGIN")
    db.execute("INSERT INTO cards (card_id) SELECT card_id FROM store.cards UNION SELECT card_id FROM store.reviews")
    db.execute(f"INSERT INTO log SELECT r.id, c.card, {US.format('r.reviewed_at')}, julianday(r.day) - 2440587.5, r.grade, "
               "r.answer_ms, CASE r.kind WHEN 'review' THEN 0 WHEN 'redrill' THEN 1 WHEN 'cram' THEN 2 ELSE 3 END, 1, r.seq, "
               "r.anki_id FROM store.reviews r JOIN cards c ON c.card_id = r.card_id ORDER BY r.id")
    db.execute("INSERT INTO states SELECT c.card, s.reps, s.ef, s.interval, julianday(s.last_day) - 2440587.5, s.lapses "
               "FROM store.cards s JOIN cards c ON c.card_id = s.card_id")
    for sql in INDEXES:
        db.execute(sql)
    db.execute("COMMIT")
    db.execute("DETACH store")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def prepare_import(path: Path, guids: dict[str, str]) -> None:
    """An empty compact store that knows its cards' GUIDs (guid -> card id)."""
    db = _create(path)
    db.execute("BEGIN")
    db.executemany("INSERT INTO cards (card_id, guid) VALUES (?, ?)", ((card, guid) for guid, card in guids.items()))
    db.execute("CREATE INDEX cards_by_guid ON cards(guid)")
    db.execute("COMMIT")
    db.close()


def _open(path: str) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA cache_size = -262144")
    return db


def _stepper():
    from dlquiz.sm2 import step

    memo: dict = {}

    def apply(state: tuple, grade: int, day: int) -> tuple:
        reps, ef, ivl, last, lapses = state
        moved = memo.get((reps, ef, ivl, grade))
        if moved is None:
            moved = memo[(reps, ef, ivl, grade)] = step(reps, ef, ivl, grade)
        return moved[0], moved[1], moved[2], day, lapses + (grade < 3 and last is not None)

    return apply


def _finish(db: sqlite3.Connection, states: dict) -> None:
    db.executemany("INSERT OR REPLACE INTO states VALUES (?, ?, ?, ?, ?, ?)",
                   ((card, *state) for card, state in sorted(states.items())))
    db.execute("COMMIT")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def sync(path: str, remote: str) -> int:
    db = _open(path)
    apply = _stepper()
    db.execute("BEGIN IMMEDIATE")
    keys = dict(db.execute("SELECT card_id, card FROM cards"))
    days: dict[str, int] = {}  # 'YYYY-MM-DD' -> its ordinal (a file has a few hundred days)
    rows = []
    with open(remote, "rb") as lines:
        for line in lines:
            event = json.loads(line)
            at, day = event["at"], event["day"]  # at: 'YYYY-MM-DDTHH:MM:SS.ffffff+00:00' (UTC)
            ordinal = days.get(day)
            if ordinal is None:
                ordinal = days[day] = date.fromisoformat(day).toordinal() - EPOCH
            utc = days.get(at[:10])
            if utc is None:
                utc = days[at[:10]] = date.fromisoformat(at[:10]).toordinal() - EPOCH
            micro = ((utc * 24 + int(at[11:13])) * 3600 + int(at[14:16]) * 60 + int(at[17:19])) * 1_000_000 + int(at[20:26])
            card = keys.get(event["card"])
            if card is None:  # (a card this store has no key for yet)
                card = keys[event["card"]] = db.execute("INSERT INTO cards (card_id) VALUES (?)", (event["card"],)).lastrowid
            rows.append((card, micro, ordinal, event.get("grade"), event.get("ms", 0),
                         KINDS[event.get("kind", event["type"])], 2, event["seq"]))
    rows.sort()
    touched = sorted({row[0] for row in rows})
    states = {}
    for card in touched:
        found = db.execute("SELECT reps, ef, ivl, last_day, lapses FROM states WHERE card = ?", (card,)).fetchone()
        states[card] = found or (0, 250, 0, None, 0)
    for card, _, day, grade, _, kind, _, _ in rows:
        if kind == 0:
            states[card] = apply(states[card], grade, day)
    db.executemany("INSERT INTO log (card, at, day, grade, answer_ms, kind, device, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   rows)
    _finish(db, states)
    return len(rows)


def import_(path: str, collection: str) -> int:
    db = _open(path)
    apply = _stepper()
    db.execute("ATTACH ? AS anki", (collection,))
    db.execute("BEGIN IMMEDIATE")
    db.execute("CREATE TEMP TABLE ours (cid INTEGER PRIMARY KEY, card INTEGER NOT NULL)")  # Anki card -> dlquiz card
    db.execute("INSERT INTO ours SELECT c.id, k.card FROM anki.cards c JOIN anki.notes n ON n.id = c.nid "
               "JOIN cards k ON k.guid = n.guid")
    db.execute(
        "INSERT INTO log (card, at, day, grade, answer_ms, kind, device, seq, anki_id) "
        f"SELECT o.card, r.id * 1000, (r.id / 1000 - {ROLLOVER_S}) / 86400, CASE r.ease WHEN 1 THEN 1 WHEN 2 THEN 3 "
        "WHEN 3 THEN 4 ELSE 5 END, r.time, 0, 1, r.id, r.id FROM anki.revlog r JOIN ours o ON o.cid = r.cid "
        "WHERE r.ease BETWEEN 1 AND 4 ORDER BY r.id")
    for sql in INDEXES:
        db.execute(sql)
    states: dict = {}
    new = (0, 250, 0, None, 0)
    for card, grade, day in db.execute("SELECT card, grade, day FROM log ORDER BY id"):  # (in time order: as inserted)
        states[card] = apply(states.get(card, new), grade, day)
    count = db.execute("SELECT count(*) FROM log").fetchone()[0]
    _finish(db, states)
    return count


if __name__ == "__main__":
    command, path, source = sys.argv[1:4]
    done = (sync if command == "sync" else import_)(path, source)
    if len(sys.argv) > 4 and done != int(sys.argv[4]):
        print(f"the floor's {command} wrote {done} rows, not {sys.argv[4]}", file=sys.stderr)
        sys.exit(3)
