"""Today in one line, for the end of a review session: answers and cards today, time spent,
retention today and over the last RETENTION_DAYS days, and tomorrow's load, over the whole store.
The figures are counted as `dlquiz stats` counts them (dlquiz.stats.numbers).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from dlquiz.config import Config
from dlquiz.review.store import Store
from dlquiz.stats.numbers import ANSWER, Figures, Retention, net


@dataclass(frozen=True)
class DaySummary:
    """Today's answers over the whole store, retention today and over RETENTION_DAYS, tomorrow's load."""

    answers: int
    cards: int
    ms: int
    retention: Retention
    recent: Retention
    tomorrow: int


def day_summary(store: Store, day: date) -> DaySummary:
    """What the end of a review session shows, over the whole store (no deck filter)."""
    figures = Figures(store.db, day, Config(), scoped=False)
    db, params = store.db, {**figures.params, "tomorrow": (day + timedelta(days=1)).isoformat()}
    db.execute("BEGIN")
    try:
        rows = net(db, ["r.day"], ["COUNT(*)", "SUM(r.answer_ms)"], f"r.day = :today AND {ANSWER}", params)
        answers, ms = rows[0][1:] if rows else (0, 0)
        cards = db.execute(f"""
            SELECT COUNT(DISTINCT r.card_id) FROM reviews r WHERE r.day = :today AND {ANSWER}
            AND NOT EXISTS (SELECT 1 FROM reviews u WHERE u.undoes = r.id)""", params).fetchone()[0]
        by_day = figures.retention("r.day = :today", "")
        tomorrow = db.execute("""
            SELECT COUNT(*) FROM cards WHERE due <= :tomorrow AND (buried_until IS NULL OR buried_until <= :tomorrow)
            AND NOT suspended""",
                              params).fetchone()[0]
    finally:
        db.execute("ROLLBACK")
    return DaySummary(answers, cards, ms, by_day.get(1, Retention()), sum(by_day.values(), Retention()), tomorrow)
