"""Why a review session's queue is empty, when it is: the facts behind the message that replaces
"Nothing to review" (the wording is the command line's, in dlquiz.cli.commands).

A queue is empty because nothing is due and nothing is new, or because something held the waiting
cards back: today's new-card or review limit, a burial until tomorrow, a suspension, or a `--tag`
that no card of the chosen decks carries. `why_empty` finds each of these, over the session's
chosen cards, with the decks that hold the waiting cards.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from dlquiz.review.session import Session


@dataclass(frozen=True)
class Held:
    """Cards held back for one reason: how many, and how many in each deck (collection order)."""

    count: int
    decks: list[tuple[str, int]]
    ids: list[str] = field(default_factory=list)  # the first few card ids, in collection order


@dataclass(frozen=True)
class Empty:
    """Why the queue is empty. A field is None (or empty) when that reason does not apply."""

    new_limit: Held | None = None  # new cards waiting while today's new-card limit is reached
    review_limit: Held | None = None  # due cards waiting while today's review limit is reached
    buried: Held | None = None  # new or due cards buried until tomorrow
    suspended: Held | None = None  # new or due cards suspended
    tags_elsewhere: Held | None = None  # no chosen card has the tags; these cards of other decks do
    next_due: date | None = None  # the first day a chosen card is due again

    @property
    def waiting(self) -> bool:
        """True when a limit holds cards back (a flag releases them today)."""
        return self.new_limit is not None or self.review_limit is not None


def _held(ids: list[str], session: Session, most: int = 3) -> Held | None:
    if not ids:
        return None
    deck_of = getattr(session.collection.cards, "deck_of", None)
    per_deck = Counter(deck_of(card_id).id if deck_of else session.collection.cards[card_id].deck for card_id in ids)
    order = {deck.id: index for index, deck in enumerate(session.collection.decks)}
    return Held(len(ids), sorted(per_deck.items(), key=lambda item: order[item[0]]), ids[:most])


def why_empty(session: Session) -> Empty:
    """The reasons the session's queue is empty (call it when it is)."""
    store, day = session.store, session.day
    if not session.chosen:
        if not session.tags:
            return Empty()
        from dlquiz.decks.collection import select_ids

        return Empty(tags_elsewhere=_held(select_ids(session.collection, None, session.tags), session))
    chosen = session.chosen
    scheduled = store.scheduled_ids()
    suspended = store.suspended_ids()
    buried = store.buried_on(day)
    due = {card_id for card_id, _ in store.due_on(day)}

    def today(card_id: str) -> bool:  # new, or due today or before
        return card_id not in scheduled or store.state(card_id).due <= day

    new_waiting = [card_id for card_id in chosen if card_id not in scheduled and card_id not in suspended
                   and card_id not in buried]
    due_waiting = [card_id for card_id in chosen if card_id in due]
    next_due = store.next_due(day, set(chosen))
    return Empty(
        new_limit=_held(new_waiting, session),
        review_limit=_held(due_waiting, session),
        buried=_held([card_id for card_id in chosen if card_id in buried and card_id not in suspended and today(card_id)],
                     session),
        suspended=_held([card_id for card_id in chosen if card_id in suspended and today(card_id)], session),
        next_due=next_due,
    )
