"""Benchmark: a 50,000-card collection (100 decks, 500,000 review-log rows) opens as fast as Anki's.

The collection is made by bench/synth.py in a temporary directory (decks of realistic YAML, and a
store whose log spans two years over 45,000 reviewed cards). Every figure is measured in this run:

- `dlquiz decks` and the time from start to the first card of `dlquiz review`, warm cache: wall
  time of the whole process, median of --repeat (targets: <= 0.3 s each);
- after editing one deck (a card's text changed, so the deck must be parsed again): `dlquiz decks`
  against the bare C-loader parse of that deck, `yaml.load(text, CSafeLoader)` (target: <= that
  parse + 0.3 s);
- peak memory (max RSS) of a review session answering 30 cards (target: <= 150 MB);
- if Anki's own library (`anki`) is installed, on a collection of the same 50,000 cards with the
  same schedules (45,000 reviewed, due dates spread as in the store): building today's queue
  (dlquiz's Session against the first `col.sched.getCard()`), and answering a card (dlquiz's
  grade, committed, then the next card, against `col.sched.answerCard` then `getCard`), as
  ratios (aim: within 3x of Anki's Rust backend). Anki gets no review log: its queue does not
  read one.

Run: python bench/bench_scale.py [--cards N] [--decks N] [--reviews N] [--repeat N] [--json]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_review import process_time  # noqa: E402
from report import Row, add_json_flag, report  # noqa: E402
from synth import REVIEW_NOW, anki_collection, write_collection, write_store  # noqa: E402

DLQUIZ = [sys.executable, "-m", "dlquiz"]


def wall(argv: list[str], env: dict, repeat: int) -> float:
    return process_time(argv, env, repeat)


_MEASURE = """
import os, subprocess, sys
proc = subprocess.Popen(sys.argv[1:], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
proc.stdin.write(sys.stdin.buffer.read())
proc.stdin.close()
error = proc.stderr.read()
_, status, usage = os.wait4(proc.pid, 0)
if os.waitstatus_to_exitcode(status):
    sys.exit(error.decode()[-300:] or "failed")
print(usage.ru_maxrss / (1024 if sys.platform == "darwin" else 1))
"""


def peak_memory_mb(argv: list[str], env: dict, feed: bytes) -> float:
    """Max resident set size of the process, in MB. Measured by a small Python process that
    starts it: a child's maximum also counts the memory of the process it was forked from (until
    it runs the new program), so this benchmark, holding a parsed collection, must not fork it."""
    result = subprocess.run([sys.executable, "-c", _MEASURE, *argv], input=feed, env=env, capture_output=True, check=False)
    if result.returncode:
        raise RuntimeError(f"{argv} failed: {result.stderr.decode()[-300:]}")
    return float(result.stdout) / 1024


def edit_one_deck(path: Path, round_: int) -> str:
    """Change one card's question in `path` (so the deck must be parsed again); its new text."""
    text = path.read_text(encoding="utf-8")
    marker = "    question: >-\n      Question "
    at = text.index(marker) + len(marker)
    text = text[:at] + f"(edit {round_}) " + text[at:]
    path.write_text(text, encoding="utf-8")
    return text


def bare_parse(text: str, repeat: int) -> float:
    import yaml

    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        yaml.load(text, Loader=yaml.CSafeLoader)
        times.append(time.perf_counter() - started)
    return min(times)


def after_edit(env: dict, deck: Path, repeat: int) -> tuple[float, float]:
    """Median `dlquiz decks` right after an edit of `deck`, and the bare parse of that deck."""
    times, parse = [], []
    for k in range(repeat):
        text = edit_one_deck(deck, k)
        times.append(wall(DLQUIZ + ["decks"], env, 1))
        parse.append(bare_parse(text, 3))
    return statistics.median(times), statistics.median(parse)


def dlquiz_queue_and_answers(env: dict, answers: int) -> tuple[float, float]:
    """(time to build today's queue, mean time to grade a card and reach the next), in-process,
    on the warm collection of `env` (a copy of the store: the answers are real commits)."""
    from dlquiz import paths
    from dlquiz.config import Config
    from dlquiz.decks.collection import load_collection
    from dlquiz.review.session import Session
    from dlquiz.review.store import Store

    os.environ.update(DLQUIZ_HOME=env["DLQUIZ_HOME"], DLQUIZ_CARDS=env["DLQUIZ_CARDS"])
    collection = load_collection()
    now = datetime.fromisoformat(REVIEW_NOW)
    store = Store(paths.home() / "dlquiz.db")
    started = time.perf_counter()
    session = Session(collection, store, day=now.date(), now=lambda: now, config=Config(reviews_per_day=answers * 2))
    _ = session.current.card  # the first card itself, built
    queue = time.perf_counter() - started
    rng = random.Random(5)
    started = time.perf_counter()
    done = 0
    for _ in range(answers):
        if session.current is None:
            break
        session.grade(rng.choice((3, 4, 4, 5)), 1500)
        if session.current is not None:
            _ = session.current.card
        done += 1
    per_answer = (time.perf_counter() - started) / max(done, 1)
    store.close()
    return queue, per_answer


def anki_queue_and_answers(root: Path, cards: int, answers: int) -> tuple[float, float] | None:
    """The same figures from Anki's library on the same number of cards and schedules."""
    made = anki_collection(root / "anki.anki2", cards, 20, answers * 2)
    if made is None:
        return None
    col, _ = made
    # The same schedules as dlquiz's store: 90% reviewed, due from 10 days ago to 60 days ahead.
    rng = random.Random(11)
    today = col.sched.today
    reviewed = [(today + rng.randrange(-10, 60), rng.choice((1, 2, 6, 10, 15, 25, 40, 90)), cid)
                for cid in col.find_cards("")[: cards * 9 // 10]]
    col.db.executemany("UPDATE cards SET type = 2, queue = 2, due = ?, ivl = ?, factor = 2500 WHERE id = ?", reviewed)
    started = time.perf_counter()
    card = col.sched.getCard()
    queue = time.perf_counter() - started
    rng = random.Random(5)
    started = time.perf_counter()
    done = 0
    while card is not None and done < answers:
        col.sched.answerCard(card, rng.choice((2, 3, 3, 4)))
        card = col.sched.getCard()
        done += 1
    per_answer = (time.perf_counter() - started) / max(done, 1)
    col.close()
    return queue, per_answer


def main() -> list[Row]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=50_000)
    parser.add_argument("--decks", type=int, default=100)
    parser.add_argument("--reviews", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--answers", type=int, default=500)
    add_json_flag(parser)
    args = parser.parse_args()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        paths = write_collection(root / "cards", args.cards, args.decks)
        from dlquiz.decks.collection import load_collection

        ids = list(load_collection(paths=paths, cache=False).cards)
        write_store(root / "home", ids, args.reviews)
        env = dict(os.environ, DLQUIZ_HOME=str(root / "home"), DLQUIZ_CARDS=str(root / "cards"), DLQUIZ_NOW=REVIEW_NOW,
                   NO_COLOR="1", COLUMNS="100")
        wall(DLQUIZ + ["decks"], env, 1)  # parses every deck once: the cache is warm from here on
        time.sleep(2.1)  # past the cache's "racy" window, as for files not edited a moment ago
        wall(DLQUIZ + ["decks"], env, 1)
        label = f"({args.cards:,} cards, {args.decks} decks, {args.reviews:,} log rows)"
        rows.append(Row(f"dlquiz decks, warm cache {label}", wall(DLQUIZ + ["decks"], env, args.repeat), max_value=0.3))
        first = process_time(DLQUIZ + ["review"], env, args.repeat, until=b"? keys")
        rows.append(Row("start to the first card of dlquiz review, warm cache", first, max_value=0.3))
        edited, parse = after_edit(env, paths[len(paths) // 2], args.repeat)
        rows.append(Row("dlquiz decks after editing one deck vs its bare CSafeLoader parse + 0.3 s",
                        edited, baseline=parse + 0.3, max_ratio=1.0))
        feed = b"\n5\n" * 60 + b"q\n"
        rows.append(Row("peak memory of a review session (30 cards)",
                        peak_memory_mb(DLQUIZ + ["review", "--limit", "30"], env, feed), unit="MB", max_value=150))
        ours = dlquiz_queue_and_answers(env, args.answers)
        anki = anki_queue_and_answers(root, args.cards, args.answers)
        if anki is None:
            rows.append(Row("Anki: today's queue and answers", None, note="anki not installed: skipped"))
        else:
            rows.append(Row("today's queue (first card) vs Anki's scheduler", ours[0], baseline=anki[0], max_ratio=3))
            rows.append(Row(f"answer a card and reach the next, mean of {args.answers} vs Anki",
                            ours[1], baseline=anki[1], max_ratio=3))
    report(rows, "bench_scale")
    return rows


if __name__ == "__main__":
    main()
