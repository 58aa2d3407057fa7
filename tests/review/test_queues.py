"""What makes a large collection fast must not change a single answer: counts and queues read
through the store's members table equal the slow, obvious computation over every card's state
(suspensions, burials and the cards failed earlier today included);
decks served packed build no Card until asked; the quick launch path prints what Typer's does."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

from dlquiz.config import Config
from dlquiz.decks.collection import load_collection
from dlquiz.errors import StoreError
from dlquiz.review.session import Session
from dlquiz.review.today import deck_counts
from dlquiz.review.store import Store
from tests.review.test_session import DAY, clock, deck


@pytest.fixture
def collection(write_deck):
    for deck_id, n in (("c1w1", 6), ("c1w2", 5), ("c2w1", 7)):
        write_deck(f"{deck_id}.yaml", deck(deck_id, n))
    # ids whose alphabetical order is not the deck's order (the store reads them alphabetically)
    scrambled = "".join(f"  - id: {name}\n    question: Q?\n    answer: A.\n" for name in ("zeta", "alpha", "mu", "beta", "omega"))
    write_deck("c2w2.yaml", f"course: 2\nweek: 2\ntitle: Scrambled\ncards:\n{scrambled}")
    return load_collection()


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "dlquiz.db") as s:
        yield s


def reference_counts(collection, store, day, config) -> dict:
    """Per deck counts the obvious way: every card's CardState. A suspended card is counted as
    suspended only (not new, not due, no next due day)."""
    states = store.states()
    result = {}
    for d in collection.decks:
        new = due = suspended = leech = 0
        upcoming = []
        for card in d.cards:
            state = states.get(card.id)
            if state is not None and state.lapses >= config.leech_lapses:
                leech += 1
            if state is not None and state.suspended:
                suspended += 1
            elif state is None or state.due is None:
                new += 1
            elif state.due <= day and not (state.buried_until and state.buried_until > day):
                due += 1
            elif state.due > day:
                upcoming.append(state.due.isoformat())
        result[d.id] = {"cards": len(d.cards), "new": new, "due": due, "suspended": suspended, "leech": leech,
                        "next_due": min(upcoming, default=None)}
    return result


def failed_today(store, day) -> list[str]:
    """Cards whose latest standing grade today (review or re-drill) is below 4, the obvious way."""
    rows = store.db.execute("SELECT id, card_id, grade, kind, day, undoes FROM reviews ORDER BY id").fetchall()
    undone = {row[5] for row in rows if row[5] is not None}
    latest: dict[str, tuple[int, int]] = {}
    for review_id, card_id, grade, kind, on, _ in rows:
        if kind in ("review", "redrill") and on == day.isoformat() and review_id not in undone:
            latest[card_id] = (review_id, grade)
    return [card_id for card_id, (_, grade) in sorted(latest.items(), key=lambda item: item[1][0]) if grade < 4]


def reference_queue(collection, store, day, config) -> list[str]:
    states = store.states()
    new_done, reviews_done = store.counts_on(day)
    due, new = [], []

    def hidden(state) -> bool:
        return state is not None and (state.suspended or bool(state.buried_until and state.buried_until > day))

    for index, card_id in enumerate(collection.cards):
        state = states.get(card_id)
        if hidden(state):
            continue
        if state is None or state.due is None:
            new.append(card_id)
        elif state.due <= day:
            due.append((state.due, index, card_id))
    due.sort()
    again = [card_id for card_id in failed_today(store, day) if card_id in collection.cards and not hidden(states.get(card_id))]
    return ([c for _, _, c in due[:max(0, config.reviews_per_day - reviews_done)]] + again
            + new[:max(0, config.new_per_day - new_done)])


def slow_path(monkeypatch):
    """As when the store cannot hold the membership (read-only): counted in Python."""
    monkeypatch.setattr(Store, "transaction", lambda self: (_ for _ in ()).throw(StoreError("read-only")))


@pytest.mark.parametrize("seed", range(6))
def test_counts_and_queues_equal_the_obvious_computation_through_any_history(collection, store, seed, monkeypatch):
    rng = random.Random(seed)
    config = Config(new_per_day=4, reviews_per_day=5, leech_lapses=2)
    ids = list(collection.cards)
    day = DAY
    graded: dict[str, list[int]] = {}
    for step in range(60):
        action = rng.random()
        card_id = rng.choice(ids)
        now = datetime(day.year, day.month, day.day, 9, tzinfo=timezone.utc)
        if action < 0.5:
            graded.setdefault(card_id, []).append(store.record(card_id, rng.choice((0, 1, 2, 3, 4, 5)), "review", day, now).id)
        elif action < 0.55:  # a re-drill (of a card failed today, or not: the log decides)
            graded.setdefault(card_id, []).append(store.record(card_id, rng.choice((1, 3, 4, 5)), "redrill", day, now).id)
        elif action < 0.6:  # suspended, or back
            store.set_suspended(card_id, rng.random() < 0.7, day, now)
        elif action < 0.7 and graded.get(card_id):
            store.undo(graded[card_id].pop(), day, now)  # its latest grade (a first grade: new again)
        elif action < 0.8:
            store.bury(card_id, day + timedelta(days=rng.choice((0, 1, 2))))
        elif action < 0.9:
            day += timedelta(days=rng.choice((1, 3, 7)))
        elif action < 0.95:  # a whole deck due the same day, more of it than the limit allows
            for other in collection.deck(rng.choice(["c2w2", "c1w1"])).ids:
                store.record(other, 5, "review", day - timedelta(days=9), now)
        expected = reference_counts(collection, store, day, config)
        assert deck_counts(collection, store, day, config) == expected, step
        queue = [item.card_id for item in Session(collection, store, day=day, now=clock(day), config=config).queue]
        assert queue == reference_queue(collection, store, day, config), step
    with monkeypatch.context() as patched:
        slow_path(patched)
        store.db.execute("DELETE FROM meta WHERE key = 'members'")  # so the sync is attempted again
        assert deck_counts(collection, store, day, config) == reference_counts(collection, store, day, config)
        queue = [item.card_id for item in Session(collection, store, day=day, now=clock(day), config=config).queue]
        assert queue == reference_queue(collection, store, day, config)


def test_membership_follows_the_decks(write_deck, store):
    write_deck("c1w1.yaml", deck("c1w1", 3))
    write_deck("c1w2.yaml", deck("c1w2", 2))
    config = Config()
    first = load_collection()
    store.record("c1w1-0", 5, "review", DAY, clock()())
    assert deck_counts(first, store, DAY, config)["c1w1"]["new"] == 2
    # c1w1-0 moves to c1w2 (and keeps its history), and c1w2 gains a card
    write_deck("c1w1.yaml", deck("c1w1", 3).replace("  - id: c1w1-0\n    question: Q0?\n    answer: A0.\n", ""))
    write_deck("c1w2.yaml", deck("c1w2", 3) + "  - id: c1w1-0\n    question: Q0?\n    answer: A0.\n")
    counts = deck_counts(load_collection(), store, DAY, config)
    assert (counts["c1w1"]["cards"], counts["c1w1"]["new"]) == (2, 2)
    assert (counts["c1w2"]["cards"], counts["c1w2"]["new"]) == (4, 3)
    assert counts["c1w2"]["next_due"] == (DAY + timedelta(days=1)).isoformat()


def test_counting_and_queueing_build_no_cards_but_those_shown(collection, store):
    fresh = load_collection()  # served from the cache: packed
    assert not any(d.unpacked for d in fresh.decks)
    deck_counts(fresh, store, DAY, Config())
    session = Session(fresh, store, day=DAY, now=clock(), config=Config(new_per_day=3))
    assert not any(d.unpacked for d in fresh.decks)
    assert session.current.card.id == "c1w1-0"
    assert [d.unpacked for d in fresh.decks] == [True, False, False, False]


# -- the quick launch path ------------------------------------------------------------------------


def run(*args, stdin="", env=None):
    return subprocess.run([sys.executable, "-m", "dlquiz", *args], input=stdin, capture_output=True, text=True,
                          timeout=60, env=env or os.environ)


@pytest.mark.parametrize("args", [("decks",), ("decks", "--json")])
def test_quick_decks_prints_what_the_typer_command_prints(collection, cli, args):
    quick = run(*args)
    typer_way = cli(*args)
    assert quick.returncode == typer_way.exit_code == 0
    assert quick.stdout == typer_way.stdout and quick.stderr == ""
    if "--json" in args:
        assert [row["id"] for row in json.loads(quick.stdout)] == ["c1w1", "c1w2", "c2w1", "c2w2"]


def test_quick_review_prints_what_the_typer_command_prints(collection, cli, isolated, tmp_path):
    feed = "\n5\n\n3\nq\n"
    quick = run("review", stdin=feed)
    os.remove(isolated["home"] / "dlquiz.db")  # the same session again, from scratch
    typer_way = cli("review", input=feed)
    assert quick.returncode == typer_way.exit_code == 0
    assert quick.stdout == typer_way.stdout and "c1w1-0" in quick.stdout


def test_quick_path_reports_errors_like_typer(write_deck, cli):
    write_deck("c1w1.yaml", deck("c1w1", 2).replace("question", "qustion", 1))
    quick = run("decks")
    typer_way = cli("decks")
    assert quick.returncode == typer_way.exit_code == 2
    assert quick.stderr == typer_way.stderr and "unknown card key 'qustion'" in quick.stderr


def test_quick_path_does_not_import_typer_and_other_forms_go_to_typer(collection):
    probe = ("import sys, runpy; sys.argv = ['dlquiz'] + sys.argv[1:]\n"
             "try:\n    runpy.run_module('dlquiz', run_name='__main__')\nexcept SystemExit:\n    pass\n"
             "print('typer' in sys.modules, file=sys.stderr)")
    for args, typer_loaded in ((["decks"], "False"), (["decks", "--json"], "False"), (["decks", "--help"], "True")):
        result = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, timeout=60)
        assert result.stderr.strip().splitlines()[-1] == typer_loaded, args
