"""Checking a typed answer against a card's: true/false, a choice, a number, a shape, a formula
or a short text. The review session calls `check` (or `check_card`) and shows the Verdict's
feedback; `suggested_grade` turns it into the SM-2 grade Enter accepts.

Nothing a learner types is run as code: numbers and formulas go through dlquiz.checking.formula's own
parser, shapes through a regular expression. Unreadable, empty or too complex input gives
correct=False with a feedback line saying why, never an exception. sympy is imported only to
explain a wrong formula (a right one is recognised without it); `warm_up()` imports it ahead of
time, from a background thread, so that the first wrong formula answers as fast as the rest.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from dlquiz.checking import choices, clozes, formula, order
from dlquiz.checking.choices import normal as _normal
from dlquiz.checking.choices import short as _short
from dlquiz.checking.shown import parse_shape, show_number, show_shape  # noqa: F401 (part of this module's API)
from dlquiz.render.markup import math_symbols

CHECKABLE = ("truefalse", "choice", "numeric", "shape", "formula", "cloze", "order")
KINDS = CHECKABLE + ("text",)
DEFAULT_TOLERANCE = 1e-3  # relative, for real-valued numeric answers when the card sets none
MAX_RESPONSE = 1000
_TRUE = {"t", "true", "y", "yes"}
_FALSE = {"f", "false", "n", "no"}
_THOUSANDS = re.compile(r"(?<=\d)[,\u00a0\u2009\u202f ](?=\d{3}(?!\d))")
_TIMES = re.compile(r"(?<=[\d)])\s*[xX]\s*(?=[\d(])")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_DECIMAL = re.compile(r"[+-]?(\d*)\.?(\d*)")


@dataclass(frozen=True)
class Verdict:
    """The outcome of checking one typed answer: right or wrong, and one or two short lines
    (`correct`, `7,500 is not 7,600`, `dimension 2: 1 is not 3`) that say why. `readable` is
    False when the answer could not be read at all (`0,5`, a letter that names no option, a
    formula with a stray bracket): the review asks again instead of grading a typo."""

    correct: bool
    feedback: str
    readable: bool = True


def suggested_grade(verdict: Verdict) -> int:
    """The SM-2 grade to suggest: 4 for a correct answer, 1 for a wrong one."""
    return 4 if verdict.correct else 1


def checkable(card: Any) -> bool:
    """Whether the card asks the learner to type an answer (truefalse, choice, numeric, shape,
    formula, order, a cloze whose hidden parts can all be checked; a template card always does).
    Basic cards are self-graded."""
    if card.kind == "cloze":
        return clozes.checkable(card.answer)
    return card.kind in CHECKABLE or getattr(card, "template", None) is not None


def expected_for(card: Any) -> Any:
    """What to pass to `check` as `expected` for a card: its `expr` for a formula card, else its
    answer. A template card must be drawn first (`templates.instantiate(card, draw)`)."""
    if getattr(card, "template", None) is not None and card.kind not in CHECKABLE:
        raise ValueError(f"card {card.id!r} is a template: draw it with templates.instantiate(card, draw) first")
    return card.expr if card.kind == "formula" else card.answer


def check_card(card: Any, response: str) -> Verdict:
    """`check` with the kind, expected answer, options and tolerance taken from a (drawn) card;
    a shape's symbols are named as its question shows them (`nₓ` for `$n_x$`)."""
    symbols = math_symbols(card.question or "") if card.kind == "shape" else None
    return check(card.kind, expected_for(card), response, options=card.options, tolerance=card.tolerance, symbols=symbols)


def check(kind: str, expected: Any, response: str, *, options: tuple[str, ...] | None = None,
          tolerance: float | None = None, symbols: dict[str, str] | None = None) -> Verdict:
    """Check a typed `response` against `expected` for a card of this `kind`:

    - truefalse: expected a bool; t/f, true/false, y/n, yes/no in any case.
    - choice: expected an option's text, or a tuple of texts when several are right; `options`
      is the card's options. The response is a letter (`B`), a number (`2`), an unambiguous piece
      of an option's text, or for several answers a list (`A, C`, `1 3`, `AC`).
    - numeric: expected a number; `7600`, `7,600`, `7.6e3`, `(5*5*3+1)*100`, `5×5×3`, `1/7`,
      `2^10`, `√2`, `15%`. Whole-number answers must be exact; real ones within `tolerance`
      (relative; default 1e-3) or, with none set, equal to the answer rounded to the decimals
      typed (at least two significant digits: 0.14 for 1/7).
    - shape: expected a tuple of dims (ints or names like 'n_x'); `(4, 1)`, `4x1`, `4 × 1`, `[4,1]`.
    - formula: expected the card's `expr`; any equivalent formula is right (`^` or `**`, implicit
      multiplication, Greek names or letters, `v_t`, `beta_1`/`β₁`/`beta1`).
    - text: expected a text or a tuple of accepted texts; case, spacing, articles, punctuation
      and a one-letter typo in a long word are forgiven.
    - cloze: expected a cloze card's answer, its slots (hidden text, formula, how: see
      dlquiz.checking.clozes), or a hidden text; each part checked by what it is (a number
      numerically, math by the formula around it, prose as text); several parts separated by `;`.
    - order: expected the steps in order; `options` the order they were shown in (default: the
      steps' own). The response is the letters in order: `C A B`, `c,a,b`, `CAB`, `3 1 2`.

    Never raises on what the learner typed: unreadable, empty or too complex input is a Verdict
    with correct=False and a feedback line saying why. Never raises on what a card holds either:
    an expected answer, options or tolerance that cannot be checked (not finite, not of the kind,
    an answer not among the options) is a Verdict saying to grade yourself. Raises ValueError for
    an unknown kind.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown answer kind {kind!r} (expected one of {', '.join(KINDS)})")
    text = response.strip() if isinstance(response, str) else ""
    if not text:
        return Verdict(False, "no answer typed")
    if len(text) > MAX_RESPONSE:
        return Verdict(False, f"too complex: longer than {MAX_RESPONSE} characters")
    if hasattr(expected, "item") and not isinstance(expected, (str, tuple, list)):  # a NumPy scalar
        try:
            expected = expected.item()
        except (TypeError, ValueError):
            pass
    why = _unusable(kind, expected, options, tolerance)
    if why is None:
        try:
            return _CHECKERS[kind](expected, text, options=options, tolerance=tolerance, symbols=symbols or {})
        except (ArithmeticError, ValueError, TypeError, LookupError, AttributeError, RecursionError, MemoryError):
            why = "it cannot be compared"  # (a value the checks above let through: never an exception)
    return Verdict(False, f"this card's answer cannot be checked ({why}): grade yourself")


def _texts(value: Any) -> bool:
    """A text, or a non-empty tuple or list of texts."""
    if isinstance(value, str):
        return True
    return isinstance(value, (tuple, list)) and bool(value) and all(isinstance(v, str) for v in value)


def _unusable(kind: str, expected: Any, options: Any, tolerance: Any) -> str | None:
    """Why a card's expected answer (or options, or tolerance) cannot be checked, or None."""
    if tolerance is not None and (isinstance(tolerance, bool) or not isinstance(tolerance, (int, float))
                                  or not 0 <= tolerance < float("inf")):
        return "its tolerance is not a finite number ≥ 0"
    if kind == "truefalse" and not isinstance(expected, bool):
        return "not true or false"
    if kind in ("formula",) and not isinstance(expected, str):
        return "its formula is not text"
    if kind == "text" and not _texts(expected):
        return "not a text"
    if kind == "choice":
        if not _texts(expected) or (options is not None and not _texts(options)):
            return "its answer and options are not texts"
        if options is not None and not set((expected,) if isinstance(expected, str) else expected) <= set(options):
            return "its answer is not among its options"
    if kind == "numeric":
        if isinstance(expected, bool) or not isinstance(expected, (int, float, Fraction)):
            return "not a number"
        try:
            if not math.isfinite(float(expected)):
                return "not a finite number"
        except OverflowError:
            return "a number too large"
    if kind == "shape" and not (isinstance(expected, (tuple, list)) and expected and all(
            (isinstance(d, int) and not isinstance(d, bool) and 0 <= d < 10**16) or isinstance(d, str) for d in expected)):
        return "not a shape"
    return None


# ---------------------------------------------------------------------------------------------
# true/false and text


def _truefalse(expected: bool, text: str, **_: Any) -> Verdict:
    word = _normal(text)
    if word not in _TRUE | _FALSE:
        return Verdict(False, f"cannot read {text!r}: answer true or false (t/f, yes/no)", readable=False)
    if (word in _TRUE) == bool(expected):
        return Verdict(True, "correct")
    return Verdict(False, f"no: the statement is {'true' if expected else 'false'}")


def _squashed(text: str) -> str:
    words = _normal(text).split()
    if len(words) > 1 and words[0] in ("a", "an", "the"):
        words = words[1:]
    return re.sub(r"[\W_]+", "", "".join(words))


def _one_edit_apart(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1 or a == b:
        return a == b
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1:] == b[i + 1:] or (a[i + 2:] == b[i + 2:] and a[i:i + 2] == b[i:i + 2][::-1])
    return a[i + 1:] == b[i:] if len(a) > len(b) else a[i:] == b[i + 1:]


def _text(expected: str | tuple[str, ...], text: str, **_: Any) -> Verdict:
    accepted = (expected,) if isinstance(expected, str) else tuple(expected)
    typed = _squashed(text)
    for answer in accepted:
        if typed == _squashed(answer):
            return Verdict(True, "correct")
    for answer in accepted:
        if len(_squashed(answer)) >= 6 and _one_edit_apart(typed, _squashed(answer)):
            return Verdict(True, f"correct (spelled “{answer}”)")
    return Verdict(False, f"“{_short(text)}” is not “{_short(accepted[0])}”")


def _choice(expected: str | tuple[str, ...], text: str, *, options: tuple[str, ...] | None = None, **_: Any) -> Verdict:
    return Verdict(*choices.check(expected, text, options))


# ---------------------------------------------------------------------------------------------
# numbers


def _significant(text: str) -> int:
    whole, fraction = _DECIMAL.fullmatch(text).groups()
    return len((whole + fraction).lstrip("0"))


def _rounds_to(typed: str, value: Fraction | float, expected: float) -> bool:
    """A plain decimal with 2+ significant digits that is the answer rounded to its decimals."""
    if not _DECIMAL.fullmatch(typed) or _significant(typed) < 2:
        return False
    decimals = len(_DECIMAL.fullmatch(typed).group(2))
    return abs(float(value) - expected) <= 0.5 * 10.0**-decimals * (1 + 1e-9)


def _numeric(expected: Any, text: str, *, tolerance: float | None = None, **_: Any) -> Verdict:
    cleaned = text.lstrip("=≈~ ").strip()
    cleaned = _TIMES.sub("*", _THOUSANDS.sub("", cleaned))
    percent = cleaned.endswith("%")
    try:
        value = formula.evaluate(cleaned[:-1] if percent else cleaned)
    except formula.TooComplex as exc:
        return Verdict(False, str(exc))
    except formula.FormulaError as exc:
        if re.search(r"\d,\d", cleaned):
            return Verdict(False, f"cannot read {text!r}: write decimals with a point (0.5, not 0,5)", readable=False)
        return Verdict(False, f"cannot read {text!r} as a number: {exc}", readable=False)
    if percent:
        value = value / 100
    if hasattr(expected, "item"):  # a NumPy scalar
        expected = expected.item()
    if isinstance(expected, Fraction) and expected.denominator == 1:
        expected = expected.numerator
    if isinstance(expected, int) and not isinstance(expected, bool):
        right = value == expected if isinstance(value, Fraction) else abs(value - expected) <= 1e-9 * max(1, abs(expected))
    else:
        expected = float(expected)
        allowed = (tolerance if tolerance is not None else DEFAULT_TOLERANCE) * abs(expected) + 1e-12
        right = abs(float(value) - expected) <= allowed or (
            tolerance is None and not percent and _rounds_to(cleaned, value, expected))
    if right:
        exact = float(value) == float(expected)
        return Verdict(True, "correct" if exact else f"correct (the exact value is {show_number(expected, 7)})")
    digits = 4
    while digits < 15 and show_number(value, digits) == show_number(expected, digits):
        digits += 1
    shown = show_number(value, digits)
    if not _PLAIN_NUMBER.fullmatch(cleaned) or percent:
        shown = f"{text} = {shown}"
    return Verdict(False, f"{shown} is not {show_number(expected, digits)}")


# ---------------------------------------------------------------------------------------------
# shapes


def _dim_key(dim: Any) -> Any:
    return re.sub(r"[\s_{}]", "", dim) if isinstance(dim, str) else dim


def _shape(expected: tuple, text: str, *, symbols: dict[str, str], **_: Any) -> Verdict:
    typed = parse_shape(text)
    if typed is None:
        return Verdict(False, f"cannot read {text!r} as a shape: write it like (4, 1)", readable=False)
    expected = tuple(expected)
    if len(typed) != len(expected):
        count = lambda n: f"{n} dimension{'s' if n != 1 else ''}"  # noqa: E731
        return Verdict(False, f"{show_shape(typed)} has {count(len(typed))}, the answer has {len(expected)}")
    wrong = [i for i, (t, e) in enumerate(zip(typed, expected)) if _dim_key(t) != _dim_key(e)]
    if not wrong:
        return Verdict(True, "correct")
    named = lambda dims: tuple(symbols.get(d, d) if isinstance(d, str) else d for d in dims)  # noqa: E731
    typed, expected = named(typed), named(expected)
    if len(wrong) == 2 and all(_dim_key(typed[i]) == _dim_key(expected[j]) for i, j in (wrong, wrong[::-1])):
        return Verdict(False, f"dimensions {wrong[0] + 1} and {wrong[1] + 1} are swapped: the answer is {show_shape(expected)}")
    return Verdict(False, "; ".join(f"dimension {i + 1}: {typed[i]} is not {expected[i]}" for i in wrong))


# ---------------------------------------------------------------------------------------------
# formulas


def _formula(expected: str, text: str, **_: Any) -> Verdict:
    from dlquiz.checking import equivalence

    try:
        equivalence.expected_tree(expected)
    except formula.FormulaError as exc:
        return Verdict(False, f"this card's formula cannot be checked ({exc}): grade yourself")
    try:
        correct, feedback = equivalence.compare(expected, text)
    except formula.TooComplex as exc:
        return Verdict(False, str(exc))
    except formula.FormulaError as exc:
        return Verdict(False, f"cannot read your formula: {exc}", readable=False)
    except (ArithmeticError, TypeError, ValueError, RecursionError, MemoryError):
        return Verdict(False, "too complex: this formula cannot be checked, grade yourself")
    return Verdict(correct, feedback)


def warm_up() -> None:
    """Import sympy and explain one wrong formula, so that later checks need no import. Meant
    for a background thread started while the learner reads the first card."""
    _formula("v_t / (1 - beta^t)", "v_t")


def _as_result(check):
    """A checker giving a Verdict as one giving (correct, feedback, readable), for clozes."""

    def result(expected: Any, text: str) -> tuple[bool, str, bool]:
        verdict = check(expected, text)
        return verdict.correct, verdict.feedback, verdict.readable

    return result


def _cloze(expected: Any, text: str, **_: Any) -> Verdict:
    return Verdict(*clozes.check(expected, text, _as_result(_numeric), _as_result(_text)))


def _order(expected: Any, text: str, *, options: tuple[str, ...] | None = None, **_: Any) -> Verdict:
    return Verdict(*order.check(tuple(expected), text, options))


_CHECKERS = {
    "truefalse": _truefalse, "choice": _choice, "numeric": _numeric, "shape": _shape,
    "formula": _formula, "text": _text, "cloze": _cloze, "order": _order,
}
