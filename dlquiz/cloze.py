"""Cloze deletions in card text: Anki's `{{c1::hidden}}` and `{{c1::hidden::hint}}`, anywhere in
the text, also inside `$…$` and `$$…$$` LaTeX.

Unlike Anki's own reader (which ends a cloze at the first `}}`), a cloze here ends at the `}}` that
closes it with LaTeX braces balanced, so `{{c1::\\frac{a}{b}}}` hides the whole fraction. `::`
inside braces is part of the hidden text; at the top level it starts the hint. This module only
reads the syntax: which clozes there are, where, and the text with some of them replaced. Which
clozes sit inside math, how they show and how a typed answer is checked live elsewhere
(dlquiz.render.markup, dlquiz.checking.clozes, dlquiz.decks.clozes).

Base: imports nothing of dlquiz.
"""

from __future__ import annotations

import re
from typing import Callable, NamedTuple

SLOT = r"\dlqslot"  # where the hidden part sits in a formula of a cloze card's answer (checking reads it)
_OPEN = re.compile(r"\{\{c(\d+)::")
# `{{c1:x}}`, `{{C1::x}}`, `{{ c1::x}}`, `{{c 1::x}}`, `{{c1 ::x}}`: meant as clozes, read as text
_MALFORMED = re.compile(r"\{\{(?:\s*[cC]\s*\d+\s*:(?!:)|\s+[cC]\s*\d+\s*::|C\s*\d+\s*::|c\s+\d+\s*::|c\d+\s+::)")


class Cloze(NamedTuple):
    """One cloze of a text: its number (c1 -> 1), the hidden text, the hint (or None), and where
    it lies in the text (`start` at `{{`, `end` after `}}`)."""

    number: int
    content: str
    hint: str | None
    start: int
    end: int


class ClozeError(ValueError):
    """Text whose clozes cannot be read; the message says which and why."""


def find(text: str) -> list[Cloze]:
    """Every cloze of `text`, in order. Raises ClozeError for one that is not closed, holds
    unbalanced braces, or holds another cloze."""
    found = []
    position = 0
    while (match := _OPEN.search(text, position)) is not None:
        cloze = _read(text, match)
        found.append(cloze)
        position = cloze.end
    return found


def _read(text: str, match: re.Match) -> Cloze:
    number = int(match.group(1))
    name = f"c{number}"
    depth = 0
    hint_at = None
    i = match.end()
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if text.startswith("{{c", i) and _OPEN.match(text, i):
            raise ClozeError(f"cloze {name} holds another cloze (nested clozes are not supported)")
        if char == "{":
            depth += 1
        elif char == "}":
            if depth == 0:
                if text.startswith("}}", i):
                    content_end = hint_at - 2 if hint_at is not None else i
                    content = text[match.end():content_end]
                    hint = text[hint_at:i] if hint_at is not None else None
                    return Cloze(number, content, hint, match.start(), i + 2)
                raise ClozeError(f"cloze {name} has unbalanced braces: a '}}' closes nothing in it")
            depth -= 1
        elif char == ":" and depth == 0 and hint_at is None and text.startswith("::", i):
            hint_at = i + 2
            i += 2
            continue
        i += 1
    if depth:
        raise ClozeError(f"cloze {name} has unbalanced braces: {depth} '{{' never closed")
    raise ClozeError(f"cloze {name} is not closed (no '}}}}' after '{{{{{name}::')")


def find_quietly(text: str) -> list[Cloze]:
    """`find`, with no clozes for text whose clozes cannot be read."""
    try:
        return find(text)
    except ClozeError:
        return []


def malformed(text: str) -> str | None:
    """A piece of text that looks like a mistyped cloze (`{{c1:x}}`, `{{C1::x}}`), or None."""
    match = _MALFORMED.search(text)
    return match.group() if match else None


def numbers(clozes: list[Cloze]) -> list[int]:
    """The distinct cloze numbers, in increasing order."""
    return sorted({cloze.number for cloze in clozes})


def replace(text: str, clozes: list[Cloze], show: Callable[[Cloze], str]) -> str:
    """`text` with each cloze replaced by `show(cloze)`."""
    out, position = [], 0
    for cloze in clozes:
        out.append(text[position:cloze.start])
        out.append(show(cloze))
        position = cloze.end
    out.append(text[position:])
    return "".join(out)


def reveal(text: str) -> str:
    """`text` with every cloze replaced by its hidden text: the note as a whole."""
    return replace(text, find(text), lambda cloze: cloze.content)


def located(clozes: list[Cloze], text: str) -> tuple[str, list[tuple[int, int]]]:
    """The text with every cloze revealed, and where each cloze's hidden text lies in it."""
    out, spans, position, length = [], [], 0, 0
    for item in clozes:
        before = text[position:item.start]
        out += [before, item.content]
        length += len(before)
        spans.append((length, length + len(item.content)))
        length += len(item.content)
        position = item.end
    out.append(text[position:])
    return "".join(out), spans


def place(span: tuple[int, int], ranges: list[tuple[int, int, int, int]]) -> tuple[int, int, int, int] | str | None:
    """Where a cloze's hidden text (`span`, from `located`) lies among the formulas of the revealed
    text (`ranges`: (start, end, LaTeX start, LaTeX end), as dlquiz.render.markup.formula_ranges
    gives them): the range of the formula it lies inside, None when it lies in prose (whole
    formulas included), or "crosses" when it cuts a formula's edge."""
    start, end = span
    for formula in ranges:
        if formula[2] <= start and end <= formula[3]:
            return formula
        if start < formula[1] and formula[0] < end and not (start <= formula[0] and formula[1] <= end):
            return "crosses"
    return None


def sibling_id(note_id: str, number: int) -> str:
    """The id of cloze `number` of a note: `<note id>-c<number>`."""
    return f"{note_id}-c{number}"
