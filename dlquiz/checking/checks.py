"""Content is code: run every card's reference `check` against its stated answer, and make sure
every formula card's `expr` parses and is the formula its answer shows (dlquiz.checking.latex), and every
template card draws.

A check is a small expression (`conv_param_count(f=5, n_c_prev=3, n_c=100)`) evaluated safely
and within bounds by dlquiz.checking.expressions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from dlquiz.checking.expressions import CheckError, evaluate, functions_help  # noqa: F401 (this module's API)
from dlquiz.checking.expressions import functions as _functions
from dlquiz.errors import Problem, clip
from dlquiz.model import Card, Collection


def _plain(value: Any) -> Any:
    """NumPy scalars and tuples as plain Python values."""
    if hasattr(value, "item") and not isinstance(value, (list, tuple)):
        try:
            return value.item()
        except (ValueError, TypeError):
            return value
    if isinstance(value, (list, tuple)):
        return tuple(_plain(v) for v in value)
    return value


def mismatch(card: Card, value: Any) -> str | None:
    """Why `value` (a check's result) disagrees with the card's answer, or None if it agrees."""
    value = _plain(value)
    answer = card.answer
    if card.kind == "numeric":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"check gives {value!r}, not a number"
        if isinstance(answer, int) and isinstance(value, int):
            agree = answer == value
        else:
            agree = math.isclose(answer, value, rel_tol=1e-9, abs_tol=1e-12)
        return None if agree else f"check gives {value!r}, but the answer is {answer!r}"
    if card.kind == "shape":
        shape = value if isinstance(value, tuple) else None
        return None if shape == tuple(answer) else f"check gives {value!r}, but the answer is {list(answer)!r}"
    if card.kind == "truefalse":
        if not isinstance(value, bool):
            return f"check gives {value!r}, not true or false"
        return None if value is answer else f"check gives {value!r}, but the answer is {answer!r}"
    if card.kind == "choice":
        expected = answer if isinstance(answer, tuple) else (answer,)
        got = value if isinstance(value, tuple) else (value,)
        return None if set(got) == set(expected) else f"check gives {value!r}, but the answer is {answer!r}"
    return f"a {card.kind} card cannot have a check"  # pragma: no cover - decks.py refuses it


@dataclass
class Report:
    """What `dlquiz check` found beyond the structure of the decks."""

    problems: list[Problem] = field(default_factory=list)
    checks: int = 0
    formulas: int = 0
    templates: int = 0  # template cards, each drawn TEMPLATE_DRAWS times


def run(collection: Collection, cards: list[Card] | None = None) -> Report:
    """Run every reference check and parse every formula of the given cards (default: all)."""
    report = Report()
    functions = None
    cards = list(cards if cards is not None else collection.cards.values())
    notes = {card.note_id: card for card in cards if card.note_id is not None}
    for card in cards:
        if card.id in notes:  # a cloze note's id names its Anki note: no other card may take it
            other = notes[card.id]
            report.problems.append(Problem(card.path, card.line, f"card {card.id!r}: the id is taken by the cloze card at {other.where}"))
        if card.check:
            functions = functions or _functions()
            report.checks += 1
            try:
                why = mismatch(card, evaluate(card.check, functions))
            except CheckError as exc:
                why = f"check {clip(card.check)} failed: {exc}"
            if why:
                report.problems.append(Problem(card.path, card.line, f"card {card.id!r}: {why}"))
        if card.expr:
            from dlquiz.checking import formula

            report.formulas += 1
            try:
                formula.parse(card.expr)
                why = _comparable(card.expr) or (_disagreement(card) if card.kind == "formula" else None)
            except formula.FormulaError as exc:
                why = f"expr {clip(card.expr)} does not parse: {exc}"
            if why:
                report.problems.append(Problem(card.path, card.line, f"card {card.id!r}: {why}"))
        if card.template:
            report.templates += 1
            why = template_problem(card)
            if why:
                report.problems.append(Problem(card.path, card.line, f"card {card.id!r}: {why}"))
    return report


def _comparable(expr: str) -> str | None:
    """Typed formulas are compared with `expr` at sample points: it needs values at enough of them."""
    from dlquiz.checking import equivalence

    tree = equivalence.expected_tree(expr)
    if len(equivalence.samples(tree, tree)) < 3:
        return f"expr {clip(expr)} has no value at most sample points, so typed answers cannot be compared with it"
    return None


def _disagreement(card: Card) -> str | None:
    """A formula card's answer as shown must be its `expr` (dlquiz.checking.latex)."""
    from dlquiz.checking import latex

    return latex.disagreement(card.answer, card.expr)


TEMPLATE_DRAWS = 100


def _closed_value(kind: str, closed: Any) -> Any:
    """The value of a drawn problem's worked solution, as plain numbers (or option texts)."""
    from dlquiz.checking import formula

    def number(text: Any) -> Any:
        value = formula.evaluate(text) if isinstance(text, str) else text
        if isinstance(value, Fraction):
            return value.numerator if value.denominator == 1 else float(value)
        return value

    if kind == "numeric":
        return number(closed)
    return tuple(number(d) for d in closed) if kind == "shape" else closed


def _typed_forms(card: Card) -> set[str]:
    """The answer as a learner would type it from what dlquiz shows."""
    from dlquiz.checking import answers

    if card.kind == "numeric":
        return {f"{card.answer:g}", answers.show_number(card.answer)}
    if card.kind == "shape":
        return {answers.show_shape(card.answer)}
    chosen = card.answer if isinstance(card.answer, tuple) else (card.answer,)
    return {", ".join(chr(ord("A") + card.options.index(text)) for text in chosen)}


def template_problem(card: Card, draws: int = TEMPLATE_DRAWS) -> str | None:
    """Why a template card fails, naming the draw, or None. Every draw must build; its worked
    solution must give the reference implementation's answer; and that answer, typed as dlquiz
    shows it, must be accepted by the answer checker."""
    from dlquiz.checking import answers, formula
    from dlquiz.checking.templates import catalog as templates

    for number in range(draws):
        try:
            filled, drawn = templates.draw(card, number)
            why = mismatch(filled, _closed_value(filled.kind, drawn.closed))
            why = why and "the worked solution " + why.removeprefix("check ")
            for typed in () if why else sorted(_typed_forms(filled)):
                verdict = answers.check_card(filled, typed)
                if not verdict.correct:
                    why = f"the answer typed as {typed!r} is refused ({verdict.feedback})"
                    break
        except (templates.TemplateError, formula.FormulaError) as exc:
            why = str(exc)
        except (ValueError, TypeError, ArithmeticError, IndexError, KeyError) as exc:
            why = f"{type(exc).__name__}: {exc}"
        if why:
            return f"template {card.template!r}, draw {number}: {why}"
    return None
