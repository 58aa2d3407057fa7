"""Benchmark: checking typed answers.

(a) 1,000 formula checks (the bundled formula cards' `expr`, each scaled by a random factor,
    against typed answers: half of them equivalent rewrites, half wrong, so half of them also
    explain the difference) with
    `dlquiz.answers.check`, against a bare sympy `simplify(a - b) == 0` on the same pairs, already
    parsed into sympy (the baseline does no parsing and gives no feedback). Median per check,
    after warm-up, as a ratio.
(b) 1,000 numeric checks (`7,600`, `7.6e3`, `(5*5*3+1)*100`, `1/7`, `0.14`, wrong ones, ...)
    against a bare `abs(float(text) - expected) <= tol` on the plain-number form of each answer.

Run: python bench/bench_answers.py [--checks N]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from report import Row, add_json_flag, format_value, report  # noqa: E402

from dlquiz.checking import (
    answers,  # noqa: E402
    formula,
)
from dlquiz.decks.collection import load_collection
from dlquiz.decks.files import discover
from dlquiz.paths import bundled_cards_dir  # noqa: E402


def formula_pairs(n: int) -> list[tuple[str, str]]:
    """(expected, typed) pairs from the bundled cards' `expr`, each scaled by its own random
    factor so that no pair repeats (sympy caches results: repeats would flatter the baseline):
    half are equivalent rewrites, half are wrong."""
    import sympy

    exprs = [c.expr for c in load_collection(paths=discover([bundled_cards_dir()]), cache=False).cards.values() if c.expr]
    rng = random.Random(4)
    pairs = []
    for i in range(n):
        expr, k = exprs[i % len(exprs)], rng.randint(2, 10**6)
        expected = f"{k}*({expr})"
        expanded = sympy.sstr(sympy.expand(formula.parse(expected))).replace("**", "^")
        right = [f"({expr})*{k}", f"{k}*({expr}) + x - x", f"{2 * k}*({expr})/2"]
        try:
            formula.parse(expanded)
            right.append(expanded)
        except formula.FormulaError:  # sympy's printing of what dlquiz does not read (Max(0, ...) of the triplet loss)
            pass
        name = sorted(formula.names(formula.parse_tree(expr)))[0]
        swapped = re.sub(rf"\b{name}\b", "y", expected)  # one name mistyped
        wrong = [f"{k}*({expr}) + 1", f"{k + 1}*({expr})", f"-{k}*({expr})", swapped]
        pairs.append((expected, rng.choice(right if i % 2 == 0 else wrong)))
    return pairs


NUMERIC = [
    (7600, "7600", "7600"), (7600, "7,600", "7600"), (7600, "7.6e3", "7.6e3"), (7600, "(5*5*3+1)*100", "7600"),
    (7600, "7,500", "7500"), (1 / 7, "1/7", "0.14285714285714285"), (1 / 7, "0.1429", "0.1429"), (1 / 7, "0.14", "0.14"),
    (1 / 7, "0.15", "0.15"), (15, "⌊(32 + 2·1 − 5) / 2⌋ + 1", "15"), (0.05, "0.2 / (1 + 1·3)", "0.05"), (1020, "1 020", "1020"),
]


def timed(function, items) -> list[float]:
    times = []
    for item in items:
        started = time.perf_counter()
        function(*item)
        times.append(time.perf_counter() - started)
    return times


def main() -> list[Row]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", type=int, default=1000)
    add_json_flag(parser)
    args = parser.parse_args()
    import sympy

    answers.warm_up()
    pairs = formula_pairs(args.checks)
    parsed = [(formula.parse(e), formula.parse(t)) for e, t in pairs]
    ours = lambda e, t: answers.check("formula", e, t)  # noqa: E731
    bare = lambda a, b: sympy.simplify(a - b) == 0  # noqa: E731
    timed(ours, pairs[:50]), timed(bare, parsed[:50])  # warm-up
    t_ours, t_bare = timed(ours, pairs), timed(bare, parsed)
    verdicts = [answers.check("formula", e, t).correct for e, t in pairs]
    agree = sum(v == bool(bare(a, b)) for v, (a, b) in zip(verdicts, parsed))

    numeric = [NUMERIC[i % len(NUMERIC)] for i in range(args.checks)]
    n_ours = lambda expected, typed, plain: answers.check("numeric", expected, typed)  # noqa: E731
    n_bare = lambda expected, typed, plain: abs(float(plain) - expected) <= 1e-3 * abs(expected)  # noqa: E731
    timed(n_ours, numeric[:100]), timed(n_bare, numeric[:100])
    n_t_ours, n_t_bare = timed(n_ours, numeric), timed(n_bare, numeric)

    right = [t for t, v in zip(t_ours, verdicts) if v]
    wrong = [t for t, v in zip(t_ours, verdicts) if not v]
    rows = [
        Row("formula check vs bare sympy `simplify(a - b) == 0`, median", statistics.median(t_ours),
            statistics.median(t_bare), note="reported"),
        Row("numeric check vs bare `abs(float(s) - x) <= tol`, median", statistics.median(n_t_ours),
            statistics.median(n_t_bare), note="reported"),
    ]
    tails = "; ".join(f"{kind} p95 {format_value(sorted(ts)[int(0.95 * len(ts))])}, max {format_value(max(ts))}"
                      for kind, ts in (("formula", t_ours), ("numeric", n_t_ours)))
    report(rows, f"{args.checks:,} checks each, median per check after warm-up (Python {sys.version.split()[0]}, "
                 f"sympy {sympy.__version__})\n{tails}\n"
                 f"formula checks: median {format_value(statistics.median(right))} when right, "
                 f"{format_value(statistics.median(wrong))} when wrong (with the explanation); "
                 f"verdicts agree with simplify on {agree:,} of {len(pairs):,}")
    return rows


if __name__ == "__main__":
    main()
