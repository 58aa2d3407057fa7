"""A cloze deck card: its text validated, and the card turned into one card per cloze number.

A deck card `kind: cloze` whose `question` holds clozes c1..cN becomes N cards of the collection,
`<id>-c1` ... `<id>-cN`, each with its own schedule and `note_id` = the deck card's id. A card's
`answer` is what it hides, one slot per occurrence of its number: (hidden text, formula, how),
where `formula` is the LaTeX of the formula the cloze sits in, with this cloze replaced by
`dlquiz.cloze.SLOT` and every other cloze revealed (None for a cloze in prose), and `how` says how
a typed part is checked (dlquiz.checking.clozes). The review checks
a typed answer against these slots (dlquiz.checking.clozes) without reading the text again.

Validation finds, in the text: clozes that cannot be read (unclosed, unbalanced braces, nested),
mistyped ones (`{{c1:x}}`), empty ones, numbering gaps, no cloze at all, a cloze that crosses the
edge of a formula, and one that splits a LaTeX construct (a dangling `^`, a `\\frac` without its
arguments, half of a `\\left ... \\right` pair).
"""

from __future__ import annotations

import re

from dlquiz import cloze as syntax
from dlquiz.checking import clozes as checking
from dlquiz.model import Card
from dlquiz.render.markup import formula_ranges

# Commands that take an argument: hiding one without its arguments splits the construct.
_NEEDS_ARGUMENT = re.compile(
    r"\\(?:frac|dfrac|tfrac|sqrt|hat|tilde|bar|vec|dot|text|mathrm|mathbf|mathit|operatorname|boxed|"
    r"overline|underline|left|right|begin|end|textbf|mathcal|widehat|widetilde)\s*\Z"
)


def _latex_problem(content: str) -> str | None:
    """Why hidden LaTeX cannot stand as a group of its own, or None."""
    stripped = content.strip()
    if stripped[:1] in ("^", "_") or stripped[-1:] in ("^", "_") or re.search(r"(?<!\\)(?:\\\\)*\\\Z", stripped):
        return "leaves a '^' or '_' without its argument"
    if _NEEDS_ARGUMENT.search(stripped):
        return "hides a command without its argument"
    if len(re.findall(r"\\left\b", stripped)) != len(re.findall(r"\\right\b", stripped)):
        return "splits a \\left ... \\right pair"
    if len(re.findall(r"\\begin\b", stripped)) != len(re.findall(r"\\end\b", stripped)):
        return "splits a \\begin ... \\end environment"
    if "&" in stripped.replace("\\&", "") or "\\\\" in stripped:
        return "splits a row of a matrix or alignment"
    return None


def read(text: str) -> tuple[list[syntax.Cloze], list[str]]:
    """The clozes of a cloze card's text and the problems found in it (messages)."""
    bad = syntax.malformed(text)
    if bad is not None:
        return [], [f"malformed cloze {bad!r}: write {{{{c1::hidden}}}} or {{{{c1::hidden::hint}}}}"]
    try:
        clozes = syntax.find(text)
    except syntax.ClozeError as exc:
        return [], [str(exc)]
    if not clozes:
        return [], ["a cloze card needs at least one cloze, like {{c1::hidden text}}"]
    problems = []
    numbers = syntax.numbers(clozes)
    if numbers[0] != 1:
        problems.append(f"cloze numbers start at c1, not c{numbers[0]}")
    missing = [n for n in range(1, numbers[-1] + 1) if n not in numbers]
    if missing and numbers[0] == 1:
        found = ", ".join(f"c{n}" for n in numbers)
        problems.append(f"cloze numbers skip {', '.join(f'c{n}' for n in missing)} (found {found})")
    revealed, spans = syntax.located(clozes, text)
    ranges = list(formula_ranges(revealed))
    for item, span in zip(clozes, spans):
        name = f"c{item.number}"
        if not item.content.strip():
            problems.append(f"cloze {name} is empty")
            continue
        if item.hint is not None and not item.hint.strip():
            problems.append(f"cloze {name} has an empty hint (leave out '::' for none)")
        where = syntax.place(span, ranges)
        if where == "crosses":
            problems.append(f"cloze {name} crosses the edge of a formula: put the whole formula or a part of it inside")
        elif where is not None:
            why = _latex_problem(item.content)
            if why:
                problems.append(f"cloze {name} {why}, so the formula no longer parses")
    if not problems:
        places = [syntax.place(span, ranges) for span in spans]
        in_prose = [span for span, place in zip(spans, places) if place is None]
        kept = [r for r in ranges if not any(s <= r[0] and r[1] <= e for s, e in in_prose)]
        shown = syntax.replace(text, clozes, lambda c: r"\boxed{}" if places[clozes.index(c)] else "[...]")
        if len(list(formula_ranges(shown))) != len(kept):
            problems.append("a cloze changes where a formula begins or ends (a space inside `$...$` next to a cloze?)")
    return clozes, problems


def slots(text: str, clozes: list[syntax.Cloze], number: int) -> tuple[tuple[str, str | None, str], ...]:
    """What card `number` hides: (hidden text, formula with the slot or None, how it is checked),
    per occurrence (dlquiz.checking.clozes.how)."""
    revealed, spans = syntax.located(clozes, text)
    ranges = list(formula_ranges(revealed))
    out = []
    for item, span in zip(clozes, spans):
        if item.number != number:
            continue
        where = syntax.place(span, ranges)
        if where is None:
            whole = next((r for r in ranges if r[0] == span[0] and r[1] == span[1]), None)
            if whole is not None:  # a cloze holding exactly one formula: checked as that formula
                out.append((revealed[whole[2]:whole[3]], syntax.SLOT))
            else:
                out.append((item.content, None))
            continue
        out.append((item.content, revealed[where[2]:span[0]] + syntax.SLOT + revealed[span[1]:where[3]]))
    return tuple((content, formula, checking.how(content, formula)) for content, formula in out)


def expand(card: Card, clozes: list[syntax.Cloze]) -> list[Card]:
    """The cards of a valid cloze deck card (`card`: the deck card, kind cloze, no answer)."""
    cards = []
    for number in syntax.numbers(clozes):
        cards.append(Card(
            id=syntax.sibling_id(card.id, number), deck=card.deck, kind="cloze", question=card.question,
            answer=slots(card.question, clozes, number), explain=card.explain, note=card.note, source=card.source,
            tags=card.tags, path=card.path, line=card.line, cite=card.cite, note_id=card.id,
        ))
    return cards
