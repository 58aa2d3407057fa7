"""Benchmark: `dlquiz stats` on a 1,000,000-row review log and 50,000 cards.

Generates, in a temporary DLQUIZ_HOME, a store whose log spans two years (reviews, re-drills,
cram answers, 1% of grades undone) over 45,000 reviewed cards of a 50,000-card synthetic
collection (bench/synth.py), then times the stats computation and the rendering of the whole
screen (to an in-memory 80-column colour console), best of N, against a bare scan of the log
measured in the same run: `SELECT COUNT(*), AVG(grade) FROM reviews` (target: <= 1 s, reported as
a ratio to the scan). Also reported: a deck filter (10 of 100 decks), the end-of-session footer,
and the whole `dlquiz stats` process, most of which is loading 50,000 cards of YAML (bench_load.py).

Run: python bench/bench_stats.py [--reviews N] [--cards N] [--repeat N] [--no-process]
"""

from __future__ import annotations

import argparse
import io
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report import Row, add_json_flag, format_value, report  # noqa: E402
from synth import write_collection  # noqa: E402

TODAY = date(2026, 11, 26)
NOW = "2026-11-26T20:00:00+00:00"
INTERVALS = (1, 1, 2, 6, 10, 15, 17, 25, 40, 48, 90, 140, 300, 420)
COLUMNS = ("id, card_id, reviewed_at, day, grade, answer_ms, kind, undoes, reps_before, ef_before, interval_before, "
           "due_before, lapses_before, reps_after, ef_after, interval_after, due_after, lapses_after")


def build_store(home: Path, card_ids: list[str], n_reviews: int, days: int = 730, seed: int = 11) -> None:
    """A store with `n_reviews` log rows (1% of them undo entries) over the first 90% of the cards."""
    from dlquiz.review.store import Store

    rng = random.Random(seed)
    reviewed = card_ids[: len(card_ids) * 9 // 10]
    start = TODAY - timedelta(days=days - 1)
    day_iso = [(start + timedelta(days=k)).isoformat() for k in range(days)]
    n_undo = n_reviews // 100
    n = n_reviews - n_undo
    # Drawn a column at a time: a million calls to rng.choice would take longer than the stats.
    day_of = sorted(rng.choices(range(days), k=n))
    kinds = rng.choices(("review", "redrill", "cram"), weights=(86, 10, 4), k=n)
    cards = rng.choices(reviewed, k=n)
    grades = rng.choices(range(6), weights=(1, 1, 1, 2, 3, 4), k=n)
    times = rng.choices(range(1000, 60_001), k=n)
    intervals = rng.choices(INTERVALS, k=n)
    efs = rng.choices(range(130, 300), k=n)
    rows = []
    for i in range(n):
        day = day_iso[day_of[i]]
        first = i % 20 == 0  # a card's first answer: no due date before it
        ivl = intervals[i]
        rows.append((i + 1, cards[i], day + "T09:00:00.000000+00:00", day, grades[i], times[i], kinds[i], None,
                     0 if first else 3, efs[i], 0 if first else ivl, None if first else day, 0,
                     1 if grades[i] >= 3 else 0, efs[i], ivl, day, 0))
    undone = sorted(rng.sample([r for r in rows if r[6] == "review"], n_undo))
    for k, row in enumerate(undone):
        rows.append((n + k + 1, row[1], row[2], row[3], None, 0, "undo", row[0], *row[13:18], *row[8:13]))
    states = []
    for card in reviewed:
        due = (TODAY + timedelta(days=rng.randrange(-10, 60))).isoformat()
        buried = (TODAY + timedelta(days=1)).isoformat() if rng.random() < 0.01 else None
        states.append((card, rng.randrange(0, 8), rng.randrange(130, 300), rng.choice(INTERVALS), due,
                       rng.choice((0, 0, 0, 0, 1, 2, 3, 8, 9)), None, buried))
    store = Store(home / "dlquiz.db")
    db = store.db
    # Bulk load: drop the indexes, insert, build them again (the same index, 5x sooner).
    indexes = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").fetchall()
    with store.transaction():
        for name, _ in indexes:
            db.execute(f"DROP INDEX {name}")
        db.executemany(f"INSERT INTO reviews ({COLUMNS}) VALUES ({', '.join('?' * 18)})", rows)
        # Events of this store's device, numbered in log order (dlquiz.review.events).
        db.execute("UPDATE reviews SET device = ?, seq = id", (store.device,))
        db.execute("UPDATE reviews SET undoes_device = device, undoes_seq = undoes WHERE undoes IS NOT NULL")
        db.executemany("INSERT INTO cards (card_id, reps, ef, interval, due, lapses, last_review, buried_until) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", states)
        for _, sql in indexes:
            db.execute(sql)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()


def best(fn, repeat: int) -> tuple[float, float]:
    """The best wall-clock time of `repeat` runs, and the best CPU time (a machine shared with
    other work stretches the first, hardly the second)."""
    wall, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return min(wall), min(cpu)


def main() -> list[Row]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument("--cards", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-process", action="store_true", help="skip timing the whole `dlquiz stats` process")
    add_json_flag(parser)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        home, cards_dir = root / "home", root / "cards"
        home.mkdir()
        os.environ.update(DLQUIZ_HOME=str(home), DLQUIZ_CARDS=str(cards_dir), DLQUIZ_NOW=NOW)
        from rich.console import Console

        from dlquiz import config, paths
        from dlquiz.decks.collection import load_collection
        from dlquiz.review import today as session
        from dlquiz.review.store import open_store
        from dlquiz.stats import numbers as stats
        from dlquiz.stats import view as statsview

        started = time.perf_counter()
        write_collection(cards_dir, args.cards, 100)
        collection = load_collection()
        loaded = time.perf_counter() - started
        started = time.perf_counter()
        build_store(home, list(collection.cards), args.reviews)
        print(f"setup: {args.cards:,} cards written and loaded in {loaded:.1f} s; "
              f"{args.reviews:,} log rows generated in {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
        cfg = config.load(paths.home())

        def screen(patterns=None):
            store = open_store(create=False)
            try:
                day = session.today(store, paths.now(), cfg.rollover_hour)
                report = stats.compute(store, collection, day, cfg, patterns)
            finally:
                store.close()
            console = Console(file=io.StringIO(), width=80, force_terminal=True, color_system="truecolor")
            console.print(statsview.view(report))

        def footer():
            with open_store(create=False) as store:
                Console(file=io.StringIO(), width=80).print(statsview.session_footer(store, TODAY, cfg))

        def scan():
            with open_store(create=False) as store:
                store.db.execute("SELECT COUNT(*), AVG(grade) FROM reviews").fetchone()

        screen()  # warm the page cache, as a second run of the command would find it
        base = best(scan, args.repeat)
        timed = [
            (f"stats + render, {args.reviews // 1000:,}k rows, {args.cards // 1000}k cards", best(screen, args.repeat), 1.0),
            ("stats + render, 10 of 100 decks", best(lambda: screen(["s00*"]), args.repeat), None),
            ("end-of-session footer", best(footer, args.repeat), None),
        ]
        # The target is on wall time; CPU time (hardly stretched by a busy machine) is a note.
        rows = [Row(name, wall, base[0], max_value=limit, note=f"CPU {format_value(cpu)}" if limit else
                    f"reported (CPU {format_value(cpu)})") for name, (wall, cpu), limit in timed]
        if not args.no_process:
            env = dict(os.environ, NO_COLOR="1", COLUMNS="80")
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "dlquiz", "stats"], env=env, check=True, capture_output=True)
            rows.append(Row("whole `dlquiz stats` process, YAML load included", time.perf_counter() - started, note="reported"))
    report(rows, f"baseline: SELECT COUNT(*), AVG(grade) FROM reviews; best of {args.repeat}; CPU: the process's own time")
    return rows


if __name__ == "__main__":
    main()
