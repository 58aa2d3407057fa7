"""Choice cards: which options a typed answer picks (`B`, `2`, a piece of an option's text, or for
several right options `A, C`, `ac`, `1 and 3`), and whether they are all and only the right ones.
Also the text folding every typed-answer check uses (`normal`, `short`).

Returns (correct, feedback, readable), as dlquiz.checking.order does; dlquiz.checking.answers
makes the Verdict.
"""

from __future__ import annotations

import difflib
import re
import string
import unicodedata

LETTERS = string.ascii_uppercase


def normal(text: str) -> str:
    """Case, width, spacing, quotes and final punctuation folded away."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = " ".join(text.split()).strip("'\"“”‘’`")
    return text.rstrip(".!?;:").strip()


def short(text: str, width: int = 60) -> str:
    """`text` on one line, cut to `width` with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _letters(options: tuple[str, ...]) -> str:
    return f"A–{LETTERS[len(options) - 1]}" if len(options) > 1 else "A"


def _picks(text: str, options: tuple[str, ...], several: bool) -> set[int] | str:
    """The indexes of the options a response picks, or a message saying why it picks none."""
    norm = normal(text)
    exact = [i for i, option in enumerate(options) if normal(option) == norm]
    if len(exact) == 1:
        return set(exact)
    tokens = [t.strip("()[]") for t in re.split(r"\s*(?:[,;/&+]|\band\b|\s)\s*", norm) if t.strip("()[]")]
    if several and len(tokens) == 1 and tokens[0].isalpha() and 1 < len(tokens[0]) <= len(options):
        tokens = list(tokens[0])  # "ac" for A and C
    if tokens and all(len(t) == 1 and t.isalpha() or t.isdigit() for t in tokens):
        picked = set()
        for token in tokens:
            index = int(token) - 1 if token.isdigit() else ord(token) - ord("a")
            if not 0 <= index < len(options):
                return f"there is no option {token.upper()} (choose {_letters(options)})"
            picked.add(index)
        return picked
    normals = [normal(option) for option in options]
    inside = [i for i, option in enumerate(normals) if len(norm) >= 3 and norm in option]
    if not inside:
        close = difflib.get_close_matches(norm, normals, n=2, cutoff=0.8)
        inside = [normals.index(close[0])] if len(close) == 1 else []
    if len(inside) == 1:
        return set(inside)
    if inside:
        which = " and ".join(LETTERS[i] for i in inside)
        return f"“{short(text, 30)}” matches options {which}: type a letter"
    return f"“{short(text, 30)}” is not one of the options: type a letter ({_letters(options)})"


def _named(indexes: set[int]) -> str:
    letters = [LETTERS[i] for i in sorted(indexes)]
    return letters[0] if len(letters) == 1 else ", ".join(letters[:-1]) + " and " + letters[-1]


def check(expected: str | tuple[str, ...], text: str, options: tuple[str, ...] | None = None) -> tuple[bool, str, bool]:
    """Check a typed pick against the right option(s); `options` the card's (default: the texts)."""
    wanted_texts = (expected,) if isinstance(expected, str) else tuple(expected)
    options = tuple(options or wanted_texts)  # without the card's options only texts can match
    wanted = {options.index(w) for w in wanted_texts if w in options}
    picks = _picks(text, options, several=len(wanted) > 1)
    if isinstance(picks, str):
        return False, picks, False
    if picks == wanted:
        return True, "correct", True
    if len(wanted) == 1:
        (right,) = wanted
        answer = f"{LETTERS[right]}. {short(options[right])}"
        if len(picks) > 1:
            return False, f"only one option is right: {answer}", True
        return False, f"{_named(picks)} is not it: the answer is {answer}", True
    parts = []
    if picks - wanted:
        parts.append(f"{_named(picks - wanted)} {'is' if len(picks - wanted) == 1 else 'are'} not right")
    if wanted - picks:
        parts.append(f"you missed {_named(wanted - picks)}")
    return False, f"{' and '.join(parts)}: the answer is {_named(wanted)}", True
