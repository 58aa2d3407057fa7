"""Benchmark: the moments a learner waits for in a review.

(a) Grade -> next card on screen, over 2,000 simulated answers on a 50,000-card collection: each
    step commits the grade to SQLite and draws the next card as the review screen does (header,
    question in its panel, the key hint) with Rich, to an in-memory terminal. Targets: p95 <= 16 ms
    (one frame at 60 Hz) and p99.9 <= 50 ms; the median is reported.
(b) Time from process start to the first card of `dlquiz review` on the bundled decks, warm
    (store and deck cache made by a first run), against `dlquiz --help`, as a ratio (target <= 1.5).
(c) `dlquiz --help` against `python -c "import typer"`, as a ratio (target <= 1.3).
(d) If Anki's own library (`anki`) is installed: the same number of answers through Anki's
    scheduler on a collection of the same size, as a ratio (reported).

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


def review_loop(cards: int, reviews: int, root: Path, scheduler=None, preview: bool = False) -> list[float]:
    """Seconds from each grade to the next card drawn (and, with `preview`, its grade bar's
    intervals computed), under `scheduler` (default SM-2)."""
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
    store = Store(root / "dlquiz.db", scheduler=scheduler)
    session = Session(collection, store, day=now.date(), now=lambda: now, more_new=reviews)
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
        reviewer.question(item, session.shown_card(item))
        reviewer.hint(session.shown_card(item))
        if preview:
            session.preview(item)
        times.append(time.perf_counter() - started)
        reviewer.console.file = io.StringIO()  # keep memory flat
    store.close()
    return times


def _one_run(argv: list[str], env: dict, until: bytes | None) -> float:
    """Wall time from starting `argv` to its exit, or to the moment its output first holds
    `until` (then it is told to quit)."""
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
    return elapsed


def _bytecode_env(env: dict) -> dict:
    # Python writes its bytecode caches, as on a user's machine (PYTHONDONTWRITEBYTECODE dropped).
    return {key: value for key, value in env.items() if key != "PYTHONDONTWRITEBYTECODE"}


def process_time(argv: list[str], env: dict, repeat: int, until: bytes | None = None) -> float:
    """Median wall time of `repeat` runs of `argv` (see _one_run); a first run, not counted,
    writes the bytecode caches."""
    env = _bytecode_env(env)
    _one_run(argv, env, until)
    return statistics.median(_one_run(argv, env, until) for _ in range(repeat))


def process_times(runs: list[tuple[list[str], bytes | None]], env: dict, repeat: int) -> list[float]:
    """The median wall time of each of several commands, measured in turns (one run of each, then
    the next round), so that a machine busy for a moment slows them all alike: their ratios are
    what is compared."""
    env = _bytecode_env(env)
    times: list[list[float]] = [[] for _ in runs]
    for round_ in range(repeat + 1):
        for (argv, until), found in zip(runs, times):
            elapsed = _one_run(argv, env, until)
            if round_:  # the first round writes the bytecode caches
                found.append(elapsed)
    return [statistics.median(found) for found in times]


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
    parser.add_argument("--reviews", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=11)
    add_json_flag(parser)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        times = review_loop(args.cards, args.reviews, Path(tmp))
        cuts = statistics.quantiles(times, n=1000, method="inclusive")
        label = f"grade -> next card on screen, {args.reviews:,} answers, {args.cards:,} cards"
        rows.append(Row(f"{label}: p95", cuts[949], max_value=0.016))
        rows.append(Row(f"{label}: p99.9", cuts[998], max_value=0.050))
        rows.append(Row(f"{label}: median (max {max(times) * 1000:.1f} ms)", statistics.median(times), note="reported"))
        anki = anki_loop(args.cards, args.reviews, Path(tmp))
        if anki is None:
            rows.append(Row("Anki's scheduler, per answer", None, note="anki not installed: skipped"))
        else:
            rows.append(Row("dlquiz mean vs Anki's scheduler, per answer", statistics.mean(times), anki, note="reported"))
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, DLQUIZ_HOME=home, NO_COLOR="1", COLUMNS="100")
        env.pop("DLQUIZ_CARDS", None)
        env.pop("DLQUIZ_NOW", None)
        script = Path(sys.executable).with_name("dlquiz")  # the command a user runs, where installed
        dlquiz = [str(script)] if script.is_file() else [sys.executable, "-m", "dlquiz"]
        process_time(dlquiz + ["review"], env, 1, until=b"? keys")  # creates the store and the deck cache
        typer_time, help_time, first = process_times(
            [([sys.executable, "-c", "import typer"], None), (dlquiz + ["--help"], None), (dlquiz + ["review"], b"? keys")],
            env, args.repeat)
        rows.append(Row("start to first card (bundled decks, warm) vs --help", first, help_time, max_ratio=1.5))
        rows.append(Row("dlquiz --help vs python -c 'import typer'", help_time, typer_time, max_ratio=1.3))
    report(rows, f"start-up: median of {args.repeat} fresh processes")
    return rows


if __name__ == "__main__":
    main()
