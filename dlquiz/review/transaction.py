"""A write transaction on the review store (dlquiz.review.store.Store.transaction)."""

from __future__ import annotations

import sqlite3


class Transaction:
    """`with Transaction(store, lost):` — BEGIN IMMEDIATE ... COMMIT, ROLLBACK on an error; a SQLite
    failure comes out as the store's StoreError saying what was lost (`lost`). After a commit the
    store's WAL checkpointer is told (review/wal.py)."""

    def __init__(self, store, lost: str):
        self.store, self.db, self.lost = store, store.db, lost

    def __enter__(self):
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise self.store._failure(exc, self.lost) from None
        return self.db

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            try:
                self.db.execute("COMMIT")
                self.store._wrote = True
                self.store._wal.committed()  # (a checkpoint, if due, from another thread)
                return False
            except sqlite3.Error as error:
                exc = error
        self._rollback()
        if isinstance(exc, sqlite3.Error):  # (a disk full, a lock held too long, ...: in words)
            raise self.store._failure(exc, self.lost) from None
        return False

    def _rollback(self) -> None:
        """Roll back, unless SQLite already has (it does after a disk-full or I/O error)."""
        if self.db.in_transaction:
            try:
                self.db.execute("ROLLBACK")
            except sqlite3.Error:
                pass
