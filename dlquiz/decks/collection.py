"""A collection: every deck found, joined, with ids unique across decks; choosing decks and cards
from it by id patterns (`c4*`) and tags; and its tags with their card counts.

`load_collection` loads every deck of the deck directories (or the given files), through the
parsed-deck cache (dlquiz.decks.cache) when `$DLQUIZ_HOME` exists.
"""

from __future__ import annotations

import difflib
import fnmatch
import gc
from pathlib import Path
from typing import Iterable

from dlquiz.decks.files import discover, load_file
from dlquiz.errors import DeckError, Problem, UsageError
from dlquiz.model import Card, CardIndex, Collection, Deck


def build_collection(loaded: list[tuple[Deck | None, list[Problem]]]) -> Collection:
    """Join loaded decks into a collection; raises DeckError listing every problem of every file.
    Builds no Card objects (a deck holding a duplicate id excepted, to say where it is)."""
    problems: list[Problem] = []
    decks: list[Deck] = []
    deck_paths: dict[str, str] = {}
    for deck, deck_problems in loaded:
        problems.extend(deck_problems)
        if deck is None:
            continue
        if deck.id in deck_paths:
            problems.append(Problem(deck.path, 0, f"duplicate deck id {deck.id!r} (also {deck_paths[deck.id]})"))
            continue
        deck_paths[deck.id] = deck.path
        decks.append(deck)
    if len(set().union(*(deck.ids for deck in decks))) < sum(len(deck.ids) for deck in decks):
        first: dict[str, Card] = {}
        for deck in decks:
            for card in deck.cards:
                if card.id in first:
                    problems.append(Problem(card.path, card.line, f"duplicate id {card.id!r} (first at {first[card.id].where})"))
                else:
                    first[card.id] = card
    if problems:
        raise DeckError(problems)
    decks.sort(key=lambda d: (d.course, d.week, d.id))
    return Collection(decks=decks, cards=CardIndex(decks))


def load_collection(
    paths: Iterable[Path] | None = None, dirs: Iterable[Path] | None = None, cache: bool = True
) -> Collection:
    """Load the given deck files, or every deck in the deck directories.

    With `cache`, unchanged files are served from the parsed-deck cache in `$DLQUIZ_HOME`
    (dlquiz.decks.cache) when that directory exists."""
    from dlquiz import paths as paths_module

    whole = paths is None
    if whole:
        paths = discover(dirs if dirs is not None else paths_module.deck_dirs())
    deck_cache = None
    if cache:
        from dlquiz.decks.cache import DeckCache, cache_path

        home = paths_module.home()
        deck_cache = DeckCache(cache_path(home) if home.is_dir() else None)
    load = deck_cache.load_file if deck_cache is not None else load_file
    # Loading builds many small objects and no reference cycles: pausing the cyclic garbage
    # collector saves it from re-walking a growing heap (a third of the time on large collections).
    paused = gc.isenabled()
    gc.disable()
    try:
        loaded = [load(Path(p)) for p in paths]
    finally:
        if paused:
            gc.enable()
    if deck_cache is not None:
        deck_cache.save(prune=whole)
    return build_collection(loaded)


def select_decks(collection: Collection, patterns: list[str] | None = None) -> list[Deck]:
    """The decks matching any pattern (ids or globs like `c4*`), in collection order; all when none."""
    if not patterns:
        return collection.decks
    chosen = []
    for pattern in patterns:
        matched = [d for d in collection.decks if fnmatch.fnmatchcase(d.id, pattern)]
        if not matched:
            raise UsageError(f"no deck matches {pattern!r} (try `dlquiz decks`)")
        chosen.extend(d for d in matched if d not in chosen)
    return [d for d in collection.decks if d in chosen]


def tag_counts(collection: Collection) -> dict[str, int]:
    """Every tag of the collection with the number of cards carrying it, sorted by tag."""
    counts: dict[str, int] = {}
    for card in collection.cards.values():
        for tag in card.tags:
            counts[tag] = counts.get(tag, 0) + 1
    return dict(sorted(counts.items()))


def select_cards(collection: Collection, patterns: list[str] | None = None, tags: list[str] | None = None) -> list[Card]:
    """The cards of the decks matching any pattern (ids or globs like `c4*`) and any of the tags.
    A tag no card of the whole collection carries is a UsageError, with the closest tags."""
    cards = [card for deck in select_decks(collection, patterns) for card in deck.cards]
    if tags:
        seen = {tag for card in cards for tag in card.tags}
        unseen = [tag for tag in tags if tag not in seen]
        if unseen:  # not in the chosen decks: are they tags at all?
            known = tag_counts(collection)
            for tag in unseen:
                if tag not in known:
                    close = difflib.get_close_matches(tag, list(known), n=3, cutoff=0.6)
                    hint = f"did you mean {', '.join(map(repr, close))}?" if close else "try `dlquiz tags`"
                    raise UsageError(f"unknown tag {tag!r} ({hint})")
        wanted = set(tags)
        cards = [card for card in cards if wanted.intersection(card.tags)]
    return cards


def select_ids(collection: Collection, patterns: list[str] | None = None, tags: list[str] | None = None) -> list[str]:
    """`select_cards`' card ids, without building Card objects unless tags are to be read."""
    if tags:
        return [card.id for card in select_cards(collection, patterns, tags)]
    return [card_id for deck in select_decks(collection, patterns) for card_id in deck.ids]
