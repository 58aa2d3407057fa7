"""Is a typed formula the card's formula, and if not, how does it differ?

The verdict comes from evaluating both formulas at ten fixed pseudo-random points (the method of
WeBWorK's formula checker): two formulas that agree at random points are the same function,
except on a set of measure zero. Six points put every name in (0.1, 0.9), where β, learning
rates and probabilities live; four use both signs, so `max(0, z)` is not mistaken for `z`. This
takes bounded time on any input the parser accepts, needs no sympy and, unlike `simplify`, never
fails to recognise an equivalent rearrangement.

sympy is used only to say how a wrong formula differs (a missing factor or term, a simplified
difference), and only under a time limit: SIGALRM in the main thread, and in other threads only
on small formulas. A name the learner spells differently (`beta1`, `vt`, `dw`) is matched to the
card's name (`beta_1`, `v_t`, `dW`) when exactly one fits.
"""

from __future__ import annotations

import contextlib
import functools
import random
import re
import signal
import threading
import time
from collections import Counter
from fractions import Fraction
from typing import Iterator

from dlquiz.checking import formula
from dlquiz.checking.formula import Node, Undefined
from dlquiz.errors import unraisable

POINTS = 10
TIME_LIMIT = 0.6  # seconds for the sympy part; parsing and probing take milliseconds
DIFFERENCE_LIMIT = 0.25  # of which simplify() may use this much
_SHORT = 60  # longest difference worth printing


class OutOfTime(BaseException):
    """Raised by the alarm. A BaseException, so that `except Exception` in sympy cannot swallow it."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[bool]:
    """Raise OutOfTime in the block after `seconds` (and every 50 ms after, should something
    swallow it). Yields whether the limit is enforced: only in the main thread, where SIGALRM
    exists and no other timer runs; the caller must then keep the work small itself."""
    usable = (
        hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    )
    if not usable:
        yield False
        return

    def alarm(signum, frame):
        if not unraisable(frame):  # raised there it would be lost; the timer fires again in 50 ms
            raise OutOfTime

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.05)
    try:
        yield True
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@functools.lru_cache(maxsize=1024)
def expected_tree(expr: str) -> Node:
    """A card's `expr`, parsed once."""
    return formula.parse_tree(expr)


@functools.lru_cache(maxsize=1024)
def _values(name: str) -> tuple[complex, ...]:
    rng = random.Random("dlquiz:" + name)  # a str seed is hashed with SHA-512: the same everywhere
    positive = [rng.uniform(0.1, 0.9) for _ in range(6)]
    mixed = [rng.choice((-1, 1)) * rng.uniform(0.2, 2.5) for _ in range(POINTS - 6)]
    return tuple(complex(v) for v in positive + mixed)


def _key(name: str) -> str:
    return re.sub(r"[_{}]", "", name).casefold()


def align(expected: set[str], typed: set[str]) -> dict[str, str]:
    """Typed names that are the card's names spelled differently: {typed: card's}."""
    aliases = {}
    for name in typed - expected:
        matches = [e for e in expected if _key(e) == _key(name) and e not in typed]
        if len(matches) == 1:
            aliases[name] = matches[0]
    return aliases


def rename(tree: Node, aliases: dict[str, str]) -> Node:
    """The tree with names replaced by their aliases."""
    if tree.op == "name":
        return Node("name", (aliases.get(tree.args[0], tree.args[0]),), None)
    if tree.op in ("num", "const") or not aliases:
        return tree
    return Node(tree.op, tuple(rename(child, aliases) for child in tree.args), tree.value)


def _close(a: complex, b: complex, rel: float = 1e-8) -> bool:
    return abs(a - b) <= rel * max(abs(a), abs(b)) + 1e-12


def samples(target: Node, typed: Node) -> list[tuple[complex, complex | None]]:
    """(card's value, typed value or None where it has none) at each point where the card's
    formula has a value and is well-conditioned. Names must already be aligned.

    A point where a 1e-10 nudge of the inputs moves the card's value by more than 1e-3 is
    skipped: there (sin of 1e96, say) rounding alone would make equal formulas disagree."""
    every = sorted(formula.names(target) | formula.names(typed))
    card, learner = formula.evaluator(target), formula.evaluator(typed)
    pairs = []
    for index in range(POINTS):
        values = {name: _values(name)[index] for name in every}
        nudged = {name: value * (1 + 1e-10 * (-1) ** len(name)) for name, value in values.items()}
        try:
            a = card(values)
            if not _close(a, card(nudged), 1e-3):
                continue
        except Undefined:
            continue
        try:
            b = learner(values)
        except Undefined:
            b = None
        pairs.append((a, b))
    return pairs


def compare(expr: str, response: str) -> tuple[bool, str]:
    """(correct, feedback) for a typed formula against a card's `expr`. Raises FormulaError
    (TooComplex included) when either cannot be read; otherwise answers within about a second."""
    return compare_trees(expected_tree(expr), formula.parse_tree(response))


def compare_trees(target: Node, typed: Node) -> tuple[bool, str]:
    """`compare` on parsed formulas (the card's, the learner's)."""
    typed = rename(typed, align(formula.names(target), formula.names(typed)))
    if typed == target:
        return True, "correct"
    pairs = samples(target, typed)
    if len(pairs) >= 3 and all(b is not None and _close(a, b) for a, b in pairs):
        return True, "correct"
    # Too few points to compare (rare), or a difference: sympy may still prove them equal
    # ((x+1)^100000 - (x+1)^100000 + x overflows at most points), else says how they differ.
    reason = explain(target, typed, pairs)
    if reason is None:
        return True, "correct"
    return False, "your formula differs: " + reason


# ---------------------------------------------------------------------------------------------
# how two formulas differ


def _number(x: float) -> str:
    fraction = Fraction(x).limit_denominator(1000)
    if abs(float(fraction) - x) <= 1e-9 * max(1.0, abs(x)):
        return str(fraction)
    return f"{x:.4g}"


def _constant(values: list[complex]) -> float | None:
    first = values[0]
    if all(_close(v, first) for v in values) and abs(first.imag) <= 1e-9 * (1 + abs(first.real)):
        return first.real
    return None


def _numeric_relation(pairs: list[tuple[complex, complex | None]]) -> str | None:
    """Wrong sign, a constant factor or a constant offset, read off the sampled values."""
    defined = [(a, b) for a, b in pairs if b is not None]
    if len(defined) < 3:
        return "it has no finite value where the answer has one" if not defined else None
    ratios = [b / a for a, b in defined if a != 0]
    zeros_agree = all(abs(b) <= 1e-12 for a, b in defined if a == 0)
    ratio = _constant(ratios) if len(ratios) >= 3 and zeros_agree else None
    if ratio is not None and ratio != 0:
        return "it has the wrong sign" if _close(ratio, -1) else f"it is {_number(ratio)} times the answer"
    offset = _constant([b - a for a, b in defined])
    if offset is not None:
        return f"it is the answer {'+' if offset > 0 else '−'} {_number(abs(offset))}"
    return None


def _listing(items: set[str]) -> str:
    shown = sorted(formula.pretty_name(i) for i in items)
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def _set_relation(expected: set[str], typed: set[str], what: str) -> str | None:
    extra, missing = typed - expected, expected - typed
    if len(extra) == 1 and len(missing) == 1:
        return f"it has {_listing(extra)}{what} where the answer has {_listing(missing)}{what}"
    if extra:
        return f"it uses {_listing(extra)}{what}, which the answer does not"
    if missing:
        return f"it has no {_listing(missing)}{what}"
    return None


def _parts_relation(sp, e, t, split, noun: str, subject: str = "it", depth: int = 0) -> str | None:
    """A missing, extra or changed factor (split = Mul.make_args) or term (Add.make_args);
    inside a changed term, the factor that changed."""
    want, have = Counter(split(e)), Counter(split(t))
    if not want & have:  # nothing in common: naming parts would just restate both formulas
        return None
    missing, extra = want - have, have - want
    join = sp.Mul if noun == "factor" else sp.Add
    if missing and not extra:
        return f"{subject} is missing the {noun} {formula.pretty(join(*missing.elements()))}"
    if extra and not missing:
        return f"{subject} has an extra {noun} {formula.pretty(join(*extra.elements()))}"
    if sum(missing.values()) == 1 == sum(extra.values()):
        (old,), (new,) = missing.elements(), extra.elements()
        if noun == "term" and depth == 0:
            inner = _parts_relation(sp, old, new, sp.Mul.make_args, "factor", f"its term {formula.pretty(new)}", 1)
            if inner:
                return inner
        return f"{subject} has {formula.pretty(new)} where the answer has {formula.pretty(old)}"
    return None


def _small(tree: Node, budget: list[int] | None = None) -> bool:
    """Small enough for sympy without a hard time limit: few nodes, small numeric exponents."""
    budget = budget if budget is not None else [40]
    budget[0] -= 1
    if tree.op == "^" and tree.args[1].value is not None and abs(tree.args[1].value) > 16:
        return False
    children = [c for c in tree.args if isinstance(c, Node)]
    return budget[0] >= 0 and all(_small(c, budget) for c in children)


_EQUAL = "equal"  # what the sympy steps return when the formulas are the same after all


def _sympy_parts(target: Node, typed: Node) -> str | None:
    import sympy as sp

    e, t = formula.to_sympy(target), formula.to_sympy(typed)
    if e == t:
        return _EQUAL
    for split, noun in ((sp.Mul.make_args, "factor"), (sp.Add.make_args, "term")):
        found = _parts_relation(sp, e, t, split, noun)
        if found and len(found) <= 2 * _SHORT:
            return found
    return None


def _sympy_difference(target: Node, typed: Node) -> str | None:
    import sympy as sp

    difference = sp.simplify(formula.to_sympy(typed) - formula.to_sympy(target))
    if difference == 0:
        return _EQUAL
    text = formula.pretty(difference)
    return f"it is the answer + ({text})" if len(text) <= _SHORT else None


def _with_sympy(step, target: Node, typed: Node, deadline: float, most: float = TIME_LIMIT) -> str | None:
    """Run a sympy step until `deadline` (perf_counter time) and for at most `most` seconds;
    None if it cannot finish."""
    try:
        with time_limit(max(0.05, min(most, deadline - time.perf_counter()))) as enforced:
            if enforced or (_small(target) and _small(typed)):
                return step(target, typed)
    except OutOfTime:
        pass
    except Exception:  # noqa: BLE001 - sympy fails in many ways; an explanation is best effort
        pass
    return None


def explain(target: Node, typed: Node, pairs: list[tuple[complex, complex | None]]) -> str | None:
    """One short clause saying how `typed` differs from `target` (names aligned), or None when
    sympy shows that they are equal after all."""
    import sympy  # noqa: F401 - before the clock starts: the import is warm_up()'s job, not the budget's

    deadline = time.perf_counter() + TIME_LIMIT
    names = _set_relation(formula.names(target), formula.names(typed), "")
    swapped = names if names and " where the answer has " in names else None  # one name for another
    found = _numeric_relation(pairs) or swapped or _with_sympy(_sympy_parts, target, typed, deadline)
    found = found or names
    found = found or _set_relation(formula.functions(target), formula.functions(typed), "( )")
    # simplify is the slow part, and its answer only a nicety: it gets a smaller share of time
    found = found or _with_sympy(_sympy_difference, target, typed, deadline, most=DIFFERENCE_LIMIT)
    if found == _EQUAL:
        return None
    return found or "it is not equivalent to the answer"
