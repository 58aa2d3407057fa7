"""Today's review queue and the review loop's logic, free of terminal code.

The queue: due reviews first (most overdue first, then deck order), then the cards failed earlier
this review day, then new cards in deck order, within the daily limits (new cards introduced and
scheduled reviews done today both count; `more_new` and `more_reviews` raise today's limits for
this session, like Anki's "increase today's limit"). A card graded below 4 comes back at the end
of the session until it scores 4 or more (SM-2 step 7), and in the next session of the same day
if the learner stopped before (read from the log); those re-drills are logged but change no
schedule. `--cram` reviews the chosen cards whatever their due dates and changes no schedule
either. Buried and suspended cards stay out. Every grade is committed by the store before `grade`
returns. Undo takes back grades, burials and suspensions, several steps back, exactly.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import islice
from typing import Callable, Mapping, Sequence

from dlquiz.config import Config
from dlquiz.decks.collection import select_decks, select_ids
from dlquiz.model import Card, Collection, Deck
from dlquiz.review.schedule import CardState, Review
from dlquiz.review.store import Store
from dlquiz.review.today import sync_members
from dlquiz.sm2 import GRADES
from dlquiz.sm2 import review as sm2_review

MAX_ANSWER_MS = 60_000  # like Anki: a card left on screen over lunch counts as one minute


@dataclass(frozen=True)
class Effect:
    """What one grade would do to a card: the interval it gives and, under SM-2, the E-Factor it
    sets (None under FSRS)."""

    interval: int
    easiness: float | None = None


class Item:
    """One card in the queue, and why it is there: 'review', 'new', 'redrill' or 'cram'. The Card
    itself is looked up when first needed, in its `deck` when the queue knows it (a large
    collection builds Card objects per deck, on demand: a queue of 200 cards from 100 decks need
    not build 50,000 before the first shows, nor map 200,000 ids to their decks)."""

    __slots__ = ("card_id", "kind", "draw", "deck", "_cards", "_card")

    def __init__(self, card_id: str, kind: str, cards: Mapping[str, Card], draw: int = 0, deck: Deck | None = None) -> None:
        self.card_id, self.kind, self.draw, self.deck, self._cards, self._card = card_id, kind, draw, deck, cards, None

    @property
    def card(self) -> Card:
        if self._card is None:
            self._card = self.deck.card(self.card_id) if self.deck is not None else self._cards[self.card_id]
        return self._card

    def __repr__(self) -> str:
        return f"Item({self.card_id!r}, {self.kind!r})"


@dataclass
class _Action:
    """One step undo can take back. (A grade keeps its log row's id and grade, not the Review:
    a session of 5,000 answers would hold 25,000 more objects for the garbage collector to walk.)"""

    what: str  # 'grade', 'bury' or 'suspend'
    item: Item
    review_id: int | None = None
    grade: int | None = None
    removed: Sequence[tuple[int, Item]] = ()
    requeued: Item | None = None
    buried_before: date | None = None
    shown: bool = True  # undo shows `item` again (False: a card suspended after its grade)
    changed: bool = True  # (suspend) False when another session had suspended it already
    answer_ms: int = 0
    siblings: dict[str, date | None] | None = None  # buried by this grade: id -> burial before


class Session:
    """One review session over a collection and a store."""

    def __init__(
        self, collection: Collection, store: Store, *, day: date, now: Callable[[], datetime],
        config: Config = Config(), patterns: list[str] | None = None, tags: list[str] | None = None,
        limit: int | None = None, more_new: int = 0, more_reviews: int = 0, cram: bool = False,
    ):
        self.collection = collection
        self.store = store
        self.day = day
        self.now = now
        self.config = config
        self.cram = cram
        self.patterns, self.tags = patterns or [], tags or []
        self.decks = select_decks(collection, patterns)
        self._chosen = select_ids(collection, patterns, tags) if tags else None
        self._members = False  # whether the store's members table holds this collection
        self.queue: deque[Item] = deque(self._build(limit, more_new or 0, more_reviews or 0))
        self.initial = Counter(item.kind for item in self.queue)
        self.history: list[_Action] = []
        self.grades: Counter[int] = Counter()
        self.reviewed: set[str] = set()

    @property
    def chosen(self) -> list[str]:
        """The ids of the cards this session chose from (the decks, then the tags), in order."""
        if self._chosen is None:
            self._chosen = [card_id for deck in self.decks for card_id in deck.ids]
        return self._chosen

    # -- building the queue
    def _build(self, limit, more_new: int, more_reviews: int) -> list[Item]:
        cards = self.collection.cards
        if self.cram:  # whatever the due dates, but not suspended cards (as in Anki's filtered decks)
            suspended = self.store.suspended_ids()
            ids = [card_id for card_id in self.chosen if card_id not in suspended] if suspended else self.chosen
            ids = ids[:limit] if limit is not None else ids
            return [Item(card_id, "cram", cards) for card_id in ids]
        new_done, reviews_done = self.store.counts_on(self.day)
        new_left = max(0, self.config.new_per_day - new_done) + more_new
        reviews_left = max(0, self.config.reviews_per_day - reviews_done) + more_reviews
        if limit is not None:
            reviews_left = min(reviews_left, limit)
        self._members = sync_members(self.collection, self.store)
        if self._members and not self.tags:
            items = self._from_members(limit, new_left, reviews_left)
        else:
            items = self._from_ids(limit, new_left, reviews_left)
        return items[:limit] if limit is not None else items

    def _from_members(self, limit, new_left: int, reviews_left: int) -> list[Item]:
        """The queue from the store's members table: per deck, and per card read for the queue
        only (no map of every id to its deck)."""
        cards, rank = self.collection.cards, {deck.id: at for at, deck in enumerate(self.decks)}
        by_id = {deck.id: deck for deck in self.decks}
        # Due cards come out of the store most overdue first; read them only up to the limit (and
        # the rest of the last day read: deck order decides between cards due the same day).
        due: list[tuple[str, int, int, str, str]] = []
        for card_id, due_day, deck, pos in self.store.due_members(self.day):
            if len(due) >= reviews_left and (not due or due_day != due[-1][0]):
                break
            if deck in rank:
                due.append((due_day, rank[deck], pos, card_id, deck))
        due.sort()
        items = [Item(card_id, "review", cards, deck=by_id[deck]) for *_, card_id, deck in due[:reviews_left]]
        failed = self.store.failed_on(self.day)  # quit before 4
        places = self.store.places(failed)
        failed = [(card_id, places[card_id][0]) for card_id in failed if places.get(card_id, ("",))[0] in rank]
        items += [Item(card_id, "redrill", cards, deck=by_id[deck])
                  for card_id, deck in failed[:None if limit is None else limit - len(items)]]
        if limit is not None:
            new_left = min(new_left, limit - len(items))
        with_new = self.store.decks_with_new() if new_left > 0 else set()
        for deck in self.decks:  # new cards: the store's index of new members, deck by deck
            if new_left <= 0:
                break
            if deck.id not in with_new:
                continue
            fresh = self.store.new_in_deck(deck.id, self.day, new_left)
            items += [Item(card_id, "new", cards, deck=deck) for card_id in fresh]
            new_left -= len(fresh)
        return items

    def _from_ids(self, limit, new_left: int, reviews_left: int) -> list[Item]:
        """The queue from the chosen ids (tags chosen, or a store that cannot hold the members)."""
        cards, ids = self.collection.cards, self.chosen
        chosen = set(ids) if len(ids) < len(cards) else cards  # (membership, without copying)
        due: list[tuple[str, int, str]] = []
        for card_id, due_day in self.store.due_on(self.day):
            if len(due) >= reviews_left and (not due or due_day != due[-1][0]):
                break
            if card_id in chosen:
                due.append((due_day, cards.position(card_id), card_id))
        due.sort()
        items = [Item(card_id, "review", cards) for _, _, card_id in due[:reviews_left]]
        failed = [card_id for card_id in self.store.failed_on(self.day) if card_id in chosen]  # quit before 4
        items += [Item(card_id, "redrill", cards) for card_id in failed[:None if limit is None else limit - len(items)]]
        if limit is not None:
            new_left = min(new_left, limit - len(items))
        if new_left <= 0:
            return items
        skip = self.store.scheduled_ids() | self.store.buried_on(self.day) | self.store.suspended_ids()
        new = list(islice((card_id for card_id in ids if card_id not in skip), new_left))
        return items + [Item(card_id, "new", cards) for card_id in new]

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
        card = item.card
        if getattr(card, "template", None) is None and card.kind != "order":
            return card
        if not item.draw:
            item.draw = self.store.review_number(card.id) + 1
        if card.kind == "order":  # the steps, shuffled for this review
            from dlquiz.checking import order

            return order.draw(card, item.draw)
        from dlquiz.checking.templates import catalog as templates

        return templates.instantiate(card, item.draw)

    def preview(self, item: Item) -> dict[int, Effect | None]:
        """What each grade would do under the store's scheduler: the interval it gives and, under
        SM-2, the E-Factor it sets; None for every grade of a re-drill or cram, which change no
        schedule."""
        if item.kind in ("redrill", "cram"):
            return {q: None for q in GRADES}
        state = self.state(item.card)
        intervals = self.store.scheduler.preview(state, self.day, item.card_id)
        if self.store.scheduler.name == "sm2":
            return {q: Effect(intervals[q], sm2_review(state.sm2, q).easiness) for q in GRADES}
        return {q: Effect(intervals[q]) for q in GRADES}

    def grade(self, quality: int, answer_ms: int = 0) -> Review:
        """Grade the current card; the grade is committed before this returns."""
        item = self.queue.popleft()
        kind = {"cram": "cram", "redrill": "redrill"}.get(item.kind, "review")
        try:
            answer_ms = min(max(answer_ms, 0), MAX_ANSWER_MS)
            review = self.store.record(item.card.id, quality, kind, self.day, self.now(), answer_ms)
        except BaseException:
            self.queue.appendleft(item)
            raise
        requeued = None
        if quality < 4:  # SM-2 step 7: again at the end of the session, until it scores 4 or more
            requeued = Item(item.card_id, "cram" if item.kind == "cram" else "redrill", self.collection.cards,
                            deck=item.deck)  # (fresh numbers)
            self.queue.append(requeued)
        action = _Action("grade", item, review.id, quality, requeued=requeued, answer_ms=answer_ms)
        self.history.append(action)
        if item.card.note_id is not None:
            self._bury_siblings(item.card, action)
        self.grades[quality] += 1
        self.reviewed.add(item.card.id)
        return review

    def _bury_siblings(self, card: Card, action: _Action) -> None:
        """Anki's "bury siblings": once one cloze of a note is reviewed, the note's other cards
        are buried until tomorrow and leave this session's queue (undo brings them back)."""
        siblings = [other.id for other in self.collection.note(card.note_id) if other.id != card.id]
        tomorrow = self.day + timedelta(days=1)
        action.siblings = {}
        for sibling in siblings:
            before = self.store.state(sibling).buried_until
            if before is None or before < tomorrow:
                action.siblings[sibling] = before
        if action.siblings:
            self._set_burials(dict.fromkeys(action.siblings, tomorrow))
        removed = []
        for index in range(len(self.queue) - 1, -1, -1):
            if self.queue[index].card_id in siblings:
                removed.insert(0, (index, self.queue[index]))
                del self.queue[index]
        action.removed = removed

    def _set_burials(self, burials: dict[str, date | None]) -> None:
        """Bury each card until its day (None: not buried), each burial logged by the store."""
        for card_id, until in burials.items():
            self.store.bury(card_id, until, self.day, self.now())

    def is_leech(self, review: Review) -> bool:
        """True when this grade made the card (or kept it) a leech."""
        return review.after.lapses >= self.config.leech_lapses and review.after.lapses > review.before.lapses

    def _take_out(self, card_id: str) -> list[tuple[int, Item]]:
        """Remove a card's items (its re-drills) from the queue; returns them with their places."""
        removed = [(i, other) for i, other in enumerate(self.queue) if other.card_id == card_id]
        for index, _ in reversed(removed):
            del self.queue[index]
        return removed

    def bury(self) -> None:
        """Hide the current card until tomorrow, with its re-drills."""
        item = self.queue.popleft()
        removed = self._take_out(item.card_id)
        before = self.state(item.card).buried_until
        self.store.bury(item.card.id, self.day + timedelta(days=1), self.day, self.now())
        self.history.append(_Action("bury", item, removed=removed, buried_before=before))

    def suspend(self, graded: bool = False) -> Item:
        """Suspend the current card (or, with `graded`, the card graded last: a leech), with its
        re-drills: out of every queue until `dlquiz unsuspend`. Logged; undo takes it back."""
        item = self.history[-1].item if graded else self.queue.popleft()
        removed = self._take_out(item.card_id)
        changed = self.store.set_suspended(item.card_id, True, self.day, self.now())
        self.history.append(_Action("suspend", item, removed=removed, shown=not graded, changed=changed))
        return item

    def replace_card(self, card: Card) -> None:
        """Show `card` (an edited version, same id) from now on, in this queue and its collection."""
        cards = self.collection.cards
        deck = next((item.deck for item in self.queue if item.card_id == card.id and item.deck is not None), None)
        if deck is None and hasattr(cards, "deck_of"):
            deck = cards.deck_of(card.id)
        if deck is not None:
            deck.cards[deck.ids.index(card.id)] = card
        else:
            cards[card.id] = card
        for item in self.queue:
            if item.card_id == card.id:
                item._card = None

    def undo(self) -> _Action | None:
        """Take back the last grade, burial or suspension; the card is shown again. None if
        nothing to undo."""
        if not self.history:
            return None
        action = self.history.pop()
        if action.what == "grade":
            self.store.undo(action.review_id, self.day, self.now())
            if action.requeued is not None:
                for index in range(len(self.queue) - 1, -1, -1):  # the re-drill we appended
                    if self.queue[index] is action.requeued:
                        del self.queue[index]
                        break
            if action.siblings:
                self._set_burials(action.siblings)
            for index, other in action.removed:  # siblings this grade buried, back in their places
                self.queue.insert(index, other)
            self.grades[action.grade] -= 1
            if not any(a.what == "grade" and a.item.card_id == action.item.card_id for a in self.history):
                self.reviewed.discard(action.item.card.id)
        else:
            if action.what == "bury":
                self.store.bury(action.item.card_id, action.buried_before, self.day, self.now())
            elif action.changed:
                self.store.set_suspended(action.item.card_id, False, self.day, self.now())
            for index, other in action.removed:
                self.queue.insert(index, other)
        if action.shown:
            self.queue.appendleft(action.item)
        return action

    # -- the end
    def summary(self) -> dict:
        """What the session did and what comes next."""
        if self._members:
            next_due = self.store.next_member_due(self.day)
        else:
            next_due = self.store.next_due(self.day, self.collection.cards)
        return {
            "cards": len(self.reviewed),
            "answers": self.done,
            "grades": {q: self.grades[q] for q in GRADES if self.grades[q]},
            "ms": sum(action.answer_ms for action in self.history),  # as logged: as `Today ... in` adds them
            "left": self.left,
            "next_due": next_due.isoformat() if next_due else None,
        }
