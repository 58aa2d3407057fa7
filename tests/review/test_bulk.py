"""Writes of many states at once (dlquiz.review.bulk): a large sync or import drops the per-deck
count triggers, writes, and counts the touched decks again. The counts, the members' `new`
flags and the queues must be exactly what the triggers would have left: the obvious computation
over every card's state."""

from __future__ import annotations

import random
from datetime import timedelta

from dlquiz.config import Config
from dlquiz.decks.collection import load_collection
from dlquiz.review import bulk
from dlquiz.review.events import Event
from dlquiz.review.schedule import NEW
from dlquiz.review.session import Session
from dlquiz.review.store import Store
from dlquiz.review.today import deck_counts
from dlquiz.sync import folder as sync_folder
from dlquiz.sync import jsonl
from tests.review.test_queues import reference_counts, reference_queue
from tests.review.test_session import DAY, clock, deck
from tests.sync.test_folder import at

OTHER = "0fe1d2c3b4a59687"  # the other machine's device id


def other_machine(card_ids: list[str], rng: random.Random) -> list[Event]:
    """Three days of another machine's study of most of these cards: grades of every kind (lapses
    among them), undos, suspensions and burials, in the order it made them."""
    made: list[Event] = []
    graded = []
    for n in range(3):
        day = DAY + timedelta(days=n)
        for k, card_id in enumerate(rng.sample(card_ids, len(card_ids) * 2 // 3)):
            moment = (at(day) + timedelta(seconds=k)).isoformat(timespec="microseconds")
            seq = len(made) + 1
            roll = rng.random()
            if roll < 0.02 and graded:
                target_card, target_seq = graded.pop(rng.randrange(len(graded)))
                made.append(Event("undo", OTHER, seq, target_card, moment, day.isoformat(), undoes=(OTHER, target_seq)))
            elif roll < 0.05:
                made.append(Event("suspension", OTHER, seq, card_id, moment, day.isoformat(), suspended=rng.random() < 0.8))
            elif roll < 0.08:
                until = (day + timedelta(days=rng.choice((1, 2)))).isoformat()
                made.append(Event("burial", OTHER, seq, card_id, moment, day.isoformat(), until=until))
            else:
                kind = rng.choice(("review",) * 8 + ("redrill",))
                made.append(Event("grade", OTHER, seq, card_id, moment, day.isoformat(), kind, rng.choice((1, 2, 3, 4, 5, 5)), 900))
                graded.append((card_id, seq))
    return made


def test_a_large_sync_leaves_the_counts_and_queues_of_the_obvious_computation(write_deck, tmp_path, monkeypatch):
    for deck_id in ("c1w1", "c1w2", "c2w1"):
        write_deck(f"{deck_id}.yaml", deck(deck_id, 600))
    collection = load_collection()
    ids = list(collection.cards)
    rng = random.Random(16)
    shared = tmp_path / "shared"
    shared.mkdir()
    made = other_machine(ids[:1500], rng)
    (shared / f"{OTHER}.jsonl").write_text("".join(jsonl.encode(event) + "\n" for event in made), encoding="utf-8")
    recounted = []
    real_recount = bulk.recount
    monkeypatch.setattr(bulk, "recount", lambda db: recounted.append(1) or real_recount(db))
    with Store(tmp_path / "dlquiz.db") as store:
        # This machine's own history first: states to update, suspensions to keep, members counted.
        for card_id in rng.sample(ids, 200):
            store.record(card_id, rng.choice((2, 4, 5)), "review", DAY - timedelta(days=3), clock(DAY - timedelta(days=3))())
        for card_id in rng.sample(ids, 20):
            store.set_suspended(card_id, True, DAY - timedelta(days=2), clock(DAY - timedelta(days=2))())
        deck_counts(collection, store, DAY, Config())
        report = sync_folder.sync(store, shared)
        assert report.received == len(made) and report.cards > bulk.RECOUNT_AT
        assert recounted  # (the bulk path, not the triggers, kept the counts)
        # The states are the replay of the log (a card back to new, undone or unsuspended, keeps a row).
        assert {card_id: state for card_id, state in store.states().items() if state != NEW} == store.rebuild_states()
        for days in (0, 2, 3, 9, 40):
            day = DAY + timedelta(days=days)
            for config in (Config(), Config(leech_lapses=1, new_per_day=700, reviews_per_day=2000)):
                assert deck_counts(collection, store, day, config) == reference_counts(collection, store, day, config)
                queue = [item.card_id for item in Session(collection, store, day=day, now=clock(day), config=config).queue]
                assert queue == reference_queue(collection, store, day, config)


def test_a_bulk_write_sets_aside_every_trigger_on_the_cards(tmp_path):
    # A trigger on `cards` left out of COUNT_TRIGGERS would still run row by row in a bulk write
    # (the counts stay right, the recount redoes them, but the write is as slow as before).
    with Store(tmp_path / "dlquiz.db") as store:
        on_cards = {name for (name,) in store.db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'cards'")}
    assert on_cards == set(bulk.COUNT_TRIGGERS)
