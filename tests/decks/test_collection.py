"""Joining decks: ids unique across decks. Through the parsed-deck cache only the decks whose files
changed are checked, and against the others only for the ids they did not hold before: random
histories of edits (cards added, moved, copied, renamed into another deck's ids; decks added,
removed, checked alone with `dlquiz check FILE`) give exactly what loading without the cache
gives, duplicates and all."""

from __future__ import annotations

import os
import random

import pytest

from dlquiz.decks import collection as collection_module
from dlquiz.decks.collection import load_collection
from dlquiz.errors import DeckError

POOL = [f"p-{i}" for i in range(40)]


def text(ids: list[str]) -> str:
    cards = "".join(f"  - id: {card_id}\n    question: Q {card_id}?\n    answer: A.\n" for card_id in ids)
    return f"course: 1\nweek: 1\ntitle: T\ncards:\n{cards}" if ids else "course: 1\nweek: 1\ntitle: T\ncards: []\n"


def outcome(**kwargs):
    """What loading gives: the decks and their ids, or the problems' lines."""
    try:
        loaded = load_collection(**kwargs)
    except DeckError as error:
        return "problems", sorted(error.lines())
    return "decks", [(deck.id, deck.ids) for deck in loaded.decks]


def edit(rng: random.Random, layout: dict[str, list[str]]) -> None:
    deck = rng.choice(list(layout))
    ids = layout[deck]
    what = rng.choice(("add new", "add taken", "move", "copy", "remove", "rename", "new deck", "drop deck", "swap"))
    if what == "add new":
        ids.insert(rng.randrange(len(ids) + 1), f"{deck}-{rng.randrange(10**6)}")
    elif what == "add taken":  # an id some deck may hold already
        ids.insert(rng.randrange(len(ids) + 1), rng.choice(POOL))
    elif what in ("move", "copy") and ids:
        card = ids[rng.randrange(len(ids))]
        if what == "move":
            ids.remove(card)
        layout[rng.choice(list(layout))].append(card)
    elif what == "remove" and ids:
        ids.pop(rng.randrange(len(ids)))
    elif what == "rename" and ids:
        ids[rng.randrange(len(ids))] = rng.choice(POOL)
    elif what == "new deck" and len(layout) < 8:
        layout[f"d{rng.randrange(10**6)}"] = rng.sample(POOL, rng.randint(0, 5))
    elif what == "drop deck" and len(layout) > 1:
        del layout[deck]
    elif what == "swap":  # two decks exchange their cards
        other = rng.choice(list(layout))
        layout[deck], layout[other] = layout[other], layout[deck]


@pytest.mark.parametrize("seed", range(30))
def test_unique_ids_through_any_history_of_edits_as_without_the_cache(cards_dir, seed, monkeypatch):
    monkeypatch.setattr(collection_module, "SEARCH_MAX", random.Random(seed).choice((0, 2, 16)))  # both ways to look
    rng = random.Random(seed)
    layout = {f"d{i}": [POOL[j] for j in range(i * 6, i * 6 + 5)] for i in range(4)}
    written: dict[str, str] = {}
    for step in range(40):
        for deck in set(written) - set(layout):
            os.remove(cards_dir / f"{deck}.yaml")
            del written[deck]
        for deck, ids in layout.items():
            if written.get(deck) != text(ids):
                (cards_dir / f"{deck}.yaml").write_text(text(ids), encoding="utf-8")
                written[deck] = text(ids)
        if rng.random() < 0.15:  # `dlquiz check` of one file: a partial load through the cache
            one = cards_dir / f"{rng.choice(list(layout))}.yaml"
            assert outcome(paths=[one]) == outcome(paths=[one], cache=False), step
        assert outcome() == outcome(cache=False), step
        assert outcome() == outcome(cache=False), step  # (and again, from what the first wrote)
        edit(rng, layout)


def test_an_unchanged_collection_reads_no_id_to_check_them(write_deck, monkeypatch):
    for i in range(3):
        write_deck(f"d{i}.yaml", text([f"d{i}-{k}" for k in range(5)]))
    load_collection()
    collection = load_collection()
    assert not any(deck._ids for deck in collection.decks)  # (no deck's ids were even split)
    write_deck("d1.yaml", text(["d1-0", "d1-1", "d1-2"]))  # cards removed: nothing new to look for
    read = []
    real = type(collection.decks[0]).ids_text
    monkeypatch.setattr(type(collection.decks[0]), "ids_text", property(lambda deck: read.append(deck.id) or real.fget(deck)))
    load_collection()
    assert read == ["d1"]  # the changed deck's own ids only
    write_deck("d2.yaml", text(["d2-0", "d0-3"]))  # an id of d0: found among the others' ids
    with pytest.raises(DeckError, match="duplicate id 'd0-3'"):
        load_collection()
