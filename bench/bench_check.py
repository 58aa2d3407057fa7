"""Benchmark: `dlquiz check` on one deck file of 150,000 cards (about 50 MB of YAML, written by
bench/synth.py): its time against a bare `yaml.load(text, CSafeLoader)` of that file in a fresh
interpreter (target: <= 1.3x), and its peak memory (max RSS, measured as bench_scale.py does), with
no parsed-deck cache yet and with one (target: under 400 MB each).

The deck is read card by card (parse events, each card validated as it is read), so its YAML's
node tree is never held whole: that tree took over a gigabyte (and the bare parse, which builds
it, is the slower of the two).

Run: python bench/bench_check.py [--cards N] [--json]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scale import DLQUIZ, bare_parse_process, measured  # noqa: E402
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
        bare = bare_parse_process(root / "cards")
        for state in ("no cache yet", "from the cache"):
            peak, took = measured(DLQUIZ + ["check", str(deck)], env)
            rows.append(Row(f"dlquiz check on one deck of {size}, {state}, vs its bare CSafeLoader parse", took, bare,
                            max_ratio=1.3))
            rows.append(Row(f"peak memory of that dlquiz check, {state}", peak, unit="MB", max_value=400))
    report(rows, "bench_check")
    return rows


if __name__ == "__main__":
    main()
