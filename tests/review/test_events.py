"""Events: identities, the replay order (time, device, number), the log's SM-2 columns as a
replay, events made elsewhere merged in, and the migration that gave old logs identities."""

from __future__ import annotations

import random
import sqlite3
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from dlquiz.review import events, merging
from dlquiz.review.events import Event
from dlquiz.review.store import Store
from tests.review.test_store import DAY, NOW, old_store, play

STEPS = st.lists(st.tuples(st.sampled_from("abc"), st.integers(0, 5),
                           st.sampled_from(["review", "review", "redrill", "cram", "undo", "bury", "suspend", "unsuspend"]),
                           st.integers(0, 3)), max_size=40)


def table(store: Store, name: str) -> list[tuple]:
    return store.db.execute(f"SELECT * FROM {name} ORDER BY 1").fetchall()


def test_every_event_gets_this_devices_next_number(tmp_path):
    with Store(tmp_path / "dlquiz.db") as store:
        assert len(store.device) == 16 and int(store.device, 16) >= 0
        grade = store.record("a", 5, "review", DAY, NOW)
        store.set_suspended("b", True, DAY, NOW)
        store.bury("c", DAY + timedelta(days=1), DAY, NOW)
        store.undo(grade.id, DAY, NOW)
        rows = [row for name in ("reviews", "suspensions", "burials")
                for row in store.db.execute(f"SELECT device, seq, card_id FROM {name}")]
        assert sorted(rows, key=lambda row: row[1]) == [(store.device, 1, "a"), (store.device, 2, "b"), (store.device, 3, "c"),
                                                        (store.device, 4, "a")]
        assert store.db.execute("SELECT undoes, undoes_device, undoes_seq FROM reviews WHERE kind = 'undo'").fetchone() == (
            grade.id, store.device, 1)
    with Store(tmp_path / "other.db") as other:
        assert other.device != store.device


@settings(max_examples=60, deadline=None)
@given(STEPS)
def test_the_logs_sm2_columns_are_the_replay_of_the_log(tmp_path_factory, steps):
    """What record, undo, bury and suspend write one after the other is what replaying the
    cards gives: replaying changes no row and no state."""
    with Store(tmp_path_factory.mktemp("walk") / "dlquiz.db") as store:
        play(store, steps)
        reviews, cards = table(store, "reviews"), table(store, "cards")
        with store.transaction():
            assert events.replay_cards(store, "abc") == 0
        assert table(store, "reviews") == reviews
        assert table(store, "cards") == cards


def test_a_grade_before_a_later_one_in_replay_order_is_replayed_into_place(tmp_path):
    """Another machine's clock was ahead: its grade of tomorrow morning is in the log when this
    machine grades the card now. The state is the replay in time order, not in log order."""
    with Store(tmp_path / "here.db") as here, Store(tmp_path / "one.db") as reference:
        later = Event("grade", "ffffffffffffffff", 1, "a", (NOW + timedelta(hours=20)).isoformat(timespec="microseconds"),
                      (DAY + timedelta(days=1)).isoformat(), "review", 4)
        with here.transaction():
            merging.merge(here, [later])
        here.record("a", 1, "review", DAY, NOW)
        reference.record("a", 1, "review", DAY, NOW)
        reference.record("a", 4, "review", DAY + timedelta(days=1), NOW + timedelta(hours=20))
        assert here.state("a") == reference.state("a")
        columns = "grade, reps_before, ef_before, interval_before, due_before, reps_after, ef_after, interval_after, due_after"
        assert (here.db.execute(f"SELECT {columns} FROM reviews ORDER BY reviewed_at").fetchall()
                == reference.db.execute(f"SELECT {columns} FROM reviews ORDER BY reviewed_at").fetchall())


@settings(max_examples=40, deadline=None)
@given(STEPS, STEPS, st.randoms(use_true_random=False))
def test_merging_another_stores_events_in_any_order_gives_the_replay_of_the_union(tmp_path_factory, mine, theirs, rnd):
    root = tmp_path_factory.mktemp("merge")
    with Store(root / "a.db") as a, Store(root / "b.db") as b, Store(root / "union.db") as union:
        play(a, mine)
        play(b, theirs, day=DAY + timedelta(days=1))
        incoming = events.events_of(b.db, b.device)
        rnd.shuffle(incoming)
        with a.transaction():
            merged = merging.merge(a, incoming)
        assert merged.added == len(incoming) and merged.known == 0
        with a.transaction():
            assert merging.merge(a, incoming).added == 0  # nothing twice
        with union.transaction():
            merging.merge(union, events.events_of(b.db, b.device) + events.events_of(a.db, a.device)[::-1])
        assert a.states() == union.states()
        assert a.rebuild_states() == {c: s for c, s in a.states().items() if not s.is_new or s.buried_until or s.suspended}
        with a.transaction():
            assert events.replay_cards(a, a.reviewed_ids()) == 0  # the columns were replayed in place


def test_a_store_of_schema_6_gets_identities_in_log_order_and_its_burials_logged(tmp_path):
    path = tmp_path / "dlquiz.db"
    at = NOW.isoformat(timespec="microseconds")
    old_store(path, 6, [
        ("a", NOW, DAY, 5, "review", None, (0, 250, 0, None, 0), (1, 260, 1, "2026-11-27", 0)),
        ("b", NOW, DAY, 2, "review", None, (0, 250, 0, None, 0), (0, 218, 1, "2026-11-27", 0)),
        ("b", NOW + timedelta(minutes=1), DAY, None, "undo", 2, (0, 218, 1, "2026-11-27", 0), (0, 250, 0, None, 0)),
    ])
    db = sqlite3.connect(path)
    db.execute("INSERT INTO suspensions (card_id, at, day, suspended) VALUES ('a', ?, ?, 1)", (at, DAY.isoformat()))
    db.execute("UPDATE cards SET suspended = 1 WHERE card_id = 'a'")
    db.execute("UPDATE cards SET buried_until = '2026-11-27' WHERE card_id = 'b'")
    db.commit()
    db.close()
    with Store(path) as store:
        me = store.device
        assert store.db.execute("SELECT id, device, seq, undoes, undoes_device, undoes_seq FROM reviews ORDER BY id").fetchall() == [
            (1, me, 2, None, None, None), (2, me, 3, None, None, None), (3, me, 5, 2, me, 3)]
        assert store.db.execute("SELECT device, seq FROM suspensions").fetchall() == [(me, 4)]
        assert store.db.execute("SELECT card_id, at, day, until, device, seq FROM burials").fetchall() == [
            ("b", "2026-11-26T00:00:00.000000+00:00", "2026-11-26", "2026-11-27", me, 1)]
        states = store.states()
        assert store.rebuild_states() == {card: states[card] for card in ("a", "b")}
        assert events.next_seq(store.db, me) == 6


def test_an_undo_that_arrives_before_its_grade_takes_it_back_when_it_comes(tmp_path):
    with Store(tmp_path / "a.db") as a, Store(tmp_path / "b.db") as b:
        grade = a.record("x", 5, "review", DAY, NOW)
        grade_event = events.events_of(a.db, a.device)
        with b.transaction():
            merging.merge(b, grade_event)
        b_undo = b.undo(b.db.execute("SELECT id FROM reviews").fetchone()[0], DAY, NOW + timedelta(minutes=1))
        assert b_undo.after.is_new
        with Store(tmp_path / "c.db") as c:
            with c.transaction():
                merging.merge(c, events.events_of(b.db, b.device))  # the undo alone
            assert c.state("x").is_new
            with c.transaction():
                merging.merge(c, grade_event)
            assert c.state("x").is_new and c.db.execute("SELECT count(*) FROM reviews WHERE undoes IS NOT NULL").fetchone() == (1,)
        with a.transaction():
            merging.merge(a, events.events_of(b.db, b.device))
        assert a.state("x").is_new and grade.id
        assert a.history("x") == []


def test_merge_skips_a_grade_from_anki_imported_already_under_another_identity(tmp_path):
    with Store(tmp_path / "a.db") as a:
        first = Event("grade", "1111111111111111", 1, "x", NOW.isoformat(timespec="microseconds"), DAY.isoformat(),
                      "review", 4, origin="anki", anki_id=1764147600000)
        again = Event("grade", "2222222222222222", 7, "x", first.at, first.day, "review", 4, origin="anki", anki_id=first.anki_id)
        with a.transaction():
            merged = merging.merge(a, [first, again])
        assert (merged.added, merged.known) == (1, 1)
        assert a.db.execute("SELECT device, origin, anki_id FROM reviews").fetchall() == [("1111111111111111", "anki", first.anki_id)]


def test_random_event_orders_give_one_state(tmp_path):
    """The same events merged in several orders into fresh stores: always the same states."""
    rng = random.Random(16)
    with Store(tmp_path / "src.db") as source:
        steps = [(rng.choice("ab"), rng.randint(0, 5), rng.choice(["review", "undo", "bury", "suspend", "unsuspend"]),
                  rng.randint(0, 2)) for _ in range(30)]
        play(source, steps)
        log = events.events_of(source.db, source.device)
        expected = source.states()
    for attempt in range(5):
        rng.shuffle(log)
        with Store(tmp_path / f"t{attempt}.db") as target:
            with target.transaction():
                merging.merge(target, log)
            assert target.states() == expected
