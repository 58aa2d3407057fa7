"""The review store's schema, as numbered migrations: `MIGRATIONS[n]` takes a store from schema
version n to n + 1. dlquiz.review.store applies the missing ones in one transaction when it opens
a store; a new migration is a new function at the end of the list, never an edit of an old one.
"""

from __future__ import annotations

import sqlite3
from typing import Callable


def m001_initial(db: sqlite3.Connection) -> None:
    db.execute("""
        CREATE TABLE reviews (
            id INTEGER PRIMARY KEY,
            card_id TEXT NOT NULL,
            reviewed_at TEXT NOT NULL,            -- UTC, ISO 8601
            day TEXT NOT NULL,                    -- review day: local date with the rollover hour
            grade INTEGER CHECK (grade BETWEEN 0 AND 5),
            answer_ms INTEGER NOT NULL DEFAULT 0,
            kind TEXT NOT NULL CHECK (kind IN ('review', 'redrill', 'cram', 'undo')),
            undoes INTEGER REFERENCES reviews(id),
            reps_before INTEGER NOT NULL, ef_before INTEGER NOT NULL, interval_before INTEGER NOT NULL,
            due_before TEXT, lapses_before INTEGER NOT NULL,
            reps_after INTEGER NOT NULL, ef_after INTEGER NOT NULL, interval_after INTEGER NOT NULL,
            due_after TEXT, lapses_after INTEGER NOT NULL
        )""")
    db.execute("CREATE INDEX reviews_by_card ON reviews(card_id, id)")
    db.execute("CREATE INDEX reviews_by_day ON reviews(day, kind)")
    db.execute("""
        CREATE TABLE cards (
            card_id TEXT PRIMARY KEY,
            reps INTEGER NOT NULL,
            ef INTEGER NOT NULL,                  -- E-Factor in hundredths
            interval INTEGER NOT NULL,
            due TEXT,                             -- NULL: never reviewed (new)
            lapses INTEGER NOT NULL,
            last_review TEXT,
            buried_until TEXT
        ) WITHOUT ROWID""")
    db.execute("CREATE INDEX cards_by_due ON cards(due)")
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID")


def m002_stats_indexes(db: sqlite3.Connection) -> None:
    # Undo entries through a small partial index: "not undone" no longer scans the whole log.
    db.execute("CREATE INDEX reviews_undone ON reviews(undoes) WHERE undoes IS NOT NULL")
    # `dlquiz stats` reads answers and time per day, for all cards or for some decks' cards, from
    # these indexes alone. A card's rows still come out of reviews_by_card in log order (by rowid)
    # when a query asks for one card ORDER BY id: a card has few rows, so the sort costs nothing.
    db.execute("DROP INDEX reviews_by_day")
    db.execute("CREATE INDEX reviews_by_day ON reviews(day, kind, answer_ms)")
    db.execute("DROP INDEX reviews_by_card")
    db.execute("CREATE INDEX reviews_by_card ON reviews(card_id, day, kind, answer_ms)")


def m003_anki_notes(db: sqlite3.Connection) -> None:
    # What `dlquiz export` sent to Anki: per note, a hash of its content and when that content was
    # first exported (the note's modification time, which decides whether Anki takes an update),
    # and whether the export has reported its card as gone from the decks.
    db.execute("""
        CREATE TABLE anki_notes (
            guid TEXT PRIMARY KEY,                -- the note's GUID in Anki
            card_id TEXT NOT NULL,
            content TEXT NOT NULL,                -- hash of the fields and tags as exported
            changed_at INTEGER NOT NULL,          -- Unix seconds: when this content was first exported
            gone INTEGER NOT NULL DEFAULT 0       -- 1 once an export reported the card deleted
        ) WITHOUT ROWID""")


def m004_members(db: sqlite3.Connection) -> None:
    # Which deck holds which card, as of the last time the decks changed (meta 'members' holds a
    # digest of that membership), and whether the card is new (has no due day): per-deck counts
    # become one join in SQLite, and a queue's new cards a walk of a partial index, instead of
    # reading every card's schedule into Python (50,000 cards: 40 ms, not 250). Triggers keep
    # `new` right whatever writes the schedules.
    db.execute("""
        CREATE TABLE members (
            deck TEXT NOT NULL,
            card_id TEXT NOT NULL,
            new INTEGER NOT NULL DEFAULT 1,       -- 1 while the card has no due day (never reviewed)
            PRIMARY KEY (deck, card_id)
        ) WITHOUT ROWID""")
    db.execute("CREATE INDEX members_by_card ON members(card_id)")
    db.execute("CREATE INDEX members_new ON members(deck, card_id) WHERE new")
    for event, value in (("INSERT ON cards", "NEW.due IS NULL"), ("UPDATE OF due ON cards", "NEW.due IS NULL")):
        name = "members_new_after_" + event.split()[0].lower()
        db.execute(f"CREATE TRIGGER {name} AFTER {event} BEGIN "
                   f"UPDATE members SET new = ({value}) WHERE card_id = NEW.card_id; END")
    db.execute("CREATE TRIGGER members_new_after_delete AFTER DELETE ON cards BEGIN "
               "UPDATE members SET new = 1 WHERE card_id = OLD.card_id; END")


def m005_fsrs_state(db: sqlite3.Connection) -> None:
    # A second scheduler (docs/schedulers.md). `due` stays the active scheduler's due day and the
    # SM-2 columns stay SM-2's, always; FSRS's memory state is kept beside them (NULL under SM-2),
    # with the review day of the card's last scheduled review, from which both schedulers count
    # (SM-2's due day is last_day + interval, which is how the log's due columns stay SM-2's).
    # Until now only SM-2 scheduled, so every due day was last_day + interval.
    db.execute("ALTER TABLE cards ADD COLUMN last_day TEXT")
    db.execute("ALTER TABLE cards ADD COLUMN stability REAL")
    db.execute("ALTER TABLE cards ADD COLUMN difficulty REAL")
    db.execute("UPDATE cards SET last_day = date(due, '-' || interval || ' days') WHERE due IS NOT NULL")


def m006_suspensions(db: sqlite3.Connection) -> None:
    # Suspension takes a card out of every queue until it is unsuspended (as in Anki). Its log is a
    # table of its own, append-only like the review log (whose rows are grades): each row suspends
    # (1) or unsuspends (0) a card, and an undo appends the opposite row. cards.suspended is the
    # latest row's value for each card, so the current state stays a replay of the logs.
    db.execute("""
        CREATE TABLE suspensions (
            id INTEGER PRIMARY KEY,
            card_id TEXT NOT NULL,
            at TEXT NOT NULL,                     -- UTC, ISO 8601
            day TEXT NOT NULL,                    -- review day
            suspended INTEGER NOT NULL CHECK (suspended IN (0, 1))
        )""")
    db.execute("CREATE INDEX suspensions_by_card ON suspensions(card_id, id)")
    db.execute("ALTER TABLE cards ADD COLUMN suspended INTEGER NOT NULL DEFAULT 0")
    db.execute("CREATE INDEX cards_suspended ON cards(card_id) WHERE suspended")


def m007_events(db: sqlite3.Connection) -> None:
    # Every event of the logs (grades, undos, suspensions, and now burials) gets an identity that is
    # unique on every machine: this store's random device id and the next number of this device
    # (docs/sync.md). The replay order is (time, device, seq), so machines that hold the same events
    # compute the same states. An undo names the grade it takes back by that identity; `undoes`
    # (the local rowid) becomes a derived pointer, filled once the grade is in this log. Grades
    # from Anki keep the revlog id (`anki_id`) that makes importing idempotent. Existing events get
    # this device's identity, numbered in replay order (ties in their old order, by id).
    import secrets

    device = secrets.token_hex(8)
    db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('device', ?)", (device,))
    for table in ("reviews", "suspensions"):
        db.execute(f"ALTER TABLE {table} ADD COLUMN device TEXT NOT NULL DEFAULT ''")
        db.execute(f"ALTER TABLE {table} ADD COLUMN seq INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE reviews ADD COLUMN origin TEXT NOT NULL DEFAULT 'dlquiz' CHECK (origin IN ('dlquiz', 'anki'))")
    db.execute("ALTER TABLE reviews ADD COLUMN anki_id INTEGER")  # the Anki revlog id of a grade from Anki
    db.execute("ALTER TABLE reviews ADD COLUMN undoes_device TEXT")  # an undo: the identity of its grade
    db.execute("ALTER TABLE reviews ADD COLUMN undoes_seq INTEGER")
    db.execute("""
        CREATE TABLE burials (
            id INTEGER PRIMARY KEY,
            card_id TEXT NOT NULL,
            at TEXT NOT NULL,                     -- UTC, ISO 8601
            day TEXT NOT NULL,                    -- review day
            until TEXT,                           -- buried until this review day; NULL: unburied
            device TEXT NOT NULL,
            seq INTEGER NOT NULL
        )""")
    # A burial in force was never logged: log it, as made at the start of the day before it ends.
    db.execute("INSERT INTO burials (card_id, at, day, until, device, seq) SELECT card_id, "
               "date(buried_until, '-1 day') || 'T00:00:00.000000+00:00', date(buried_until, '-1 day'), buried_until, ?, 0 "
               "FROM cards WHERE buried_until IS NOT NULL ORDER BY card_id", (device,))
    db.execute("CREATE TEMP TABLE numbering (source INTEGER, id INTEGER, n INTEGER, PRIMARY KEY (source, id)) WITHOUT ROWID")
    db.execute("INSERT INTO numbering SELECT source, id, row_number() OVER (ORDER BY at, source, id) FROM ("
               "SELECT 0 AS source, id, reviewed_at AS at FROM reviews UNION ALL SELECT 1, id, at FROM suspensions "
               "UNION ALL SELECT 2, id, at FROM burials)")
    for source, table in enumerate(("reviews", "suspensions", "burials")):
        db.execute(f"UPDATE {table} SET device = ?, seq = (SELECT n FROM numbering WHERE source = ? AND "
                   f"numbering.id = {table}.id)", (device, source))
    db.execute("DROP TABLE numbering")
    db.execute("UPDATE reviews SET undoes_device = device, undoes_seq = (SELECT t.seq FROM reviews t WHERE t.id = reviews.undoes) "
               "WHERE undoes IS NOT NULL")
    for table in ("reviews", "suspensions", "burials"):
        db.execute(f"CREATE UNIQUE INDEX {table}_by_event ON {table}(device, seq)")
    db.execute("CREATE INDEX burials_by_card ON burials(card_id)")
    db.execute("CREATE INDEX reviews_in_order ON reviews(card_id, reviewed_at, device, seq)")  # a card's log in replay order
    db.execute("CREATE UNIQUE INDEX reviews_from_anki ON reviews(anki_id) WHERE anki_id IS NOT NULL")
    db.execute("CREATE INDEX reviews_undoing ON reviews(undoes_device, undoes_seq) WHERE undoes_device IS NOT NULL")
    # What `dlquiz export anki --with-progress` wrote into Anki's revlog: those reviews are dlquiz's
    # own, and never come back from Anki as new ones (dlquiz import anki).
    db.execute("""
        CREATE TABLE anki_exported (
            revlog_id INTEGER PRIMARY KEY,        -- the revlog id in the package
            device TEXT NOT NULL,                 -- the grade it carried
            seq INTEGER NOT NULL
        )""")
    # `dlquiz sync`: per file of a sync folder, how far it was read (bytes and lines), and for this
    # device's own file how far it was written (the last event's number).
    db.execute("""
        CREATE TABLE sync_files (
            path TEXT PRIMARY KEY,                -- the file, as an absolute path
            offset INTEGER NOT NULL,              -- bytes read (or written) so far: whole lines only
            lines INTEGER NOT NULL,               -- lines read so far
            seq INTEGER NOT NULL DEFAULT 0        -- this device's file: the last event written
        ) WITHOUT ROWID""")


_PARTS = ("totals", "due", "lapses")


def _card_part(sign: str, rows: str, deck: str, due: str, suspended: str, lapses: str, parts: tuple = _PARTS) -> str:
    """The statements that add (`sign` '+') or take away ('-') one card's part in the per-deck
    counts, for each row of `rows` (`table WHERE ...`), which gives a deck holding the card and
    the card's due day, suspension and lapses (as the SQL `deck`, `due`, `suspended`, `lapses`).
    A suspended card counts as suspended; any other with a due day as scheduled, on its due day
    (deck_due); a card with lapses by their number (deck_lapses). `parts`: which of the three
    (deck_totals, deck_due, deck_lapses)."""
    scheduled = f"{due} IS NOT NULL AND NOT {suspended}"
    sql = "".join(f"UPDATE deck_totals SET {column} = {column} {sign} 1 WHERE deck IN (SELECT {deck} FROM {rows} AND {when}); "
                  for column, when in (("suspended", suspended), ("scheduled", scheduled)) if "totals" in parts)
    for table, column, value, when in (("deck_due", "due", due, scheduled), ("deck_lapses", "lapses", lapses, f"{lapses} > 0")):
        if column not in parts:
            continue
        if sign == "+":
            sql += (f"INSERT INTO {table} (deck, {column}, n) SELECT {deck}, {value}, 1 FROM {rows} AND {when} "
                    f"ON CONFLICT (deck, {column}) DO UPDATE SET n = n + 1; ")
        else:
            pairs = f"SELECT {deck}, {value} FROM {rows} AND {when}"
            sql += (f"UPDATE {table} SET n = n - 1 WHERE (deck, {column}) IN ({pairs}); "
                    f"DELETE FROM {table} WHERE n = 0 AND (deck, {column}) IN ({pairs}); ")
    return sql


_ROW = dict(rows="members WHERE card_id = {}.card_id", deck="deck", due="{}.due", suspended="{}.suspended",
            lapses="{}.lapses")


def _row_part(sign: str, row: str, parts: tuple = _PARTS) -> str:
    """_card_part for the card of a trigger's row (`row`: 'NEW' or 'OLD')."""
    return _card_part(sign, **{key: value.format(row) for key, value in _ROW.items()}, parts=parts)


def m008_deck_counts(db: sqlite3.Connection) -> None:
    # Per-deck counts kept as the schedules change, so that `dlquiz decks` and the first card of a
    # review read per deck, not per card (200,000 cards: a GROUP BY over every card took 150 ms).
    # Triggers keep them, whatever writes: on `cards`, a grade, an undo, a burial, a suspension, a
    # scheduler's replay, an import; on `member_decks`, a deck's members written. Kept as numbers: each deck's cards, scheduled
    # cards (the others are new) and suspended cards (deck_totals); as histograms, read per deck
    # by their keys: the due days of the scheduled cards (deck_due: due today is a range up to
    # today, the next due day one step past it) and the lapses (deck_lapses: leeches, whose
    # threshold is a setting). Buried cards, few and buried for a day, are read through their own
    # index. Members now know their place in their deck (pos), so a queue is put in deck order
    # without the decks' ids in memory, and member_decks holds each deck's membership digest, so
    # a change to one deck's cards rewrites that deck's members only. The members are written
    # again on the next open (meta 'members' is dropped), which fills the counts.
    db.execute("DELETE FROM members")
    db.execute("DELETE FROM meta WHERE key = 'members'")
    db.execute("ALTER TABLE members ADD COLUMN pos INTEGER NOT NULL DEFAULT 0")  # the card's place in its deck
    db.execute("DROP INDEX members_new")
    db.execute("CREATE INDEX members_new ON members(deck, pos) WHERE new")
    db.execute("DROP INDEX members_by_card")
    db.execute("CREATE INDEX members_by_card ON members(card_id, pos)")
    db.execute("CREATE INDEX cards_buried ON cards(buried_until) WHERE buried_until IS NOT NULL")
    db.execute("CREATE TABLE member_decks (deck TEXT PRIMARY KEY, digest TEXT NOT NULL) WITHOUT ROWID")
    db.execute("""
        CREATE TABLE deck_totals (
            deck TEXT PRIMARY KEY,
            cards INTEGER NOT NULL,               -- members
            scheduled INTEGER NOT NULL,           -- members with a due day, not suspended (the rest are new)
            suspended INTEGER NOT NULL
        ) WITHOUT ROWID""")
    for table, column in (("deck_due", "due TEXT"), ("deck_lapses", "lapses INTEGER")):
        db.execute(f"CREATE TABLE {table} (deck TEXT NOT NULL, {column} NOT NULL, n INTEGER NOT NULL, "
                   f"PRIMARY KEY (deck, {column.split()[0]})) WITHOUT ROWID")

    for event, parts in (("INSERT", (("+", "NEW"),)), ("DELETE", (("-", "OLD"),)), ("UPDATE", (("-", "OLD"), ("+", "NEW")))):
        when = (" OF due, suspended, lapses ON cards WHEN OLD.due IS NOT NEW.due OR OLD.suspended IS NOT NEW.suspended "
                "OR OLD.lapses IS NOT NEW.lapses" if event == "UPDATE" else " ON cards")
        body = "".join(_row_part(sign, row) for sign, row in parts)
        db.execute(f"CREATE TRIGGER deck_counts_after_{event.lower()} AFTER {event}{when} BEGIN {body}END")
    # A deck's members are written together, then its row of member_decks: that row's triggers
    # count the deck again, in three aggregates (a trigger on each member row would cost 20 us a
    # row, 4 s for the first 200,000).
    recount = ("DELETE FROM deck_totals WHERE deck = {0}.deck; DELETE FROM deck_due WHERE deck = {0}.deck; "
               "DELETE FROM deck_lapses WHERE deck = {0}.deck; ")
    members = "FROM members m {} cards c ON c.card_id = m.card_id WHERE m.deck = NEW.deck"
    count = (recount.format("NEW") +
             "INSERT INTO deck_totals (deck, cards, scheduled, suspended) SELECT NEW.deck, count(*), "
             "count(CASE WHEN c.due IS NOT NULL AND NOT c.suspended THEN 1 END), count(CASE WHEN c.suspended THEN 1 END) "
             f"{members.format('LEFT JOIN')} HAVING count(*); "
             f"INSERT INTO deck_due (deck, due, n) SELECT NEW.deck, c.due, count(*) {members.format('JOIN')} "
             "AND c.due IS NOT NULL AND NOT c.suspended GROUP BY c.due; "
             f"INSERT INTO deck_lapses (deck, lapses, n) SELECT NEW.deck, c.lapses, count(*) {members.format('JOIN')} "
             "AND c.lapses > 0 GROUP BY c.lapses; ")
    db.execute(f"CREATE TRIGGER deck_counts_after_deck_insert AFTER INSERT ON member_decks BEGIN {count}END")
    db.execute(f"CREATE TRIGGER deck_counts_after_deck_update AFTER UPDATE ON member_decks BEGIN {count}END")
    db.execute(f"CREATE TRIGGER deck_counts_after_deck_delete AFTER DELETE ON member_decks BEGIN {recount.format('OLD')}END")


def m009_narrow_count_triggers(db: sqlite3.Connection) -> None:
    # A grade moves a scheduled card from one due day to another, and now and then adds a lapse:
    # m008's one trigger took the card's whole part away and added it back, ten statements (half
    # of a grade's time). Now each change runs what it changes: a due day moved (three
    # statements), lapses changed (three), and the rest (a card becoming scheduled, new again,
    # suspended or unsuspended) the totals and the due days as before. The members' `new` flag is
    # written only when a card becomes new or stops being new.
    def both(parts: tuple) -> str:
        return _row_part("-", "OLD", parts) + _row_part("+", "NEW", parts)

    moved = ("OLD.due IS NOT NEW.due AND OLD.due IS NOT NULL AND NEW.due IS NOT NULL AND NOT OLD.suspended "
             "AND NOT NEW.suspended")
    db.execute("DROP TRIGGER deck_counts_after_update")
    db.execute(f"CREATE TRIGGER deck_counts_after_update AFTER UPDATE OF due, suspended ON cards WHEN (OLD.due IS NOT "
               f"NEW.due OR OLD.suspended IS NOT NEW.suspended) AND NOT ({moved}) BEGIN {both(('totals', 'due'))}END")
    db.execute(f"CREATE TRIGGER deck_counts_after_update_due AFTER UPDATE OF due, suspended ON cards WHEN {moved} "
               f"BEGIN {both(('due',))}END")
    db.execute(f"CREATE TRIGGER deck_counts_after_update_lapses AFTER UPDATE OF lapses ON cards WHEN OLD.lapses IS NOT "
               f"NEW.lapses BEGIN {both(('lapses',))}END")
    db.execute("DROP TRIGGER members_new_after_update")
    db.execute("CREATE TRIGGER members_new_after_update AFTER UPDATE OF due ON cards WHEN (OLD.due IS NULL) IS NOT "
               "(NEW.due IS NULL) BEGIN UPDATE members SET new = (NEW.due IS NULL) WHERE card_id = NEW.card_id; END")


def m010_checks_without_lists(db: sqlite3.Connection) -> None:
    # SQLite (3.40) evaluated the log's `kind IN ('review', 'redrill', 'cram', 'undo')` check at
    # a cost of half of an insert's time (an insert took 6.7 us, 2.8 us without it: a second of a
    # 500,000-review import, a third of a 100,000-event sync's log insert). The same rules as
    # comparisons cost nothing to speak of. A table's checks cannot be altered in place: the log
    # is copied, row for row, ids kept, into a table that has them, and its indexes made again
    # as they were.
    indexes = [row[0] for row in db.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'reviews' "
                                            "AND sql IS NOT NULL ORDER BY rowid")]
    db.execute("ALTER TABLE reviews RENAME TO reviews_unchecked")
    db.execute("""
        CREATE TABLE reviews (
            id INTEGER PRIMARY KEY,
            card_id TEXT NOT NULL,
            reviewed_at TEXT NOT NULL,            -- UTC, ISO 8601
            day TEXT NOT NULL,                    -- review day: local date with the rollover hour
            grade INTEGER CHECK (grade BETWEEN 0 AND 5),
            answer_ms INTEGER NOT NULL DEFAULT 0,
            kind TEXT NOT NULL CHECK (kind = 'review' OR kind = 'redrill' OR kind = 'cram' OR kind = 'undo'),
            undoes INTEGER REFERENCES reviews(id),
            reps_before INTEGER NOT NULL, ef_before INTEGER NOT NULL, interval_before INTEGER NOT NULL,
            due_before TEXT, lapses_before INTEGER NOT NULL,
            reps_after INTEGER NOT NULL, ef_after INTEGER NOT NULL, interval_after INTEGER NOT NULL,
            due_after TEXT, lapses_after INTEGER NOT NULL,
            device TEXT NOT NULL DEFAULT '',
            seq INTEGER NOT NULL DEFAULT 0,
            origin TEXT NOT NULL DEFAULT 'dlquiz' CHECK (origin = 'dlquiz' OR origin = 'anki'),
            anki_id INTEGER,                      -- the Anki revlog id of a grade from Anki
            undoes_device TEXT,                   -- an undo: the identity of its grade
            undoes_seq INTEGER
        )""")
    columns = ", ".join(row[1] for row in db.execute("PRAGMA table_info(reviews_unchecked)"))
    db.execute(f"INSERT INTO reviews ({columns}) SELECT {columns} FROM reviews_unchecked ORDER BY id")
    db.execute("DROP TABLE reviews_unchecked")
    for sql in indexes:
        db.execute(sql)


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    m001_initial, m002_stats_indexes, m003_anki_notes, m004_members, m005_fsrs_state, m006_suspensions,
    m007_events, m008_deck_counts, m009_narrow_count_triggers, m010_checks_without_lists,
]
SCHEMA_VERSION = len(MIGRATIONS)
