"""SuperMemo 2, exactly as Piotr Wozniak described it (1987/1990), as a pure function.

    review(state, quality) -> new state

No clock, no I/O. Grades (q) run 0..5. After every grade the E-Factor becomes
EF' = EF + (0.1 - (5-q)(0.08 + (5-q)·0.02)), never below 1.3. A grade below 3 restarts the
repetitions (interval 1 day); otherwise the n-th successful repetition gets interval 1 (n = 1),
6 (n = 2), then ceil(previous interval × the E-Factor the card had before this grade). The
interval is capped at 36,500 days (100 years).

Arithmetic is exact: every E-Factor SM-2 can reach is a whole number of hundredths (2.5 plus
steps of 0.1, 0, -0.14, -0.32, -0.54, -0.8, floored at 1.3), so it is kept as an integer count
of hundredths and intervals are computed in integers. Six grades of 5 give 420 days, not the
421 that binary floating point gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

MIN_EF_CENTI = 130
START_EF_CENTI = 250
MAX_INTERVAL = 36_500
GRADES = range(6)


class GradeWords(NamedTuple):
    """How the review screen names a grade: `label` on the grade bar, `short` on a narrow
    terminal, `meaning` (Wozniak's words, shortened) in the `?` help."""

    label: str
    short: str
    meaning: str


# The one table of grade words: the grade bar and the `?` help both read it.
GRADE_WORDS = {
    5: GradeWords("perfect", "perfect", "perfect response"),
    4: GradeWords("good", "good", "correct response after a hesitation"),
    3: GradeWords("hard", "hard", "correct response recalled with serious difficulty"),
    2: GradeWords("almost", "near", "incorrect response; the correct one seemed easy to recall"),
    1: GradeWords("wrong", "wrong", "incorrect response; the correct one remembered"),
    0: GradeWords("blackout", "blank", "complete blackout"),
}


def _centi(easiness: float) -> int:
    return round(easiness * 100)


@dataclass(frozen=True)
class SM2State:
    """A card's SM-2 state. `SM2State()` is a new card: 0 repetitions, E-Factor 2.5, interval 0."""

    repetitions: int = 0
    easiness: float = 2.5
    interval: int = 0

    def __post_init__(self) -> None:
        if self.repetitions < 0 or self.interval < 0:
            raise ValueError("repetitions and interval cannot be negative")
        # Keep the E-Factor on its exact grid of hundredths, so 2.6 == 2.6 and nothing drifts.
        object.__setattr__(self, "easiness", _centi(self.easiness) / 100)

    @property
    def easiness_centi(self) -> int:
        """The E-Factor in hundredths (an integer: 250 for 2.5)."""
        return _centi(self.easiness)

    @classmethod
    def from_centi(cls, repetitions: int, easiness_centi: int, interval: int) -> "SM2State":
        return cls(repetitions, easiness_centi / 100, interval)


def ef_delta_centi(quality: int) -> int:
    """The E-Factor change for a grade, in hundredths: +10, 0, -14, -32, -54, -80 for q = 5..0."""
    miss = 5 - quality
    return 10 - miss * (8 + miss * 2)


def review(state: SM2State, quality: int) -> SM2State:
    """The state after grading a card `quality` (0..5). Pure: the old state is not changed."""
    if isinstance(quality, bool) or not isinstance(quality, int) or quality not in GRADES:
        raise ValueError(f"quality must be a whole number from 0 to 5, not {quality!r}")
    return SM2State.from_centi(*step(state.repetitions, state.easiness_centi, state.interval, quality))


def step(repetitions: int, easiness_centi: int, interval: int, quality: int) -> tuple[int, int, int]:
    """`review` on plain integers, with no checks: (repetitions, E-Factor in hundredths, interval)
    after a grade. For replaying a long log, where building an SM2State per grade would cost more
    than the arithmetic; `quality` must be a whole number from 0 to 5."""
    after = max(MIN_EF_CENTI, easiness_centi + ef_delta_centi(quality))
    if quality < 3:
        return 0, after, 1
    repetitions += 1
    if repetitions == 1:
        interval = 1
    elif repetitions == 2:
        interval = 6
    else:
        interval = -(-interval * easiness_centi // 100)  # ceil(I × EF) in integers
    return repetitions, after, min(interval, MAX_INTERVAL)
