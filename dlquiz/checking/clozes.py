"""Checking what a learner types for a cloze card: each hidden part by what it is.

A cloze card's answer is its slots (dlquiz.decks.clozes): (hidden text, formula, how). `how` says
how a typed part is checked, decided once when the deck loads (`how`):

- "number": the hidden part is a number (`0.999`, `10^{-8}`, `64`): checked numerically;
- "math": it sits in a formula: the learner's part is put in its place and the side of the
  formula holding it is compared, as a whole, with the same side holding the true part
  (dlquiz.checking.equivalence: ten sample points, so any equivalent way of writing it is right);
- "text": it is prose: the normalised comparison of typed text answers;
- "self": a formula this reader cannot turn into plain math (dlquiz.checking.latex): the learner
  grades the card.

The typed part is plain math as for formula cards (`beta`, `β`, `1-beta`, `v_{dW}`, `dW^2`), or
LaTeX when it holds a backslash or a brace; the course's indices read as in the notes (`a^<t>`,
`a<t>`, `W^[l]`, `x^(i)`). A name the card's formula writes as a product (`QK` for Q·K) or spells
differently (`vt` for v_t) is read as the card's. A card hiding several parts (the same cN more
than once) takes them in order, separated by `;`.

This module returns (correct, feedback, readable); dlquiz.checking.answers makes the Verdict, and
passes in its numeric and text checkers (so there is no import cycle between the two).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any, Callable

from dlquiz.checking import equivalence, formula, latex
from dlquiz.checking.formula import FormulaError, Node

Result = tuple[bool, str, bool]  # (correct, feedback, readable)
Checker = Callable[[Any, str], Result]
SELF = "self"
_ACCENT_MARKS = {"\u0302": "_hat", "\u0303": "_tilde", "\u0304": "_bar", "\u0305": "_bar"}
_BRACKET_INDEX = re.compile(r"\^\s*(<[^<>]*>|⟨[^⟨⟩]*⟩|\[[^\[\]]*\])|(?<=[A-Za-z0-9\u0370-\u03ff}])(<[^<>=]*>|⟨[^⟨⟩]*⟩)")
_ROUND_INDEX = re.compile(r"\^\s*(\([A-Za-z][A-Za-z0-9+\-]{0,3}\))")


def how(content: str, template: str | None) -> str:
    """How a slot is checked: "number", "math", "text" or "self" (see the module docstring)."""
    if _number(content) is not None:
        return "number"
    if template is None:
        return "text"
    try:
        truth = _truth(template, content)
        tree = formula.parse_tree(truth)
        if len(equivalence.samples(tree, tree)) < 3:
            return SELF
    except (FormulaError, ValueError, ArithmeticError, RecursionError):
        return SELF
    return "math"


def checkable(slots: tuple) -> bool:
    """Whether every slot of a cloze card is checked by code (none left to the learner)."""
    return all(slot[2] != SELF for slot in slots)


@functools.lru_cache(maxsize=1024)
def _number(content: str) -> Any:
    """The value of a hidden part that is a plain number, or None."""
    if re.search(r"[A-Za-z]", re.sub(r"\\(?:frac|dfrac|tfrac|sqrt|cdot|times|left|right)", "", content)):
        return None
    try:
        return formula.evaluate(latex.to_plain(content).replace(" ", ""))
    except (FormulaError, ValueError, ArithmeticError):
        return None


@functools.lru_cache(maxsize=1024)
def _side(template: str) -> str:
    """The side of the formula (between its relations) that holds the slot, in plain math."""
    sides = [side for side in latex.segments(template) if latex.SLOT_MARK in side]
    if len(sides) != 1 or sides[0].count(latex.SLOT_MARK) != 1:
        raise latex.LatexError("the hidden part is not within one side of the formula")
    return sides[0]


def _put(side: str, part: str) -> str:
    if "=" in part:
        raise latex.LatexError("a hidden part holding a relation cannot be checked as math")
    return side.replace(latex.SLOT_MARK, f"({part})")


@functools.lru_cache(maxsize=1024)
def _truth(template: str, content: str) -> str:
    return _put(_side(template), latex.to_plain(content))


def typed_math(text: str, truth: str = "") -> str:
    """What a learner typed as plain math: LaTeX converted, accents and the course's indices
    made into names as the card's formula has them (`ŷ` -> y_hat, `a^<t>` -> a_{<t>})."""
    if "\\" in text or "{" in text:
        return latex.to_plain(text)
    text = unicodedata.normalize("NFD", text)
    text = re.sub("[\u0302\u0303\u0304\u0305]", lambda m: _ACCENT_MARKS[m.group()], text)
    text = unicodedata.normalize("NFC", text)
    text = _BRACKET_INDEX.sub(lambda m: "_{" + (m.group(1) or m.group(2)).replace("⟨", "<").replace("⟩", ">") + "}", text)
    indices = set(re.findall(r"_\{(\([^(){}]*\))\}", truth))
    return _ROUND_INDEX.sub(lambda m: "_{" + m.group(1) + "}" if m.group(1) in indices else m.group(), text)


def _split(name: str, known: set[str]) -> list[str] | None:
    """`name` as a run of the card's names (`QK` -> Q, K), or None."""
    if not name:
        return []
    for size in range(len(name), 0, -1):
        head = name[:size]
        if head in known:
            rest = _split(name[size:], known)
            if rest is not None:
                return [head, *rest]
    return None


def _fit(tree: Node, known: set[str]) -> Node:
    """The typed tree with names the card writes otherwise read as the card's."""
    typed = formula.names(tree)
    tree = equivalence.rename(tree, equivalence.align(known, typed))

    def walk(node: Node) -> Node:
        if node.op == "name":
            name = node.args[0]
            parts = None if name in known else _split(name, known)
            if parts and len(parts) > 1:
                return Node("*", tuple(Node("name", (part,), None) for part in parts), None)
            return node
        if node.op in ("num", "const"):
            return node
        return Node(node.op, tuple(walk(child) for child in node.args), node.value)

    return walk(tree)


def _math(template: str, content: str, typed: str) -> Result:
    truth = _truth(template, content)
    try:
        plain = typed_math(typed, truth)
        formula.parse_tree(plain)  # readable on its own: a message's positions are in what was typed
        mine = formula.parse_tree(_put(_side(template), plain))
    except formula.TooComplex as exc:
        return False, str(exc), True
    except FormulaError as exc:
        return False, f"cannot read your formula: {exc}", False
    target = equivalence.expected_tree(truth)
    try:
        return (*equivalence.compare_trees(target, _fit(mine, formula.names(target))), True)
    except formula.TooComplex as exc:
        return False, str(exc), True
    except (ArithmeticError, TypeError, ValueError, RecursionError, MemoryError):
        return False, "too complex: this formula cannot be checked, grade yourself", True


def _slot(slot: tuple, typed: str, numeric: Checker, words: Checker) -> Result:
    content, template, kind = slot
    if kind == "number":
        return numeric(_number(content), typed)
    if kind == "math":
        return _math(template, content, typed)
    if kind == "text":
        return words(content, typed)
    return False, "this cloze cannot be checked by code: grade yourself", True


def check(slots: tuple | str, text: str, numeric: Checker, words: Checker) -> Result:
    """Check a typed answer against a cloze card's slots (or, as a plain hidden text, a str)."""
    if isinstance(slots, str):
        slots = ((slots, None, how(slots, None)),)
    if len(slots) == 1:
        return _slot(slots[0], text, numeric, words)
    parts = [part.strip() for part in text.split(";")]
    if len(parts) != len(slots) or not all(parts):
        return False, f"this card hides {len(slots)} parts: type them in order, separated by ';'", False
    results = [_slot(slot, part, numeric, words) for slot, part in zip(slots, parts)]
    for number, (correct, feedback, readable) in enumerate(results, 1):
        if not readable:
            return False, f"part {number}: {feedback}", False
    wrong = [f"part {n}: {feedback}" for n, (correct, feedback, _) in enumerate(results, 1) if not correct]
    return (False, "; ".join(wrong), True) if wrong else (True, "correct", True)

