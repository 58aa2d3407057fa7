"""What a template is made of, and the kit its build functions use.

A template (dlquiz.checking.templates.conv, .nets) is a function `build(values, rng) -> Drawn`
registered with the `template` decorator, with its parameters (`Param`) and the texts a card
shows in its place. The helpers below write its question and worked solution (`solved`,
`num`, `decimal`, `sub`, `shown`). Drawing and validation live in dlquiz.checking.templates.catalog.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable, Sequence

from dlquiz.checking.shown import minus, show_number

TRIES = 100  # draws of parameters before giving up on a `valid` constraint

class TemplateError(ValueError):
    """A template card that cannot be drawn: its params never give a valid problem."""


@dataclass(frozen=True)
class Param:
    """One parameter of a template: what it is drawn from unless a card narrows it. A number
    declares its bounds: a deck may narrow it only within them, so that every draw stays small
    in time and memory (a card cannot ask for a 10⁹-position encoding)."""

    name: str
    default: Sequence
    kind: type = int
    minimum: float | None = None
    maximum: float | None = None

    def __post_init__(self) -> None:
        if self.kind in (int, float) and (self.minimum is None or self.maximum is None):
            raise TypeError(f"template parameter {self.name!r} must declare its minimum and maximum")


@dataclass(frozen=True)
class Drawn:
    """One drawn problem. `closed` computes the answer a second way, from the worked solution
    (plain math for a number, one per dimension for a shape, the option texts for a choice);
    `dlquiz check` makes sure the two agree."""

    question: str
    answer: Any
    steps: tuple[str, ...]
    closed: Any
    options: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Template:
    name: str
    kind: str
    summary: str  # the question in symbols, shown by `dlquiz show` and exports
    formula: str  # the answer in symbols
    why: str  # one or two sentences of explanation, after the worked solution
    params: tuple[Param, ...]
    build: Callable[[dict, random.Random], Drawn]
    valid: Callable[[dict], bool] | None = None
    tolerance: float | None = None


TEMPLATES: dict[str, Template] = {}


def template(name: str, kind: str, *, summary: str, formula: str, why: str, params: tuple[Param, ...],
             valid: Callable[[dict], bool] | None = None, tolerance: float | None = None) -> Callable:
    """Register `build(values, rng) -> Drawn` as the template `name`."""

    def register(build: Callable[[dict, random.Random], Drawn]) -> Callable:
        TEMPLATES[name] = Template(name, kind, summary, formula, why, params, build, valid, tolerance)
        return build

    return register



# ---------------------------------------------------------------------------------------------
# helpers for the template modules


def solved(question: str, answer: Any, rule: str, closed: str) -> Drawn:
    """A problem with a one-line worked solution: `rule = closed = answer`."""
    return Drawn(question, answer, (f"{rule} = {closed} = {shown(answer)}",), closed)


def until(make: Callable[[], Any], accept: Callable[[Any], bool], what: str) -> Any:
    """Call make() until accept(result); a TemplateError after 10 * TRIES tries."""
    for _ in range(10 * TRIES):
        result = make()
        if accept(result):
            return result
    raise TemplateError(f"no {what} in {10 * TRIES} tries")


def article(number: int) -> str:
    """'A' or 'An' before a number read aloud: an 8, an 11, an 18, an 80-89, an 800..."""
    text = str(number)
    return "An" if text.startswith("8") or text in ("11", "18") or (len(text) in (5, 6) and text[:2] in ("11", "18")) else "A"


def num(value: Any) -> str:
    """A number inside a formula: `3`, `0.25`, `(−2)` (negative ones in parentheses)."""
    if isinstance(value, Fraction):
        value = value.numerator if value.denominator == 1 else float(value)
    text = str(value) if isinstance(value, int) else f"{value:.10g}"
    return f"(−{text[1:]})" if text.startswith("-") else text


def decimal(value: Fraction) -> str:
    """A terminating Fraction as its exact decimal text (0.271, 2.9)."""
    places = 0
    while (value * 10**places).denominator != 1:
        places += 1
        if places > 30:
            raise ValueError(f"{value} has no short decimal form")
    digits = str(abs(value * 10**places).numerator).rjust(places + 1, "0")
    text = digits[: len(digits) - places] + ("." + digits[-places:] if places else "")
    return f"(−{text})" if value < 0 else text


def sub(value: Any) -> str:
    """Digits as subscripts: `v₂`, `θ₁₂`."""
    return str(value).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def shown(value: Any) -> str:
    """A result as the worked solution shows it: `7,600`, `0.2353`, `−0.1`."""
    return show_number(value)


def numbers(values: Sequence[Any], brackets: str = "()") -> str:
    """Numbers in a question, with minus signs as the worked solution has them: `(−1, 2)` (no
    brackets with `brackets=""`)."""
    return brackets[:1] + ", ".join(minus(str(v)) for v in values) + brackets[1:]
