"""Parametric cards: a card with `template: NAME` draws fresh numbers at every review, asks its
question with them, computes the answer with dlquiz.reference and shows a worked solution with
the learner's own numbers (`⌊(32 + 2·1 − 5) / 2⌋ + 1 = 15`).

A deck card names the template and may narrow its parameters:

    - id: c4w1-conv-output-size-drill
      template: conv_output_size
      params: {n: 16..64, f: [3, 5], stride: 2}     # a range, a list to pick from, or one value

The numbers depend only on the card's id and the draw number (the review count), through
SHA-256, so a draw is the same in every process and undo shows the same card again.

The templates themselves live in dlquiz.checking.templates.conv (course 4) and .nets (courses 1,
2 and 5), built with dlquiz.checking.templates.kit; each registers itself with the `template`
decorator. This module and those import no NumPy: dlquiz.reference is imported when a card is
drawn, not when decks are loaded.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import random
import re
from fractions import Fraction
from typing import Any, Callable, Sequence

from dlquiz.checking.templates.kit import (  # noqa: F401 (this module's API)
    TEMPLATES,
    TRIES,
    Drawn,
    Param,
    Template,
    TemplateError,
)
from dlquiz.errors import DeckError, Problem, clip, cut

# A template card's question, answer, explain and kind come from its template.
DRAWN_KEYS = ("kind", "question", "answer", "options", "expr", "check", "explain")
# A range's ends: at most 16 digits and 6 decimals (every parameter's bounds are far inside that).
_RANGE = re.compile(r"\s*(-?\d{1,16}(?:\.\d{1,6})?)\s*\.\.\s*(-?\d{1,16}(?:\.\d{1,6})?)\s*\Z")


def registry() -> dict[str, Template]:
    """Every template by name."""
    from dlquiz.checking.templates import conv, nets  # noqa: F401 - they register themselves

    return TEMPLATES


# ---------------------------------------------------------------------------------------------
# params in deck files


class Steps(Sequence):
    """The decimals from `low` to `high` in steps of their last place: 0.80..0.99 is 20 values."""

    def __init__(self, low: str, high: str):
        self.places = max(len(x.partition(".")[2]) for x in (low, high))
        self.low = Fraction(low)
        self.count = int((Fraction(high) - self.low) * 10**self.places) + 1

    def __len__(self) -> int:
        return max(self.count, 0)

    def __getitem__(self, index: int) -> float:
        if not -len(self) <= index < len(self):
            raise IndexError(index)
        return round(float(self.low + Fraction(index % len(self), 10**self.places)), self.places)


def _is_number(value: Any, kind: type) -> bool:
    if isinstance(value, bool):
        return kind is bool
    return isinstance(value, int) if kind is int else isinstance(value, (int, float)) if kind is float else False


def values_of(param: Param, spec: tuple | str) -> Sequence:
    """The values to draw from for a stored spec: a tuple of values, or a range text `8..64`."""
    if isinstance(spec, tuple):
        return spec
    low, high = _RANGE.match(spec).groups()
    return range(int(low), int(high) + 1) if param.kind is int else Steps(low, high)


def parse_values(param: Param, raw: Any) -> tuple[tuple | str | None, str | None]:
    """A card's `params:` entry as (spec for `values_of`, None), or (None, what is wrong). A spec
    is plain values so that the deck cache can store it."""
    if isinstance(raw, str) and param.kind in (int, float) and (match := _RANGE.match(raw)):
        low, high = match.groups()
        if param.kind is int and "." in low + high:
            return None, f"a range of whole numbers like 8..64, not {clip(raw)}"
        ends = (int(low), int(high)) if param.kind is int else (float(low), float(high))
        if ends[0] > ends[1]:
            return None, f"a range from low to high, not {clip(raw)}"
        spec: tuple | str = f"{low}..{high}"  # (its ends are checked below, before it is ever counted)
    else:
        if isinstance(raw, list) and not raw:
            return None, "an empty list"
        spec = ends = tuple(raw) if isinstance(raw, list) else (raw,)
    for value in ends:
        if param.kind is str:
            if value not in param.default:
                return None, f"one of {', '.join(param.default)}, not {clip(value)}"
        elif not _is_number(value, param.kind):
            wanted = {int: "a whole number", float: "a number", bool: "true or false"}[param.kind]
            return None, f"{wanted} (or a list, or a range like 8..64), not {clip(value)}"
        elif param.minimum is not None and value < param.minimum:
            return None, f"at least {param.minimum}, not {clip(value)}"
        elif param.maximum is not None and value > param.maximum:
            return None, f"at most {param.maximum}, not {clip(value)}"
    return spec, None


def _did_you_mean(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def validate_card(raw: Any, report: Callable[[int, str], None]) -> dict | None:
    """Check a deck card with `template:` (a mapping that knows the line of each key, as decks.py
    builds them). Reports each problem as (line, message); returns the Card fields the template
    fills in, or None when the card is invalid."""
    problems = []

    def bad(line: int, message: str) -> None:
        problems.append(message)
        report(line, message)

    for key in DRAWN_KEYS:
        if key in raw:
            bad(raw.lines[key], f"{key!r} comes from the template; remove it")
    name = raw["template"]
    found = registry().get(name) if isinstance(name, str) else None
    if found is None:
        bad(raw.lines["template"], f"unknown template {clip(name)}{_did_you_mean(str(name), sorted(TEMPLATES))}")
        return None
    params = {}
    given = raw.get("params", {})
    if not isinstance(given, dict):
        bad(raw.lines["params"], "'params' must be a mapping like {n: 8..64, f: [3, 5]}")
        given = {}
    known = {p.name: p for p in found.params}
    for key, value in given.items():
        if key not in known:
            names = ", ".join(known)
            bad(given.lines[key], f"unknown param {clip(key)} of template {name!r}{_did_you_mean(str(key), known)} (its params: {names})")
            continue
        spec, wrong = parse_values(known[key], value)
        if wrong:
            bad(given.lines[key], f"param {key!r} must be {wrong}")
        else:
            params[key] = spec
    tolerance = raw.get("tolerance")
    if "tolerance" in raw:
        if found.kind != "numeric":
            bad(raw.lines["tolerance"], f"'tolerance' is only for numeric templates ({name!r} asks for a {found.kind})")
        elif isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)) or tolerance <= 0:
            bad(raw.lines["tolerance"], "'tolerance' must be a positive number")
    if problems:
        return None
    return {
        "template": name, "params": params, "question": found.summary, "answer": found.formula,
        "explain": found.why + " (A template card: every review draws new numbers.)",
        "tolerance": tolerance if tolerance is not None else found.tolerance,
    }


# ---------------------------------------------------------------------------------------------
# drawing


def _rng(card_id: str, number: int) -> random.Random:
    digest = hashlib.sha256(f"{card_id}#{number}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def draw(card: Any, number: int) -> tuple[Any, Drawn]:
    """Draw a template card: (the card filled in for this draw, the drawn problem)."""
    found = registry()[card.template]
    rng = _rng(card.id, number)
    chosen = card.params or {}
    specs = {p.name: values_of(p, chosen[p.name]) if p.name in chosen else p.default for p in found.params}
    for _ in range(TRIES):
        values = {name: rng.choice(spec) for name, spec in specs.items()}
        if found.valid is None or found.valid(values):
            break
    else:
        raise TemplateError(f"its params give no valid {found.name} problem in {TRIES} tries")
    drawn = found.build(values, rng)
    explain = "  \n".join(drawn.steps) + "\n\n" + found.why
    filled = dataclasses.replace(
        card, kind=found.kind, question=drawn.question, answer=drawn.answer, explain=explain,
        options=drawn.options, tolerance=card.tolerance if card.tolerance is not None else found.tolerance,
    )
    return filled, drawn


def instantiate(card: Any, draw_number: int) -> Any:
    """The card for one review: for a template card a copy (dataclasses.replace) with question,
    answer, explain (the worked solution with the drawn numbers) and kind filled in, the same
    for the same (card.id, draw_number) in every process; any other card unchanged. A card
    whose params give no problem is a DeckError naming it (`dlquiz check` finds it first)."""
    if getattr(card, "template", None) is None:
        return card
    try:
        return draw(card, draw_number)[0]
    except (TemplateError, ValueError, ArithmeticError, TypeError) as exc:
        message = f"card {card.id!r} cannot be drawn: {cut(str(exc))} (see dlquiz check)"
        raise DeckError([Problem(card.path, card.line, message)]) from None
