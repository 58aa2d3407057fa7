"""The review store: SQLite at `$DLQUIZ_HOME/dlquiz.db`.

It holds an append-only review log (every grade, with the state before and after, and undo
entries that point at the grade they take back) and each card's current state, keyed by card id
so editing a card's text keeps its schedule. The current state can always be rebuilt from the
log alone (`rebuild_states`). Numbered migrations run in the constructor, in one transaction.
Every grade is committed (WAL, one transaction per grade) before the caller shows the next card.
A file that is not a dlquiz store, or one from a newer dlquiz, is refused and left untouched.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import replace
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterable

from dlquiz.errors import StoreError
from dlquiz.review.migrations import MIGRATIONS, SCHEMA_VERSION
from dlquiz.review.queues import QueueReads
from dlquiz.review.schedule import NEW, CardState, Review, apply_grade, iso_day, parse_day
from dlquiz.sm2 import SM2State

FILENAME = "dlquiz.db"
KINDS = ("review", "redrill", "cram", "undo")


class Store(QueueReads):
    """The SQLite review store. `Store(path)` opens (creating if allowed) and migrates it."""

    def __init__(self, path: Path, create: bool = True):
        self.path = Path(path)
        if not self.path.exists() and not create:
            raise StoreError(f"{self.path}: no review store yet")
        if not self.path.exists():
            parent = self.path.parent
            if not parent.is_dir():
                raise StoreError(f"{parent}: the dlquiz home directory does not exist; create it or set DLQUIZ_HOME")
            if not os.access(parent, os.W_OK):
                raise StoreError(f"{parent}: the dlquiz home directory is not writable; fix its permissions or set DLQUIZ_HOME")
        try:
            self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot open the review store ({exc})") from None
        try:
            self._check_and_migrate()
        except BaseException:
            self.db.close()
            raise

    def _check_and_migrate(self) -> None:
        # Read before writing anything, so a foreign or newer file is left exactly as it was.
        try:
            # One read transaction: another process creating the store at this moment is seen
            # either not at all or completely (never version 0 with tables).
            self.db.execute("BEGIN")
            try:
                version = self.db.execute("PRAGMA user_version").fetchone()[0]
                tables = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            finally:
                self.db.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            raise StoreError(f"{self.path}: cannot open the review store ({exc})") from None
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a dlquiz review store ({exc}); the file was left untouched") from None
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: made by a newer dlquiz (schema {version}, this version knows {SCHEMA_VERSION}); "
                "upgrade dlquiz. The file was left untouched"
            )
        if version == 0 and tables:
            raise StoreError(f"{self.path}: not a dlquiz review store (it has other tables); the file was left untouched")
        try:
            self.db.execute("PRAGMA busy_timeout = 30000")
            if self.db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")  # WAL + NORMAL: a commit survives a killed process
            if version < SCHEMA_VERSION:
                with self.transaction():
                    version = self.db.execute("PRAGMA user_version").fetchone()[0]  # another process may have won
                    for migration in MIGRATIONS[version:]:
                        migration(self.db)
                    self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except sqlite3.OperationalError as exc:
            raise StoreError(f"{self.path}: cannot write the review store ({exc})") from None
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: the review store is damaged ({exc}); the file was left as it was") from None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def transaction(self):
        """`with store.transaction():` — BEGIN IMMEDIATE ... COMMIT (ROLLBACK on error)."""
        return _Transaction(self.db)

    # -- reading state
    def _state(self, row) -> CardState:
        return CardState(
            sm2=SM2State.from_centi(row[0], row[1], row[2]), due=parse_day(row[3]), lapses=row[4],
            last_review=row[5], buried_until=parse_day(row[6]),
        )

    def state(self, card_id: str) -> CardState:
        row = self.db.execute(
            "SELECT reps, ef, interval, due, lapses, last_review, buried_until FROM cards WHERE card_id = ?", (card_id,)
        ).fetchone()
        return self._state(row) if row else NEW

    def states(self) -> dict[str, CardState]:
        """Every card that has a state (reviewed or buried at least once)."""
        rows = self.db.execute("SELECT card_id, reps, ef, interval, due, lapses, last_review, buried_until FROM cards")
        return {row[0]: self._state(row[1:]) for row in rows}

    def reviewed_ids(self) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT DISTINCT card_id FROM reviews")} | set(self.states())

    def orphans(self, known: Iterable[str]) -> list[str]:
        """Card ids with history or state that no deck holds any more, sorted."""
        return sorted(self.reviewed_ids() - set(known))

    # -- writing
    def _write_state(self, card_id: str, state: CardState) -> None:
        self.db.execute(
            "INSERT INTO cards (card_id, reps, ef, interval, due, lapses, last_review, buried_until) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (card_id) DO UPDATE SET reps = excluded.reps, "
            "ef = excluded.ef, interval = excluded.interval, due = excluded.due, lapses = excluded.lapses, "
            "last_review = excluded.last_review, buried_until = excluded.buried_until",
            (card_id, state.sm2.repetitions, state.sm2.easiness_centi, state.sm2.interval, iso_day(state.due),
             state.lapses, state.last_review, iso_day(state.buried_until)),
        )

    def _log(self, card_id, kind, grade, day, at, answer_ms, before, after, undoes=None) -> int:
        cursor = self.db.execute(
            "INSERT INTO reviews (card_id, reviewed_at, day, grade, answer_ms, kind, undoes, "
            "reps_before, ef_before, interval_before, due_before, lapses_before, "
            "reps_after, ef_after, interval_after, due_after, lapses_after) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (card_id, at, day.isoformat(), grade, answer_ms, kind, undoes,
             before.sm2.repetitions, before.sm2.easiness_centi, before.sm2.interval, iso_day(before.due), before.lapses,
             after.sm2.repetitions, after.sm2.easiness_centi, after.sm2.interval, iso_day(after.due), after.lapses),
        )
        return cursor.lastrowid

    def record(self, card_id: str, grade: int, kind: str, day: date, now: datetime, answer_ms: int = 0) -> Review:
        """Log a grade and, for a scheduled review, move the card's state on; committed on return.

        The state is read inside the write transaction, so two processes grading the same card
        both land, one after the other."""
        if kind not in ("review", "redrill", "cram"):
            raise ValueError(f"unknown review kind {kind!r}")
        at = now.astimezone(timezone.utc).isoformat(timespec="microseconds")
        with self.transaction():
            before = self.state(card_id)
            after = apply_grade(before, grade, day, at) if kind == "review" else before
            review_id = self._log(card_id, kind, grade, day, at, answer_ms, before, after)
            if kind == "review":
                self._write_state(card_id, after)
        return Review(review_id, card_id, kind, grade, day, before, after)

    def undo(self, review_id: int, day: date, now: datetime) -> Review:
        """Take back one logged grade (the latest of its card): append an undo entry and restore the
        state it had before. Committed on return."""
        at = now.astimezone(timezone.utc).isoformat(timespec="microseconds")
        with self.transaction():
            row = self.db.execute("SELECT card_id, kind FROM reviews WHERE id = ?", (review_id,)).fetchone()
            if row is None or row[1] == "undo":
                raise StoreError(f"no grade {review_id} to undo")
            card_id, kind = row
            if self.db.execute("SELECT 1 FROM reviews WHERE undoes = ?", (review_id,)).fetchone():
                raise StoreError(f"grade {review_id} was already undone")
            current = self.state(card_id)
            restored = current
            if kind == "review":
                restored = self._replay(card_id, exclude=review_id)
                restored = replace(restored, buried_until=current.buried_until)
                self._write_state(card_id, restored)
            undo_id = self._log(card_id, "undo", None, day, at, 0, current, restored, undoes=review_id)
        return Review(undo_id, card_id, "undo", None, day, current, restored)

    def bury(self, card_id: str, until: date | None) -> None:
        """Hide a card until the given day (None unburies it)."""
        with self.transaction():
            self._write_state(card_id, replace(self.state(card_id), buried_until=until))

    def set_burials(self, burials: dict[str, date | None]) -> None:
        """Bury several cards, each until its day (None unburies it), in one transaction: a
        cloze's siblings once one is reviewed, and back when that grade is undone."""
        with self.transaction():
            for card_id, until in burials.items():
                self._write_state(card_id, replace(self.state(card_id), buried_until=until))

    # -- the log as the source of truth
    def _effective_reviews(self, card_id: str | None = None):
        where = "kind = 'review' AND id NOT IN (SELECT undoes FROM reviews WHERE undoes IS NOT NULL)"
        params: tuple = ()
        if card_id is not None:
            where += " AND card_id = ?"
            params = (card_id,)
        return self.db.execute(f"SELECT id, card_id, grade, day, reviewed_at FROM reviews WHERE {where} ORDER BY id", params)

    def _replay(self, card_id: str, exclude: int | None = None) -> CardState:
        state = NEW
        for review_id, _, grade, day, at in self._effective_reviews(card_id):
            if review_id != exclude:
                state = apply_grade(state, grade, date.fromisoformat(day), at)
        return state

    def rebuild_states(self) -> dict[str, CardState]:
        """Every reviewed card's schedule, computed from the review log alone."""
        states: dict[str, CardState] = {}
        for _, card_id, grade, day, at in self._effective_reviews():
            states[card_id] = apply_grade(states.get(card_id, NEW), grade, date.fromisoformat(day), at)
        return states

    # -- counts for limits and summaries
    def counts_on(self, day: date) -> tuple[int, int]:
        """(new cards introduced, scheduled reviews done) on a review day, undone grades excluded."""
        row = self.db.execute(
            "SELECT COALESCE(SUM(due_before IS NULL), 0), COALESCE(SUM(due_before IS NOT NULL), 0) FROM reviews "
            "WHERE day = ? AND kind = 'review' AND id NOT IN (SELECT undoes FROM reviews WHERE undoes IS NOT NULL)",
            (day.isoformat(),),
        ).fetchone()
        return int(row[0]), int(row[1])

    def review_number(self, card_id: str) -> int:
        """How many grades of this card stand in the log (undone ones not counted): the next
        review is number review_number + 1, which seeds a parametric card's numbers, so an undo
        shows the same numbers again."""
        row = self.db.execute(
            "SELECT COUNT(*) FROM reviews WHERE card_id = ? AND kind != 'undo' "
            "AND id NOT IN (SELECT undoes FROM reviews WHERE undoes IS NOT NULL)",
            (card_id,),
        ).fetchone()
        return int(row[0])

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction():
            self.db.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))


class _Transaction:
    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.db.execute("COMMIT")
        else:
            self.db.execute("ROLLBACK")
        return False


def open_store(home: Path | None = None, create: bool = True) -> Store | None:
    """The store in `home` (default `$DLQUIZ_HOME`). With create=False, None if there is none yet."""
    from dlquiz import paths

    explicit = home is not None or paths.home_is_explicit()
    home = home if home is not None else paths.home()
    db_path = home / FILENAME
    if not db_path.exists():
        if not create:
            return None
        if not home.exists():
            if explicit:
                raise StoreError(f"{home}: DLQUIZ_HOME does not exist; create it or point DLQUIZ_HOME elsewhere")
            try:
                home.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"{home}: cannot create the dlquiz home directory ({exc.strerror})") from None
    return Store(db_path, create=create)
