"""FSRS as dlquiz's second scheduler: the same intervals and due days as py-fsrs's own
`Scheduler.review_card` (the oracle), the batch replay equal to grading one review at a time,
reproducible fuzz, and switching schedulers as a replay that leaves the log untouched and gives
every SM-2 state back exactly."""

from __future__ import annotations

import shutil

import sqlite3
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import fsrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlquiz.config import Config
from dlquiz.errors import UsageError
from dlquiz.review import migrations
from dlquiz.review.fsrs_scheduler import FSRS, rating, review_time
from dlquiz.review.schedule import NEW
from dlquiz.review.schedulers import SM2, for_config
from dlquiz.review.store import Store
from tests.review.test_store import play

DAY = date(2026, 11, 2)
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)
LOW, HIGH = fsrs.scheduler.LOWER_BOUNDS_PARAMETERS, fsrs.scheduler.UPPER_BOUNDS_PARAMETERS

parameters = st.one_of(
    st.none(),
    st.tuples(*(st.floats(low, high, allow_nan=False) for low, high in zip(LOW, HIGH))),
)
histories = st.lists(st.tuples(st.integers(0, 400), st.integers(0, 5)), min_size=1, max_size=25)


@settings(max_examples=300, deadline=None)
@given(histories, parameters, st.floats(0.7, 0.99))
def test_the_oracle_intervals_and_due_days_are_py_fsrs_own(history, params, retention):
    """For random histories (gaps in days, grades 0-5) and settings, dlquiz's FSRS (one review at a
    time, and the batch replay of the whole log) gives the due days, stability and difficulty that
    fsrs.Scheduler.review_card gives for the same ratings at midnight UTC of the same days."""
    ours = FSRS(params, retention, fuzz=False)
    theirs = fsrs.Scheduler(parameters=params if params is not None else fsrs.scheduler.DEFAULT_PARAMETERS,
                            desired_retention=retention, learning_steps=(), relearning_steps=(),
                            maximum_interval=36500, enable_fuzzing=False)
    card = fsrs.Card(card_id=1)
    state = NEW
    day = DAY
    rows = []
    for i, (gap, grade) in enumerate(history):
        day += timedelta(days=gap)
        card, _ = theirs.review_card(card, rating(grade), review_time(day))
        state = ours.apply(state, grade, day, f"t{i}", "c")
        rows.append((i, "c", grade, day.isoformat(), f"t{i}"))
        assert state.due == card.due.date()
        assert (state.stability, state.difficulty) == (card.stability, card.difficulty)
        assert ours.preview(NEW if i == 0 else previous, day, "c")[grade] == (card.due - review_time(day)).days
        previous = state
    assert ours.replay(rows) == {"c": state}


def test_grades_map_to_ratings():
    assert [rating(q) for q in range(6)] == [fsrs.Rating.Again] * 3 + [fsrs.Rating.Hard, fsrs.Rating.Good, fsrs.Rating.Easy]


def test_a_first_good_review_is_due_after_py_fsrs_default_first_interval():
    # Golden values from py-fsrs 6.3 with its default parameters: S0(Good) = 2.3065 days, which at
    # 90% retention is an interval of 2 days; a second Good two days later gives 11 days.
    scheduler = FSRS()
    first = scheduler.apply(NEW, 4, DAY, "t", "c")
    assert (first.due - DAY).days == 2 and first.stability == pytest.approx(2.3065)
    second = scheduler.apply(first, 4, first.due, "t", "c")
    assert (second.due - first.due).days == 11
    assert scheduler.preview(first, first.due, "c") == {0: 1, 1: 1, 2: 1, 3: 8, 4: 11, 5: 19}


def test_fuzz_spreads_intervals_as_py_fsrs_and_a_replay_gives_the_same_days():
    fuzzed, plain = FSRS(fuzz=True), FSRS()
    state = NEW
    for _ in range(4):
        state = plain.apply(state, 5, state.due or DAY, "t", "c")
    interval = plain.interval(state.stability, "c", DAY)
    days = {fuzzed.interval(state.stability, card, DAY) for card in "abcdefghijklmnop"}
    assert len(days) > 1 and all(abs(d - interval) <= max(2, interval * 0.1) for d in days)
    assert fuzzed.interval(state.stability, "c", DAY) == fuzzed.interval(state.stability, "c", DAY)
    assert fuzzed.digest != plain.digest


def test_parameters_out_of_py_fsrs_bounds_are_a_usage_error():
    with pytest.raises(UsageError, match=r"fsrs_parameters in config.toml: parameters\[0\] = 500.0 is out of bounds"):
        FSRS((500.0,) + fsrs.scheduler.DEFAULT_PARAMETERS[1:])


def test_the_config_chooses_the_scheduler_and_its_settings_the_digest():
    assert isinstance(for_config(Config()), SM2)
    assert isinstance(for_config(Config(), "fsrs"), FSRS) and isinstance(for_config(Config(scheduler="fsrs"), "sm2"), SM2)
    digests = {for_config(c).digest for c in (Config(scheduler="fsrs"), Config(scheduler="fsrs", desired_retention=0.85),
                                                Config(scheduler="fsrs", fuzz=True))}
    assert len(digests) == 3 and for_config(Config(scheduler="fsrs")).digest == FSRS().digest


STEPS = st.lists(st.tuples(st.sampled_from("abcd"), st.integers(0, 5), st.sampled_from(["review", "redrill", "cram", "undo", "bury"]),
                           st.integers(0, 12)), max_size=50)


def dump(store: Store, table: str) -> list[tuple]:
    return store.db.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()


@settings(max_examples=40, deadline=None)
@given(STEPS)
def test_under_fsrs_the_state_is_the_replay_of_the_log(tmp_path_factory, steps):
    with Store(tmp_path_factory.mktemp("fsrs") / "dlquiz.db", scheduler=FSRS()) as store:
        play(store, steps)
        stored = {card: state for card, state in store.states().items() if not state.is_new or state.buried_until}
        assert stored == store.rebuild_states()  # burials too: they are logged
        assert all(state.stability is not None for state in stored.values() if not state.is_new)


@settings(max_examples=25, deadline=None)
@given(STEPS, STEPS)
def test_switching_sm2_fsrs_sm2_restores_every_sm2_state_and_leaves_the_log_byte_identical(tmp_path_factory, before, after):
    """Two stores get the same answers; one switches to FSRS in the middle and back to SM-2 at the
    end. Their logs are identical all along, and once back on SM-2 so are their card states."""
    root = tmp_path_factory.mktemp("switch")
    Store(root / "sm2.db").close()
    shutil.copyfile(root / "sm2.db", root / "switched.db")
    with Store(root / "sm2.db") as only_sm2, Store(root / "switched.db") as switched:
        # A copy makes its events as a new device (docs/sync.md); here one device id, so that the
        # logs can be byte-identical.
        switched.device = only_sm2.device
        play(only_sm2, before)
        play(switched, before)
        switched.use_scheduler(FSRS(desired_retention=0.8))
        assert dump(switched, "reviews") == dump(only_sm2, "reviews")
        play(only_sm2, after)
        play(switched, after)
        assert dump(switched, "reviews") == dump(only_sm2, "reviews")
        reviewed = [s for s in switched.states().values() if not s.is_new]
        assert all(s.stability is not None for s in reviewed)
        assert switched.use_scheduler(SM2()) is True
        assert dump(switched, "cards") == dump(only_sm2, "cards")
        assert dump(switched, "reviews") == dump(only_sm2, "reviews")
        assert switched.use_scheduler(SM2()) is False  # nothing to do the second time


def test_a_store_remembers_its_scheduler_and_replays_only_when_the_config_changes(tmp_path):
    path = tmp_path / "dlquiz.db"
    with Store(path) as store:
        store.record("a", 4, "review", DAY, NOW)
        assert store.meta("scheduler") is None and store.state("a").due == DAY + timedelta(days=1)
    with Store(path, scheduler=FSRS()) as store:
        assert store.meta("scheduler") == FSRS().digest
        assert store.state("a").due == DAY + timedelta(days=2)  # FSRS's first Good interval
        assert store.use_scheduler(FSRS()) is False
        assert store.use_scheduler(FSRS(desired_retention=0.97)) is True
        assert store.state("a").due == DAY + timedelta(days=1)
    with Store(path) as store:  # no scheduler given: SM-2
        assert store.meta("scheduler") == "sm2" and store.state("a").due == DAY + timedelta(days=1)


def test_a_grade_under_fsrs_logs_sm2_columns_and_writes_fsrs_due(tmp_path):
    with Store(tmp_path / "dlquiz.db", scheduler=FSRS()) as store:
        review = store.record("a", 5, "review", DAY, NOW)
        assert (review.after.due - DAY).days == 8  # FSRS: S0(Easy) = 8.2956 days
        row = store.db.execute("SELECT interval_after, due_after FROM reviews").fetchone()
        assert row == (1, (DAY + timedelta(days=1)).isoformat())  # SM-2's first interval, in the log
        store.undo(review.id, DAY, NOW)
        assert store.state("a").is_new and store.state("a").stability is None


def test_the_migration_gives_existing_cards_their_last_review_day(tmp_path):
    path = tmp_path / "dlquiz.db"
    db = sqlite3.connect(path, isolation_level=None)
    for migration in migrations.MIGRATIONS[:4]:
        migration(db)
    db.execute("PRAGMA user_version = 4")
    db.execute("INSERT INTO cards VALUES ('a', 2, 250, 6, '2026-11-08', 0, 't', NULL)")
    db.execute("INSERT INTO cards VALUES ('new-but-buried', 0, 250, 0, NULL, 0, NULL, '2026-11-03')")
    db.close()
    with Store(path) as store:
        assert store.state("a").last_day == date(2026, 11, 2) and store.state("a").sm2_due == date(2026, 11, 8)
        assert store.state("new-but-buried").last_day is None
