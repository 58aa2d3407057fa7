"""Benchmark: `dlquiz check` on one deck file of 150,000 cards (about 50 MB of YAML, written by
bench/synth.py), its peak memory (max RSS, measured as bench_scale.py does) with no parsed-deck
cache yet and with one. Target: under 400 MB each. The time of each run is reported too.

The deck is read card by card (parse events, each card validated as it is read), so its YAML's
node tree is never held whole: that tree took over a gigabyte.

Run: python bench/bench_check.py [--cards N] [--json]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scale import DLQUIZ, peak_memory_mb  # noqa: E402
from report import Row, add_json_flag, report  # noqa: E402
from synth import write_collection  # noqa: E402


def main() -> list[Row]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=150_000)
    add_json_flag(parser)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (deck,) = write_collection(root / "cards", args.cards, 1)
        (root / "home").mkdir()
        env = dict(os.environ, DLQUIZ_HOME=str(root / "home"), DLQUIZ_CARDS=str(root / "cards"), NO_COLOR="1")
        size = f"{args.cards:,} cards, {deck.stat().st_size / 1e6:.0f} MB of YAML"
        for state in ("no cache yet", "from the cache"):
            started = time.perf_counter()
            peak = peak_memory_mb(DLQUIZ + ["check", str(deck)], env, b"")
            took = time.perf_counter() - started
            rows.append(Row(f"peak memory of dlquiz check on one deck of {size}, {state}", peak, unit="MB", max_value=400))
            rows.append(Row(f"time of that dlquiz check, {state}", took, note="reported"))
    report(rows, "bench_check")
    return rows


if __name__ == "__main__":
    main()
