"""What "today" means, and what it holds: the review day (local date with a rollover hour, never
going back should the clock), and per deck the cards, new, due today, suspended, leeches and next
due day that `dlquiz decks` shows, read from the store's `members` table in SQLite when it can.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from dlquiz.config import Config
from dlquiz.model import Collection
from dlquiz.review.store import Store


def review_day(moment: datetime, rollover_hour: int) -> date:
    """The review day of a moment: its local date, where a day starts at `rollover_hour`."""
    return (moment - timedelta(hours=rollover_hour)).date()


def today(store: Store | None, now: datetime, rollover_hour: int) -> date:
    """Today's review day; never earlier than a day already seen, should the clock go back."""
    day = review_day(now, rollover_hour)
    seen = store.meta("last_day") if store is not None else None
    if seen and date.fromisoformat(seen) > day:
        return date.fromisoformat(seen)
    return day


def remember_day(store: Store, day: date) -> None:
    seen = store.meta("last_day")
    if not seen or date.fromisoformat(seen) < day:
        store.set_meta("last_day", day.isoformat())


def sync_members(collection: Collection, store: Store) -> bool:
    """Bring the store's deck membership up to date (a no-op unless the decks changed); False
    when the store cannot hold it (read-only): callers then count the slow way."""
    if not hasattr(collection.cards, "position"):
        return False
    return store.sync_members(collection.membership(), lambda: ((deck.id, deck.ids) for deck in collection.decks))


_COUNTS = ("cards", "new", "due", "suspended", "leech", "next_due")


def deck_counts(collection: Collection, store: Store | None, day: date, config: Config) -> dict[str, dict]:
    """Per deck: cards, new, due today, suspended, leeches, next due day (from the decks' card ids
    and the store, in SQLite when it can: no Card or CardState objects). A suspended card counts
    as suspended only: not new, not due, no next due day."""
    if store is None:
        return {deck.id: dict(zip(_COUNTS, (len(deck.ids), len(deck.ids), 0, 0, 0, None))) for deck in collection.decks}
    if sync_members(collection, store):
        counts = store.member_counts(day, config.leech_lapses)
        return {deck.id: dict(zip(_COUNTS, counts.get(deck.id, (0, 0, 0, 0, 0, None)))) for deck in collection.decks}
    suspended = store.suspended_ids()
    scheduled = store.scheduled_ids() | suspended
    due = {card_id for card_id, _ in store.due_on(day)}
    leeches = store.leech_ids(config.leech_lapses)
    upcoming = dict(store.upcoming(day))
    result = {}
    for deck in collection.decks:
        ids = deck.ids
        days = [upcoming[card_id] for card_id in ids if card_id in upcoming]
        result[deck.id] = dict(zip(_COUNTS, (len(ids), len(ids) - len(scheduled.intersection(ids)),
                                             len(due.intersection(ids)), len(suspended.intersection(ids)),
                                             len(leeches.intersection(ids)), min(days, default=None))))
    return result
