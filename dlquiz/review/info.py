"""One card's schedule and history, as the review screen's `i` and `dlquiz show` tell them: its
state (due day, interval, E-Factor, repetitions, lapses, burial, suspension) and its answers as
they stand in the log (undone ones left out). Read from the store; no terminal code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from dlquiz.review.schedule import NEW, CardState
from dlquiz.review.store import Store


@dataclass(frozen=True)
class CardInfo:
    """A card's schedule on `today`, and its answers: (review day, kind, grade, interval after,
    E-Factor after in hundredths), oldest first."""

    card_id: str
    today: date
    state: CardState = NEW
    history: list[tuple[date, str, int, int, int]] = field(default_factory=list)
    suspended_since: date | None = None

    @property
    def buried(self) -> bool:
        return self.state.buried_until is not None and self.state.buried_until > self.today


def card_info(store: Store | None, card_id: str, today: date) -> CardInfo:
    """What the store knows of a card (a card without a store is new)."""
    if store is None:
        return CardInfo(card_id, today)
    return CardInfo(card_id, today, store.state(card_id), store.history(card_id), store.suspended_since(card_id))
