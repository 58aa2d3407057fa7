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

from dlquiz.checking import cloze_latex as latex
from dlquiz.checking import equivalence, formula
from dlquiz.cloze import SLOT
from dlquiz.checking.formula import FormulaError, Node
from dlquiz.checking.formula_parser import FUNCTIONS

Result = tuple[bool, str, bool]  # (correct, feedback, readable)
Checker = Callable[[Any, str], Result]
SELF = "self"
_ACCENT_MARKS = {"\u0302": "_hat", "\u0303": "_tilde", "\u0304": "_bar", "\u0305": "_bar"}
_BRACKET_INDEX = re.compile(r"\^\s*(<[^<>]*>|⟨[^⟨⟩]*⟩|\[[^\[\]]*\])|(?<=[A-Za-z0-9\u0370-\u03ff}])(<[^<>=]*>|⟨[^⟨⟩]*⟩)")
_ROUND_INDEX = re.compile(r"\^\s*(\([A-Za-z][A-Za-z0-9+\-]{0,3}\))")
_SUM = re.compile(r"(Σ|∑|∏|\bsum|\bprod)(?:\s*[_^]\s*(?:\{[^{}]*\}|[A-Za-z0-9]+))*(?![A-Za-z(])")
_LAYER_OF_FUNCTION = re.compile(r"\b(" + "|".join(FUNCTIONS) + r")_\{[^{}]*\}(?=\s*\()")
_WORD_SCRIPT = re.compile(r"\^\s*([A-Za-z]{2,})")
_INDEX = re.compile(r"<[^<>]*>|⟨[^⟨⟩]*⟩|\[[^\[\]]*\]|\([A-Za-z][A-Za-z0-9+\-]{0,3}\)")


def how(content: str, template: str | None) -> str:
    """How a slot is checked: "number", "math", "text" or "self" (see the module docstring)."""
    if _number(content) is not None:
        return "number"
    if template is None:
        return "text"
    try:
        for truth in _truths(template, content):
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
    return latex.slot_side(template)


def _put(side: str, part: str) -> str:
    if "=" in part:
        raise latex.LatexError("a hidden part holding a relation cannot be checked as math")
    return side.replace(latex.SLOT_MARK, f"({part})")


@functools.lru_cache(maxsize=1024)
def _truths(template: str, content: str) -> tuple[str, ...]:
    """What a typed part is compared with, in plain math: the side of the formula holding the
    slot with the hidden part in it; for a whole hidden formula, each side of it."""
    if template == SLOT:
        return tuple(latex.segments(content))
    return (_put(_side(template), latex.to_plain(content)),)


def _typed_sides(template: str, truths: tuple[str, ...], plain: str) -> list[str] | None:
    """The typed part placed as the truths are: in the formula's side, or, for a whole hidden
    formula, split at its relations (only the right-hand side may be typed); None when the
    sides do not pair up."""
    if template != SLOT:
        return [_put(_side(template), plain)]
    sides = [side.strip() for side in plain.replace(":=", "=").split("=")]
    if len(truths) == 1:
        return [plain]
    if len(sides) == 1:
        return [None] * (len(truths) - 1) + sides
    return sides if len(sides) == len(truths) else None


def typed_math(text: str, truth: str = "") -> str:
    """What a learner typed as plain math: LaTeX (anything with a backslash) converted; in plain
    math, accents and the course's indices made into names as the card's formula has them (`ŷ`
    -> y_hat, `a^<t>` and `a^{<t>}` -> a_{<t>}, `x^(i)` and `v^corrected` when the card's
    formula has such names), and a bracket holding a comma (`[a, x]`) a concatenation."""
    if "\\" in text:
        return latex.to_plain(text)
    text = unicodedata.normalize("NFD", text)
    text = re.sub("[\u0302\u0303\u0304\u0305]", lambda m: _ACCENT_MARKS[m.group()], text)
    text = unicodedata.normalize("NFC", text)
    text = _SUM.sub(lambda m: " sum " if m.group(1) in ("Σ", "∑", "sum") else " prod ", text)  # limits dropped, as in the card's
    text = re.sub(r"\^\s*\{([^{}]*)\}", lambda m: "^" + (m.group(1) if _INDEX.fullmatch(m.group(1).strip()) or m.group(1).isalpha()
                                                         else f"({m.group(1)})"), text)
    text = _BRACKET_INDEX.sub(lambda m: "_{" + (m.group(1) or m.group(2)).replace("⟨", "<").replace("⟩", ">") + "}", text)
    parts = set(re.findall(r"_\{([^{}]*)\}", truth))  # the card's name parts: (i), corrected, ...
    text = _ROUND_INDEX.sub(lambda m: "_{" + m.group(1) + "}" if m.group(1) in parts else m.group(), text)
    text = _WORD_SCRIPT.sub(lambda m: "_{" + m.group(1) + "}" if m.group(1) in parts else m.group(), text)
    text = _LAYER_OF_FUNCTION.sub(r"\1", text)  # g^[l](z) is the function g, as in the card's formula
    return _concatenations(text)


def _concatenations(text: str) -> str:
    """`[a, x]` and `(n, m)` as `cat(...)`: a bracket holding a comma at its own level is a
    concatenation or a tuple, unless it holds a function's arguments (`max(0, z)`)."""
    out, opened = list(text), []
    for at, char in enumerate(text):
        if char in "([":
            opened.append([at, False])
        elif char == "," and opened:
            opened[-1][1] = True
        elif char in ")]" and opened:
            start, comma = opened.pop()
            call = text[start] == "(" and re.search(r"[A-Za-z0-9_}]\s*\Z", text[:start])
            if comma and not call:
                out[start], out[at] = "cat(", ")"
    return "".join(out)


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

    def factors(node: Node) -> list[Node] | None:
        name = node.args[0]
        parts = None if name in known else _split(name, known)
        return [Node("name", (part,), None) for part in parts] if parts and len(parts) > 1 else None

    def walk(node: Node) -> Node:
        if node.op == "name":
            parts = factors(node)
            return Node("*", tuple(parts), None) if parts else node
        if node.op == "^" and node.args[0].op == "name" and (parts := factors(node.args[0])):
            # `QK^T` typed is Q·K^T, as the LaTeX reads: the power goes with the last letter
            return Node("*", (*parts[:-1], Node("^", (parts[-1], walk(node.args[1])), None)), None)
        if node.op in ("num", "const"):
            return node
        return Node(node.op, tuple(walk(child) for child in node.args), node.value)

    return walk(tree)


def _math(template: str, content: str, typed: str) -> Result:
    truths = _truths(template, content)
    try:
        plain = typed_math(typed, " ".join(truths))
        formula.parse_tree(plain)  # readable on its own: a message's positions are in what was typed
        sides = _typed_sides(template, truths, plain)
        if sides is None:
            return False, f"the answer has {len(truths)} sides, yours has {plain.count('=') + 1}", True
        mine = [None if side is None else formula.parse_tree(side) for side in sides]
    except formula.TooComplex as exc:
        return False, str(exc), True
    except FormulaError as exc:
        return False, f"cannot read your formula: {exc}", False
    try:
        for truth, tree in zip(truths, mine):
            if tree is None:  # a side not typed
                continue
            target = equivalence.expected_tree(truth)
            correct, feedback = equivalence.compare_trees(target, _fit(tree, formula.names(target)))
            if not correct:
                return False, feedback, True
    except formula.TooComplex as exc:
        return False, str(exc), True
    except (ArithmeticError, TypeError, ValueError, RecursionError, MemoryError):
        return False, "too complex: this formula cannot be checked, grade yourself", True
    return True, "correct", True


def _slot(slot: tuple, typed: str, numeric: Checker, words: Checker) -> Result:
    content, template, kind = slot
    if kind == "number":
        if "\\" in typed:  # typed as LaTeX: `2 \cdot 10^{-3}`
            try:
                typed = latex.to_plain(typed)
            except latex.LatexError as exc:
                return False, f"cannot read {typed!r} as a number: {exc}", False
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

