"""Today's review queue and the review loop's logic, free of terminal code.

The queue: due reviews first (most overdue first, then deck order), then new cards in deck order,
within the daily limits (new cards introduced and scheduled reviews done today both count). A
card graded below 4 comes back at the end of the session until it scores 4 or more (SM-2 step 7);
those re-drills are logged but change no schedule. `--cram` reviews the chosen cards whatever
their due dates and changes no schedule either. Every grade is committed by the store before
`grade` returns. Undo takes back grades and burials, several steps back, exactly.
"""

from __future__ import annotations

import fnmatch
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Callable

from dlquiz.config import Config
from dlquiz.decks import Card, Collection
from dlquiz.errors import UsageError
from dlquiz.sm2 import GRADES, review as sm2_review
from dlquiz.store import CardState, NEW, Review, Store

MAX_ANSWER_MS = 60_000  # like Anki: a card left on screen over lunch counts as one minute


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


def select_cards(collection: Collection, patterns: list[str] | None = None, tags: list[str] | None = None) -> list[Card]:
    """The cards of the decks matching any pattern (ids or globs like `c4*`) and any of the tags."""
    decks = collection.decks
    if patterns:
        chosen = []
        for pattern in patterns:
            matched = [d for d in decks if fnmatch.fnmatchcase(d.id, pattern)]
            if not matched:
                raise UsageError(f"no deck matches {pattern!r} (try `dlquiz decks`)")
            chosen.extend(d for d in matched if d not in chosen)
        decks = [d for d in collection.decks if d in chosen]
    cards = [card for deck in decks for card in deck.cards]
    if tags:
        wanted = set(tags)
        cards = [card for card in cards if wanted.intersection(card.tags)]
    return cards


def is_buried(state: CardState, day: date) -> bool:
    return state.buried_until is not None and state.buried_until > day


@dataclass
class Item:
    """One card in the queue, and why it is there: 'review', 'new', 'redrill' or 'cram'."""

    card: Card
    kind: str
    draw: int = 0  # which parametric draw this is (see templates.py); stable across undo


@dataclass
class _Action:
    what: str  # 'grade' or 'bury'
    item: Item
    review: Review | None = None
    removed: list[tuple[int, Item]] = field(default_factory=list)
    requeued: Item | None = None
    buried_before: date | None = None


class Session:
    """One review session over a collection and a store."""

    def __init__(
        self, collection: Collection, store: Store, *, day: date, now: Callable[[], datetime],
        config: Config = Config(), patterns: list[str] | None = None, tags: list[str] | None = None,
        limit: int | None = None, new_limit: int | None = None, review_limit: int | None = None, cram: bool = False,
    ):
        self.collection = collection
        self.store = store
        self.day = day
        self.now = now
        self.config = config
        self.cram = cram
        self.queue: deque[Item] = deque(self._build(select_cards(collection, patterns, tags), limit, new_limit, review_limit))
        self.initial = Counter(item.kind for item in self.queue)
        self.history: list[_Action] = []
        self.grades: Counter[int] = Counter()
        self.reviewed: set[str] = set()
        self.started = time.monotonic()

    # -- building the queue
    def _build(self, cards: list[Card], limit, new_limit, review_limit) -> list[Item]:
        states = self.store.states()
        if self.cram:
            items = [Item(card, "cram") for card in cards]
            return items[:limit] if limit is not None else items
        due: list[tuple[date, int, Card]] = []
        new: list[Card] = []
        for index, card in enumerate(cards):
            state = states.get(card.id, NEW)
            if is_buried(state, self.day):
                continue
            if state.is_new:
                new.append(card)
            elif state.due <= self.day:
                due.append((state.due, index, card))
        due.sort(key=lambda entry: (entry[0], entry[1]))
        new_done, reviews_done = self.store.counts_on(self.day)
        new_left = max(0, (self.config.new_per_day if new_limit is None else new_limit) - new_done)
        reviews_left = max(0, (self.config.reviews_per_day if review_limit is None else review_limit) - reviews_done)
        items = [Item(card, "review") for _, _, card in due[:reviews_left]]
        items += [Item(card, "new") for card in new[:new_left]]
        return items[:limit] if limit is not None else items

    # -- the loop
    @property
    def current(self) -> Item | None:
        return self.queue[0] if self.queue else None

    @property
    def done(self) -> int:
        return sum(self.grades.values())

    @property
    def left(self) -> int:
        return len(self.queue)

    def state(self, card: Card) -> CardState:
        return self.store.state(card.id)

    def shown_card(self, item: Item) -> Card:
        """The card as this review shows it: a parametric card drawn with fresh numbers, seeded by
        its review number (so an undo brings back the same numbers); any other card as it is."""
        if getattr(item.card, "template", None) is None:
            return item.card
        if not item.draw:
            item.draw = self.store.review_number(item.card.id) + 1
        from dlquiz import templates

        return templates.instantiate(item.card, item.draw)

    def preview(self, item: Item) -> dict[int, int | None]:
        """The interval each grade would give (None: this grade changes no schedule)."""
        if item.kind in ("redrill", "cram"):
            return {q: None for q in GRADES}
        sm2 = self.state(item.card).sm2
        return {q: sm2_review(sm2, q).interval for q in GRADES}

    def grade(self, quality: int, answer_ms: int = 0) -> Review:
        """Grade the current card; the grade is committed before this returns."""
        item = self.queue.popleft()
        kind = {"cram": "cram", "redrill": "redrill"}.get(item.kind, "review")
        try:
            review = self.store.record(item.card.id, quality, kind, self.day, self.now(), min(max(answer_ms, 0), MAX_ANSWER_MS))
        except BaseException:
            self.queue.appendleft(item)
            raise
        requeued = None
        if quality < 4:  # SM-2 step 7: again at the end of the session, until it scores 4 or more
            requeued = Item(item.card, "cram" if item.kind == "cram" else "redrill")  # fresh numbers
            self.queue.append(requeued)
        self.history.append(_Action("grade", item, review=review, requeued=requeued))
        self.grades[quality] += 1
        self.reviewed.add(item.card.id)
        return review

    def is_leech(self, review: Review) -> bool:
        """True when this grade made the card (or kept it) a leech."""
        return review.after.lapses >= self.config.leech_lapses and review.after.lapses > review.before.lapses

    def bury(self) -> None:
        """Hide the current card until tomorrow, with its re-drills."""
        item = self.queue.popleft()
        removed = [(i, other) for i, other in enumerate(self.queue) if other.card.id == item.card.id]
        for _, other in reversed(removed):
            self.queue.remove(other)
        before = self.state(item.card).buried_until
        self.store.bury(item.card.id, self.day + timedelta(days=1))
        self.history.append(_Action("bury", item, removed=removed, buried_before=before))

    def undo(self) -> _Action | None:
        """Take back the last grade or burial; the card is shown again. None if nothing to undo."""
        if not self.history:
            return None
        action = self.history.pop()
        if action.what == "grade":
            self.store.undo(action.review.id, self.day, self.now())
            if action.requeued is not None:
                for index in range(len(self.queue) - 1, -1, -1):  # the re-drill we appended
                    if self.queue[index] is action.requeued:
                        del self.queue[index]
                        break
            self.grades[action.review.grade] -= 1
            if not any(a.what == "grade" and a.item.card.id == action.item.card.id for a in self.history):
                self.reviewed.discard(action.item.card.id)
        else:
            self.store.bury(action.item.card.id, action.buried_before)
            for index, other in action.removed:
                self.queue.insert(index, other)
        self.queue.appendleft(action.item)
        return action

    # -- the end
    def summary(self) -> dict:
        """What the session did and what comes next."""
        known = self.collection.cards
        upcoming = [s.due for cid, s in self.store.states().items() if cid in known and s.due is not None and s.due > self.day]
        next_due = min(upcoming, default=None)
        return {
            "cards": len(self.reviewed),
            "answers": self.done,
            "grades": {q: self.grades[q] for q in GRADES if self.grades[q]},
            "seconds": round(time.monotonic() - self.started),
            "left": self.left,
            "next_due": next_due.isoformat() if next_due else None,
        }


def deck_counts(collection: Collection, store: Store | None, day: date, config: Config) -> dict[str, dict]:
    """Per deck: cards, new, due today, leeches, next due day."""
    states = store.states() if store is not None else {}
    result = {}
    for deck in collection.decks:
        new = due = leech = 0
        next_due = None
        for card in deck.cards:
            state = states.get(card.id, NEW)
            if state.lapses >= config.leech_lapses:
                leech += 1
            if state.is_new:
                new += 1
            elif state.due <= day and not is_buried(state, day):
                due += 1
            elif state.due > day and (next_due is None or state.due < next_due):
                next_due = state.due
        result[deck.id] = {"cards": len(deck.cards), "new": new, "due": due, "leech": leech,
                           "next_due": next_due.isoformat() if next_due else None}
    return result
