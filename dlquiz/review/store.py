"""The review store: SQLite at `$DLQUIZ_HOME/dlquiz.db`.

It holds an append-only review log (every grade, with the state before and after, and undo
entries that point at the grade they take back), append-only logs of suspensions and burials,
and each card's current state, keyed by card id so editing a card's text keeps its schedule.
Every event has an identity (this store's device id and its number: dlquiz.review.events) and
the replay order is (time, device, number), so the current state can always be rebuilt from the
logs alone (`rebuild_states`), here or on another machine holding the same events (`dlquiz
sync`). Numbered migrations run in the constructor, in one transaction.
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
from dlquiz.review import bulk, events, health, wal
from dlquiz.review.migrations import MIGRATIONS, SCHEMA_VERSION
from dlquiz.review.queues import QueueReads
from dlquiz.review.schedule import NEW, CardState, Review, iso_day, parse_day
from dlquiz.review.schedulers import SM2, Scheduler
from dlquiz.review.transaction import Transaction
from dlquiz.sm2 import SM2State

FILENAME = "dlquiz.db"
KINDS = ("review", "redrill", "cram", "undo")


def _connect(path: Path, timeout: float, read_only: bool = False) -> sqlite3.Connection:
    """The connection to the store file (tests open it read-only through here). `read_only`
    opens a file whose folder cannot hold the WAL's side files as an unchanging snapshot."""
    if read_only:
        return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True, timeout=timeout,
                               isolation_level=None, check_same_thread=False)
    return sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)


def _node() -> str:
    """This machine's network name (os.uname is POSIX only)."""
    return os.uname().nodename if hasattr(os, "uname") else os.environ.get("COMPUTERNAME", "")


class Store(QueueReads):
    """The SQLite review store. `Store(path)` opens (creating if allowed) and migrates it, and
    makes its card states those of `scheduler` (default SM-2), replaying the log if they are not;
    with `write`, it also makes sure before anything is shown that it can be written (not
    read-only, not locked by another process, room on the disk)."""

    def __init__(self, path: Path, create: bool = True, write: bool | None = None, scheduler: Scheduler | None = None):
        self.path = Path(path)
        self.timeout = health.lock_timeout()
        self._wal = wal.Checkpointer(self.path)
        self._wrote = False
        write = create if write is None else write
        if not self.path.exists() and not create:
            raise StoreError(f"{self.path}: no review store yet")
        if not self.path.exists():
            parent = self.path.parent
            if not parent.is_dir():
                raise StoreError(f"{parent}: the dlquiz home directory does not exist; create it or set DLQUIZ_HOME")
            if not os.access(parent, os.W_OK):
                raise StoreError(f"{parent}: the dlquiz home directory is not writable; fix its permissions or set DLQUIZ_HOME")
        try:
            self.db = _connect(self.path, self.timeout)
        except sqlite3.Error as exc:
            raise health.failure(exc, self.path, timeout=self.timeout) from None
        try:
            try:
                self._check_and_migrate()
            except StoreError as error:
                if write or "read-only" not in str(error):
                    raise
                self.db.close()  # (a folder that cannot hold the WAL's side files: read a snapshot)
                self.db = _connect(self.path, self.timeout, read_only=True)
                self._check_and_migrate(read_only=True)
            self.device = self.meta("device")
            self.scheduler = scheduler or SM2()
            self.use_scheduler(self.scheduler)
            if write:
                self._check_writable()
        except BaseException:
            self.db.close()
            raise

    def _failure(self, error: sqlite3.Error | UnicodeDecodeError, lost: str = "nothing was saved") -> StoreError:
        return health.failure(error, self.path, lost, self.timeout)

    def _check_and_migrate(self, read_only: bool = False) -> None:
        # Read before writing anything, so a foreign, damaged or newer file is left exactly as it was.
        try:
            # One read transaction: another process creating the store at this moment is seen
            # either not at all or completely (never version 0 with tables).
            self.db.execute("BEGIN")
            try:
                version = self.db.execute("PRAGMA user_version").fetchone()[0]
                schema = health.read_schema(self.db)
                if 0 < version <= SCHEMA_VERSION and (problem := health.schema_problem(schema, version)):
                    raise StoreError(f"{self.path}: the review store is damaged ({problem}): {health.AWAY}")
                if 0 < version <= SCHEMA_VERSION:
                    health.probe(self.db, version)
            finally:
                if self.db.in_transaction:
                    self.db.execute("COMMIT")
        except (sqlite3.Error, UnicodeDecodeError) as exc:
            raise self._failure(exc) from None
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: made by a newer dlquiz (schema {version}, this version knows {SCHEMA_VERSION}); "
                "upgrade dlquiz. The file was left untouched"
            )
        if version == 0 and schema:
            raise StoreError(f"{self.path}: not a dlquiz review store (it has other tables); the file was left untouched")
        try:
            self.db.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            if not read_only:
                wal.enable(self.db, self.timeout)
            self.db.execute("PRAGMA synchronous = NORMAL")  # WAL + NORMAL: a commit survives a killed process
            if not read_only:
                wal.configure(self.db)  # checkpoints outside the grades' commits (review/wal.py)
            if version < SCHEMA_VERSION:
                with self.transaction("the new store" if version == 0 else "its upgrade"):
                    version = self.db.execute("PRAGMA user_version").fetchone()[0]  # another process may have won
                    for migration in MIGRATIONS[version:]:
                        migration(self.db)
                    self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except sqlite3.Error as exc:
            raise self._failure(exc) from None

    def _check_writable(self) -> None:
        """Find out now, not at the first grade, that the store cannot be written: read-only,
        locked by another process, no room left. A write that changes nothing, rolled back."""
        with Transaction(self, "no grade can be saved"):
            self.db.execute("DELETE FROM meta WHERE 0")
            self._claim_device()
        space = health.space_problem(self.path)
        if space is not None:
            raise StoreError(f"{self.path}: {space}: no grade can be saved; free some space and try again")

    def _claim_device(self) -> None:
        """A store copied to another machine or folder makes its events as a new device from now
        on: two copies writing as one device would give two events one identity, and a sync
        would keep one of them (docs/sync.md). The events made before keep theirs."""
        if self.device is None:  # (a store too old for events: its migration makes the device)
            return
        place = f"{_node()}\n{os.path.realpath(self.path)}"
        known = self.meta("device_place")
        if known is not None and known != place:
            import secrets

            self.device = secrets.token_hex(8)
            self.db.execute("UPDATE meta SET value = ? WHERE key = 'device'", (self.device,))
        if known != place:
            self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('device_place', ?)", (place,))

    def close(self) -> None:
        """Close the store, its WAL checkpointed first if this connection wrote (review/wal.py)."""
        self._wal.close()
        if self._wrote:
            wal.checkpoint(self.db)
        self.db.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def transaction(self, unsaved: str = "the change"):
        """`with store.transaction():` — BEGIN IMMEDIATE ... COMMIT (ROLLBACK on error). A SQLite
        failure comes out as a StoreError saying `unsaved` (`the grade of c1w1-x`) was NOT saved."""
        return Transaction(self, f"{unsaved} was NOT saved")

    # -- reading state
    _COLUMNS = "reps, ef, interval, due, lapses, last_review, buried_until, last_day, stability, difficulty, suspended"

    def _state(self, row) -> CardState:
        return CardState(
            sm2=SM2State.from_centi(row[0], row[1], row[2]), due=parse_day(row[3]), lapses=row[4],
            last_review=row[5], buried_until=parse_day(row[6]), last_day=parse_day(row[7]), stability=row[8],
            difficulty=row[9], suspended=bool(row[10]),
        )

    def state(self, card_id: str) -> CardState:
        row = self.db.execute(f"SELECT {self._COLUMNS} FROM cards WHERE card_id = ?", (card_id,)).fetchone()
        return self._state(row) if row else NEW

    def states(self) -> dict[str, CardState]:
        """Every card that has a state (reviewed, buried or suspended at least once)."""
        rows = self.db.execute(f"SELECT card_id, {self._COLUMNS} FROM cards")
        return {row[0]: self._state(row[1:]) for row in rows}

    def reviewed_ids(self) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT DISTINCT card_id FROM reviews")} | set(self.states())

    def orphans(self, known: Iterable[str]) -> list[str]:
        """Card ids with history or state that no deck holds any more, sorted."""
        return sorted(self.reviewed_ids() - set(known))

    # -- writing
    _WRITE = (
        "INSERT INTO cards (card_id, reps, ef, interval, due, lapses, last_review, buried_until, last_day, stability, "
        "difficulty, suspended) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (card_id) DO UPDATE SET "
        "reps = excluded.reps, ef = excluded.ef, interval = excluded.interval, due = excluded.due, "
        "lapses = excluded.lapses, last_review = excluded.last_review, buried_until = excluded.buried_until, "
        "last_day = excluded.last_day, stability = excluded.stability, difficulty = excluded.difficulty, "
        "suspended = excluded.suspended"
    )

    @staticmethod
    def _values(card_id: str, state: CardState) -> tuple:
        return (card_id, state.sm2.repetitions, state.sm2.easiness_centi, state.sm2.interval, iso_day(state.due),
                state.lapses, state.last_review, iso_day(state.buried_until), iso_day(state.last_day), state.stability,
                state.difficulty, int(state.suspended))

    def _write_state(self, card_id: str, state: CardState) -> None:
        self.db.execute(self._WRITE, self._values(card_id, state))

    def _log(self, card_id, kind, grade, day, at, answer_ms, before, after, seq, undoes=None, target=(None, None)) -> int:
        cursor = self.db.execute(
            "INSERT INTO reviews (card_id, reviewed_at, day, grade, answer_ms, kind, undoes, device, seq, "
            "undoes_device, undoes_seq, reps_before, ef_before, interval_before, due_before, lapses_before, "
            "reps_after, ef_after, interval_after, due_after, lapses_after) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (card_id, at, day.isoformat(), grade, answer_ms, kind, undoes, self.device, seq, *target,
             before.sm2.repetitions, before.sm2.easiness_centi, before.sm2.interval, iso_day(before.sm2_due), before.lapses,
             after.sm2.repetitions, after.sm2.easiness_centi, after.sm2.interval, iso_day(after.sm2_due), after.lapses),
        )
        return cursor.lastrowid

    def record(self, card_id: str, grade: int, kind: str, day: date, now: datetime, answer_ms: int = 0) -> Review:
        """Log a grade and, for a scheduled review, move the card's state on; committed on return.

        The state is read inside the write transaction, so two processes grading the same card
        both land, one after the other. A grade that is not the card's last in replay order
        (another machine's clock is ahead) is replayed into place."""
        if kind not in ("review", "redrill", "cram"):
            raise ValueError(f"unknown review kind {kind!r}")
        at = events.utc(now)
        with self.transaction(f"the grade of {card_id}"):
            seq = events.next_seq(self.db, self.device)
            before = self.state(card_id)
            after = self.scheduler.apply(before, grade, day, at, card_id) if kind == "review" else before
            review_id = self._log(card_id, kind, grade, day, at, answer_ms, before, after, seq)
            if events.later_than(self.db, card_id, at, self.device, seq):
                events.replay_cards(self, [card_id])
                after = self.state(card_id)
            elif kind == "review":
                self._write_state(card_id, after)
        return Review(review_id, card_id, kind, grade, day, before, after)

    def undo(self, review_id: int, day: date, now: datetime) -> Review:
        """Take back one logged grade (the latest of its card): append an undo entry and restore the
        state it had before. Committed on return."""
        with self.transaction("the undo"):
            return self._undo(review_id, day, events.utc(now))

    def _undo(self, review_id: int, day: date, at: str) -> Review:  # (inside a write transaction)
        row = self.db.execute("SELECT card_id, kind, device, seq FROM reviews WHERE id = ?", (review_id,)).fetchone()
        if row is None or row[1] == "undo":
            raise StoreError(f"no grade {review_id} to undo")
        card_id, kind, *target = row
        if self.db.execute("SELECT 1 FROM reviews WHERE undoes = ?", (review_id,)).fetchone():
            raise StoreError(f"grade {review_id} was already undone")
        current = self.state(card_id)
        restored = current
        if kind == "review":
            restored = self._replay(card_id, exclude=review_id)
            restored = replace(restored, buried_until=current.buried_until, suspended=current.suspended)
            self._write_state(card_id, restored)
        seq = events.next_seq(self.db, self.device)
        undo_id = self._log(card_id, "undo", None, day, at, 0, current, restored, seq, review_id, tuple(target))
        if events.later_than(self.db, card_id, at, self.device, seq):
            events.replay_cards(self, [card_id])
            restored = self.state(card_id)
        return Review(undo_id, card_id, "undo", None, day, current, restored)

    def bury(self, card_id: str, until: date | None, day: date | None = None, now: datetime | None = None) -> None:
        """Hide a card until the given day (None unburies it): a row of the burial log and the
        card's state, in one transaction. `now` (default: the clock) and the review `day` (default:
        now's UTC date) date the burial."""
        now = now or datetime.now(timezone.utc)
        with self.transaction(f"the burial of {card_id}" if until else f"the return of {card_id}"):
            self._bury(card_id, until, day or now.astimezone(timezone.utc).date(), events.utc(now))

    def _bury(self, card_id: str, until: date | None, day: date, at: str) -> None:
        self._mark("burials", card_id, iso_day(until), day, at, replace(self.state(card_id), buried_until=until))

    def _mark(self, table: str, card_id: str, value, day: date, at: str, state: CardState) -> None:
        """Log a burial or suspension (an event of this device) and make `state` the card's,
        unless the log holds a later one of another machine (then the card is replayed)."""
        seq = events.next_seq(self.db, self.device)
        self.db.execute(f"INSERT INTO {table} (card_id, at, day, {'until' if table == 'burials' else 'suspended'}, device, "
                        "seq) VALUES (?, ?, ?, ?, ?, ?)", (card_id, at, day.isoformat(), value, self.device, seq))
        if events.later_than(self.db, card_id, at, self.device, seq, table):
            events.replay_cards(self, [card_id])
        else:
            self._write_state(card_id, state)

    def set_suspended(self, card_id: str, suspended: bool, day: date, now: datetime) -> bool:
        """Suspend a card (out of every queue until unsuspended) or unsuspend it: a row of the
        suspension log and the card's state, in one transaction. False if it already was so."""
        at = events.utc(now)
        with self.transaction():
            state = self.state(card_id)
            if state.suspended == suspended:
                return False
            self._mark("suspensions", card_id, int(suspended), day, at, replace(state, suspended=suspended))
        return True

    # -- the log as the source of truth
    def _effective_reviews(self, card_id: str | None = None, in_affected: bool = False):
        """The scheduled reviews that stand (not undone), in replay order: (time, device, number)
        (dlquiz.review.events). Of one card, of the cards in temp.affected, or of all."""
        where = "kind = 'review' AND id NOT IN (SELECT undoes FROM reviews WHERE undoes IS NOT NULL)"
        params: tuple = ()
        if card_id is not None:
            where += " AND card_id = ?"
            params = (card_id,)
        if in_affected:
            where += " AND card_id IN (SELECT card_id FROM temp.affected)"
        return self.db.execute(f"SELECT id, card_id, grade, day, reviewed_at FROM reviews WHERE {where} "
                               f"ORDER BY {events.ORDER}", params)

    def scheduled_reviews(self):
        """The log's scheduled reviews that stand (id, card id, grade, day, reviewed_at), in replay order."""
        return self._effective_reviews()

    def _replay(self, card_id: str, exclude: int | None = None) -> CardState:
        rows = (row for row in self._effective_reviews(card_id) if row[0] != exclude)
        return self.scheduler.replay(rows).get(card_id, NEW)

    def rebuild_states(self) -> dict[str, CardState]:
        """Every reviewed, buried or suspended card's schedule under the active scheduler, computed
        from the logs alone."""
        states = self.scheduler.replay(self._effective_reviews())
        for card_id, (buried, suspended) in events.latest_marks(self.db).items():
            if suspended or buried or card_id in states:
                states[card_id] = replace(states.get(card_id, NEW), buried_until=buried, suspended=suspended)
        return states

    def use_scheduler(self, scheduler: Scheduler) -> bool:
        """Make `scheduler` the active one. If the card states were computed by another (or with
        other settings: `meta` 'scheduler' holds its digest; none means SM-2), replay every card's
        log under it and write the states, in one transaction, before anything reads them. Burials
        and suspensions are kept. True when it replayed."""
        self.scheduler = scheduler
        if (self.meta("scheduler") or SM2.digest) == scheduler.digest:
            return False
        try:
            with self.transaction():
                if (self.meta("scheduler") or SM2.digest) == scheduler.digest:  # another process did it
                    return False
                states = self.rebuild_states()  # every card with a review has a row in `cards`
                rows = self.db.execute("SELECT card_id, buried_until, suspended FROM cards").fetchall()
                bulk.write_states(self.db, self._WRITE, [
                    self._values(card_id, replace(states.get(card_id, NEW), buried_until=parse_day(buried),
                                                  suspended=bool(suspended)))
                    for card_id, buried, suspended in rows])
                self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('scheduler', ?)", (scheduler.digest,))
        except sqlite3.OperationalError as exc:
            raise StoreError(f"{self.path}: cannot write the review store to switch schedulers ({exc})") from None
        return True

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction():
            self.db.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))


def open_store(home: Path | None = None, create: bool = True, scheduler: Scheduler | None = None) -> Store | None:
    """The store in `home` (default `$DLQUIZ_HOME`, which must be a directory: see
    paths.usable_home). With create=False, None if there is none yet. Its states are those of
    `scheduler`, by default the one `home`'s config.toml chooses."""
    from dlquiz import paths

    if home is None:
        home = paths.usable_home(create=create)
    db_path = home / FILENAME
    if not db_path.exists() and not create:
        return None
    if scheduler is None:
        from dlquiz import config
        from dlquiz.review import schedulers

        scheduler = schedulers.for_config(config.load(home))
    return Store(db_path, create=create, scheduler=scheduler)
