"""Today's queue and the review loop's logic, without a terminal."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from dlquiz.config import Config
from dlquiz.decks.collection import load_collection
from dlquiz.errors import UsageError
from dlquiz.review.session import Session
from dlquiz.review.today import deck_counts, remember_day, review_day, today
from dlquiz.review.store import Store

DAY = date(2026, 11, 26)


def deck(deck_id, n, tags=None):
    cards = "".join(
        f"  - id: {deck_id}-{i}\n    question: Q{i}?\n    answer: A{i}.\n" + (f"    tags: [{tags}]\n" if tags and i % 2 == 0 else "")
        for i in range(n)
    )
    course, week = int(deck_id[1]), int(deck_id[3])
    return f"course: {course}\nweek: {week}\ntitle: Deck {deck_id}\ncards:\n{cards}"


@pytest.fixture
def collection(write_deck):
    write_deck("c1w1.yaml", deck("c1w1", 5, tags="easy"))
    write_deck("c4w1.yaml", deck("c4w1", 4))
    write_deck("c4w2.yaml", deck("c4w2", 3))
    return load_collection()


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "dlquiz.db") as s:
        yield s


def clock(day=DAY):
    return lambda: datetime(day.year, day.month, day.day, 9, tzinfo=timezone.utc)


def make(collection, store, day=DAY, **kw):
    return Session(collection, store, day=day, now=clock(day), **kw)


def ids(session):
    return [item.card.id for item in session.queue]


def test_new_cards_in_deck_order_within_the_daily_limit(collection, store):
    session = make(collection, store, config=Config(new_per_day=6))
    assert ids(session) == ["c1w1-0", "c1w1-1", "c1w1-2", "c1w1-3", "c1w1-4", "c4w1-0"]
    assert {item.kind for item in session.queue} == {"new"}


def test_due_reviews_first_most_overdue_first_then_new(collection, store):
    for card_id, day in (("c4w1-1", DAY - timedelta(days=3)), ("c1w1-2", DAY - timedelta(days=1)), ("c4w2-0", DAY - timedelta(days=3))):
        store.record(card_id, 4, "review", day, clock(day)())  # interval 1: due the next day
    store.record("c1w1-3", 4, "review", DAY, clock()())  # due tomorrow: not today; one new card used today
    session = make(collection, store, config=Config(new_per_day=3))
    assert ids(session) == ["c4w1-1", "c4w2-0", "c1w1-2", "c1w1-0", "c1w1-1"]
    assert [item.kind for item in session.queue] == ["review", "review", "review", "new", "new"]


def test_limits_count_what_was_done_earlier_today(collection, store):
    session = make(collection, store, config=Config(new_per_day=3))
    session.grade(5)
    session.grade(5)
    later = make(collection, store, config=Config(new_per_day=3))
    assert ids(later) == ["c1w1-2"]


def test_more_new_and_more_reviews_add_to_what_today_still_allows(collection, store):
    """Like Anki's "increase today's limit": --new N after the day's limit gives N more, once."""
    config = Config(new_per_day=2, reviews_per_day=1)
    session = make(collection, store, config=config)
    session.grade(5)
    session.grade(5)
    assert ids(make(collection, store, config=config)) == []  # today's 2 new cards are done
    assert ids(make(collection, store, config=config, more_new=3)) == ["c1w1-2", "c1w1-3", "c1w1-4"]
    assert ids(make(collection, store, config=config, more_new=0)) == []  # 0 more is none more
    partly = make(collection, store, config=Config(new_per_day=4), more_new=1)  # 2 left today, and 1 more
    assert ids(partly) == ["c1w1-2", "c1w1-3", "c1w1-4"]
    for _ in range(3):
        partly.grade(5)
    assert ids(make(collection, store, config=Config(new_per_day=4))) == []  # the extra was for that session
    tomorrow = DAY + timedelta(days=1)
    kinds = lambda session: [item.kind for item in session.queue if item.kind == "review"]  # noqa: E731
    assert kinds(make(collection, store, day=tomorrow, config=config)) == ["review"]  # 5 due, 1 a day
    assert kinds(make(collection, store, day=tomorrow, config=config, more_reviews=2)) == ["review"] * 3


def test_filters_by_deck_glob_tag_and_limit(collection, store):
    assert ids(make(collection, store, patterns=["c4*"], limit=5)) == ["c4w1-0", "c4w1-1", "c4w1-2", "c4w1-3", "c4w2-0"]
    assert ids(make(collection, store, tags=["easy"])) == ["c1w1-0", "c1w1-2", "c1w1-4"]
    with pytest.raises(UsageError, match="no deck matches 'c9\\*'"):
        make(collection, store, patterns=["c9*"])


def test_grades_below_4_come_back_at_the_end_until_4(collection, store):
    session = make(collection, store, patterns=["c4w2"])
    first = session.grade(3)  # scheduled: changes state, and comes back
    assert ids(session) == ["c4w2-1", "c4w2-2", "c4w2-0"]
    assert session.queue[-1].kind == "redrill"
    state = store.state("c4w2-0")
    session.grade(5)
    session.grade(5)
    session.grade(2)  # the re-drill, still below 4: again
    assert ids(session) == ["c4w2-0"] and store.state("c4w2-0") == state
    session.grade(4)
    assert session.current is None and store.state("c4w2-0") == state
    kinds = [r[0] for r in store.db.execute("SELECT kind FROM reviews WHERE card_id = 'c4w2-0' ORDER BY id")]
    assert kinds == ["review", "redrill", "redrill"] and first.after == state


def test_cram_reviews_anything_and_changes_no_schedule(collection, store):
    store.record("c4w2-0", 5, "review", DAY, clock()())
    before = store.states()
    session = make(collection, store, patterns=["c4w2"], cram=True)
    assert ids(session) == ["c4w2-0", "c4w2-1", "c4w2-2"]
    for _ in range(3):
        session.grade(5)
    assert store.states() == before
    assert store.db.execute("SELECT COUNT(*) FROM reviews WHERE kind = 'cram'").fetchone()[0] == 3


def test_bury_hides_until_tomorrow(collection, store):
    session = make(collection, store, patterns=["c4w2"])
    session.bury()
    assert ids(session) == ["c4w2-1", "c4w2-2"]
    assert "c4w2-0" not in ids(make(collection, store, patterns=["c4w2"]))
    tomorrow = DAY + timedelta(days=1)
    assert "c4w2-0" in ids(make(collection, store, day=tomorrow, patterns=["c4w2"]))


def test_undo_several_steps_back_restores_queue_and_state(collection, store):
    session = make(collection, store, patterns=["c4w2"])
    initial_queue = ids(session)
    session.grade(1)
    session.bury()
    session.grade(5)
    assert session.undo().what == "grade"
    assert session.undo().what == "bury"
    assert store.state("c4w2-1").buried_until is None
    assert session.undo().what == "grade"
    assert session.undo() is None
    assert ids(session) == initial_queue
    assert all(store.state(c).is_new for c in initial_queue)
    assert session.done == 0


def test_a_card_lapsing_8_times_is_a_leech(collection, store):
    session = make(collection, store, patterns=["c4w2"], config=Config(leech_lapses=8))
    store.record("c4w2-0", 5, "review", DAY, clock()())
    leech = []
    for _ in range(8):
        leech.append(session.is_leech(store.record("c4w2-0", 0, "review", DAY, clock()())))
    assert leech == [False] * 7 + [True]
    counts = deck_counts(collection, store, DAY, Config())
    assert counts["c4w2"]["leech"] == 1


def test_review_day_rolls_over_at_4_and_today_never_goes_back(store):
    late = datetime(2026, 11, 27, 3, 59, tzinfo=timezone(timedelta(hours=1)))
    assert review_day(late, 4) == date(2026, 11, 26)
    assert review_day(late + timedelta(minutes=1), 4) == date(2026, 11, 27)
    remember_day(store, date(2026, 11, 30))
    assert today(store, late, 4) == date(2026, 11, 30)  # the clock went back: today does not


def test_interval_preview_matches_sm2(collection, store):
    session = make(collection, store, patterns=["c4w2"])
    assert {q: s.interval for q, s in session.preview(session.current).items()} == {q: 1 for q in range(6)}
    store.record("c4w2-0", 5, "review", DAY - timedelta(days=1), clock()())
    store.record("c4w2-0", 5, "review", DAY, clock()())
    later = make(collection, store, day=DAY + timedelta(days=6), patterns=["c4w2"])
    preview = later.preview(later.current)
    assert {q: s.interval for q, s in preview.items()} == {0: 1, 1: 1, 2: 1, 3: 17, 4: 17, 5: 17}
    # 3, 4 and 5 give the same interval but not the same E-Factor: the grade bar shows both
    assert {q: s.easiness for q, s in preview.items()} == {0: 1.9, 1: 2.16, 2: 2.38, 3: 2.56, 4: 2.7, 5: 2.8}


def test_cards_failed_today_come_back_in_the_next_session_after_reviews_before_new(collection, store):
    yesterday = DAY - timedelta(days=1)
    store.record("c4w2-2", 5, "review", yesterday, clock(yesterday)())  # due today
    first = make(collection, store, patterns=["c4w2"])
    assert ids(first) == ["c4w2-2", "c4w2-0", "c4w2-1"]
    first.grade(5)
    first.grade(1)  # c4w2-0 failed: back at the end of this session...
    assert ids(first) == ["c4w2-1", "c4w2-0"]
    # ...but the learner quits here. Later the same day, from the log:
    again = make(collection, store, patterns=["c4w2"])
    assert [(item.card_id, item.kind) for item in again.queue] == [("c4w2-0", "redrill"), ("c4w2-1", "new")]
    state = store.state("c4w2-0")
    again.grade(3)  # a re-drill below 4: still failed, no schedule change
    assert store.state("c4w2-0") == state
    assert ids(make(collection, store, patterns=["c4w2"]))[0] == "c4w2-0"
    review = store.record("c4w2-0", 4, "redrill", DAY, clock()())
    assert "c4w2-0" not in ids(make(collection, store, patterns=["c4w2"]))  # drilled to 4
    store.undo(review.id, DAY, clock()())
    assert "c4w2-0" in ids(make(collection, store, patterns=["c4w2"]))  # undone: failed again
    tomorrow = make(collection, store, day=DAY + timedelta(days=1), patterns=["c4w2"])
    assert [item.kind for item in tomorrow.queue if item.card_id == "c4w2-0"] == ["review"]  # a new day: due, once
    assert ids(make(collection, store, patterns=["c4w2"], limit=1)) == ["c4w2-0"]  # --limit counts them


def test_suspend_takes_the_card_out_of_every_queue_and_undo_brings_it_back(collection, store):
    session = make(collection, store, patterns=["c4w2"])
    session.grade(1)  # c4w2-0: a re-drill waits at the end
    session.suspend()  # c4w2-1
    assert ids(session) == ["c4w2-2", "c4w2-0"]
    assert store.state("c4w2-1").suspended
    assert "c4w2-1" not in ids(make(collection, store, patterns=["c4w2"]))
    assert "c4w2-1" not in ids(make(collection, store, day=DAY + timedelta(days=30), patterns=["c4w2"]))
    assert session.undo().what == "suspend"
    assert ids(session) == ["c4w2-1", "c4w2-2", "c4w2-0"] and not store.state("c4w2-1").suspended
    session.grade(5)
    session.grade(5)
    session.suspend(graded=True)  # the card graded last (a leech, say), with its re-drill
    assert ids(session) == ["c4w2-0"] and store.state("c4w2-2").suspended
    session.grade(0)  # the re-drill of c4w2-0 comes back again
    session.suspend(graded=True)
    assert ids(session) == [] and store.state("c4w2-0").suspended
    session.undo()
    assert ids(session) == ["c4w2-0"] and not store.state("c4w2-0").suspended  # its re-drill is back, not shown twice
    counts = deck_counts(collection, store, DAY, Config())
    assert counts["c4w2"]["suspended"] == 1


def test_the_summary_time_is_the_logged_answer_time(collection, store):
    session = make(collection, store, patterns=["c4w2"])
    session.grade(5, answer_ms=12_000)
    session.grade(1, answer_ms=90_000)  # capped at 60 s, as logged
    session.grade(4, answer_ms=3_000)
    session.undo()
    assert session.summary()["ms"] == 72_000
    logged = store.db.execute("SELECT SUM(answer_ms) FROM reviews r WHERE kind != 'undo' AND NOT EXISTS "
                              "(SELECT 1 FROM reviews u WHERE u.undoes = r.id)").fetchone()[0]
    assert logged == 72_000



CLOZES = r"""course: 2
week: 2
title: Optimization
cards:
  - id: c2w2-a
    question: A plain card.
    answer: Yes.
  - id: c2w2-ewa
    kind: cloze
    question: '$v_t = {{c1::\beta}} v_{t-1} + {{c2::(1-\beta)}} \theta_t$ averages {{c3::10}} values.'
  - id: c2w2-b
    question: Another card.
    answer: Yes.
"""


def test_reviewing_one_cloze_buries_its_siblings_until_tomorrow_and_undo_takes_it_back(write_deck, store):
    write_deck("c2w2.yaml", CLOZES)
    collection = load_collection()
    session = make(collection, store)
    assert ids(session) == ["c2w2-a", "c2w2-ewa-c1", "c2w2-ewa-c2", "c2w2-ewa-c3", "c2w2-b"]
    session.grade(5)
    session.grade(2)  # c1: a re-drill comes back at the end, its siblings leave the queue
    assert ids(session) == ["c2w2-b", "c2w2-ewa-c1"]
    tomorrow = DAY + timedelta(days=1)
    assert [store.state(f"c2w2-ewa-c{n}").buried_until for n in (1, 2, 3)] == [None, tomorrow, tomorrow]
    assert make(collection, store).queue and "c2w2-ewa-c2" not in ids(make(collection, store))
    session.undo()
    assert ids(session) == ["c2w2-ewa-c1", "c2w2-ewa-c2", "c2w2-ewa-c3", "c2w2-b"]
    assert all(store.state(f"c2w2-ewa-c{n}").buried_until is None for n in (1, 2, 3))
    assert ids(make(collection, store, day=tomorrow)) == ["c2w2-a", "c2w2-ewa-c1", "c2w2-ewa-c2", "c2w2-ewa-c3", "c2w2-b"]


def test_a_sibling_buried_for_longer_keeps_its_burial(write_deck, store):
    write_deck("c2w2.yaml", CLOZES)
    collection = load_collection()
    later = DAY + timedelta(days=5)
    store.bury("c2w2-ewa-c3", later)
    session = make(collection, store)
    assert "c2w2-ewa-c3" not in ids(session)
    session.grade(5)
    session.grade(4)
    session.undo()
    assert store.state("c2w2-ewa-c3").buried_until == later
    assert store.state("c2w2-ewa-c2").buried_until is None
