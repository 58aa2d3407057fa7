"""FSRS's view of the chosen cards, for `dlquiz stats` when FSRS schedules: how many reviewed
cards have each stability (days for recall to fall to 90%), difficulty (1-10) and retrievability
today (the predicted chance of recall now), from the store's FSRS state and py-fsrs's forgetting
curve. No terminal code; dlquiz.stats.view draws the histograms.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date

from dlquiz.config import Config

# Stability buckets are the interval buckets of `dlquiz stats` (dlquiz.stats.numbers.INTERVAL_BUCKETS).
DIFFICULTY_LABELS = [f"{d}-{d + 1}" for d in range(1, 10)]
RETRIEVABILITY_LABELS = ["<50%"] + [f"{p}%" for p in range(50, 100, 5)]


@dataclass(frozen=True)
class Memory:
    """Reviewed cards per stability, difficulty and retrievability bucket."""

    stability: list[int]
    difficulty: list[int]
    retrievability: list[int]

    def to_dict(self, stability_buckets) -> dict:
        return {
            "stability": [{"from": low, "to": high, "cards": n} for (low, high), n in zip(stability_buckets, self.stability)],
            "difficulty": [{"from": d + 1, "to": d + 2, "cards": n} for d, n in enumerate(self.difficulty)],
            "retrievability": [{"from": label, "cards": n} for label, n in zip(RETRIEVABILITY_LABELS, self.retrievability)],
        }


def _bucket(value: float, buckets) -> int:
    days = round(value)
    return next((i for i, (_, high) in enumerate(buckets) if high is not None and days <= high), len(buckets) - 1)


def memory(db: sqlite3.Connection, today: date, config: Config, stability_buckets) -> Memory:
    """The histograms over the cards of `temp.stats_scope` that FSRS has a state for."""
    from dlquiz.review.fsrs_scheduler import FSRS

    scheduler = FSRS(config.fsrs_parameters, config.desired_retention)
    stability = [0] * len(stability_buckets)
    difficulty = [0] * len(DIFFICULTY_LABELS)
    retrievability = [0] * len(RETRIEVABILITY_LABELS)
    rows = db.execute("SELECT stability, difficulty, last_day FROM cards WHERE stability IS NOT NULL "
                      "AND card_id IN (SELECT card_id FROM temp.stats_scope)")
    for s, d, last in rows:
        stability[_bucket(s, stability_buckets)] += 1
        difficulty[min(int(d) - 1, len(DIFFICULTY_LABELS) - 1)] += 1
        r = scheduler.retrievability(s, (today - date.fromisoformat(last)).days)
        retrievability[0 if r < 0.5 else min(int((r - 0.5) * 20) + 1, len(RETRIEVABILITY_LABELS) - 1)] += 1
    return Memory(stability, difficulty, retrievability)
