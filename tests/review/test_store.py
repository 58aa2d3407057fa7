"""The SQLite store: migrations, the append-only log, undo, rebuilding state from the log, and
refusing files it must not touch."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlquiz.errors import DlquizError, StoreError
from dlquiz.review import wal
from dlquiz.review.migrations import SCHEMA_VERSION
from dlquiz.review.schedule import NEW
from dlquiz.review.store import Store, open_store
from dlquiz.sm2 import SM2State

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)
DAY = date(2026, 11, 26)

SCHEMA = [
    ("index", "burials_by_card", "CREATE INDEX burials_by_card ON burials(card_id)"),
    ("index", "burials_by_event", "CREATE UNIQUE INDEX burials_by_event ON burials(device, seq)"),
    ("index", "cards_buried", "CREATE INDEX cards_buried ON cards(buried_until) WHERE buried_until IS NOT NULL"),
    ("index", "cards_by_due", "CREATE INDEX cards_by_due ON cards(due)"),
    ("index", "cards_suspended", "CREATE INDEX cards_suspended ON cards(card_id) WHERE suspended"),
    ("index", "members_by_card", "CREATE INDEX members_by_card ON members(card_id, pos)"),
    ("index", "members_new", "CREATE INDEX members_new ON members(deck, pos) WHERE new"),
    ("index", "reviews_by_card", "CREATE INDEX reviews_by_card ON reviews(card_id, day, kind, answer_ms)"),
    ("index", "reviews_by_day", "CREATE INDEX reviews_by_day ON reviews(day, kind, answer_ms)"),
    ("index", "reviews_by_event", "CREATE UNIQUE INDEX reviews_by_event ON reviews(device, seq)"),
    ("index", "reviews_from_anki", "CREATE UNIQUE INDEX reviews_from_anki ON reviews(anki_id) WHERE anki_id IS NOT "
     "NULL"),
    ("index", "reviews_in_order", "CREATE INDEX reviews_in_order ON reviews(card_id, reviewed_at, device, seq)"),
    ("index", "reviews_undoing", "CREATE INDEX reviews_undoing ON reviews(undoes_device, undoes_seq) WHERE "
     "undoes_device IS NOT NULL"),
    ("index", "reviews_undone", "CREATE INDEX reviews_undone ON reviews(undoes) WHERE undoes IS NOT NULL"),
    ("index", "suspensions_by_card", "CREATE INDEX suspensions_by_card ON suspensions(card_id, id)"),
    ("index", "suspensions_by_event", "CREATE UNIQUE INDEX suspensions_by_event ON suspensions(device, seq)"),
    ("table", "anki_exported", "CREATE TABLE anki_exported ( revlog_id INTEGER PRIMARY KEY, device TEXT NOT NULL, "
     "seq INTEGER NOT NULL )"),
    ("table", "anki_notes", "CREATE TABLE anki_notes ( guid TEXT PRIMARY KEY, card_id TEXT NOT NULL, content TEXT "
     "NOT NULL, changed_at INTEGER NOT NULL, gone INTEGER NOT NULL DEFAULT 0 ) WITHOUT ROWID"),
    ("table", "burials", "CREATE TABLE burials ( id INTEGER PRIMARY KEY, card_id TEXT NOT NULL, at TEXT NOT NULL, "
     "day TEXT NOT NULL, until TEXT, device TEXT NOT NULL, seq INTEGER NOT NULL )"),
    ("table", "cards", "CREATE TABLE cards ( card_id TEXT PRIMARY KEY, reps INTEGER NOT NULL, ef INTEGER NOT NULL, "
     "interval INTEGER NOT NULL, due TEXT, lapses INTEGER NOT NULL, last_review TEXT, buried_until TEXT , last_day "
     "TEXT, stability REAL, difficulty REAL, suspended INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID"),
    ("table", "deck_due", "CREATE TABLE deck_due (deck TEXT NOT NULL, due TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY "
     "KEY (deck, due)) WITHOUT ROWID"),
    ("table", "deck_lapses", "CREATE TABLE deck_lapses (deck TEXT NOT NULL, lapses INTEGER NOT NULL, n INTEGER NOT "
     "NULL, PRIMARY KEY (deck, lapses)) WITHOUT ROWID"),
    ("table", "deck_totals", "CREATE TABLE deck_totals ( deck TEXT PRIMARY KEY, cards INTEGER NOT NULL, scheduled "
     "INTEGER NOT NULL, suspended INTEGER NOT NULL ) WITHOUT ROWID"),
    ("table", "member_decks", "CREATE TABLE member_decks (deck TEXT PRIMARY KEY, digest TEXT NOT NULL) WITHOUT ROWID"),
    ("table", "members", "CREATE TABLE members ( deck TEXT NOT NULL, card_id TEXT NOT NULL, new INTEGER NOT NULL "
     "DEFAULT 1, pos INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (deck, card_id) ) WITHOUT ROWID"),
    ("table", "meta", "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID"),
    ("table", "reviews", "CREATE TABLE reviews ( id INTEGER PRIMARY KEY, card_id TEXT NOT NULL, reviewed_at TEXT NOT "
     "NULL, day TEXT NOT NULL, grade INTEGER CHECK (grade BETWEEN 0 AND 5), answer_ms INTEGER NOT NULL DEFAULT 0, "
     "kind TEXT NOT NULL CHECK (kind = 'review' OR kind = 'redrill' OR kind = 'cram' OR kind = 'undo'), undoes "
     "INTEGER REFERENCES reviews(id), reps_before INTEGER NOT NULL, ef_before INTEGER NOT NULL, interval_before "
     "INTEGER NOT NULL, due_before TEXT, lapses_before INTEGER NOT NULL, reps_after INTEGER NOT NULL, ef_after "
     "INTEGER NOT NULL, interval_after INTEGER NOT NULL, due_after TEXT, lapses_after INTEGER NOT NULL, device TEXT "
     "NOT NULL DEFAULT '', seq INTEGER NOT NULL DEFAULT 0, origin TEXT NOT NULL DEFAULT 'dlquiz' CHECK (origin = "
     "'dlquiz' OR origin = 'anki'), anki_id INTEGER, undoes_device TEXT, undoes_seq INTEGER )"),
    ("table", "suspensions", "CREATE TABLE suspensions ( id INTEGER PRIMARY KEY, card_id TEXT NOT NULL, at TEXT NOT "
     "NULL, day TEXT NOT NULL, suspended INTEGER NOT NULL CHECK (suspended IN (0, 1)) , device TEXT NOT NULL DEFAULT "
     "'', seq INTEGER NOT NULL DEFAULT 0)"),
    ("table", "sync_files", "CREATE TABLE sync_files ( path TEXT PRIMARY KEY, offset INTEGER NOT NULL, lines INTEGER "
     "NOT NULL, seq INTEGER NOT NULL DEFAULT 0 ) WITHOUT ROWID"),
    ("trigger", "deck_counts_after_deck_delete", "CREATE TRIGGER deck_counts_after_deck_delete AFTER DELETE ON "
     "member_decks BEGIN DELETE FROM deck_totals WHERE deck = OLD.deck; DELETE FROM deck_due WHERE deck = OLD.deck; "
     "DELETE FROM deck_lapses WHERE deck = OLD.deck; END"),
    ("trigger", "deck_counts_after_deck_insert", "CREATE TRIGGER deck_counts_after_deck_insert AFTER INSERT ON "
     "member_decks BEGIN DELETE FROM deck_totals WHERE deck = NEW.deck; DELETE FROM deck_due WHERE deck = NEW.deck; "
     "DELETE FROM deck_lapses WHERE deck = NEW.deck; INSERT INTO deck_totals (deck, cards, scheduled, suspended) "
     "SELECT NEW.deck, count(*), count(CASE WHEN c.due IS NOT NULL AND NOT c.suspended THEN 1 END), count(CASE WHEN "
     "c.suspended THEN 1 END) FROM members m LEFT JOIN cards c ON c.card_id = m.card_id WHERE m.deck = NEW.deck "
     "HAVING count(*); INSERT INTO deck_due (deck, due, n) SELECT NEW.deck, c.due, count(*) FROM members m JOIN "
     "cards c ON c.card_id = m.card_id WHERE m.deck = NEW.deck AND c.due IS NOT NULL AND NOT c.suspended GROUP BY "
     "c.due; INSERT INTO deck_lapses (deck, lapses, n) SELECT NEW.deck, c.lapses, count(*) FROM members m JOIN cards "
     "c ON c.card_id = m.card_id WHERE m.deck = NEW.deck AND c.lapses > 0 GROUP BY c.lapses; END"),
    ("trigger", "deck_counts_after_deck_update", "CREATE TRIGGER deck_counts_after_deck_update AFTER UPDATE ON "
     "member_decks BEGIN DELETE FROM deck_totals WHERE deck = NEW.deck; DELETE FROM deck_due WHERE deck = NEW.deck; "
     "DELETE FROM deck_lapses WHERE deck = NEW.deck; INSERT INTO deck_totals (deck, cards, scheduled, suspended) "
     "SELECT NEW.deck, count(*), count(CASE WHEN c.due IS NOT NULL AND NOT c.suspended THEN 1 END), count(CASE WHEN "
     "c.suspended THEN 1 END) FROM members m LEFT JOIN cards c ON c.card_id = m.card_id WHERE m.deck = NEW.deck "
     "HAVING count(*); INSERT INTO deck_due (deck, due, n) SELECT NEW.deck, c.due, count(*) FROM members m JOIN "
     "cards c ON c.card_id = m.card_id WHERE m.deck = NEW.deck AND c.due IS NOT NULL AND NOT c.suspended GROUP BY "
     "c.due; INSERT INTO deck_lapses (deck, lapses, n) SELECT NEW.deck, c.lapses, count(*) FROM members m JOIN cards "
     "c ON c.card_id = m.card_id WHERE m.deck = NEW.deck AND c.lapses > 0 GROUP BY c.lapses; END"),
    ("trigger", "deck_counts_after_delete", "CREATE TRIGGER deck_counts_after_delete AFTER DELETE ON cards BEGIN "
     "UPDATE deck_totals SET suspended = suspended - 1 WHERE deck IN (SELECT deck FROM members WHERE card_id = "
     "OLD.card_id AND OLD.suspended); UPDATE deck_totals SET scheduled = scheduled - 1 WHERE deck IN (SELECT deck "
     "FROM members WHERE card_id = OLD.card_id AND OLD.due IS NOT NULL AND NOT OLD.suspended); UPDATE deck_due SET n "
     "= n - 1 WHERE (deck, due) IN (SELECT deck, OLD.due FROM members WHERE card_id = OLD.card_id AND OLD.due IS NOT "
     "NULL AND NOT OLD.suspended); DELETE FROM deck_due WHERE n = 0 AND (deck, due) IN (SELECT deck, OLD.due FROM "
     "members WHERE card_id = OLD.card_id AND OLD.due IS NOT NULL AND NOT OLD.suspended); UPDATE deck_lapses SET n = "
     "n - 1 WHERE (deck, lapses) IN (SELECT deck, OLD.lapses FROM members WHERE card_id = OLD.card_id AND OLD.lapses "
     "> 0); DELETE FROM deck_lapses WHERE n = 0 AND (deck, lapses) IN (SELECT deck, OLD.lapses FROM members WHERE "
     "card_id = OLD.card_id AND OLD.lapses > 0); END"),
    ("trigger", "deck_counts_after_insert", "CREATE TRIGGER deck_counts_after_insert AFTER INSERT ON cards BEGIN "
     "UPDATE deck_totals SET suspended = suspended + 1 WHERE deck IN (SELECT deck FROM members WHERE card_id = "
     "NEW.card_id AND NEW.suspended); UPDATE deck_totals SET scheduled = scheduled + 1 WHERE deck IN (SELECT deck "
     "FROM members WHERE card_id = NEW.card_id AND NEW.due IS NOT NULL AND NOT NEW.suspended); INSERT INTO deck_due "
     "(deck, due, n) SELECT deck, NEW.due, 1 FROM members WHERE card_id = NEW.card_id AND NEW.due IS NOT NULL AND "
     "NOT NEW.suspended ON CONFLICT (deck, due) DO UPDATE SET n = n + 1; INSERT INTO deck_lapses (deck, lapses, n) "
     "SELECT deck, NEW.lapses, 1 FROM members WHERE card_id = NEW.card_id AND NEW.lapses > 0 ON CONFLICT (deck, "
     "lapses) DO UPDATE SET n = n + 1; END"),
    ("trigger", "deck_counts_after_update", "CREATE TRIGGER deck_counts_after_update AFTER UPDATE OF due, suspended "
     "ON cards WHEN (OLD.due IS NOT NEW.due OR OLD.suspended IS NOT NEW.suspended) AND NOT (OLD.due IS NOT NEW.due "
     "AND OLD.due IS NOT NULL AND NEW.due IS NOT NULL AND NOT OLD.suspended AND NOT NEW.suspended) BEGIN UPDATE "
     "deck_totals SET suspended = suspended - 1 WHERE deck IN (SELECT deck FROM members WHERE card_id = OLD.card_id "
     "AND OLD.suspended); UPDATE deck_totals SET scheduled = scheduled - 1 WHERE deck IN (SELECT deck FROM members "
     "WHERE card_id = OLD.card_id AND OLD.due IS NOT NULL AND NOT OLD.suspended); UPDATE deck_due SET n = n - 1 "
     "WHERE (deck, due) IN (SELECT deck, OLD.due FROM members WHERE card_id = OLD.card_id AND OLD.due IS NOT NULL "
     "AND NOT OLD.suspended); DELETE FROM deck_due WHERE n = 0 AND (deck, due) IN (SELECT deck, OLD.due FROM members "
     "WHERE card_id = OLD.card_id AND OLD.due IS NOT NULL AND NOT OLD.suspended); UPDATE deck_totals SET suspended = "
     "suspended + 1 WHERE deck IN (SELECT deck FROM members WHERE card_id = NEW.card_id AND NEW.suspended); UPDATE "
     "deck_totals SET scheduled = scheduled + 1 WHERE deck IN (SELECT deck FROM members WHERE card_id = NEW.card_id "
     "AND NEW.due IS NOT NULL AND NOT NEW.suspended); INSERT INTO deck_due (deck, due, n) SELECT deck, NEW.due, 1 "
     "FROM members WHERE card_id = NEW.card_id AND NEW.due IS NOT NULL AND NOT NEW.suspended ON CONFLICT (deck, due) "
     "DO UPDATE SET n = n + 1; END"),
    ("trigger", "deck_counts_after_update_due", "CREATE TRIGGER deck_counts_after_update_due AFTER UPDATE OF due, "
     "suspended ON cards WHEN OLD.due IS NOT NEW.due AND OLD.due IS NOT NULL AND NEW.due IS NOT NULL AND NOT "
     "OLD.suspended AND NOT NEW.suspended BEGIN UPDATE deck_due SET n = n - 1 WHERE (deck, due) IN (SELECT deck, "
     "OLD.due FROM members WHERE card_id = OLD.card_id AND OLD.due IS NOT NULL AND NOT OLD.suspended); DELETE FROM "
     "deck_due WHERE n = 0 AND (deck, due) IN (SELECT deck, OLD.due FROM members WHERE card_id = OLD.card_id AND "
     "OLD.due IS NOT NULL AND NOT OLD.suspended); INSERT INTO deck_due (deck, due, n) SELECT deck, NEW.due, 1 FROM "
     "members WHERE card_id = NEW.card_id AND NEW.due IS NOT NULL AND NOT NEW.suspended ON CONFLICT (deck, due) DO "
     "UPDATE SET n = n + 1; END"),
    ("trigger", "deck_counts_after_update_lapses", "CREATE TRIGGER deck_counts_after_update_lapses AFTER UPDATE OF "
     "lapses ON cards WHEN OLD.lapses IS NOT NEW.lapses BEGIN UPDATE deck_lapses SET n = n - 1 WHERE (deck, lapses) "
     "IN (SELECT deck, OLD.lapses FROM members WHERE card_id = OLD.card_id AND OLD.lapses > 0); DELETE FROM "
     "deck_lapses WHERE n = 0 AND (deck, lapses) IN (SELECT deck, OLD.lapses FROM members WHERE card_id = "
     "OLD.card_id AND OLD.lapses > 0); INSERT INTO deck_lapses (deck, lapses, n) SELECT deck, NEW.lapses, 1 FROM "
     "members WHERE card_id = NEW.card_id AND NEW.lapses > 0 ON CONFLICT (deck, lapses) DO UPDATE SET n = n + 1; END"),
    ("trigger", "members_new_after_delete", "CREATE TRIGGER members_new_after_delete AFTER DELETE ON cards BEGIN "
     "UPDATE members SET new = 1 WHERE card_id = OLD.card_id; END"),
    ("trigger", "members_new_after_insert", "CREATE TRIGGER members_new_after_insert AFTER INSERT ON cards BEGIN "
     "UPDATE members SET new = (NEW.due IS NULL) WHERE card_id = NEW.card_id; END"),
    ("trigger", "members_new_after_update", "CREATE TRIGGER members_new_after_update AFTER UPDATE OF due ON cards "
     "WHEN (OLD.due IS NULL) IS NOT (NEW.due IS NULL) BEGIN UPDATE members SET new = (NEW.due IS NULL) WHERE card_id "
     "= NEW.card_id; END"),
]


def normalise(sql: str) -> str:
    import re

    sql = re.sub(r"--[^\n]*", "", sql)
    return re.sub(r"\s+", " ", sql).strip()


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "dlquiz.db") as s:
        yield s


def test_migrated_schema_is_exactly_this(store):
    rows = store.db.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name").fetchall()
    assert [(t, n, normalise(s)) for t, n, s in rows] == SCHEMA
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_reopening_keeps_everything(tmp_path):
    with Store(tmp_path / "dlquiz.db") as s:
        s.record("a", 5, "review", DAY, NOW)
    with Store(tmp_path / "dlquiz.db") as s:
        state = s.state("a")
        assert (state.sm2, state.due) == (SM2State(1, 2.6, 1), DAY + timedelta(days=1))


def test_a_review_logs_before_and_after(store):
    review = store.record("a", 4, "review", DAY, NOW, answer_ms=1234)
    row = store.db.execute("SELECT card_id, reviewed_at, day, grade, answer_ms, kind, reps_before, ef_before, "
                           "interval_before, due_before, reps_after, ef_after, interval_after, due_after FROM reviews").fetchone()
    assert row == ("a", "2026-11-26T09:00:00.000000+00:00", "2026-11-26", 4, 1234, "review", 0, 250, 0, None, 1, 250, 1, "2026-11-27")
    assert review.before == NEW and review.after.due == date(2026, 11, 27)


@pytest.mark.parametrize("kind", ["redrill", "cram"])
def test_redrill_and_cram_change_no_state(store, kind):
    store.record("a", 5, "review", DAY, NOW)
    before = store.state("a")
    store.record("a", 0, kind, DAY, NOW)
    assert store.state("a") == before
    assert store.db.execute("SELECT COUNT(*) FROM reviews WHERE kind = ?", (kind,)).fetchone()[0] == 1


def test_undo_restores_the_state_exactly_several_steps_back(store):
    ids, states = [], [store.state("a")]
    for grade, day in ((5, DAY), (5, DAY + timedelta(days=1)), (1, DAY + timedelta(days=7))):
        ids.append(store.record("a", grade, "review", day, NOW).id)
        states.append(store.state("a"))
    for review_id, expected in zip(reversed(ids), reversed(states[:-1])):
        store.undo(review_id, DAY, NOW)
        assert store.state("a") == expected
    assert store.state("a").is_new
    assert store.db.execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == 6  # append-only: 3 grades, 3 undos
    with pytest.raises(StoreError, match="already undone"):
        store.undo(ids[0], DAY, NOW)


def test_lapses_count_forgetting_a_learned_card(store):
    store.record("a", 1, "review", DAY, NOW)  # never learned: not a lapse
    assert store.state("a").lapses == 0
    store.record("a", 4, "review", DAY, NOW)
    store.record("a", 2, "review", DAY, NOW)
    assert store.state("a").lapses == 1


def test_counts_on_a_day_exclude_undone_grades(store):
    store.record("a", 4, "review", DAY, NOW)
    store.record("b", 4, "review", DAY, NOW)
    review = store.record("c", 4, "review", DAY, NOW)
    store.record("a", 4, "review", DAY + timedelta(days=1), NOW)
    store.undo(review.id, DAY, NOW)
    assert store.counts_on(DAY) == (2, 0)
    assert store.counts_on(DAY + timedelta(days=1)) == (0, 1)


def play(store: Store, steps, day: date = DAY) -> None:
    """(card, grade, kind, days later) steps as a session makes them: grades of a kind (review,
    redrill, cram), undos of the latest grade not yet undone, burials until the next day, and
    suspensions."""
    done = []
    for card, grade, kind, gap in steps:
        day += timedelta(days=gap)
        if kind == "undo":
            if done:
                store.undo(done.pop(), day, NOW)
        elif kind == "bury":
            store.bury(card, day + timedelta(days=1))
        elif kind in ("suspend", "unsuspend"):
            store.set_suspended(card, kind == "suspend", day, NOW)
        else:
            done.append(store.record(card, grade, kind, day, NOW).id)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abc"), st.integers(0, 5),
                          st.sampled_from(["review", "redrill", "cram", "undo", "suspend", "unsuspend"]), st.integers(0, 3)),
                max_size=40))
def test_current_state_is_reproducible_from_the_log_alone(tmp_path_factory, steps):
    path = tmp_path_factory.mktemp("log") / "dlquiz.db"
    with Store(path) as s:
        play(s, steps)
        fields = lambda st_: (st_.sm2, st_.due, st_.lapses, st_.last_review, st_.suspended)  # noqa: E731
        stored = {cid: fields(st_) for cid, st_ in s.states().items() if not st_.is_new or st_.suspended}
        rebuilt = {cid: fields(st_) for cid, st_ in s.rebuild_states().items()}
        assert stored == rebuilt


def test_suspension_is_logged_kept_through_grades_and_undo(store):
    assert store.set_suspended("a", True, DAY, NOW) is True
    assert store.set_suspended("a", True, DAY, NOW) is False  # already: nothing logged
    assert store.state("a").suspended and store.state("a").is_new
    assert store.suspended_since("a") == DAY
    review = store.record("a", 5, "review", DAY, NOW)  # (a cram or an old session may grade it)
    store.undo(review.id, DAY, NOW)
    assert store.state("a").suspended
    assert store.set_suspended("a", False, DAY + timedelta(days=1), NOW) is True
    assert not store.state("a").suspended and store.suspended_since("a") is None
    rows = store.db.execute("SELECT card_id, day, suspended FROM suspensions ORDER BY id").fetchall()
    assert rows == [("a", "2026-11-26", 1), ("a", "2026-11-27", 0)]


def test_failed_today_is_the_latest_standing_grade_below_4(store):
    store.record("a", 2, "review", DAY, NOW)
    store.record("a", 3, "redrill", DAY, NOW)  # still below 4
    store.record("b", 1, "review", DAY, NOW)
    store.record("b", 4, "redrill", DAY, NOW)  # drilled to 4: done
    store.record("c", 3, "review", DAY, NOW)
    store.undo(store.record("c", 5, "redrill", DAY, NOW).id, DAY, NOW)  # an undone 5 does not count
    store.record("d", 1, "cram", DAY, NOW)  # cram: not a review
    store.record("e", 0, "review", DAY - timedelta(days=1), NOW)  # yesterday
    store.record("f", 1, "review", DAY, NOW)
    store.bury("f", DAY + timedelta(days=1))
    store.record("g", 1, "review", DAY, NOW)
    store.set_suspended("g", True, DAY, NOW)
    assert store.failed_on(DAY) == ["a", "c"]


def test_orphans_are_cards_with_history_in_no_deck(store):
    store.record("kept", 4, "review", DAY, NOW)
    store.record("gone", 4, "review", DAY, NOW)
    assert store.orphans({"kept", "other"}) == ["gone"]


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_corrupt_file_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "dlquiz.db"
    path.write_bytes(b"this is not a database" * 100)
    before = digest(path)
    with pytest.raises(StoreError) as info:
        Store(path)
    assert str(info.value) == f"{path}: not a dlquiz review store (file is not a database); the file was left untouched"
    assert info.value.exit_code == 2
    assert digest(path) == before


def test_a_newer_schema_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "dlquiz.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE future (x)")
    db.execute("PRAGMA user_version = 99")
    db.commit()
    db.close()
    before = digest(path)
    with pytest.raises(StoreError) as info:
        Store(path)
    assert str(info.value) == (f"{path}: made by a newer dlquiz (schema 99, this version knows {SCHEMA_VERSION}); "
                               "upgrade dlquiz. The file was left untouched")
    assert digest(path) == before


def test_another_programs_database_is_refused(tmp_path):
    path = tmp_path / "dlquiz.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE notes (x)")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="not a dlquiz review store .it has other tables."):
        Store(path)


def test_missing_home_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("DLQUIZ_HOME", str(tmp_path / "nope"))
    message = f"{tmp_path / 'nope'}: DLQUIZ_HOME does not exist; create it or point DLQUIZ_HOME elsewhere"
    for create in (True, False):  # reading needs the directory as much as writing does
        with pytest.raises(DlquizError) as info:
            open_store(create=create)
        assert str(info.value) == message and info.value.exit_code == 2


def test_unwritable_home_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("DLQUIZ_HOME", "/proc")  # not writable, even for root
    with pytest.raises(StoreError) as info:
        open_store()
    assert str(info.value).startswith("/proc")
    assert "writ" in str(info.value) or "open" in str(info.value)


def test_many_processes_creating_the_store_at_once_all_succeed(tmp_path):
    import subprocess
    import sys

    code = (
        "import sys; from datetime import date, datetime, timezone; from dlquiz.review.store import Store\n"
        "s = Store(__import__('pathlib').Path(sys.argv[1]))\n"
        "s.record(sys.argv[2], 4, 'review', date(2026, 11, 26), datetime(2026, 11, 26, tzinfo=timezone.utc))\n"
    )
    path = tmp_path / "dlquiz.db"
    procs = [subprocess.Popen([sys.executable, "-c", code, str(path), f"c{i}"], stderr=subprocess.PIPE, text=True) for i in range(6)]
    errors = [p.communicate(timeout=60)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, errors
    with Store(path) as s:
        assert sorted(s.states()) == [f"c{i}" for i in range(6)]


def old_store(path, version: int, rows) -> None:
    """A store as dlquiz wrote it at schema `version`: its migrations, and the review rows (card,
    time, day, grade, kind, undoes, SM-2 before, SM-2 after) with their cards' states."""
    from dlquiz.review.migrations import MIGRATIONS

    db = sqlite3.connect(path, isolation_level=None)
    for migration in MIGRATIONS[:version]:
        migration(db)
    for card, at, day, grade, kind, undoes, before, after in rows:
        db.execute("INSERT INTO reviews (card_id, reviewed_at, day, grade, kind, undoes, reps_before, ef_before, interval_before, "
                   "due_before, lapses_before, reps_after, ef_after, interval_after, due_after, lapses_after) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   (card, at.isoformat(timespec="microseconds"), day.isoformat(), grade, kind, undoes, *before, *after))
        if kind in ("review", "undo"):
            reps, ef, interval, due, lapses = after
            db.execute("INSERT OR REPLACE INTO cards (card_id, reps, ef, interval, due, lapses, last_review) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?)", (card, reps, ef, interval, due, lapses, due and at.isoformat(timespec="microseconds")))
    if version >= 5:
        db.execute("UPDATE cards SET last_day = date(due, '-' || interval || ' days') WHERE due IS NOT NULL")
    db.execute(f"PRAGMA user_version = {version}")
    db.close()


def test_a_store_of_schema_5_migrates_keeping_its_cards(tmp_path):
    from dlquiz.review.migrations import MIGRATIONS

    path = tmp_path / "dlquiz.db"
    old_store(path, 5, [("a", NOW, DAY, 5, "review", None, (0, 250, 0, None, 0), (1, 260, 1, "2026-11-27", 0))])
    with Store(path) as s:
        assert s.db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) == SCHEMA_VERSION
        assert s.state("a").due == DAY + timedelta(days=1) and not s.state("a").suspended
        assert s.set_suspended("a", True, DAY, NOW) and s.rebuild_states()["a"].suspended


def test_a_store_of_schema_9_migrates_its_log_row_for_row_under_the_cheaper_checks(tmp_path):
    """m010 copies the log into a table whose checks are comparisons instead of IN lists: every
    row with its id, the states, the indexes and the schema as a new store's; the checks hold."""
    from dlquiz.review.migrations import MIGRATIONS

    with Store(tmp_path / "new.db") as s:
        for i in range(40):
            s.record(f"c{i % 7}", (i * 3) % 6, "review" if i % 5 else "redrill", DAY + timedelta(days=i // 7),
                     NOW + timedelta(days=i // 7, minutes=i))
        s.undo(s.db.execute("SELECT max(id) FROM reviews WHERE kind = 'review'").fetchone()[0], DAY + timedelta(days=6),
               NOW + timedelta(days=6, hours=1))
        s.db.execute("UPDATE reviews SET origin = 'anki', anki_id = 1764147600000 WHERE id = 3")
        log = s.db.execute("SELECT * FROM reviews ORDER BY id").fetchall()
        states = s.rebuild_states()
    old = tmp_path / "dlquiz.db"
    db = sqlite3.connect(old, isolation_level=None)
    for migration in MIGRATIONS[:9]:
        migration(db)
    assert "kind IN (" in db.execute("SELECT sql FROM sqlite_master WHERE name = 'reviews'").fetchone()[0]
    db.execute("ATTACH ? AS new", (str(tmp_path / "new.db"),))
    for table in ("reviews", "cards", "burials", "suspensions"):
        db.execute(f"INSERT INTO main.{table} SELECT * FROM new.{table}")
    db.execute("INSERT OR REPLACE INTO main.meta SELECT * FROM new.meta")
    db.execute("DETACH new")
    db.execute("PRAGMA user_version = 9")
    db.close()
    with Store(old) as s:
        assert s.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert s.db.execute("SELECT * FROM reviews ORDER BY id").fetchall() == log
        assert s.rebuild_states() == states
        rows = s.db.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name").fetchall()
        assert [(t, n, normalise(q)) for t, n, q in rows] == SCHEMA
        assert s.db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        for column, value in (("kind", "reviewed"), ("origin", "ankidroid")):
            with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
                s.db.execute(f"UPDATE reviews SET {column} = ? WHERE id = 1", (value,))
        s.record("c1", 4, "review", DAY + timedelta(days=9), NOW + timedelta(days=9))
        assert s.state("c1").due > DAY + timedelta(days=9)


# -- the write-ahead log: checkpointed outside the grades' commits (review/wal.py) ------------------


def test_no_grade_checkpoints_the_wal(tmp_path, monkeypatch):
    """SQLite's own checkpoint would run inside the commit that takes the WAL past 1,000 pages (a
    grade taking 5 to 300 ms): with the store's thread kept from checkpointing, nothing does."""
    monkeypatch.setattr(wal.Checkpointer, "committed", lambda self: None)
    with Store(tmp_path / "dlquiz.db") as s:
        assert s.db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
        for i in range(700):
            s.record(f"c{i % 60}", 4, "review", DAY + timedelta(days=i // 60), NOW)
        busy, frames, copied = s.db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    assert frames > 2_000  # (SQLite's default would have started the WAL again after 1,000)


def test_the_wal_is_checkpointed_from_another_thread_once_it_passes_its_limit(tmp_path, monkeypatch):
    import threading

    monkeypatch.setattr(wal, "CHECKPOINT_BYTES", 64 * 1024)
    threads = []
    real = wal.checkpoint
    masks = []
    monkeypatch.setattr(wal, "checkpoint", lambda db: threads.append(threading.current_thread().name) or
                        masks.append(signal.pthread_sigmask(signal.SIG_BLOCK, ())) or real(db))
    path = tmp_path / "dlquiz.db"
    with Store(path) as s:
        for i in range(300):
            s.record(f"c{i % 40}", 4, "review", DAY + timedelta(days=i // 40), NOW)
        assert threads and set(threads) == {"dlquiz-wal-checkpoint"}  # never in a grade's own thread
    assert threads[-1] == threading.current_thread().name  # and once more as the store closes
    assert {signal.SIGINT, signal.SIGCONT, signal.SIGWINCH} <= masks[0]  # signals go to the main thread
    with Store(path) as s:
        assert s.db.execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == 300


KILLED = """
import sys
from datetime import date, datetime, timezone
from dlquiz.review import wal
from dlquiz.review.store import Store
wal.CHECKPOINT_BYTES = int(sys.argv[2])
store = Store(sys.argv[1])
for i in range(100_000):
    review = store.record(f"c{i % 97}", (3, 4, 5, 1)[i % 4], "review", date(2026, 11, 26 + i // 2000 % 3),
                          datetime(2026, 11, 26, 9, tzinfo=timezone.utc))
    print(review.id, flush=True)
"""


@pytest.mark.parametrize(("after", "limit"), [(50, 16 * 1024), (400, 16 * 1024), (1200, 64 * 1024), (2500, 4 << 20)])
def test_a_process_killed_while_grading_and_checkpointing_loses_no_committed_grade(tmp_path, after, limit):
    """SIGKILL at a random moment of a stream of grades, the WAL checkpointed by the store's thread
    now and then (at times in the middle of a checkpoint): every grade whose commit returned is
    in the store, the file is sound, and the states are what the log replays."""
    import signal
    import subprocess
    import sys

    path = tmp_path / "dlquiz.db"
    child = subprocess.Popen([sys.executable, "-c", KILLED, str(path), str(limit)], stdout=subprocess.PIPE, text=True)
    with child.stdout:
        committed = [int(child.stdout.readline()) for _ in range(after)]
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        committed += [int(line) for line in child.stdout.read().split()]
    assert os.path.exists(f"{path}-wal")  # (killed: the WAL was left for the next opener)
    with Store(path) as s:
        assert s.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        logged = {row[0] for row in s.db.execute("SELECT id FROM reviews")}
        assert set(committed) <= logged and len(logged) - len(committed) <= 1
        assert {k: (v.sm2, v.due) for k, v in s.states().items()} == \
            {k: (v.sm2, v.due) for k, v in s.rebuild_states().items()}
