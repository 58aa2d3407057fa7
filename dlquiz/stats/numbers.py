"""The numbers behind `dlquiz stats`, aggregated in SQL over the review log and card states.

No terminal code here: `compute` returns a `Stats` (`to_dict()` is the `--json` output) and
`dlquiz.stats.view` draws it. What counts, and why:

- An **answer** is a log row of kind review, redrill or cram that no undo took back. Answers make
  the calendar, the streak and the time spent (answer times are capped at 60 s when recorded).
- **Retention** is the share of *scheduled reviews* graded 3 or more: kind `review` on a card that
  had been reviewed before (its first answer is learning, not remembering). Same-day re-drills and
  cram answers are left out, as Anki's retention counts review-card answers only: a re-drill comes
  minutes after the card was failed or shown, and cram ignores the schedule, so neither measures
  memory over the interval SM-2 chose. Young and mature go by the interval the card had at that
  review (mature: 21 days or more).
- **Cards** are the cards of the chosen decks; one never reviewed is new. States: new, learning
  (reviewed, but its repetitions were reset by its last grade), young (interval < 21), mature;
  these four add up to the total. Leech (lapses >= the configured limit), buried (hidden past
  today) and suspended count cards of any state. The forecast (suspended cards left out, as they
  are out of every queue), E-Factors and intervals are over these cards.
- **Scope**: with deck arguments every figure is about those decks' cards. Without, the history
  figures (calendar, streak, time, retention) cover the whole log, including cards since removed
  from the decks (`dlquiz check` lists them; their retention is a row of its own), so deleting a
  deck does not rewrite your past; card figures are about the cards the decks hold.

Undone answers are taken out by subtraction: each aggregate is computed over every matching row,
minus the same aggregate over the rows an undo points at (found through a small partial index),
so no per-row "was this undone?" probe is paid on a million-row log.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from dlquiz.config import Config
from dlquiz.model import Collection
from dlquiz.review.migrations import MIGRATIONS
from dlquiz.review.store import Store
from dlquiz.stats.memory import Memory, memory

CALENDAR_DAYS = 365
FORECAST_DAYS = 30
RETENTION_DAYS = 30
TIME_DAYS = 30
MATURE_DAYS = 21
PASS_GRADE = 3
# E-Factor buckets of 0.1 from 1.3 (SM-2's floor); the last holds 3.0 and above.
EF_BUCKETS = [f"{tenths / 10:.1f}" for tenths in range(13, 30)] + ["3.0+"]
# Interval buckets in days (low, high inclusive; None: no upper bound). Young ends at 20.
INTERVAL_BUCKETS = [(0, 1), (2, 3), (4, 6), (7, 13), (14, 20), (21, 29), (30, 59), (60, 89), (90, 179),
                    (180, 364), (365, 729), (730, None)]
OUTSIDE = "cards in no deck"


@dataclass(frozen=True)
class Tally:
    """Scheduled reviews and how many of them passed (grade >= 3)."""

    passed: int = 0
    reviews: int = 0

    @property
    def rate(self) -> float | None:
        return self.passed / self.reviews if self.reviews else None

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.passed + other.passed, self.reviews + other.reviews)

    def to_dict(self) -> dict:
        rate = self.rate
        return {"passed": self.passed, "reviews": self.reviews, "rate": None if rate is None else round(rate, 4)}


@dataclass(frozen=True)
class Retention:
    """Retention of young and mature cards; `all` is both together."""

    young: Tally = Tally()
    mature: Tally = Tally()

    @property
    def all(self) -> Tally:
        return self.young + self.mature

    def __add__(self, other: Retention) -> Retention:
        return Retention(self.young + other.young, self.mature + other.mature)

    def to_dict(self) -> dict:
        return {"young": self.young.to_dict(), "mature": self.mature.to_dict(), "all": self.all.to_dict()}


@dataclass(frozen=True)
class GroupRetention:
    """Retention of one course week (course and week None: cards in none of the chosen decks)."""

    course: int | None
    week: int | None
    title: str
    retention: Retention

    def to_dict(self) -> dict:
        return {"course": self.course, "week": self.week, "title": self.title, **self.retention.to_dict()}


@dataclass(frozen=True)
class Day:
    """One review day's answers and the time they took."""

    day: date
    answers: int
    ms: int

    def to_dict(self) -> dict:
        return {"day": self.day.isoformat(), "answers": self.answers, "ms": self.ms}


@dataclass(frozen=True)
class Stats:
    """Everything `dlquiz stats` shows. Lists of buckets and days are in display order."""

    today: date
    decks: int
    cards: dict[str, int]  # total, new, learning, young, mature, leech, buried, suspended
    days: list[Day]  # days with answers in the calendar window, oldest first
    streak: int
    due_today: int  # due today or earlier, neither buried nor suspended; overdue: the part due before today
    overdue: int
    forecast: list[int]  # cards falling due on each of the next FORECAST_DAYS days
    retention: Retention
    by_week: list[GroupRetention]
    ease: list[int]  # reviewed cards per EF_BUCKETS bucket
    intervals: list[int]  # reviewed cards per INTERVAL_BUCKETS bucket
    scoped: bool = False  # True when deck arguments chose the cards
    memory: Memory | None = None  # FSRS's stability, difficulty, retrievability (when FSRS schedules)

    @property
    def calendar_start(self) -> date:
        return self.today - timedelta(days=CALENDAR_DAYS - 1)

    def recent(self, n_days: int) -> list[Day]:
        """The last `n_days` days, today last, empty days included."""
        found = {d.day: d for d in self.days}
        days = (self.today - timedelta(days=n_days - 1 - i) for i in range(n_days))
        return [found.get(d) or Day(d, 0, 0) for d in days]

    @property
    def has_history(self) -> bool:
        return bool(self.days) or self.cards["new"] < self.cards["total"]

    def to_dict(self) -> dict:
        """The same numbers as plain JSON-ready values."""
        recent = self.recent(TIME_DAYS)
        return {
            "today": self.today.isoformat(),
            "decks": self.decks,
            "whole_log": not self.scoped,
            "cards": dict(self.cards),
            "calendar": {
                "from": self.calendar_start.isoformat(), "to": self.today.isoformat(),
                "answers": sum(d.answers for d in self.days), "days_studied": len(self.days),
                "streak": self.streak, "days": [d.to_dict() for d in self.days],
            },
            "forecast": {
                "due_today": self.due_today, "overdue": self.overdue,
                "days": [{"day": (self.today + timedelta(days=i + 1)).isoformat(), "due": n}
                         for i, n in enumerate(self.forecast)],
            },
            "retention": {
                "days": RETENTION_DAYS, "from": (self.today - timedelta(days=RETENTION_DAYS - 1)).isoformat(),
                "mature_days": MATURE_DAYS, **self.retention.to_dict(),
                "by_week": [g.to_dict() for g in self.by_week],
            },
            "ease": [{"ef": label, "cards": n} for label, n in zip(EF_BUCKETS, self.ease)],
            "intervals": [{"from": low, "to": high, "cards": n} for (low, high), n in zip(INTERVAL_BUCKETS, self.intervals)],
            "time": {
                "days": TIME_DAYS, "ms": sum(d.ms for d in recent), "days_studied": sum(1 for d in recent if d.answers),
                "per_day": [d.to_dict() for d in recent],
            },
            **({"fsrs": self.memory.to_dict(INTERVAL_BUCKETS)} if self.memory else {}),
        }


# ---------------------------------------------------------------------------------------------
# SQL


def net(db: sqlite3.Connection, keys: list[str], sums: list[str], where: str, params: dict, scope: str = "") -> list[tuple]:
    """Aggregate answers: `sums` (COUNT/SUM terms over `r`) grouped by `keys`, over the log rows
    matching `where`, minus the same over the rows an undo took back; ordered by the keys.

    `scope`: "" every row; "JOIN" only the chosen cards' rows (`s` is their scope row), read card
    by card through the card index; "LEFT JOIN" every row, with `s` where the card is chosen."""
    named = ", ".join(f"{expr} AS k{i}" for i, expr in enumerate(keys))
    group = ", ".join(f"k{i}" for i in range(len(keys)))
    gross = ", ".join(f"{expr} AS v{i}" for i, expr in enumerate(sums))
    taken = ", ".join(f"-({expr})" for expr in sums)
    total = ", ".join(f"SUM(v{i})" for i in range(len(sums)))
    rows = "reviews r"
    join = f"{scope} temp.stats_scope s ON s.card_id = r.card_id" if scope else ""
    if scope == "JOIN":  # the planner cannot know how few cards were chosen: start from them
        rows, join = "temp.stats_scope s CROSS JOIN reviews r ON r.card_id = s.card_id", ""
    sql = f"""
        SELECT {group}, {total} FROM (
            SELECT {named}, {gross} FROM {rows} {join} WHERE {where} GROUP BY {group}
            UNION ALL
            SELECT {named}, {taken} FROM reviews u CROSS JOIN reviews r ON r.id = u.undoes
            {f"{scope} temp.stats_scope s ON s.card_id = r.card_id" if scope else ""}
            WHERE u.undoes IS NOT NULL AND {where} GROUP BY {group}
        ) GROUP BY {group} ORDER BY {group}"""
    return db.execute(sql, params).fetchall()


ANSWER = "r.kind <> 'undo'"
_SCHEDULED = "r.kind = 'review' AND r.due_before IS NOT NULL"


def _interval_case(column: str) -> str:
    arms = " ".join(f"WHEN {column} <= {high} THEN {i}" for i, (_, high) in enumerate(INTERVAL_BUCKETS) if high is not None)
    return f"CASE {arms} ELSE {len(INTERVAL_BUCKETS) - 1} END"


class Figures:
    """The queries of one computation: a connection inside a read transaction, today, the config,
    and whether the history is limited to the chosen cards (`temp.stats_scope`)."""

    def __init__(self, db: sqlite3.Connection, today: date, config: Config, scoped: bool):
        self.db = db
        self.today = today
        self.config = config
        self.scoped = scoped
        self.scope = "JOIN" if scoped else ""
        self.params = {
            "today": today.isoformat(),
            "start": (today - timedelta(days=CALENDAR_DAYS - 1)).isoformat(),
            "retention_start": (today - timedelta(days=RETENTION_DAYS - 1)).isoformat(),
            "horizon": (today + timedelta(days=FORECAST_DAYS)).isoformat(),
        }

    def load_scope(self, groups: Iterable[tuple[int, list[str]]]) -> None:
        """The chosen cards by course-week group, and their states, as temporary tables."""
        self.db.execute("CREATE TEMP TABLE stats_scope (card_id TEXT PRIMARY KEY, grp INTEGER NOT NULL) WITHOUT ROWID")
        # A deck's ids in one JSON array through json_each: 50,000 rows cost what 100 would.
        self.db.executemany("INSERT INTO temp.stats_scope SELECT value, ? FROM json_each(?)",
                            ((group, json.dumps(ids)) for group, ids in groups))
        # A buried card is due again no earlier than the day its burial ends. The interval is the
        # active scheduler's: under FSRS, its due day less the last review day.
        self.db.execute("""
            CREATE TEMP TABLE stats_cards AS
            SELECT reps, ef, CASE WHEN stability IS NULL THEN interval
                                  ELSE CAST(julianday(due) - julianday(last_day) AS INTEGER) END AS interval,
                   lapses, buried_until > :today AS buried, suspended,
                   CASE WHEN buried_until > :today THEN MAX(due, buried_until) ELSE due END AS due
            FROM cards WHERE card_id IN (SELECT card_id FROM temp.stats_scope)""", self.params)

    # -- history
    def days(self) -> list[Day]:
        rows = net(self.db, ["r.day"], ["COUNT(*)", "SUM(r.answer_ms)"],
                    f"r.day BETWEEN :start AND :today AND {ANSWER}", self.params, self.scope)
        return [Day(date.fromisoformat(day), n, ms) for day, n, ms in rows if n]

    def streak(self, active: set[date]) -> int:
        """Consecutive days with answers up to today; a day not yet studied does not break it."""
        day = self.today if self.today in active else self.today - timedelta(days=1)
        start = self.today - timedelta(days=CALENDAR_DAYS - 1)
        streak = 0
        while day >= start and day in active:
            streak += 1
            day -= timedelta(days=1)
        if day >= start:
            return streak
        # Studied every day of the window: walk on back, one indexed probe a day.
        row = self.db.execute(f"""
            WITH RECURSIVE back(day) AS (
                SELECT date(:start, '-1 day')
                UNION ALL
                SELECT date(day, '-1 day') FROM back WHERE EXISTS (
                    SELECT 1 FROM reviews r WHERE r.day = back.day AND {ANSWER}
                    {"AND r.card_id IN (SELECT card_id FROM temp.stats_scope)" if self.scoped else ""}
                    AND NOT EXISTS (SELECT 1 FROM reviews u WHERE u.undoes = r.id)))
            SELECT COUNT(*) - 1 FROM back""", self.params).fetchone()
        return streak + row[0]

    def retention(self, key: str, scope: str) -> dict:
        """Retention over the last RETENTION_DAYS days, split by `key` (an SQL expression)."""
        rows = net(self.db, [key, f"r.interval_before >= {MATURE_DAYS}"], ["COUNT(*)", f"SUM(r.grade >= {PASS_GRADE})"],
                    f"r.day BETWEEN :retention_start AND :today AND {_SCHEDULED}", self.params, scope)
        result: dict = {}
        for split, mature, reviews, passed in rows:
            if reviews:
                tally = Tally(passed, reviews)
                result[split] = result.get(split, Retention()) + (Retention(mature=tally) if mature else Retention(young=tally))
        return result

    # -- cards
    def states(self, total: int) -> dict[str, int]:
        reviewed, learning, young, mature, leech, buried, suspended = self.db.execute(f"""
            SELECT COUNT(due), COUNT(due) FILTER (WHERE reps = 0),
                   COUNT(due) FILTER (WHERE reps > 0 AND interval < {MATURE_DAYS}),
                   COUNT(due) FILTER (WHERE reps > 0 AND interval >= {MATURE_DAYS}),
                   COUNT(*) FILTER (WHERE lapses >= :leech), COUNT(*) FILTER (WHERE buried),
                   COUNT(*) FILTER (WHERE suspended)
            FROM temp.stats_cards""", {"leech": self.config.leech_lapses}).fetchone()
        return {"total": total, "new": total - reviewed, "learning": learning, "young": young, "mature": mature,
                "leech": leech, "buried": buried, "suspended": suspended}

    def forecast(self) -> tuple[int, int, list[int]]:
        """(due today or earlier, of which overdue, due on each of the next FORECAST_DAYS days)."""
        rows = self.db.execute("""
            SELECT MAX(due, :today) AS day, COUNT(*), COUNT(*) FILTER (WHERE due < :today)
            FROM temp.stats_cards WHERE due <= :horizon AND NOT suspended GROUP BY day""", self.params).fetchall()
        days = [0] * FORECAST_DAYS
        due_today = overdue = 0
        for day, n, late in rows:
            offset = (date.fromisoformat(day) - self.today).days
            if offset == 0:
                due_today, overdue = n, late
            else:
                days[offset - 1] = n
        return due_today, overdue, days

    def distributions(self) -> tuple[list[int], list[int]]:
        """Reviewed cards per E-Factor bucket and per interval bucket (one grouping for both)."""
        ease, intervals = [0] * len(EF_BUCKETS), [0] * len(INTERVAL_BUCKETS)
        for ef, interval, n in self.db.execute(f"""
                SELECT MIN(ef / 10, 30) - 13 AS ef_bucket, {_interval_case('interval')} AS interval_bucket, COUNT(*)
                FROM temp.stats_cards WHERE due IS NOT NULL GROUP BY ef_bucket, interval_bucket"""):
            ease[ef] += n
            intervals[interval] += n
        return ease, intervals


def _empty_db() -> sqlite3.Connection:
    """An empty store in memory, so a missing store goes through the very same queries."""
    db = sqlite3.connect(":memory:", isolation_level=None)
    for migration in MIGRATIONS:
        migration(db)
    return db


def _course_weeks(chosen: list) -> tuple[list[tuple[int, int, str]], dict[str, int]]:
    """The course weeks of the chosen decks, in order, and each deck's index among them."""
    decks = sorted(chosen, key=lambda d: (d.course, d.week))
    groups: list[tuple[int, int, str]] = []
    index: dict[str, int] = {}
    for deck in decks:
        if not groups or groups[-1][:2] != (deck.course, deck.week):
            groups.append((deck.course, deck.week, deck.title))
        index[deck.id] = len(groups) - 1
    return groups, index


def compute(store: Store | None, collection: Collection, day: date, config: Config,
            patterns: list[str] | None = None) -> Stats:
    """Every figure of `dlquiz stats` for the decks matching `patterns` (all when None or empty)."""
    from dlquiz.decks.collection import select_decks

    chosen = [deck for deck in select_decks(collection, patterns) if deck.ids]  # (ids only: no Card built)
    groups, deck_group = _course_weeks(chosen)
    db = store.db if store is not None else _empty_db()
    figures = Figures(db, day, config, scoped=bool(patterns))
    db.execute("BEGIN")  # one snapshot for every figure; the temporary tables vanish with the rollback
    try:
        figures.load_scope((deck_group[deck.id], deck.ids) for deck in collection.decks if deck.id in deck_group)
        days = figures.days()
        streak = figures.streak({d.day for d in days})
        per_group = figures.retention("s.grp", "JOIN" if figures.scoped else "LEFT JOIN")
        states = figures.states(sum(len(deck.ids) for deck in chosen))
        due_today, overdue, forecast = figures.forecast()
        ease, intervals = figures.distributions()
        fsrs = memory(db, day, config, INTERVAL_BUCKETS) if config.scheduler == "fsrs" and store is not None else None
    finally:
        db.execute("ROLLBACK")
        if store is None:
            db.close()
    by_week = [GroupRetention(course, week, title, per_group[i]) for i, (course, week, title) in enumerate(groups)
               if i in per_group]
    if None in per_group:
        by_week.append(GroupRetention(None, None, OUTSIDE, per_group[None]))
    return Stats(
        today=day, decks=len(deck_group), cards=states, days=days, streak=streak, due_today=due_today,
        overdue=overdue, forecast=forecast, retention=sum(per_group.values(), Retention()), by_week=by_week,
        ease=ease, intervals=intervals, scoped=bool(patterns), memory=fsrs,
    )
