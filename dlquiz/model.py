"""The objects a collection is made of: Card, Deck, Collection, and CardIndex (every card by id);
and `collector_paused`, for code that builds many of them (or other small objects) at once.

A large collection opens without building its Card objects: a deck served from the parsed-deck
cache (deckcache.py) knows its card ids and holds its cards packed, and builds them the first
time anything asks for them. `Collection.cards` maps ids to cards in collection order; asking it
for one card builds that card's deck only, and counting or iterating ids builds nothing.
"""

from __future__ import annotations

import difflib
import gc
from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping, ValuesView
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from dlquiz.errors import NotFound


@dataclass(slots=True)
class Card:
    """One card of one deck. `answer` is typed by `kind` (see docs/deck-format.md)."""

    id: str
    deck: str
    kind: str
    question: str
    answer: Any
    options: tuple[str, ...] | None = None
    expr: str | None = None
    check: str | None = None
    tolerance: float | None = None
    explain: str | None = None
    note: str | None = None
    source: str | None = None
    tags: tuple[str, ...] = ()
    path: str = ""
    line: int = 0
    template: str | None = None  # a parametric card (templates.py): drawn with templates.instantiate
    params: dict | None = None  # the template's parameters this card narrows
    cite: str | None = None  # a paper card's citation, shown under the answer
    note_id: str | None = None  # a cloze card: the id of the deck card (the note) it is one cloze of

    @property
    def cloze_number(self) -> int | None:
        """The cloze this card asks (`<note id>-c2` -> 2), or None for a card that is not a cloze."""
        if self.note_id is None:
            return None
        return int(self.id[len(self.note_id) + 2:])

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


def ids_digest(text: str) -> bytes:
    """The digest of a deck's card ids written one a line (`Deck.ids_text`): what the store keys
    a deck's membership on, and the parsed-deck cache's checksum of that text."""
    try:
        from _blake2 import blake2b  # (hashlib would load OpenSSL too)
    except ImportError:  # pragma: no cover
        from hashlib import blake2b
    return blake2b(text.encode(), digest_size=16).digest()


class Deck:
    """One deck file: its id is the file name without `.yaml`. `ids` are its cards' ids in order,
    `count` how many; `cards` are the Card objects. A deck served from the parsed-deck cache holds
    neither until asked: its ids come as one text, one id a line (`read_ids`), split on first
    use; its cards are built all at once on first use of `cards` (`unpack`), or one by one by
    `card` (`fetch`, given a card's place). `digest` names its card ids (ids_digest), for the
    store's membership, without splitting them."""

    __slots__ = ("id", "path", "course", "week", "title", "course_title", "count", "_ids", "_text", "_digest",
                 "_read_ids", "_cards", "_unpack", "_fetch", "_built", "_where")

    def __init__(self, id: str, path: str, course: int, week: int, title: str, course_title: str | None = None,
                 cards: list[Card] | None = None, *, ids: tuple[str, ...] | None = None,
                 unpack: Callable[[], list[Card]] | None = None, count: int | None = None, digest: bytes | None = None,
                 read_ids: Callable[[], str] | None = None, fetch: Callable[[int], Card | None] | None = None) -> None:
        self.id, self.path, self.course, self.week, self.title, self.course_title = id, path, course, week, title, course_title
        self._cards = None if unpack is not None else (cards if cards is not None else [])
        self._unpack, self._fetch, self._built = unpack, fetch, {}
        self._ids = ids if ids is not None or read_ids is not None else tuple(card.id for card in self._cards or ())
        self._read_ids, self._text, self._digest, self._where = read_ids, None, digest, None
        self.count = count if count is not None else len(self._ids)

    @property
    def ids(self) -> tuple[str, ...]:
        ids = self._ids
        if ids is None:
            text = self.ids_text
            ids = self._ids = tuple(text.split("\n")) if text else ()
        return ids

    @property
    def ids_text(self) -> str:
        """The card ids, one a line (no newline at the end)."""
        text = self._text
        if text is None:
            text = self._text = self._read_ids() if self._ids is None else "\n".join(self._ids)
        return text

    @property
    def digest(self) -> bytes:
        if self._digest is None:
            self._digest = ids_digest(self.ids_text)
        return self._digest

    @property
    def cards(self) -> list[Card]:
        cards = self._cards
        if cards is None:  # (two threads may both build them: the same cards, no harm)
            cards = self._cards = self._unpack()
        return cards

    @cards.setter
    def cards(self, cards: list[Card]) -> None:
        self._cards, self._unpack, self._fetch, self._built = cards, None, None, {}
        self._ids, self._text, self._digest, self._where = tuple(card.id for card in cards), None, None, None
        self.count = len(cards)

    @property
    def unpacked(self) -> bool:
        return self._cards is not None

    def card(self, card_id: str) -> Card:
        """The card of this deck with this id (KeyError if none). A packed deck builds that card
        alone (a session's memory grows with the cards it shows, not with the decks they are in)."""
        where = self._where
        if where is None:
            where = self._where = {card_id: at for at, card_id in enumerate(self.ids)}
        at = where[card_id]
        if self._cards is not None or self._fetch is None:
            return self.cards[at]
        card = self._built.get(at)
        if card is None:
            card = self._fetch(at)
            if card is None:  # (the packed card did not verify: every card, read as `cards` reads them)
                return self.cards[at]
            self._built[at] = card
        return card

    def __repr__(self) -> str:
        return f"Deck({self.id!r}, {self.path!r}, {self.count} cards)"


class CardIndex(Mapping):
    """Every card of a list of decks by id, in their order. Looking a card up builds its deck's
    cards only. The map of ids to places is built the first time an id is looked up; `len`,
    iteration (with `unique`) and Deck.card build none. The first deck holding an id wins
    (duplicates are reported by decks.build_collection, which passes `unique` when there are none)."""

    __slots__ = ("decks", "unique", "_positions", "_starts")

    def __init__(self, decks: list[Deck], unique: bool = False) -> None:
        self.decks, self.unique, self._positions = decks, unique, None
        self._starts, start = [], 0
        for deck in decks:
            self._starts.append(start)
            start += deck.count

    @property
    def _position(self) -> dict[str, int]:
        position = self._positions
        if position is None:
            position = {}
            for deck, first in zip(self.decks, self._starts):
                position.update(zip(deck.ids, range(first, first + deck.count)))
            if len(position) < sum(deck.count for deck in self.decks):  # duplicate ids: keep each id's first place
                position = {}
                for deck, first in zip(self.decks, self._starts):
                    for at, card_id in enumerate(deck.ids, first):
                        position.setdefault(card_id, at)
            self._positions = position
        return position

    def position(self, card_id: str) -> int:
        """Where the card comes in collection order (KeyError if unknown)."""
        return self._position[card_id]

    def deck_of(self, card_id: str) -> Deck:
        return self.decks[bisect_right(self._starts, self._position[card_id]) - 1]

    def __getitem__(self, card_id: str) -> Card:
        return self.deck_of(card_id).card(card_id)

    def __iter__(self) -> Iterator[str]:
        if self.unique:
            return (card_id for deck in self.decks for card_id in deck.ids)
        return iter(self._position)

    def __len__(self) -> int:
        return sum(deck.count for deck in self.decks) if self.unique else len(self._position)

    def __contains__(self, card_id: object) -> bool:
        return card_id in self._position

    def values(self) -> ValuesView:
        return _Cards(self)


class _Cards(ValuesView):
    """The cards of a CardIndex, deck by deck (no lookup per card)."""

    def __iter__(self) -> Iterator[Card]:
        index: CardIndex = self._mapping
        if index.unique or len(index) == sum(deck.count for deck in index.decks):
            for deck in index.decks:
                yield from deck.cards
        else:  # duplicate ids: only each id's first card
            yield from (index[card_id] for card_id in index)


@dataclass
class Collection:
    """Every deck found, in order, and every card by id (`cards`: a CardIndex, or any mapping)."""

    decks: list[Deck]
    cards: Mapping[str, Card]

    def card(self, card_id: str) -> Card:
        """The card with this id, or NotFound naming the closest ids."""
        try:
            return self.cards[card_id]
        except KeyError:
            close = difflib.get_close_matches(card_id, list(self.cards), n=3, cutoff=0.6)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise NotFound(f"unknown card {card_id!r}{hint}") from None

    def membership(self) -> str:
        """A digest of which deck holds which card ids, in order (store.sync_members keys on it):
        made of each deck's `digest`, so it costs per deck, not per card."""
        try:
            from _blake2 import blake2b  # (hashlib would load OpenSSL too)
        except ImportError:  # pragma: no cover
            from hashlib import blake2b
        digest = blake2b(digest_size=16)
        for deck in self.decks:
            digest.update(deck.id.encode() + b"\0" + deck.digest)
        return digest.hexdigest()

    def note(self, card_id: str) -> list[Card]:
        """The cards of one deck card: a cloze note's siblings (by the note's id or any sibling's),
        or the card itself. NotFound, naming the closest ids, for an unknown id."""
        if card_id not in self.cards and f"{card_id}-c1" in self.cards:
            note_id = card_id
        else:
            note_id = self.card(card_id).note_id
            if note_id is None:
                return [self.cards[card_id]]
        siblings, number = [], 1
        while (sibling := self.cards.get(f"{note_id}-c{number}")) is not None and sibling.note_id == note_id:
            siblings.append(sibling)
            number += 1
        return siblings

    def deck(self, deck_id: str) -> Deck:
        for deck in self.decks:
            if deck.id == deck_id:
                return deck
        close = difflib.get_close_matches(deck_id, [d.id for d in self.decks], n=3, cutoff=0.6)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise NotFound(f"unknown deck {deck_id!r}{hint}")


@contextmanager
def collector_paused():
    """Inside: no cyclic garbage collection. For work that makes many small objects and no
    reference cycles (loading decks, building notes, a sync's or an import's million tuples): the
    collector, woken every 700 new objects, would walk the growing heap again and again (a third
    of the time of loading a large collection, a fifth of an export)."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()
