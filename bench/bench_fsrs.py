"""Benchmark: FSRS as the scheduler (issue 17).

(a) Switching a store of 500,000 log rows (two years, 45,000 reviewed cards: bench_stats.build_store)
    from SM-2 to FSRS: every card's log replayed under FSRS and the states written, in one
    transaction, best of 3. Target <= 5 s. Baseline, measured in the same run: the same reviews through
    py-fsrs's public `Scheduler.review_card`, one call per review, which dlquiz's batch replay
    avoids (dlquiz.review.fsrs_scheduler). The switch back to SM-2 is reported.
(b) Grade -> next card on screen under FSRS, over 2,000 answers on a 50,000-card collection, with
    the grade bar's intervals computed (bench_review.review_loop). Target: median <= 2 ms.
    Baseline: the same loop under SM-2.

Run: python bench/bench_fsrs.py [--reviews N] [--cards N] [--answers N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_review import review_loop  # noqa: E402
from bench_stats import build_store  # noqa: E402
from report import Row, add_json_flag, report  # noqa: E402


def replay_through_review_card(store) -> float:
    """Seconds to take the log's reviews through fsrs.Scheduler.review_card, card by card."""
    import fsrs

    from dlquiz.review.fsrs_scheduler import py_fsrs_scheduler, rating, review_time

    scheduler = py_fsrs_scheduler()
    started = time.perf_counter()
    cards: dict[str, fsrs.Card] = {}
    for _, card_id, grade, day, _ in store.scheduled_reviews():
        card = cards.get(card_id) or fsrs.Card(card_id=1)
        cards[card_id], _ = scheduler.review_card(card, rating(grade), review_time(date.fromisoformat(day)))
    return time.perf_counter() - started


def main() -> list[Row]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=500_000)
    parser.add_argument("--cards", type=int, default=50_000)
    parser.add_argument("--answers", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3, help="switches timed, best kept")
    add_json_flag(parser)
    args = parser.parse_args()
    from dlquiz.review.fsrs_scheduler import FSRS
    from dlquiz.review.schedulers import SM2
    from dlquiz.review.store import Store

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        build_store(home, [f"s{i // 500:03d}-card-{i:05d}" for i in range(args.cards)], args.reviews)
        with Store(home / "dlquiz.db") as store:
            to_fsrs, to_sm2 = [], []
            for _ in range(args.repeat):  # there and back: each switch replays the whole log
                for scheduler, times in ((FSRS(), to_fsrs), (SM2(), to_sm2)):
                    started = time.perf_counter()
                    assert store.use_scheduler(scheduler)
                    times.append(time.perf_counter() - started)
            to_fsrs, to_sm2 = min(to_fsrs), min(to_sm2)
            baseline = replay_through_review_card(store)
        rows.append(Row(f"switch to FSRS: replay {args.reviews:,} log rows vs fsrs review_card on them", to_fsrs,
                        baseline, max_value=5.0))
        rows.append(Row(f"switch back to SM-2: replay {args.reviews:,} log rows", to_sm2, note="reported"))
    label = f"grade -> next card under FSRS, {args.answers:,} answers, {args.cards:,} cards"
    with tempfile.TemporaryDirectory() as tmp:
        fsrs_times = review_loop(args.cards, args.answers, Path(tmp), scheduler=FSRS(), preview=True)
    with tempfile.TemporaryDirectory() as tmp:
        sm2_times = review_loop(args.cards, args.answers, Path(tmp), preview=True)
    rows.append(Row(f"{label}: median vs SM-2", statistics.median(fsrs_times), statistics.median(sm2_times),
                    max_value=0.002))
    report(rows, f"FSRS: replaying the log (best of {args.repeat}), and grading")
    return rows


if __name__ == "__main__":
    main()
