"""Benchmark: sharing the history (issue 16). Each figure is a whole command in a fresh process.

(a) `dlquiz sync DIR` taking in 100,000 events of another machine (grades, with some undos,
    burials and suspensions, over the last 60 days) into a store of 50,000 cards whose log holds
    500,000 rows (bench_stats.build_store). Target <= 2 s. Best of 3, the store copied back
    before each run.
(b) `dlquiz sync DIR` with nothing new, against `dlquiz decks` on the same home and 50,000-card
    collection, taking turns, best of 5. Target <= 1.5x.
(c) `dlquiz import anki` of a .colpkg that Anki wrote, holding 50,000 dlquiz notes and 500,000
    revlog rows, into an empty store, against Anki's own library opening that collection and
    reading its revlog (`Collection(path)`, `col.db.all("SELECT * FROM revlog")`) in a fresh
    process. Target <= 2x. Best of 3.
(d) The floors under (a) and (c) (bench/floors.py): the least work that sync and that import must
    do, in the most compact log that could serve dlquiz, with no dlquiz code, in a fresh process
    each. No target: they say how far below each target any design of dlquiz could get.

Run: python bench/bench_sync.py [--cards N] [--reviews N] [--events N] [--revlog N]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import floors  # noqa: E402
from bench_stats import TODAY, build_store  # noqa: E402
from report import Row, add_json_flag, report  # noqa: E402
from synth import write_collection  # noqa: E402

NOW = datetime(TODAY.year, TODAY.month, TODAY.day, 12, tzinfo=timezone.utc) + timedelta(days=61)


def run(args: list[str], env: dict) -> float:
    started = time.perf_counter()
    done = subprocess.run(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)} failed: {done.stderr}")
    return elapsed


def fresh(source: Path, target: Path) -> None:
    """`target` a copy of the SQLite file `source`, without side files of an earlier run."""
    for side in ("-wal", "-shm"):
        Path(f"{target}{side}").unlink(missing_ok=True)
    shutil.copyfile(source, target)


REMOTE = "0123456789abcdef"  # the other machine's device id


def remote_events(folder: Path, card_ids: list[str], count: int, seed: int = 5) -> None:
    """Another machine's file: `count` events on these cards over the 60 days before NOW (after
    the local log: that machine's recent study)."""
    from dlquiz.review.events import Event
    from dlquiz.sync import jsonl

    rng = random.Random(seed)
    device = REMOTE
    lines, grades = [], []
    start = NOW - timedelta(days=60)
    for seq in range(1, count + 1):
        moment = start + timedelta(seconds=seq * 60 * 24 * 60 // count * 60)
        at, day = moment.isoformat(timespec="microseconds"), moment.date().isoformat()
        card = rng.choice(card_ids)
        roll = rng.random()
        if roll < 0.01 and grades:
            target = grades.pop(rng.randrange(len(grades)))
            event = Event("undo", device, seq, target[0], at, day, undoes=(device, target[1]))
        elif roll < 0.02:
            event = Event("burial", device, seq, card, at, day, until=(moment.date() + timedelta(days=1)).isoformat())
        elif roll < 0.025:
            event = Event("suspension", device, seq, card, at, day, suspended=rng.random() < 0.7)
        else:
            event = Event("grade", device, seq, card, at, day, rng.choice(("review",) * 9 + ("redrill",)),
                          rng.choices(range(6), weights=(1, 1, 1, 2, 3, 4))[0], rng.randrange(1000, 30000))
            grades.append((card, seq))
        lines.append(jsonl.encode(event))
    (folder / f"{device}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def consistent(home: Path) -> None:
    """Make the synthetic log's SM-2 columns and states the replay of its events, as a real
    store's are (build_store draws them at random)."""
    from dlquiz.review import events
    from dlquiz.review.store import Store

    with Store(home / "dlquiz.db") as store:
        with store.transaction():
            events.replay_cards(store, store.reviewed_ids())
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def anki_package(path: Path, card_ids: list[str], revlog: int, seed: int = 9) -> Path:
    """A collection of Anki's with one note per card (its dlquiz GUID) and `revlog` reviews,
    exported by Anki as a .colpkg; returns the collection file (kept for the baseline)."""
    from anki.collection import Collection

    from dlquiz.export.notes import guid_for

    folder = path.parent
    col = Collection(str(folder / "collection.anki2"))
    model = col.models.by_name("Basic")
    deck = col.decks.id("Default")
    col.close()
    import sqlite3

    rng = random.Random(seed)
    db = sqlite3.connect(folder / "collection.anki2")
    base = int((NOW - timedelta(days=400)).timestamp() * 1000)
    db.executemany("INSERT INTO notes VALUES (?, ?, ?, 0, -1, '', ?, ?, 0, 0, '')",
                   ((i + 1, guid_for(card_id), model["id"], f"Q {i}\x1fA {i}", f"Q {i}") for i, card_id in enumerate(card_ids)))
    db.executemany("INSERT INTO cards VALUES (?, ?, ?, 0, 0, -1, 2, 2, 100, 10, 2500, 5, 0, 0, 0, 0, 0, '')",
                   ((i + 1, i + 1, deck) for i in range(len(card_ids))))
    step = 400 * 86_400_000 // revlog
    db.executemany("INSERT INTO revlog VALUES (?, ?, -1, ?, 10, 5, 2500, ?, ?)",
                   ((base + k * step + rng.randrange(step // 2), rng.randrange(len(card_ids)) + 1, rng.choice((1, 2, 3, 3, 3, 4)),
                     rng.randrange(2000, 20000), rng.choice((0, 1, 1, 1, 1, 2))) for k in range(revlog)))
    db.commit()
    db.close()
    col = Collection(str(folder / "collection.anki2"))
    col.export_collection_package(str(path), include_media=False, legacy=False)
    col.close()
    return folder / "collection.anki2"


BASELINE = """
import sys
from anki.collection import Collection
col = Collection(sys.argv[1])
rows = col.db.all("SELECT * FROM revlog")
assert len(rows) == int(sys.argv[2])
col.close()
"""


def main() -> list[Row]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=50_000)
    parser.add_argument("--reviews", type=int, default=500_000)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--revlog", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=3)
    add_json_flag(parser)
    args = parser.parse_args()
    from dlquiz.decks.collection import load_collection

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        paths = write_collection(root / "cards", args.cards, 100)
        card_ids = list(load_collection(paths=paths, cache=False).cards)
        home, shared = root / "home", root / "shared"
        shared.mkdir()
        home.mkdir()
        build_store(home, card_ids, args.reviews)
        consistent(home)
        env = {**os.environ, "DLQUIZ_HOME": str(home), "DLQUIZ_CARDS": str(root / "cards"), "DLQUIZ_NOW": NOW.isoformat()}
        dlquiz = [sys.executable, "-m", "dlquiz"]
        run(dlquiz + ["decks"], env)  # the deck cache, once
        run(dlquiz + ["sync", str(shared)], env)  # this machine's own history, sent once
        remote_events(shared, card_ids, args.events)
        shutil.copyfile(home / "dlquiz.db", root / "before.db")  # (checkpointed by the sync's close)
        floors.prepare_sync(root / "floor-before.db", root / "before.db")
        floor = [sys.executable, str(Path(floors.__file__)), "sync", str(root / "floor.db"),
                 str(shared / f"{REMOTE}.jsonl"), str(args.events)]
        times, floor_times = [], []
        for _ in range(args.repeat):
            shutil.copyfile(root / "before.db", home / "dlquiz.db")
            for side in ("-wal", "-shm"):
                Path(f"{home / 'dlquiz.db'}{side}").unlink(missing_ok=True)
            times.append(run(dlquiz + ["sync", str(shared)], env))
            fresh(root / "floor-before.db", root / "floor.db")
            floor_times.append(run(floor, env))
        rows.append(Row(f"sync: {args.events:,} remote events into {args.cards:,} cards, {args.reviews:,} log rows",
                        min(times), max_value=2.0))
        rows.append(Row("  its floor: the least work of that sync, compact log, no dlquiz code", min(floor_times),
                        note="reference"))
        quiet, decks = [], []
        for _ in range(5):
            quiet.append(run(dlquiz + ["sync", str(shared)], env))
            decks.append(run(dlquiz + ["decks"], env))
        rows.append(Row("sync with nothing new vs dlquiz decks", min(quiet), min(decks), max_ratio=1.5))

        anki_home = root / "anki-home"
        anki_home.mkdir()
        package = root / "anki" / "from-anki.colpkg"
        package.parent.mkdir()
        collection = anki_package(package, card_ids, args.revlog)
        from dlquiz.export.notes import guid_for

        floors.prepare_import(root / "floor-empty.db", {guid_for(card_id): card_id for card_id in card_ids})
        floor = [sys.executable, str(Path(floors.__file__)), "import", str(root / "floor.db"), str(collection),
                 str(args.revlog)]
        env = {**env, "DLQUIZ_HOME": str(anki_home)}
        imports, opens, floor_times = [], [], []
        for _ in range(args.repeat):
            for side in ("", "-wal", "-shm"):
                Path(f"{anki_home / 'dlquiz.db'}{side}").unlink(missing_ok=True)
            imports.append(run(dlquiz + ["import", "anki", str(package)], env))
            opens.append(run([sys.executable, "-c", BASELINE, str(collection), str(args.revlog)], env))
            fresh(root / "floor-empty.db", root / "floor.db")
            floor_times.append(run(floor, env))
        rows.append(Row(f"import anki: {args.cards:,} notes, {args.revlog:,} revlog rows vs Anki opening it and reading "
                        "its revlog", min(imports), min(opens), max_ratio=2.0))
        rows.append(Row("  its floor: the least work of that import, compact log, no dlquiz code, vs Anki",
                        min(floor_times), min(opens), note="reference"))
    report(rows, f"Sharing the history (best of {args.repeat}; fresh processes)")
    return rows


if __name__ == "__main__":
    main()
