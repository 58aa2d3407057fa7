"""Benchmark: `dlquiz add` on a large collection.

Adding one card to a synthetic 50,000-card collection (100 decks) reads every deck, validates
the would-be file and the whole collection, runs the near-duplicate scan and writes the deck
atomically under the lock. It is compared with `dlquiz decks` on the same collection (the
parsed-deck cache warm for both), as a ratio. Each timing is a fresh process; the median of R.

Run: python bench/bench_add.py [--cards N] [--repeat R]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report import Row, add_json_flag, report  # noqa: E402
from synth import write_collection  # noqa: E402


def timed(argv: list[str], env: dict) -> float:
    started = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - started


def main() -> list[Row]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=50_000)
    parser.add_argument("--decks", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    add_json_flag(parser)
    args = parser.parse_args()
    dlquiz = [sys.executable, "-m", "dlquiz"]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        paths = write_collection(root / "cards", args.cards, args.decks)
        (root / "home").mkdir()
        env = {**os.environ, "DLQUIZ_CARDS": str(root / "cards"), "DLQUIZ_HOME": str(root / "home")}
        deck = paths[0].stem
        timed(dlquiz + ["decks"], env)  # warm the parsed-deck cache
        decks_time = statistics.median(timed(dlquiz + ["decks"], env) for _ in range(args.repeat))
        adds = []
        for i in range(args.repeat):
            question = f"Benchmark question number {i} about max pooling?"
            adds.append(timed(dlquiz + ["add", "--deck", deck, "-q", question, "-a", "Yes."], env))
            timed(dlquiz + ["decks"], env)  # re-cache the deck just written, as any next command would
        add_time = statistics.median(adds)
    rows = [Row(f"dlquiz add (1 card, {args.cards:,} cards) vs dlquiz decks", add_time, decks_time, note="reported")]
    report(rows, f"fresh processes, parsed-deck cache warm, median of {args.repeat}")
    return rows


if __name__ == "__main__":
    main()
