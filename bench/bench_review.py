"""Benchmark: the review loop.

(a) Recording a grade and showing the next card, over 10,000 simulated reviews on a 50,000-card
    collection: median (target <= 2 ms) and p95, each step = commit the grade to SQLite + render
    the next card's header and question with Rich (to an in-memory console).
(b) Time from process start to the first card of `dlquiz review` on the bundled decks, against
    `dlquiz --help`, as a ratio (target <= 1.5).
(c) If Anki's own library (`anki`) is installed: the same number of answers through Anki's
    scheduler on a collection of the same size, as a ratio.

Run: python bench/bench_review.py [--cards N] [--reviews N]
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report import Row, add_json_flag, report  # noqa: E402
from synth import anki_collection, write_collection  # noqa: E402


def review_loop(cards: int, reviews: int, root: Path) -> list[float]:
    from rich.console import Console

    from dlquiz.decks.collection import load_collection
    from dlquiz.decks.files import discover
    from dlquiz.review.keys import Keys
    from dlquiz.review.screen import Reviewer
    from dlquiz.review.session import Session
    from dlquiz.review.store import Store

    write_collection(root / "cards", cards, 100)
    collection = load_collection(paths=discover([root / "cards"]), cache=False)
    now = datetime(2026, 11, 26, 9, tzinfo=timezone.utc)
    store = Store(root / "dlquiz.db")
    session = Session(collection, store, day=now.date(), now=lambda: now, new_limit=reviews)
    reviewer = Reviewer(session, Console(file=io.StringIO(), width=100, force_terminal=True), Keys(io.StringIO()))
    rng = random.Random(3)
    times = []
    item = session.current
    reviewer.header(item)
    reviewer.question(item)
    for _ in range(reviews):
        started = time.perf_counter()
        session.grade(rng.choice((3, 4, 4, 5, 5, 5)), 1500)
        item = session.current
        reviewer.header(item)
        reviewer.question(item)
        times.append(time.perf_counter() - started)
        reviewer.console.file = io.StringIO()  # keep memory flat
    store.close()
    return times


def process_time(argv: list[str], env: dict, repeat: int, until: bytes | None = None) -> float:
    """Median wall time from starting `argv` to its exit, or to the moment its output first holds
    `until` (then it is told to quit). Python writes its bytecode caches, as on a user's machine
    (PYTHONDONTWRITEBYTECODE is dropped), and a first run, not counted, writes them."""
    env = {key: value for key, value in env.items() if key != "PYTHONDONTWRITEBYTECODE"}
    times = []
    for round_ in range(repeat + 1):
        started = time.perf_counter()
        proc = subprocess.Popen(argv, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        seen = b""
        while until is not None and until not in seen:
            chunk = proc.stdout.read1(65536)
            if not chunk:
                raise RuntimeError(f"{argv} ended before showing {until!r}")
            seen += chunk
        if until is None:
            proc.stdout.read()
        elapsed = time.perf_counter() - started
        proc.communicate(b"q\n")
        if round_:
            times.append(elapsed)
    return statistics.median(times)


def anki_loop(cards: int, reviews: int, root: Path) -> float | None:
    made = anki_collection(root / "anki.anki2", cards, reviews, reviews * 2)  # (new cards count as reviews too)
    if made is None:
        return None
    col, _ = made
    rng = random.Random(3)
    started = time.perf_counter()
    answered = 0
    for _ in range(reviews):
        card = col.sched.getCard()
        if card is None:
            break
        col.sched.answerCard(card, rng.choice((2, 3, 3, 4)))
        answered += 1
    elapsed = time.perf_counter() - started
    col.close()
    return elapsed / max(answered, 1)


def main() -> list[Row]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=50_000)
    parser.add_argument("--reviews", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    add_json_flag(parser)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        times = review_loop(args.cards, args.reviews, Path(tmp))
        median = statistics.median(times)
        p95 = statistics.quantiles(times, n=20)[-1]
        rows.append(Row(f"grade + next card, median of {args.reviews:,} ({args.cards:,} cards)", median, max_value=0.002))
        rows.append(Row("grade + next card, p95", p95, note="reported"))
        anki = anki_loop(args.cards, args.reviews, Path(tmp))
        if anki is None:
            rows.append(Row("Anki's scheduler, per answer", None, note="anki not installed: skipped"))
        else:
            rows.append(Row("dlquiz mean vs Anki's scheduler, per answer", statistics.mean(times), anki, note="reported"))
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, DLQUIZ_HOME=home, NO_COLOR="1", COLUMNS="100")
        env.pop("DLQUIZ_CARDS", None)
        env.pop("DLQUIZ_NOW", None)
        dlquiz = [sys.executable, "-m", "dlquiz"]
        help_time = process_time(dlquiz + ["--help"], env, args.repeat)
        process_time(dlquiz + ["review"], env, 1, until=b"? keys")  # creates the store and the deck cache
        first = process_time(dlquiz + ["review"], env, args.repeat, until=b"? keys")
        rows.append(Row("start to first card (bundled decks) vs --help", first, help_time, max_ratio=1.5))
    report(rows, f"start-up: median of {args.repeat} fresh processes")
    return rows


if __name__ == "__main__":
    main()
