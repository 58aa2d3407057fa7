"""Order cards ("put the steps in order"): the steps shown shuffled, the typed letters checked.

An order card's `answer` is its steps in order. A review shows them shuffled, in an order fixed by
the card's id and the review number (`draw`), so an undo shows the same order again and every
machine shows the same one; the shuffle is never the answer itself. The learner types the letters
in order (`C A B`, `c,a,b`, `CAB`, `3 1 2`); each letter must come exactly once.

Returns (correct, feedback, readable), as dlquiz.checking.clozes does; dlquiz.checking.answers
makes the Verdict.
"""

from __future__ import annotations

import random
import re
import string
from dataclasses import replace
from typing import Any

LETTERS = string.ascii_uppercase


def shuffled(steps: tuple[str, ...], seed: str) -> tuple[str, ...]:
    """The steps in an order fixed by `seed`, never their own order (for two steps or more)."""
    rng = random.Random("dlquiz order:" + seed)  # a str seed is hashed with SHA-512: the same everywhere
    shown = list(steps)
    while len(shown) > 1 and tuple(shown) == tuple(steps):
        rng.shuffle(shown)
    return tuple(shown)


def draw(card: Any, number: int) -> Any:
    """The card as review `number` shows it: its steps shuffled into `options`."""
    return replace(card, options=shuffled(tuple(card.answer), f"{card.id}:{number}"))


def letters_of(steps: tuple[str, ...], options: tuple[str, ...]) -> str:
    """The right answer as letters of the shown options: `C, A, B`."""
    return ", ".join(LETTERS[options.index(step)] for step in steps)


def _read(text: str, count: int) -> list[int] | str:
    """The option indexes typed, in order, or why they cannot be read."""
    tokens = [t for t in re.split(r"[\s,;>/→-]+", text.strip().upper()) if t]
    if len(tokens) == 1 and tokens[0].isalpha() and len(tokens[0]) == count:
        tokens = list(tokens[0])
    picked = []
    for token in tokens:
        if token.isdigit() and 1 <= int(token) <= count:
            picked.append(int(token) - 1)
        elif len(token) == 1 and token in LETTERS[:count]:
            picked.append(LETTERS.index(token))
        else:
            return f"cannot read {token!r}: type the letters A–{LETTERS[count - 1]} in order"
    if sorted(picked) != list(range(count)):
        return f"type each of the {count} letters A–{LETTERS[count - 1]} once, in order (like {', '.join(LETTERS[:count][::-1])})"
    return picked


def check(steps: tuple[str, ...], text: str, options: tuple[str, ...] | None = None) -> tuple[bool, str, bool]:
    """Check typed letters against the steps, `options` being the order they were shown in."""
    steps = tuple(steps)
    options = tuple(options or steps)
    picked = _read(text, len(options))
    if isinstance(picked, str):
        return False, picked, False
    typed = [options[i] for i in picked]
    if tuple(typed) == steps:
        return True, "correct", True
    first = next(n for n, (a, b) in enumerate(zip(typed, steps)) if a != b)
    right = sum(a == b for a, b in zip(typed, steps))
    return False, (f"{', '.join(LETTERS[i] for i in picked)} is not the order: it is {letters_of(steps, options)} "
                   f"(step {first + 1} is wrong; {right} of {len(steps)} in place)"), True
