"""The two schedulers a store can run, behind one small interface: SM-2 (the default, exact
integers, dlquiz.sm2) and FSRS (dlquiz.review.fsrs_scheduler, the `fsrs` package, imported only
when FSRS is chosen). Each one is pure and works in whole review days:

- `apply(state, grade, day, reviewed_at, card_id)`: the CardState after a scheduled review. SM-2's
  part of the state (repetitions, E-Factor, interval, lapses) is always kept, whichever scheduler
  is active, so the log's SM-2 columns never depend on the scheduler; the due day is the active
  scheduler's.
- `preview(state, day, card_id)`: the interval each grade 0-5 would give today (the grade bar).
- `replay(rows)`: every card's state from the log's effective reviews, in the order given.
- `digest`: names the scheduler and its settings; the store keeps it in `meta` and replays the
  log when the config asks for another (docs/schedulers.md).
"""

from __future__ import annotations

from datetime import date
from typing import Iterable, Protocol

from dlquiz.config import Config
from dlquiz.review.schedule import CardState, Row, apply_grade, replay
from dlquiz.sm2 import GRADES
from dlquiz.sm2 import review as sm2_review


class Scheduler(Protocol):
    name: str
    digest: str

    def apply(self, state: CardState, grade: int, day: date, reviewed_at: str, card_id: str) -> CardState: ...

    def preview(self, state: CardState, day: date, card_id: str) -> dict[int, int]: ...

    def replay(self, rows: Iterable[Row]) -> dict[str, CardState]: ...


class SM2:
    """SuperMemo 2 as Wozniak wrote it (dlquiz.sm2): the due day is the review day + its interval."""

    name = "sm2"
    digest = "sm2"

    def apply(self, state: CardState, grade: int, day: date, reviewed_at: str, card_id: str) -> CardState:
        return apply_grade(state, grade, day, reviewed_at)

    def preview(self, state: CardState, day: date, card_id: str) -> dict[int, int]:
        return {q: sm2_review(state.sm2, q).interval for q in GRADES}

    def replay(self, rows: Iterable[Row]) -> dict[str, CardState]:
        return replay(rows)


def for_config(config: Config, name: str | None = None) -> Scheduler:
    """The scheduler the config chooses, or `name` ('sm2' or 'fsrs') with the config's settings."""
    if (name or config.scheduler) == "sm2":
        return SM2()
    from dlquiz.review.fsrs_scheduler import FSRS

    return FSRS(config.fsrs_parameters, config.desired_retention, config.fuzz)
