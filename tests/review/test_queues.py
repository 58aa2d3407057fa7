"""What makes a large collection fast must not change a single answer: counts and queues read
through the store's members table equal the slow, obvious computation over every card's state
(suspensions, burials and the cards failed earlier today included);
decks served packed build no Card until asked; the quick launch path prints what Typer's does."""

from __future__ import annotations

import fnmatch
import json
import os
import random
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

from dlquiz.config import Config
from dlquiz.decks import packed as packed_module
from dlquiz.decks.collection import load_collection
from dlquiz.errors import StoreError
from dlquiz.review import bulk
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
    """Cards whose latest standing grade today (review or re-drill) is below 4, the obvious way, in
    the replay order (time, device, seq): a sync's rows are not in it by id."""
    rows = store.db.execute("SELECT id, card_id, grade, kind, day, undoes FROM reviews "
                            "ORDER BY reviewed_at, device, seq").fetchall()
    undone = {row[5] for row in rows if row[5] is not None}
    latest: dict[str, tuple[int, int]] = {}
    for place, (review_id, card_id, grade, kind, on, _) in enumerate(rows):
        if kind in ("review", "redrill") and on == day.isoformat() and review_id not in undone:
            latest[card_id] = (place, grade)
    return [card_id for card_id, (_, grade) in sorted(latest.items(), key=lambda item: item[1][0]) if grade < 4]


def reference_queue(collection, store, day, config, within=None) -> list[str]:
    """The queue the obvious way; of the cards `within` (all by default)."""
    states = store.states()
    new_done, reviews_done = store.counts_on(day)
    due, new = [], []

    def hidden(state) -> bool:
        return state is not None and (state.suspended or bool(state.buried_until and state.buried_until > day))

    for index, card_id in enumerate(collection.cards):
        if within is not None and card_id not in within:
            continue
        state = states.get(card_id)
        if hidden(state):
            continue
        if state is None or state.due is None:
            new.append(card_id)
        elif state.due <= day:
            due.append((state.due, index, card_id))
    due.sort()
    again = [card_id for card_id in failed_today(store, day) if card_id in collection.cards and not hidden(states.get(card_id))
             and (within is None or card_id in within)]
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


def _layout_text(deck_id: str, ids: list[str], week: int) -> str:
    cards = "".join(f"  - id: {card_id}\n    question: Q {card_id}?\n    answer: A.\n" for card_id in ids)
    return f"course: {int(deck_id[1])}\nweek: {week}\ntitle: Deck {deck_id}\ncards:\n{cards or '  []'}\n".replace(
        "cards:\n  []", "cards: []")


def _reshape(rng: random.Random, layout: dict[str, tuple[int, list[str]]], made: list[int]) -> None:
    """Change the decks as an author does: a card moved to another deck, added, removed, a deck's
    cards reordered, a deck added, emptied or removed, a deck moved to another week (deck order)."""
    decks = list(layout)
    what = rng.choice(("move", "add", "remove", "reorder", "new deck", "empty", "drop deck", "week"))
    deck_id = rng.choice(decks)
    week, ids = layout[deck_id]
    if what == "move" and ids:
        layout[rng.choice(decks)][1].insert(rng.randrange(10), ids.pop(rng.randrange(len(ids))))
    elif what == "add":
        made[0] += 1
        ids.insert(rng.randrange(len(ids) + 1), f"{deck_id}-new{made[0]}")
    elif what == "remove" and ids:
        ids.pop(rng.randrange(len(ids)))
    elif what == "reorder":
        rng.shuffle(ids)
    elif what == "new deck" and len(decks) < 6:
        made[0] += 1
        layout[f"c3w{len(decks)}"] = (rng.randint(1, 9), [f"c3-extra{made[0]}-{i}" for i in range(rng.randint(0, 4))])
    elif what == "empty":
        ids.clear()
    elif what == "drop deck" and len(decks) > 1:
        del layout[deck_id]
    elif what == "week":
        layout[deck_id] = (rng.randint(1, 9), ids)


def _write_layout(cards_dir, layout) -> None:
    for path in cards_dir.glob("*.yaml"):
        if path.stem not in layout:
            path.unlink()
    for deck_id, (week, ids) in layout.items():
        (cards_dir / f"{deck_id}.yaml").write_text(_layout_text(deck_id, ids, week), encoding="utf-8")


def next_due_reference(collection, store, day):
    """The first day after `day` a card of the collection, not suspended, is due."""
    states = store.states()
    days = [states[c].due for c in collection.cards if c in states and states[c].due and states[c].due > day
            and not states[c].suspended]
    return min(days, default=None)


@pytest.mark.parametrize("recount_at", [bulk.RECOUNT_AT, 1], ids=["triggers", "bulk"])
@pytest.mark.parametrize("seed", range(8))
def test_counts_and_queues_follow_any_history_of_grades_schedulers_and_decks(write_deck, cards_dir, store, seed,
                                                                              recount_at, monkeypatch):
    """The store's per-deck counts (kept by triggers) and its members (rewritten deck by deck)
    through grades, undos, burials, suspensions, days passing, scheduler switches (every state
    replayed) and the decks' own changes, against the obvious computation over every card. With
    `bulk`, every write of many states (a scheduler switch, a replay) drops the triggers and
    counts the touched decks again (dlquiz.review.bulk), as a large sync does."""
    from dlquiz.review.fsrs_scheduler import FSRS
    from dlquiz.review.schedulers import SM2

    monkeypatch.setattr(bulk, "RECOUNT_AT", recount_at)
    rng = random.Random(1000 + seed)
    layout = {"c1w1": (1, [f"c1w1-{i}" for i in range(6)]), "c1w2": (2, [f"c1w2-{i}" for i in range(5)]),
              "c2w1": (1, ["zeta", "alpha", "mu", "beta", "omega"])}
    made = [0]
    _write_layout(cards_dir, layout)
    collection = load_collection()
    day = DAY
    graded: dict[str, list[int]] = {}
    for step in range(80):
        action = rng.random()
        ids = list(collection.cards)
        now = datetime(day.year, day.month, day.day, 9, tzinfo=timezone.utc)
        card_id = rng.choice(ids) if ids else "gone"
        if action < 0.4:
            graded.setdefault(card_id, []).append(store.record(card_id, rng.choice((0, 1, 2, 3, 4, 5)), "review", day, now).id)
        elif action < 0.47:
            store.set_suspended(card_id, rng.random() < 0.7, day, now)
        elif action < 0.55 and graded.get(card_id):
            store.undo(graded[card_id].pop(), day, now)
        elif action < 0.62:  # a card buried, often one due today
            due = [row[0] for row in store.due_on(day)]
            store.bury(rng.choice(due) if due and rng.random() < 0.6 else card_id, day + timedelta(days=rng.choice((0, 1, 2))))
        elif action < 0.7:
            day += timedelta(days=rng.choice((1, 3, 7)))
        elif action < 0.75:
            store.use_scheduler(FSRS() if store.scheduler.name == "sm2" else SM2())
        else:
            _reshape(rng, layout, made)
            _write_layout(cards_dir, layout)
            collection = load_collection()
        config = Config(new_per_day=rng.choice((0, 2, 4, 30)), reviews_per_day=rng.choice((0, 3, 5, 30)),
                        leech_lapses=rng.choice((1, 2, 3)))
        expected = reference_counts(collection, store, day, config)
        assert deck_counts(collection, store, day, config) == expected, step
        patterns = rng.choice((None, None, [rng.choice(list(layout))], [rng.choice(list(layout))[:2] + "*"]))
        session = Session(collection, store, day=day, now=clock(day), config=config, patterns=patterns)
        want = reference_queue(collection, store, day, config)
        if patterns:
            mine = {card_id for deck in collection.decks if fnmatch.fnmatchcase(deck.id, patterns[0]) for card_id in deck.ids}
            want = reference_queue(collection, store, day, config, within=mine)
        assert [item.card_id for item in session.queue] == want, step
        assert all(item.card.id == item.card_id for item in session.queue)
        assert session.summary()["next_due"] == (d.isoformat() if (d := next_due_reference(collection, store, day)) else None)
    with monkeypatch.context() as patched:
        slow_path(patched)
        store.db.execute("DELETE FROM meta WHERE key = 'members'")  # so the sync is attempted again
        config = Config(new_per_day=4, reviews_per_day=5, leech_lapses=2)
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


def test_counting_and_queueing_build_no_cards_but_those_shown(collection, store, monkeypatch):
    fresh = load_collection()  # served from the cache: packed
    built = []
    real = packed_module.Card
    monkeypatch.setattr(packed_module, "Card", lambda *row: built.append(row[0]) or real(*row))
    deck_counts(fresh, store, DAY, Config())
    session = Session(fresh, store, day=DAY, now=clock(), config=Config(new_per_day=3))
    assert built == []
    assert session.current.card.id == "c1w1-0"
    assert built == ["c1w1-0"] and not any(d.unpacked for d in fresh.decks)


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


def test_a_store_of_schema_7_is_counted_on_its_next_open(collection, tmp_path):
    """Migration m008 drops the members dlquiz 7 kept (without places in their decks); the next
    command writes them again, deck by deck, and counts them."""
    from tests.review.test_store import old_store

    path = tmp_path / "old.db"
    old_store(path, 7, [])
    db = sqlite3.connect(path, isolation_level=None)
    ids = list(collection.cards)
    states = [(card_id, 3, 250, 6, (DAY + timedelta(days=k % 5 - 2)).isoformat(), k % 4,
               (DAY + timedelta(days=1)).isoformat() if k % 7 == 0 else None, (DAY - timedelta(days=4)).isoformat(), int(k % 6 == 0))
              for k, card_id in enumerate(ids[::2])]
    db.executemany("INSERT INTO cards (card_id, reps, ef, interval, due, lapses, buried_until, last_day, suspended) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", states)
    db.executemany("INSERT INTO members (deck, card_id, new) VALUES (?, ?, ?)",
                   [(collection.cards.deck_of(card_id).id, card_id, 1) for card_id in ids])
    db.execute("INSERT INTO meta (key, value) VALUES ('members', 'a digest of dlquiz 7')")
    db.close()
    config = Config(new_per_day=3, reviews_per_day=4, leech_lapses=2)
    with Store(path) as s:
        assert deck_counts(collection, s, DAY, config) == reference_counts(collection, s, DAY, config)
        assert [item.card_id for item in Session(collection, s, day=DAY, now=clock(), config=config).queue] == \
            reference_queue(collection, s, DAY, config)
