"""The review store's write-ahead log, checkpointed outside the grades' commits.

SQLite copies the WAL back into the database file (a checkpoint) by itself, inside the commit
that makes the WAL pass 1,000 pages: that commit, a grade, then takes 5 to 30 ms (once 283 ms on a
200,000-card collection) instead of a third of a millisecond. The store turns that off
(`wal_autocheckpoint = 0`) and checkpoints here instead: in PASSIVE mode (it never waits for,
nor blocks, a reader or a writer), from a thread of its own with its own connection, once the WAL
file passes CHECKPOINT_BYTES; and at the end of every command that wrote (Store.close). With
`journal_size_limit = 0` the WAL file is cut back when SQLite starts writing it from the
beginning again, so its size says how much is waiting.

Durability is SQLite's and unchanged: a grade is in the WAL when its commit returns, and the WAL
is read back by whoever opens the store next, whether or not a checkpoint ran or was cut short by
a killed process (tests/review/test_store.py and test_screen.py kill sessions with a large WAL).
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import threading
import time
from pathlib import Path

CHECKPOINT_BYTES = 4 * 1024 * 1024  # SQLite's own threshold: 1,000 pages of 4 KiB


def enable(db: sqlite3.Connection, timeout: float) -> None:
    """Put the store in WAL mode (once for all: the mode is kept in the file), waiting up to
    `timeout` seconds for the lock it takes. Two processes opening a new store at the same moment
    both ask for it, each holding the shared lock the other's switch must wait for: SQLite sees
    the deadlock and fails one of them at once ("database is locked"), without waiting. That one
    lets go and asks again, a few milliseconds later, until the other's switch is done."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if db.execute("PRAGMA journal_mode").fetchone()[0] not in ("wal", "memory"):
                db.execute("PRAGMA journal_mode = WAL").fetchall()
            return
        except sqlite3.OperationalError as exc:
            if not getattr(exc, "sqlite_errorname", "").startswith("SQLITE_BUSY") or time.monotonic() > deadline:
                raise
        time.sleep(random.uniform(0.002, 0.02))  # (at random: two processes that met do not meet again)


def configure(db: sqlite3.Connection) -> None:
    """No checkpoint inside a commit; a WAL started afresh is cut back (so its size is its content)."""
    db.execute("PRAGMA wal_autocheckpoint = 0")
    db.execute("PRAGMA journal_size_limit = 0")


def checkpoint(db: sqlite3.Connection) -> None:
    """Copy what the WAL holds into the database, as far as no reader needs it; never waits.
    A failure (busy, no space) leaves everything in the WAL, where it is just as safe."""
    try:
        db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
    except sqlite3.Error:
        pass


def start_deaf(thread: threading.Thread) -> None:
    """Start `thread` with every signal blocked from its first instruction (it inherits this
    thread's mask, set for the moment of its start): the kernel then hands Ctrl-C, SIGCONT and
    SIGWINCH to the main thread, whose wait for a line of input they must interrupt."""
    if not hasattr(signal, "pthread_sigmask"):
        thread.start()
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())
    try:
        thread.start()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


class Checkpointer:
    """Checkpoints the WAL of the database at `path` from a thread, when told that a commit made
    it pass CHECKPOINT_BYTES (`committed`), until `close`."""

    def __init__(self, path: Path, limit: int | None = None) -> None:
        self.path, self.wal, self.limit = path, f"{path}-wal", CHECKPOINT_BYTES if limit is None else limit
        self._wake = threading.Event()
        self._closing = False
        self._thread: threading.Thread | None = None

    def committed(self) -> None:
        """After a commit: wake the thread if the WAL passed the limit (a stat, in this thread)."""
        try:
            if os.stat(self.wal).st_size < self.limit:
                return
        except OSError:
            return
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="dlquiz-wal-checkpoint", daemon=True)
            start_deaf(self._thread)
        self._wake.set()

    def _run(self) -> None:
        db = None
        try:
            while True:
                self._wake.wait()
                self._wake.clear()
                if self._closing:
                    return
                try:
                    if db is None:
                        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=0)
                    checkpoint(db)
                except sqlite3.Error:  # (could not even connect: the WAL just waits for the next try)
                    pass
        finally:
            if db is not None:
                db.close()

    def close(self) -> None:
        """Stop the thread, after the checkpoint it may be running."""
        if self._thread is not None:
            self._closing = True
            self._wake.set()
            self._thread.join()
            self._thread = None
