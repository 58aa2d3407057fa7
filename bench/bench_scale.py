"""Benchmark: a collection of 200,000 cards opens as fast as one of 50,000, and beside Anki's.

Synthetic collections from bench/synth.py (500 cards a deck, 10 review-log rows a card): 10,000,
50,000 and 200,000 cards (`--quick`: 10,000 and 50,000, with fewer answers). Every figure is
measured in this run; start-up figures are wall times of whole processes with Python's bytecode
caches written, median of --repeat, the commands run in turns (one run of each, then the next
round) so that a machine busy for a moment slows them all alike:

- per size, warm (deck cache written, the store's members synced): `dlquiz decks` and the time to
  the first card of `dlquiz review`. Largest size: each <= 0.3 s and <= 2x `dlquiz --help`.
- growth from the second largest to the largest size, of both: at most 1.5x from 50,000 to
  200,000 cards, i.e. cost growing at most as N^0.3 (the exponent is printed).
- after editing one deck (a card's text, so that deck is parsed again), 50,000 cards: `dlquiz
  decks` against the bare C-loader parse of that deck + 0.3 s.
- cold, the largest size: the first `dlquiz decks` (no deck cache, no members in the store yet)
  against a bare `yaml.load(text, CSafeLoader)` of the same files in a fresh interpreter: <= 1.2x;
  its peak memory (max RSS) <= 300 MB. And the peak memory of a warm review session: <= 100 MB.
- grade -> next card on screen over 5,000 answers (1,000 with --quick) on the largest size, as the
  review screen draws it: p99.9 <= 20 ms and max <= 50 ms.
- if Anki's own library (`anki`) is installed, the same cards in the same number of decks, 90% of
  them review cards due from 10 days ago to 60 days ahead, as in the store, with the same daily
  limits; per size, as ratios (goal: below 1x): a whole process opening the collection and showing
  its first card (Anki: `Collection(path)`, `sched.getCard()`, the question rendered), today's
  queue in-process (dlquiz's Session to its first card, against the first `getCard()`), and
  answering a card and reaching the next, mean of 500 (dlquiz's grade, committed, against
  `answerCard` then `getCard`). Anki gets no review log: its queue does not read one.

The full run takes about 12 minutes on 2 cores, most of it writing the 200,000-card collection
and parsing it cold; --quick about 3.

Run: python bench/bench_scale.py [--quick] [--repeat N] [--json]
"""

from __future__ import annotations

import argparse
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_review import _one_run, answer_times, process_times  # noqa: E402
from report import Row, add_json_flag, report  # noqa: E402
from synth import REVIEW_NOW, SIZES, anki_collection, write  # noqa: E402

DLQUIZ = [sys.executable, "-m", "dlquiz"]
GROWTH = 0.3  # the largest exponent k of a cost growing as N^k

_MEASURE = """
import os, subprocess, sys, time
started = time.perf_counter()
proc = subprocess.Popen(sys.argv[1:], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
proc.stdin.write(sys.stdin.buffer.read())
proc.stdin.close()
error = proc.stderr.read()
_, status, usage = os.wait4(proc.pid, 0)
took = time.perf_counter() - started
if os.waitstatus_to_exitcode(status):
    sys.exit(error.decode()[-300:] or "failed")
print(usage.ru_maxrss / (1024 if sys.platform == "darwin" else 1), took)
"""


def measured(argv: list[str], env: dict, feed: bytes = b"") -> tuple[float, float]:
    """(max resident set size in MB, wall time in s) of a process. Measured by a small Python
    process that starts it: a child's maximum also counts the memory of the process it was forked
    from (until it runs the new program), so this benchmark, holding a collection, must not fork it."""
    result = subprocess.run([sys.executable, "-c", _MEASURE, *argv], input=feed, env=env, capture_output=True, check=False)
    if result.returncode:
        raise RuntimeError(f"{argv} failed: {result.stderr.decode()[-300:]}")
    peak, took = result.stdout.split()
    return float(peak) / 1024, float(took)


def peak_memory_mb(argv: list[str], env: dict, feed: bytes) -> float:
    return measured(argv, env, feed)[0]


_BARE = """
import sys, time, yaml
from pathlib import Path
started = time.perf_counter()
for path in sorted(Path(sys.argv[1]).glob("*.yaml")):
    yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
print(time.perf_counter() - started)
"""


def bare_parse_process(folder: Path) -> float:
    """Seconds a fresh interpreter takes to parse every deck of `folder` with the C loader."""
    return float(subprocess.run([sys.executable, "-c", _BARE, str(folder)], capture_output=True, text=True,
                                check=True).stdout)


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
        times.append(_one_run(DLQUIZ + ["decks"], env, None))
        parse.append(bare_parse(text, 3))
    return statistics.median(times), statistics.median(parse)


class Sized:
    """One synthetic collection: its folder, size and the environment that reviews it."""

    def __init__(self, root: Path, size: str) -> None:
        self.size, (self.cards, self.decks, self.reviews) = size, SIZES[size]
        self.root = root / size
        self.paths = write(self.root, self.cards, self.decks, self.reviews)
        self.env = dict(os.environ, DLQUIZ_HOME=str(self.root / "home"), DLQUIZ_CARDS=str(self.root / "cards"),
                        DLQUIZ_NOW=REVIEW_NOW, NO_COLOR="1", COLUMNS="100")
        self.label = f"{self.cards // 1000}k cards"

    def warm(self) -> tuple[float, float]:
        """Run `dlquiz decks` for the first time (parses every deck, syncs the store's members):
        (its peak memory in MB, its wall time); then once more past the cache's racy window."""
        first = measured(DLQUIZ + ["decks"], self.env)
        time.sleep(2.1)  # past the cache's "racy" window, as for files not edited a moment ago
        _one_run(DLQUIZ + ["decks"], self.env, None)
        return first

    def anki(self, answers: int):
        """Anki's collection of these cards (a temporary file), or None without `anki`."""
        made = anki_collection(self.root / "anki.anki2", self.cards, 20, 200, decks=self.decks, reviewed=0.9)
        if made is None:
            return None
        made[0].close()
        return self.root / "anki.anki2"


def dlquiz_queue_and_answers(env: dict, answers: int) -> tuple[float, float]:
    """(time to build today's queue to its first card, mean time to grade a card and reach the
    next), in-process, on the warm collection of `env` (the answers are real commits)."""
    from dlquiz.config import Config
    from dlquiz.decks.collection import load_collection
    from dlquiz.review.session import Session
    from dlquiz.review.store import Store

    os.environ.update(DLQUIZ_HOME=env["DLQUIZ_HOME"], DLQUIZ_CARDS=env["DLQUIZ_CARDS"])
    collection = load_collection()
    now = datetime.fromisoformat(REVIEW_NOW)
    store = Store(Path(env["DLQUIZ_HOME"]) / "dlquiz.db")
    started = time.perf_counter()
    session = Session(collection, store, day=now.date(), now=lambda: now, config=Config())
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


def anki_queue_and_answers(path: Path, answers: int) -> tuple[float, float]:
    """The same figures from Anki's library on its collection at `path`."""
    from anki.collection import Collection

    col = Collection(str(path))
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


ANKI_FIRST = ("import sys\nfrom anki.collection import Collection\ncol = Collection(sys.argv[1])\n"
              "card = col.sched.getCard()\nprint(card.question()[:60], 'FIRST CARD', flush=True)\n"
              "sys.stdin.read()\ncol.close()\n")


def grade_to_next(sized: Sized, answers: int) -> list[float]:
    """Seconds from each grade to the next card drawn, on a copy of the warm store of `sized`."""
    from dlquiz.config import Config
    from dlquiz.decks.collection import load_collection
    from dlquiz.review.session import Session
    from dlquiz.review.store import Store

    home = sized.root / "home"
    copy = sized.root / "answers.db"
    shutil.copy(home / "dlquiz.db", copy)
    os.environ.update(DLQUIZ_HOME=str(home), DLQUIZ_CARDS=sized.env["DLQUIZ_CARDS"])
    collection = load_collection()
    now = datetime.fromisoformat(REVIEW_NOW)
    with Store(copy) as store:
        session = Session(collection, store, day=now.date(), now=lambda: now,
                          config=Config(reviews_per_day=answers * 2, new_per_day=answers))
        return answer_times(session, answers)


def main() -> list[Row]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 and 50,000 cards only, 1,000 answers")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--answers", type=int, default=500, help="answers timed beside Anki's")
    add_json_flag(parser)
    args = parser.parse_args()
    sizes = ["10k", "50k"] if args.quick else ["10k", "50k", "200k"]
    many = 1_000 if args.quick else 5_000
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        made = [Sized(root, size) for size in sizes]
        largest, second = made[-1], made[-2]
        for sized in made[:-1]:
            sized.warm()
        bare = bare_parse_process(largest.root / "cards")
        cold_peak, cold = largest.warm()
        rows.append(Row(f"cold: first dlquiz decks ({largest.label}, no cache) vs bare CSafeLoader parse", cold, bare,
                        max_ratio=1.2))
        rows.append(Row(f"peak memory of that first dlquiz decks ({largest.label})", cold_peak, unit="MB", max_value=300))

        runs = [(DLQUIZ + ["--help"], None, largest.env)]
        for sized in made:
            runs += [(DLQUIZ + ["decks"], None, sized.env), (DLQUIZ + ["review"], b"? keys", sized.env)]
        times = process_times(runs, None, args.repeat)
        help_time, by_size = times[0], {sized.size: times[1 + 2 * i: 3 + 2 * i] for i, sized in enumerate(made)}
        for sized in made:
            decks, first = by_size[sized.size]
            big = sized is largest
            limit = dict(baseline=help_time, max_ratio=2, max_value=0.3) if big else {"note": "reported"}
            rows.append(Row(f"dlquiz decks, warm ({sized.label}, {sized.decks} decks, {sized.reviews:,} log rows)"
                            + (" vs --help" if big else ""), decks, **limit))
            rows.append(Row(f"start to the first card of dlquiz review, warm ({sized.label})" + (" vs --help" if big else ""),
                            first, **limit))
        factor = largest.cards / second.cards
        for what, at in (("dlquiz decks", 0), ("first card", 1)):
            small, big = by_size[second.size][at], by_size[largest.size][at]
            exponent = math.log(big / small) / math.log(factor)
            rows.append(Row(f"growth of {what}, {second.label} -> {largest.label}: exponent {exponent:.2f}", big, small,
                            max_ratio=round(factor ** GROWTH, 2)))

        fifty = next(sized for sized in made if sized.size == "50k")
        edited, parse = after_edit(fifty.env, fifty.paths[len(fifty.paths) // 2], min(args.repeat, 5))
        rows.append(Row("dlquiz decks after editing one deck (50k cards) vs its bare CSafeLoader parse + 0.3 s",
                        edited, baseline=parse + 0.3, max_ratio=1.0))
        feed = b"\n5\n" * 60 + b"q\n"
        rows.append(Row(f"peak memory of a review session (30 cards, {largest.label})",
                        peak_memory_mb(DLQUIZ + ["review", "--limit", "30"], largest.env, feed), unit="MB", max_value=100))

        answered = grade_to_next(largest, many)
        cuts = statistics.quantiles(answered, n=1000, method="inclusive")
        label = f"grade -> next card on screen, {many:,} answers, {largest.label}"
        rows.append(Row(f"{label}: p99.9", cuts[998], max_value=0.020))
        rows.append(Row(f"{label}: max", max(answered), max_value=0.050))
        rows.append(Row(f"{label}: median", statistics.median(answered), note="reported"))

        for sized in made:
            anki = sized.anki(args.answers)
            if anki is None:
                rows.append(Row("Anki: open + first card, queue, answers", None, note="anki not installed: skipped"))
                break
            ours_first, theirs_first = process_times(
                [(DLQUIZ + ["review"], b"? keys", sized.env), ([sys.executable, "-c", ANKI_FIRST, str(anki)], b"FIRST CARD",
                                                             sized.env)], None, args.repeat)
            rows.append(Row(f"vs Anki, {sized.label}: whole process, open + first card", ours_first, theirs_first, max_ratio=1))
            ours = dlquiz_queue_and_answers(sized.env, args.answers)
            theirs = anki_queue_and_answers(anki, args.answers)
            rows.append(Row(f"vs Anki, {sized.label}: today's queue to its first card, in-process", ours[0], theirs[0],
                            max_ratio=1))
            rows.append(Row(f"vs Anki, {sized.label}: answer and reach the next card, mean of {args.answers}",
                            ours[1], theirs[1], max_ratio=1))
    report(rows, "bench_scale")
    return rows


if __name__ == "__main__":
    main()
