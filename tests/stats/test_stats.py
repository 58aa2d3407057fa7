"""`dlquiz stats`: every figure from a synthetic history written through the store, a snapshot of
the screen at 80 columns, the empty history, the JSON, the end-of-session footer, and the
migration that adds the indexes the queries need.

The history (today T = 2026-11-26, DLQUIZ_NOW of conftest; leech_lapses = 2):

    a1  c1w1  reviews 4 4 4 4 at T-60 T-59 T-53 T-38 (intervals 1 6 15 38), then 5 today: mature, 95 days
    a2  c1w1  5 at T-10; 2 at T-9 (+ a re-drill 4); 4 at T-8; 1 at T-7; 3 at T-6: young, 2 lapses (leech)
    a3  c1w1  only crammed (T-1): still new
    b1  c1w2  5 at T-3, 0 at T-2, 5 at T-1 undone: learning, overdue
    b2  c1w2  never reviewed, buried until T+1: new and buried
    c1  c2w1  4 at T-5, 4 at T-4 (due T+2), buried until T+3: young, buried
    c2  c2w1  4 at T-1: due today
    gone      5 at T-20 and T-19, in no deck: history only
"""

from __future__ import annotations

import io
import json
import sqlite3
from datetime import date, datetime, time, timedelta, timezone

import pytest
from rich.console import Console

from dlquiz import config as config_module
from dlquiz import paths
from dlquiz.decks.collection import load_collection
from dlquiz.review.migrations import MIGRATIONS, SCHEMA_VERSION, m001_initial
from dlquiz.review.store import Store, open_store
from dlquiz.stats import day
from dlquiz.stats import numbers as stats
from dlquiz.stats import view as statsview

T = date(2026, 11, 26)
DECKS = {
    "c1w1.yaml": (1, 1, "Neural Networks and Deep Learning", ["a1", "a2", "a3"]),
    "c1w2.yaml": (1, 2, "Neural Networks Basics", ["b1", "b2"]),
    "c2w1.yaml": (2, 1, "Practical Aspects of Deep Learning", ["c1", "c2"]),
}
# (day offset, card, grade, kind, answer ms); the one marked undo is taken back right away.
HISTORY = [
    (-60, "a1", 4, "review", 5000), (-59, "a1", 4, "review", 4000), (-53, "a1", 4, "review", 3000),
    (-38, "a1", 4, "review", 2000), (-20, "gone", 5, "review", 1000), (-19, "gone", 5, "review", 1000),
    (-10, "a2", 5, "review", 6000), (-9, "a2", 2, "review", 20000), (-9, "a2", 4, "redrill", 8000),
    (-8, "a2", 4, "review", 9000), (-7, "a2", 1, "review", 30000), (-6, "a2", 3, "review", 12000),
    (-5, "c1", 4, "review", 4000), (-4, "c1", 4, "review", 3000), (-3, "b1", 5, "review", 2000),
    (-2, "b1", 0, "review", 60000), (-1, "a3", 5, "cram", 5000), (-1, "c2", 4, "review", 7000),
    (-1, "b1", 5, "undo", 9000), (0, "a1", 5, "review", 11000),
]
# Answers and milliseconds per day offset, read off HISTORY by hand (the undone grade is not there).
EXPECTED_DAYS = {
    -60: (1, 5000), -59: (1, 4000), -53: (1, 3000), -38: (1, 2000), -20: (1, 1000), -19: (1, 1000),
    -10: (1, 6000), -9: (2, 28000), -8: (1, 9000), -7: (1, 30000), -6: (1, 12000), -5: (1, 4000),
    -4: (1, 3000), -3: (1, 2000), -2: (1, 60000), -1: (2, 12000), 0: (1, 11000),
}


def at(offset: int) -> tuple[date, datetime]:
    day = T + timedelta(days=offset)
    return day, datetime.combine(day, time(9), timezone.utc)


def write_history(store: Store, history=HISTORY) -> None:
    for offset, card, grade, kind, ms in history:
        day, now = at(offset)
        review = store.record(card, grade, "review" if kind == "undo" else kind, day, now, ms)
        if kind == "undo":
            store.undo(review.id, day, now)


@pytest.fixture
def history(write_deck, isolated):
    for name, (course, week, title, ids) in DECKS.items():
        cards = "".join(f"  - id: {i}\n    question: What is {i}?\n    answer: It is {i}.\n" for i in ids)
        write_deck(name, f"course: {course}\nweek: {week}\ntitle: {title}\ncards:\n{cards}")
    (isolated["home"] / "config.toml").write_text("leech_lapses = 2\n", encoding="utf-8")
    with open_store() as store:
        write_history(store)
        store.bury("b2", T + timedelta(days=1))
        store.bury("c1", T + timedelta(days=3))
    return isolated


def compute(patterns=None) -> stats.Stats:
    collection = load_collection()
    cfg = config_module.load(paths.home())
    store = open_store(create=False)
    try:
        return stats.compute(store, collection, T, cfg, patterns)
    finally:
        if store is not None:
            store.close()


def tally(passed, reviews):
    return stats.Tally(passed, reviews)


# ---------------------------------------------------------------------------------------------
# the numbers


def test_calendar_counts_every_answer_but_undone_ones(history):
    result = compute()
    assert {(d.day - T).days: (d.answers, d.ms) for d in result.days} == EXPECTED_DAYS
    assert [d.day for d in result.days] == sorted(d.day for d in result.days)
    assert result.streak == 11  # T-10 .. T; nothing at T-11
    assert result.calendar_start == date(2025, 11, 27)


def test_time_per_day_covers_the_last_30_days(history):
    recent = compute().recent(stats.TIME_DAYS)
    assert [d.day for d in recent] == [T - timedelta(days=29 - i) for i in range(30)]
    assert {(d.day - T).days: d.ms for d in recent if d.ms} == {o: ms for o, (_, ms) in EXPECTED_DAYS.items() if o >= -29}
    assert sum(d.ms for d in recent) == 179_000


def test_cards_by_state(history):
    assert compute().cards == {"total": 7, "new": 2, "learning": 1, "young": 3, "mature": 1, "leech": 1, "buried": 2, "suspended": 0}


def test_forecast_counts_buried_cards_when_their_burial_ends(history):
    result = compute()
    assert (result.due_today, result.overdue) == (3, 2)  # a2 and b1 overdue, c2 due today
    assert result.forecast == [0, 0, 1] + [0] * 27  # c1: due T+2 but buried until T+3; a1 is 95 days out


def test_retention_counts_scheduled_reviews_only(history):
    result = compute()
    # young: a2 2 of 4, b1 0 of 1 (the undone 5 is not there), c1 1 of 1, gone 1 of 1; mature: a1 today.
    assert result.retention == stats.Retention(young=tally(4, 7), mature=tally(1, 1))
    assert result.retention.all == tally(5, 8)
    assert [(g.course, g.week, g.title, g.retention) for g in result.by_week] == [
        (1, 1, "Neural Networks and Deep Learning", stats.Retention(tally(2, 4), tally(1, 1))),
        (1, 2, "Neural Networks Basics", stats.Retention(tally(0, 1))),
        (2, 1, "Practical Aspects of Deep Learning", stats.Retention(tally(1, 1))),
        (None, None, stats.OUTSIDE, stats.Retention(tally(1, 1))),
    ]


def test_ease_and_interval_histograms(history):
    result = compute()
    ease = dict(zip(stats.EF_BUCKETS, result.ease))
    assert {k: n for k, n in ease.items() if n} == {"1.6": 1, "1.8": 1, "2.5": 2, "2.6": 1}
    # a2, b1, c2 at 1 day; c1 at 6; a1 at 95
    assert result.intervals == [3, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0]


def test_cram_and_redrills_are_answers_but_not_retention(history):
    before = compute()
    with open_store() as store:
        day, now = at(0)
        store.record("a1", 1, "cram", day, now, 500)  # a reviewed card: it has a due day
        store.record("c1", 0, "redrill", day, now, 700)
    after = compute()
    assert after.retention == before.retention and after.by_week == before.by_week
    assert after.recent(1) == [stats.Day(T, 3, 12200)]
    assert after.cards == before.cards and after.forecast == before.forecast


def test_deck_arguments_limit_every_figure_to_those_cards(history):
    result = compute(["c1w1"])
    assert {(d.day - T).days: d.answers for d in result.days} == {
        -60: 1, -59: 1, -53: 1, -38: 1, -10: 1, -9: 2, -8: 1, -7: 1, -6: 1, -1: 1, 0: 1}
    assert result.streak == 2  # T-1 (the cram of a3) and today; b1 at T-2 is another deck's
    assert result.cards == {"total": 3, "new": 1, "learning": 0, "young": 1, "mature": 1, "leech": 1, "buried": 0, "suspended": 0}
    assert (result.due_today, result.overdue, sum(result.forecast)) == (1, 1, 0)
    assert result.retention == stats.Retention(young=tally(2, 4), mature=tally(1, 1))
    assert [g.title for g in result.by_week] == ["Neural Networks and Deep Learning"]
    assert result.decks == 1 and result.scoped


def test_decks_of_the_same_course_week_share_a_retention_row(write_deck):
    for name, ids in (("c3w1.yaml", ["p"]), ("c3w1-extra.yaml", ["q"])):
        cards = "".join(f"  - id: {i}\n    question: What is {i}?\n    answer: It is {i}.\n" for i in ids)
        write_deck(name, f"course: 3\nweek: 1\ntitle: Deck {name}\ncards:\n{cards}")
    with open_store() as store:
        write_history(store, [(-3, "p", 5, "review", 0), (-2, "p", 2, "review", 0),
                              (-3, "q", 5, "review", 0), (-2, "q", 4, "review", 0)])
    result = compute()
    assert [(g.course, g.week, g.title, g.retention) for g in result.by_week] == [
        (3, 1, "Deck c3w1.yaml", stats.Retention(young=tally(1, 2)))]
    assert result.decks == 2


def test_unknown_deck_is_a_usage_error(history, cli):
    result = cli("stats", "c9*")
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", "no deck matches 'c9*' (try `dlquiz decks`)\n")


def test_a_day_not_yet_studied_does_not_break_the_streak(history, monkeypatch):
    collection = load_collection()
    with open_store() as store:
        tomorrow = stats.compute(store, collection, T + timedelta(days=1), config_module.Config())
        later = stats.compute(store, collection, T + timedelta(days=2), config_module.Config())
    assert (tomorrow.streak, later.streak) == (11, 0)


@pytest.mark.parametrize("patterns", [None, ["c1w1"]])
def test_a_streak_longer_than_the_calendar_is_counted_to_its_start(history, patterns):
    collection = load_collection()
    with open_store() as store:
        # a1 every day for 400 days before the history above ends (T-1); then one undone day, T-401.
        daily = [(-1 - i, "a1", 5, "cram", 100) for i in range(400)] + [(-401, "a1", 5, "undo", 100)]
        write_history(store, daily)
        result = stats.compute(store, collection, T, config_module.Config(), patterns)
    assert result.streak == 401  # T and the 400 days before it
    assert len(result.days) == 365


def test_an_empty_history_gives_zeros(write_deck):
    write_deck("c1w1.yaml", "course: 1\nweek: 1\ntitle: One\ncards:\n  - id: x\n    question: Q?\n    answer: A.\n")
    result = compute()  # no store at all
    assert not result.has_history
    assert result.cards == {"total": 1, "new": 1, "learning": 0, "young": 0, "mature": 0, "leech": 0, "buried": 0, "suspended": 0}
    assert (result.days, result.streak, result.due_today, result.forecast) == ([], 0, 0, [0] * 30)
    assert result.retention == stats.Retention() and result.by_week == []
    assert paths.home().joinpath("dlquiz.db").exists() is False  # stats never creates a store


# ---------------------------------------------------------------------------------------------
# the screen

SNAPSHOT = """\
dlquiz stats · 7 cards in 3 decks · today 2026-11-26

Answers · last 365 days
     Dec Jan Feb Mar  Apr May  Jun Jul Aug  Sep Oct Nov
Mon  ···········································▒··▒···▒▒
     ··················································█▒  streak 11 days
Wed  ··················································▒█  days studied 17
    ···················································▒▒  19 answers
Fri ·················································▒·▒   1.1/studied day
    ·················································▒·▒   busiest 2
Sun ···········································▒▒······▒
    less · ░ ▒ ▓ █ more   (█: 2 answers)

Due · next 30 days
     1 │    █
       │    █
       │    █
       │    █
       │    █
       │    █
     0 └────────────────────────────────────────────────────────────
        27 Nov        4 Dec         11 Dec        18 Dec        25 Dec
due today 3 (2 overdue) · tomorrow 0 · next 7 days 1 · next 30 days 1, 0.0 a day

Time · per day, last 30 days
    1m │                                                      █
       │                                                      █
       │                                                      █
       │                                        ▆   █         █
       │                                        █   █ ▂       █ ▂ ▁
       │                  ▁ ▁                 ▅ █ ▇ █ █ ▃ ▂ ▂ █ █ █
     0 └────────────────────────────────────────────────────────────
          29 Oct        5 Nov         12 Nov        19 Nov        26 Nov
today 11s · last 30 days 2m 59s on 13 days · 14s a studied day

Cards · 7
  ░░░░░░░░░░░░░░░░░▒▒▒▒▒▒▒▒▒▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓████████
  ░ new       2  28.6%  leech      1
  ▒ learning  1  14.3%  buried     2
  ▓ young     3  42.9%  suspended  0
  █ mature    1  14.3%

Retention · last 30 days, scheduled reviews graded 3+
                                    young (<21d)          mature             all
all cards                             57.1% of 7     100.0% of 1      62.5% of 8
 course 1                             40.0% of 5     100.0% of 1      50.0% of 6
   C1W1 Neural Networks and Dee…      50.0% of 4     100.0% of 1      60.0% of 5
   C1W2 Neural Networks Basics         0.0% of 1               —       0.0% of 1
 course 2                            100.0% of 1               —     100.0% of 1
   C2W1 Practical Aspects of De…     100.0% of 1               —     100.0% of 1
 cards in no deck                    100.0% of 1               —     100.0% of 1

E-Factor                               Interval
   1.6 ███████████                 1       1d ██████████████████████      3
   1.7                             0     2-3d                             0
   1.8 ███████████                 1     4-6d ███████▍                    1
   1.9                             0     1-2w                             0
   2.0                             0     2-3w                             0
   2.1                             0     3-4w                             0
   2.2                             0    1-2mo                             0
   2.3                             0    2-3mo                             0
   2.4                             0    3-6mo ███████▍                    1
   2.5 ██████████████████████      2
   2.6 ███████████                 1
"""


def trimmed(text: str) -> str:
    """The text without trailing spaces on its lines."""
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


def render(renderable, width=80) -> str:
    console = Console(width=width, file=io.StringIO(), color_system=None, highlight=False)
    console.print(renderable)
    return trimmed(console.file.getvalue())


def test_the_screen_fits_80_columns(history):
    from rich.cells import cell_len

    text = render(statsview.view(compute()))
    assert max(cell_len(line) for line in text.splitlines()) <= 80


def test_snapshot_of_the_screen(history):
    assert render(statsview.view(compute())) == SNAPSHOT


def test_the_command_prints_the_screen(history, cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    result = cli("stats")
    assert (result.exit_code, result.stderr) == (0, "")
    assert trimmed(result.stdout) == SNAPSHOT


def test_json_gives_the_same_numbers(history, cli):
    result = cli("stats", "--json")
    assert (result.exit_code, result.stderr) == (0, "")
    data = json.loads(result.stdout)
    assert data == compute().to_dict()
    assert data["cards"] == {"total": 7, "new": 2, "learning": 1, "young": 3, "mature": 1, "leech": 1, "buried": 2, "suspended": 0}
    assert data["calendar"]["days"][-2:] == [{"day": "2026-11-25", "answers": 2, "ms": 12000},
                                             {"day": "2026-11-26", "answers": 1, "ms": 11000}]
    assert {k: data["calendar"][k] for k in ("from", "to", "answers", "days_studied", "streak")} == {
        "from": "2025-11-27", "to": "2026-11-26", "answers": 19, "days_studied": 17, "streak": 11}
    assert data["forecast"]["days"][2] == {"day": "2026-11-29", "due": 1}
    assert (data["forecast"]["due_today"], data["forecast"]["overdue"], len(data["forecast"]["days"])) == (3, 2, 30)
    assert data["retention"]["all"] == {"passed": 5, "reviews": 8, "rate": 0.625}
    assert data["retention"]["by_week"][-1] == {
        "course": None, "week": None, "title": stats.OUTSIDE, "young": {"passed": 1, "reviews": 1, "rate": 1.0},
        "mature": {"passed": 0, "reviews": 0, "rate": None}, "all": {"passed": 1, "reviews": 1, "rate": 1.0}}
    assert data["intervals"][8] == {"from": 90, "to": 179, "cards": 1}
    assert data["intervals"][-1] == {"from": 730, "to": None, "cards": 0}
    assert {e["ef"]: e["cards"] for e in data["ease"] if e["cards"]} == {"1.6": 1, "1.8": 1, "2.5": 2, "2.6": 1}
    assert (data["time"]["ms"], data["time"]["days_studied"], len(data["time"]["per_day"])) == (179000, 13, 30)
    assert data["whole_log"] is True
    assert json.loads(cli("stats", "c1w1", "--json").stdout)["whole_log"] is False


EMPTY = """\
dlquiz stats · 1 cards in 1 decks · today 2026-11-26

No reviews yet: `dlquiz review` starts your first session.

Cards · 1
  ░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░
  ░ new       1  100.0%  leech      0
  ▒ learning  0    0.0%  buried     0
  ▓ young     0    0.0%  suspended  0
  █ mature    0    0.0%
"""


def test_an_empty_history_renders_a_short_screen(write_deck, cli, isolated, monkeypatch):
    write_deck("c1w1.yaml", "course: 1\nweek: 1\ntitle: One\ncards:\n  - id: x\n    question: Q?\n    answer: A.\n")
    monkeypatch.setenv("COLUMNS", "80")
    result = cli("stats")
    assert (result.exit_code, result.stderr) == (0, "")
    assert trimmed(result.stdout) == EMPTY
    assert not (isolated["home"] / "dlquiz.db").exists()
    with open_store():  # a store with no reviews in it: the same screen
        pass
    assert trimmed(cli("stats").stdout) == EMPTY


def test_every_section_renders_without_history(write_deck):
    write_deck("c1w1.yaml", "course: 1\nweek: 1\ntitle: One\ncards:\n  - id: x\n    question: Q?\n    answer: A.\n")
    empty = compute()
    text = "".join(render(section(empty)) for section in (
        statsview.calendar, statsview.forecast, statsview.time_spent, statsview.card_states, statsview.retention,
        statsview.distributions))
    assert "streak 0 days" in text and "No scheduled reviews in the last 30 days." in text
    assert "no reviewed cards" in text and "due today 0 · tomorrow 0" in text


# ---------------------------------------------------------------------------------------------
# the end of a review session


def test_session_footer(history):
    cfg = config_module.load(paths.home())
    with open_store() as store:
        text = render(statsview.session_footer(store, T, cfg))
        # Tomorrow: a2, b1 (overdue), c2 (due today) and the removed card; c1 stays buried till T+3.
        assert text == ("Today 1 answer on 1 card in 11s · tomorrow 4 due\n"
                        "Retention 100.0% of 1 scheduled today · 62.5% of 8 in 30 days\n")
        assert render(statsview.session_footer(store, T, config_module.Config(reviews_per_day=3))).startswith(
            "Today 1 answer on 1 card in 11s · tomorrow 4 due (3 a day at most)\n")
        # At T-9: a2's lapse and its re-drill; 30 days back reach a1 at T-38 (a pass) and gone at T-19.
        # Tomorrow's load is read from today's schedule: of the cards due by T-8, only gone's (T-13).
        assert day.day_summary(store, T - timedelta(days=9)) == day.DaySummary(
            answers=2, cards=1, ms=28000, retention=stats.Retention(tally(0, 1)),
            recent=stats.Retention(tally(2, 3)), tomorrow=1)
        assert render(statsview.session_footer(store, T + timedelta(days=1), cfg)) == "No answers today · tomorrow 4 due\n" \
            "Retention 62.5% of 8 in 30 days\n"


# ---------------------------------------------------------------------------------------------
# the indexes


def test_a_version_1_store_gains_the_stats_indexes(tmp_path):
    path = tmp_path / "dlquiz.db"
    db = sqlite3.connect(path)
    m001_initial(db)
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    with Store(path) as store:
        day, now = at(0)
        review = store.record("a", 4, "review", day, now, 1500)
        store.undo(review.id, day, now)
        indexes = {row[0]: row[1] for row in store.db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'")}
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == len(MIGRATIONS)
    assert indexes["reviews_undone"] == "CREATE INDEX reviews_undone ON reviews(undoes) WHERE undoes IS NOT NULL"
    assert indexes["reviews_by_day"] == "CREATE INDEX reviews_by_day ON reviews(day, kind, answer_ms)"
    assert indexes["reviews_by_card"] == "CREATE INDEX reviews_by_card ON reviews(card_id, day, kind, answer_ms)"


@pytest.mark.parametrize("scope, expected", [
    ("", "SEARCH r USING COVERING INDEX reviews_by_day (day>? AND day<?)"),
    ("JOIN", "SEARCH r USING COVERING INDEX reviews_by_card (card_id=? AND day>? AND day<?)"),
])
def test_answers_per_day_are_read_from_an_index_alone(tmp_path, scope, expected):
    with Store(tmp_path / "dlquiz.db") as store:
        db = store.db
        db.execute("CREATE TEMP TABLE stats_scope (card_id TEXT PRIMARY KEY, grp INTEGER NOT NULL) WITHOUT ROWID")
        calls = []
        db.set_trace_callback(calls.append)
        stats.net(db, ["r.day"], ["COUNT(*)", "SUM(r.answer_ms)"], "r.day BETWEEN :a AND :b AND r.kind <> 'undo'",
                   {"a": "2026-01-01", "b": "2026-12-31"}, scope)
        db.set_trace_callback(None)
        plan = [row[3] for row in db.execute("EXPLAIN QUERY PLAN " + calls[-1])]
    assert expected in plan
    assert "SEARCH u USING COVERING INDEX reviews_undone (undoes>?)" in plan
    assert not any(step.startswith(("SCAN r", "SCAN u")) for step in plan), plan


def test_one_studied_day_is_one_day(write_deck, cli, monkeypatch):
    write_deck("t.yaml", "course: 1\nweek: 1\ntitle: T\ncards:\n  - id: t-a\n    question: A?\n    answer: A.\n")
    assert cli("review", input="\n5\n").exit_code == 0
    monkeypatch.setenv("COLUMNS", "80")
    assert " on 1 day · " in cli("stats").stdout
