"""Benchmark: loading decks, and start-up.

Loading a synthetic 50,000-card collection (100 decks) through dlquiz -- strict validation with
line numbers -- against the bare C-loader parse of the same files
(`yaml.load(text, Loader=yaml.CSafeLoader)`), as a ratio. Target <= 1.3. (Start-up, `--help`
included, is measured by bench_review.py.)

Run: python bench/bench_load.py [--cards N] [--repeat R]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import yaml  # noqa: E402
from report import Row, add_json_flag, report  # noqa: E402
from synth import write_collection  # noqa: E402

from dlquiz.decks.collection import load_collection


def best_of(repeat: int, worker: str, root: Path) -> float:
    """Best time of `repeat` runs, each in a fresh interpreter so heap state is the same."""
    times = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, __file__, "--worker", worker, str(root)], check=True, capture_output=True, text=True
        ).stdout
        times.append(float(out))
    return min(times)


def bare_parse(paths: list[Path]) -> None:
    for path in paths:
        yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


def dlquiz_load(paths: list[Path]) -> None:
    collection = load_collection(paths=paths, cache=False)  # the parse itself, not the cache
    assert collection.cards


def main() -> list[Row]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=50_000)
    parser.add_argument("--decks", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--worker", nargs=2, metavar=("KIND", "DIR"), help=argparse.SUPPRESS)
    add_json_flag(parser)
    args = parser.parse_args()
    if args.worker:
        kind, root = args.worker
        paths = sorted(Path(root).glob("*.yaml"))
        started = time.perf_counter()
        (bare_parse if kind == "bare" else dlquiz_load)(paths)
        print(time.perf_counter() - started)
        return []
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        write_collection(Path(tmp), args.cards, args.decks)
        base = best_of(args.repeat, "bare", Path(tmp))
        ours = best_of(args.repeat, "dlquiz", Path(tmp))
        rows.append(Row(f"load {args.cards:,} cards ({args.decks} decks) vs bare CSafeLoader", ours, base, max_ratio=1.3))
    report(rows, f"load: fresh interpreters, best of {args.repeat}")
    return rows


if __name__ == "__main__":
    main()
