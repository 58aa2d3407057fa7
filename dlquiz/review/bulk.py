"""Many writes at once (a sync, an import from Anki, a scheduler's replay of every card): the
cards' states and the log's rows written in bulk, inside the caller's write transaction.

The per-deck counts (migration m008) are kept by triggers on `cards`, a dozen statements a
written row (60 us: 3 s for the 43,000 states of a large sync). A bulk write of at least
RECOUNT_AT states drops those triggers, writes the states, creates the triggers again as they
were and counts the touched decks again, in one go per deck (the recount a deck's members get
when they are written): the same counts, in a tenth of the time. A bulk insert into the review
log that adds more rows than a fraction of the log holds (REBUILD_SHARE) drops the log's indexes
and builds them again afterwards. All of it is in the caller's transaction: a failure or a kill
rolls the schema back with the rest.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from typing import Iterable, Sequence

RECOUNT_AT = 1_000  # states written at once from which the touched decks are counted again
LARGE_CACHE_MB = 256  # SQLite's page cache for a bulk write (the default is 2 MB)
# The triggers that keep the per-deck counts and the members' `new` flag as `cards` changes
# (migrations m004, m008, m009); `recount` does what they do, for many cards at once.
COUNT_TRIGGERS = ("members_new_after_insert", "members_new_after_update", "members_new_after_delete",
                  "deck_counts_after_insert", "deck_counts_after_update", "deck_counts_after_update_due",
                  "deck_counts_after_update_lapses", "deck_counts_after_delete")
REBUILD_AT = 50_000  # log rows added at once from which the indexes may be built again...
REBUILD_SHARE = 1.0  # ...when they are at least this share of the rows the log holds


def write_states(db: sqlite3.Connection, sql: str, rows: Sequence[tuple]) -> None:
    """Execute `sql` (an insert or upsert into `cards` whose first parameter is the card id)
    for each row; the per-deck counts end as the triggers would leave them."""
    if len(rows) < RECOUNT_AT:
        db.executemany(sql, rows)
        return
    with counts_deferred(db, (row[0] for row in rows)):
        db.executemany(sql, rows)


@contextmanager
def counts_deferred(db: sqlite3.Connection, card_ids: Iterable[str]):
    """Inside: writes to `cards` leave the per-deck counts alone; after: the counts of the decks
    holding `card_ids` (every card written inside must be one of them) counted again."""
    triggers = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'cards' AND name IN "
                          f"({', '.join('?' * len(COUNT_TRIGGERS))}) ORDER BY rowid", COUNT_TRIGGERS).fetchall()
    fill(db, "recount", card_ids)
    with _dropped(db, "TRIGGER", triggers):
        yield
    recount(db)


@contextmanager
def _dropped(db: sqlite3.Connection, kind: str, objects: list[tuple[str, str]]):
    """Inside: these schema objects (name, the SQL that made them) dropped; after: made again."""
    for name, _ in objects:
        db.execute(f"DROP {kind} {name}")
    try:
        yield
    finally:
        for _, sql in objects:
            db.execute(sql)


def fill(db: sqlite3.Connection, table: str, card_ids: Iterable[str]) -> None:
    """Make the temporary table `table` (card_id TEXT PRIMARY KEY) hold these card ids. (In one
    JSON array through json_each: 40,000 ids cost what a few hundred bound one by one would.)"""
    db.execute(f"CREATE TEMP TABLE IF NOT EXISTS {table} (card_id TEXT PRIMARY KEY) WITHOUT ROWID")
    db.execute(f"DELETE FROM temp.{table}")
    db.execute(f"INSERT OR IGNORE INTO temp.{table} SELECT value FROM json_each(?)", (json.dumps(list(card_ids)),))


def recount(db: sqlite3.Connection) -> None:
    """What the triggers on `cards` do, for the cards in temp.recount: their members' `new` flag,
    and the counts of every deck holding one of them, counted again (member_decks' triggers)."""
    db.execute("UPDATE members SET new = coalesce((SELECT c.due IS NULL FROM cards c WHERE c.card_id = members.card_id), 1) "
               "WHERE card_id IN (SELECT card_id FROM temp.recount)")
    db.execute("UPDATE member_decks SET digest = digest WHERE deck IN "
               "(SELECT deck FROM members WHERE card_id IN (SELECT card_id FROM temp.recount))")


@contextmanager
def indexes_rebuilt(db: sqlite3.Connection, table: str, adding: int):
    """Adding `adding` rows to `table`: if they are many and at least REBUILD_SHARE of the rows
    it holds, its indexes are dropped and built again afterwards (sooner than inserting into
    them row by row); otherwise nothing."""
    if adding < REBUILD_AT or adding < REBUILD_SHARE * (db.execute(f"SELECT max(rowid) FROM {table}").fetchone()[0] or 0):
        yield
        return
    indexes = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL "
                         "ORDER BY rowid", (table,)).fetchall()
    with _dropped(db, "INDEX", indexes):
        yield


@contextmanager
def large_cache(db: sqlite3.Connection, rows: int):
    """Inside: a page cache of up to LARGE_CACHE_MB when `rows` rows are to be written (the
    indexes read to place them stay cached while they are written), SQLite's default after."""
    if rows < RECOUNT_AT:
        yield
        return
    db.execute(f"PRAGMA cache_size = {-LARGE_CACHE_MB << 10}")
    try:
        yield
    finally:
        db.execute("PRAGMA cache_size = -2000")  # SQLite's default
