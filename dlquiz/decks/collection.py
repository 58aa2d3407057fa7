"""A collection: every deck found, joined, with ids unique across decks; choosing decks and cards
from it by id patterns (`c4*`) and tags; and its tags with their card counts.

`load_collection` loads every deck of the deck directories (or the given files), through the
parsed-deck cache (dlquiz.decks.cache) when `$DLQUIZ_HOME` exists.
"""

from __future__ import annotations

import difflib
import fnmatch
from pathlib import Path
from typing import Callable, Container, Iterable, Mapping

from dlquiz.decks.files import discover, load_file
from dlquiz.errors import DeckError, Problem, UsageError
from dlquiz.model import Card, CardIndex, Collection, Deck, collector_paused


SEARCH_MAX = 16  # new ids up to this many are looked for in the settled decks' ids as text; more, in a set


def build_collection(loaded: list[tuple[Deck | None, list[Problem]]], settled: Container[Deck] = frozenset(),
                     earlier: Mapping[Deck, Callable[[], tuple[str, ...] | None]] | None = None) -> Collection:
    """Join loaded decks into a collection; raises DeckError listing every problem of every file.
    Builds no Card objects (a deck holding a duplicate id excepted, to say where it is).

    Ids are unique across decks. `settled` decks are known to hold no id twice among them (the
    parsed-deck cache found them so, unchanged since): only the other decks' ids are checked, and
    against the settled ones only those a deck did not hold before (`earlier`: its ids as they were
    when it was settled, None if unknown). With nothing changed, the check reads no id at all."""
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
    if _may_repeat_ids(decks, settled, earlier or {}):
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
    return Collection(decks=decks, cards=CardIndex(decks, unique=True))


def _may_repeat_ids(decks: list[Deck], settled: Container[Deck], earlier: Mapping) -> bool:
    """Whether an id may be held twice (by two decks, or one): False only when it cannot be."""
    fresh = [deck for deck in decks if deck not in settled]
    if not fresh:
        return False
    seen: set[str] = set()
    for deck in fresh:
        seen.update(deck.ids)
    if len(seen) < sum(deck.count for deck in fresh):
        return True
    new: list[str] = []
    for deck in fresh:
        before = earlier[deck]() if deck in earlier else None
        new += deck.ids if before is None else set(deck.ids).difference(before)
    others = [deck for deck in decks if deck in settled]
    if not new or not others:
        return False
    if len(new) <= SEARCH_MAX:  # a few cards added: look for them in the others' ids, one a line
        text = "\n" + "\n".join(deck.ids_text for deck in others) + "\n"
        return any(f"\n{card_id}\n" in text for card_id in new)
    known: set[str] = set()
    for deck in others:
        known.update(deck.ids)
    return not known.isdisjoint(new)


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
    if not cache:
        return build_collection(_loading(load_file, paths))
    from dlquiz.decks.cache import DeckCache, cache_path

    home = paths_module.home()
    deck_cache = DeckCache(cache_path(home) if home.is_dir() else None)
    loaded = _loading(deck_cache.load_file, paths)
    try:
        collection = build_collection(loaded, deck_cache.settled, deck_cache.earlier)
    except DeckError:
        deck_cache.save(prune=whole)
        raise
    deck_cache.save(prune=whole, clean=whole)
    return collection


def _loading(load: Callable[[Path], tuple[Deck | None, list[Problem]]], paths: Iterable[Path]) -> list:
    with collector_paused():
        return [load(Path(p)) for p in paths]


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
