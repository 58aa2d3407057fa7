"""The store's reads for queues, counts and a card's history over a large collection (a part of store.Store).

They read only what they need, through the indexes, and compare days as ISO text (which sorts
as the days do): no CardState per card. The `members` table (migration m004) says which deck
holds which card and whether the card is new; `sync_members` rewrites it when the decks' card
lists change. See docs/scale.md.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import Callable, Container, Iterable, Iterator

from dlquiz.errors import StoreError


class QueueReads:
    """Mixed into store.Store: needs `db`, `meta` and `transaction`."""

    db: sqlite3.Connection

    def scheduled_ids(self) -> set[str]:
        """Cards that have been reviewed (they have a due day): every other card is new."""
        return {row[0] for row in self.db.execute("SELECT card_id FROM cards WHERE due IS NOT NULL")}

    def due_on(self, day: date) -> Iterator[tuple[str, str]]:
        """(card id, due day) of the cards due on or before `day`, neither buried nor suspended,
        most overdue first, read as iterated."""
        today = day.isoformat()
        return iter(self.db.execute(
            "SELECT card_id, due FROM cards WHERE due <= ? AND (buried_until IS NULL OR buried_until <= ?) "
            "AND NOT suspended ORDER BY due", (today, today)))

    def buried_on(self, day: date) -> set[str]:
        today = day.isoformat()
        return {row[0] for row in self.db.execute("SELECT card_id FROM cards WHERE buried_until > ?", (today,))}

    def suspended_ids(self) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT card_id FROM cards WHERE suspended")}

    def leech_ids(self, lapses: int) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT card_id FROM cards WHERE lapses >= ?", (lapses,))}

    def sync_members(self, digest: str, decks: Callable[[], Iterable[tuple[str, Iterable[str]]]]) -> bool:
        """Make the members table hold `decks()`' (deck id, card ids) unless it already holds the
        membership `digest` names. False when it cannot (a read-only store): use the slow way."""
        if self.meta("members") == digest:
            return True
        try:
            with self.transaction():
                self.db.execute("DELETE FROM members")
                self.db.executemany("INSERT INTO members (deck, card_id) VALUES (?, ?)",
                                    ((deck, card_id) for deck, ids in decks() for card_id in ids))
                self.db.execute("UPDATE members SET new = 0 WHERE card_id IN (SELECT card_id FROM cards WHERE due IS NOT NULL)")
                self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('members', ?)", (digest,))
        except (StoreError, sqlite3.Error):
            return False
        return True

    def member_counts(self, day: date, leech_lapses: int) -> dict[str, tuple[int, int, int, int, int, str | None]]:
        """Per deck of the members table: (cards, new, due, suspended, leeches, next due day). A
        suspended card counts as suspended only: not new, not due, with no next due day."""
        rows = self.db.execute(
            "SELECT m.deck, count(*), sum(m.new AND NOT coalesce(c.suspended, 0)), "
            "sum(c.due <= :day AND (c.buried_until IS NULL OR c.buried_until <= :day) AND NOT c.suspended), "
            "sum(c.suspended), sum(c.lapses >= :leech), min(CASE WHEN c.due > :day AND NOT c.suspended THEN c.due END) "
            "FROM members m LEFT JOIN cards c USING (card_id) GROUP BY m.deck",
            {"day": day.isoformat(), "leech": leech_lapses})
        return {deck: (cards, new, due or 0, suspended or 0, leech or 0, next_due)
                for deck, cards, new, due, suspended, leech, next_due in rows}

    def new_members(self, day: date, decks: Iterable[str] | None = None) -> set[str]:
        """The new (never reviewed) cards of the members table, of `decks` or all, neither buried
        on `day` nor suspended."""
        query = ("SELECT card_id FROM members m WHERE new AND NOT EXISTS "
                 "(SELECT 1 FROM cards c WHERE c.card_id = m.card_id AND (c.buried_until > ? OR c.suspended))")
        if decks is None:
            return {row[0] for row in self.db.execute(query, (day.isoformat(),))}
        return {row[0] for deck in decks for row in self.db.execute(query + " AND deck = ?", (day.isoformat(), deck))}

    def upcoming(self, day: date) -> Iterator[tuple[str, str]]:
        """(card id, due day) of the cards due after `day` and not suspended, soonest first, read
        as iterated."""
        return iter(self.db.execute("SELECT card_id, due FROM cards WHERE due > ? AND NOT suspended ORDER BY due",
                                    (day.isoformat(),)))

    def next_due(self, day: date, known: Container[str]) -> date | None:
        """The first day after `day` on which a card of `known` is due (cards no deck holds any
        more are skipped)."""
        return next((date.fromisoformat(due) for card_id, due in self.upcoming(day) if card_id in known), None)

    # -- today's counts and failed cards, for limits and summaries
    def counts_on(self, day: date) -> tuple[int, int]:
        """(new cards introduced, scheduled reviews done) on a review day, undone grades excluded."""
        row = self.db.execute(
            "SELECT COALESCE(SUM(due_before IS NULL), 0), COALESCE(SUM(due_before IS NOT NULL), 0) FROM reviews "
            "WHERE day = ? AND kind = 'review' AND id NOT IN (SELECT undoes FROM reviews WHERE undoes IS NOT NULL)",
            (day.isoformat(),),
        ).fetchone()
        return int(row[0]), int(row[1])

    def failed_on(self, day: date) -> list[str]:
        """The cards whose latest grade on this review day (a scheduled review or a re-drill, undone
        grades left out) is below 4, in the order they were failed; buried and suspended ones left
        out. SM-2 step 7: they are drilled again that day, whichever session it is."""
        rows = self.db.execute(  # (latest and order: the replay order, dlquiz.review.events)
            "SELECT r.card_id FROM (SELECT card_id, grade, reviewed_at, device, seq, row_number() OVER (PARTITION BY "
            "card_id ORDER BY reviewed_at DESC, device DESC, seq DESC) AS latest FROM reviews WHERE day = :day "
            "AND kind IN ('review', 'redrill') AND id NOT IN (SELECT undoes FROM reviews WHERE undoes IS NOT NULL)) r "
            "LEFT JOIN cards c USING (card_id) WHERE r.latest = 1 AND r.grade < 4 AND NOT coalesce(c.suspended, 0) "
            "AND (c.buried_until IS NULL OR c.buried_until <= :day) ORDER BY r.reviewed_at, r.device, r.seq",
            {"day": day.isoformat()})
        return [row[0] for row in rows]

    def suspended_since(self, card_id: str) -> date | None:
        """The day a suspended card was suspended; None when it is not suspended."""
        row = self.db.execute("SELECT day, suspended FROM suspensions WHERE card_id = ? "
                              "ORDER BY at DESC, device DESC, seq DESC LIMIT 1", (card_id,)).fetchone()
        return date.fromisoformat(row[0]) if row and row[1] else None

    def history(self, card_id: str) -> list[tuple[date, str, int, int, int]]:
        """A card's answers as they stand (undone ones left out), oldest first: (review day, kind,
        grade, interval after, E-Factor after in hundredths)."""
        rows = self.db.execute(
            "SELECT day, kind, grade, interval_after, ef_after FROM reviews WHERE card_id = ? AND kind != 'undo' "
            "AND id NOT IN (SELECT undoes FROM reviews WHERE undoes IS NOT NULL) ORDER BY reviewed_at, device, seq", (card_id,))
        return [(date.fromisoformat(day), kind, grade, interval, ef) for day, kind, grade, interval, ef in rows]

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
