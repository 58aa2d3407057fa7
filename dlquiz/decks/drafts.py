"""Drafts: a card as the user typed it (from flags or prompts), parsed into a deck's values.

Every parser raises UsageError with one line naming the flag, so the CLI and the prompts of
dlquiz.interview share them. Also here: the id a new card gets (`<deck>-<slug>`, unique across
decks) and the near-duplicate questions a new card is warned about.
"""

from __future__ import annotations

import difflib
import math
import re
import string
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from dlquiz.checking import checks
from dlquiz.checking.shown import parse_shape
from dlquiz.decks import deckfile
from dlquiz.decks.format import ID_RE, KINDS, load_text
from dlquiz.errors import UsageError
from dlquiz.model import Card, Collection

CHECKABLE = ("numeric", "shape", "truefalse", "choice")
SIMILAR = 0.85  # difflib ratio of normalised questions from which a warning is given
_STOP = frozenset(
    "a an and are as at be by can do does for from give has have how i if in is it its of on or "
    "that the their them then there these this those to was we were what when where which who "
    "why will with would you your".split()
)
_TRUE = {"true": True, "t": True, "yes": True, "y": True, "false": False, "f": False, "no": False, "n": False}


@dataclass
class Draft:
    """A card as typed, before parsing: every value is the user's text (None when not given)."""

    deck: str | None = None
    kind: str | None = None
    question: str | None = None
    answer: list[str] = field(default_factory=list)  # several only for a choice card
    options: list[str] = field(default_factory=list)
    expr: str | None = None
    check: str | None = None
    tolerance: str | None = None
    explain: str | None = None
    note: str | None = None
    source: str | None = None
    tags: list[str] = field(default_factory=list)
    cite: str | None = None
    card_id: str | None = None
    course: str | None = None  # course, week, title, course_title: only for a new deck
    week: str | None = None
    title: str | None = None
    course_title: str | None = None


# ---------------------------------------------------------------------------------------------
# parsing what was typed; every message names the flag, on one line


def parse_kind(text: str | None) -> str:
    """A card kind (default basic)."""
    kind = (text or "basic").strip().lower()
    if kind not in KINDS:
        close = difflib.get_close_matches(kind, KINDS, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}?" if close else f"expected one of {', '.join(KINDS)}"
        raise UsageError(f"--kind: unknown kind {text!r} ({hint})")
    return kind


def parse_deck_id(text: str) -> str:
    """A deck id, as in the deck's file name."""
    if not ID_RE.match(text):
        raise UsageError(f"--deck: invalid deck id {text!r}: use lowercase letters, digits and hyphens")
    return text


def parse_int(text: str, flag: str) -> int:
    """A course or week number, 1 to 99."""
    try:
        value = int(text.strip())
    except ValueError:
        value = 0
    if not 1 <= value <= 99:
        raise UsageError(f"{flag}: {text!r} is not a whole number from 1 to 99")
    return value


def parse_number(text: str, flag: str) -> int | float:
    """An integer or a finite real number."""
    for convert in (int, float):
        try:
            value = convert(text.strip())
        except ValueError:
            continue
        if math.isfinite(value):
            return value
    raise UsageError(f"{flag}: {text!r} is not a number")


def parse_answer(kind: str, texts: list[str]) -> Any:
    """The answer as the deck stores it for this kind (see docs/deck-format.md)."""
    if not texts:
        raise UsageError("missing --answer")
    if kind == "order":
        if len(texts) < 2:
            raise UsageError("--answer: an order card needs its steps in order, one --answer each (at least 2)")
        return deckfile.Flow(texts)
    if len(texts) > 1 and kind != "choice":
        raise UsageError(f"--answer given {len(texts)} times; only choice and order cards have several answers")
    text = texts[0]
    if kind == "truefalse":
        value = _TRUE.get(text.strip().lower())
        if value is None:
            raise UsageError(f"--answer: {text!r} is not true or false")
        return value
    if kind == "numeric":
        return parse_number(text, "--answer")
    if kind == "shape":
        shape = parse_shape(text)
        if shape is None:
            raise UsageError(f"--answer: {text!r} is not a shape (write dimensions like 4,1 or n_x,m)")
        return deckfile.Flow(shape)
    if kind == "choice" and len(texts) > 1:
        return deckfile.Flow(texts)
    if kind == "formula" and "$" not in text:
        return f"${text.strip()}$"  # shown as math, as every formula answer is
    return text


def parse_tags(values: list[str]) -> list[str]:
    """Tags from repeated flags, each of which may hold several separated by commas or spaces."""
    tags: list[str] = []
    for value in values:
        tags += [t for t in re.split(r"[,\s]+", value) if t and t not in tags]
    return tags


def card_fields(draft: Draft, card_id: str) -> dict[str, Any]:
    """The card's keys and typed values, in the order the bundled decks use."""
    kind = parse_kind(draft.kind)
    fields: dict[str, Any] = {"id": card_id, "kind": kind}
    if draft.source:
        fields["source"] = draft.source
    fields["question"] = draft.question or ""
    if draft.options:
        fields["options"] = list(draft.options)
    if kind != "cloze":
        fields["answer"] = parse_answer(kind, draft.answer)
    elif draft.answer:
        raise UsageError("--answer: a cloze card has no answer: its {{c1::...}} parts are the answers")
    for key in ("expr", "check"):
        if getattr(draft, key):
            fields[key] = getattr(draft, key)
    if draft.tolerance is not None:
        fields["tolerance"] = parse_number(draft.tolerance, "--tolerance")
    for key in ("explain", "note", "cite"):
        if getattr(draft, key):
            fields[key] = getattr(draft, key)
    if draft.tags:
        fields["tags"] = deckfile.Flow(parse_tags(draft.tags))
    return fields


def card_problem(draft: Draft) -> str | None:
    """The draft's first problem as a card on its own (values, structure, the reference check,
    the formula parse), or None: for asking again at a prompt before the whole add runs."""
    try:
        fields = card_fields(draft, "draft")
    except UsageError as exc:
        return str(exc)
    text = deckfile.deck_header(1, 1, "draft") + deckfile.card_block(fields)
    deck, problems = load_text(text, "draft", "draft")
    if not problems:
        problems = checks.run(Collection([deck], {}), deck.cards).problems
    return problems[0].message.removeprefix("card 'draft': ") if problems else None


def missing(draft: Draft) -> list[str]:
    """The flags a non-interactive add still needs."""
    kind = (draft.kind or "basic").strip().lower()
    needed = [("--deck", draft.deck), ("--question", draft.question)]
    needed += [("--answer", draft.answer)] if kind != "cloze" else []
    needed += [("--option", draft.options)] if kind == "choice" else []
    needed += [("--expr", draft.expr)] if kind == "formula" else []
    return [flag for flag, value in needed if not value]


# ---------------------------------------------------------------------------------------------
# ids and near-duplicates


def slug(text: str, words: int = 5, limit: int = 40) -> str:
    """A short id-safe slug of a question: its first meaningful words."""
    plain = unicodedata.normalize("NFKD", re.sub(r"\W+", " ", text)).encode("ascii", "ignore").decode()
    tokens = re.findall(r"[a-z0-9]+", plain.lower())
    kept = [t for t in tokens if t not in _STOP] or tokens
    out: list[str] = []
    for token in kept[:words]:
        if out and len("-".join(out + [token])) > limit:
            break
        out.append(token[:limit])
    return "-".join(out) or "card"


def unique_id(deck_id: str, question: str, taken) -> str:
    """`<deck>-<slug>`, with -2, -3, ... appended while the id is taken."""
    base = f"{deck_id}-{slug(question)}"
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


_PUNCTUATION = str.maketrans({c: " " for c in string.punctuation})


def _normal(text: str) -> str:
    # translate, not a regex: this runs once per card of the collection on every add
    return " ".join(text.lower().translate(_PUNCTUATION).split())


def similar(question: str, cards, exclude: str | None = None, note: str | None = None) -> list[tuple[Card, float]]:
    """Cards whose question is nearly the same (normalised text, difflib ratio >= SIMILAR), but
    card `exclude` and the cards of cloze note `note`."""
    target = _normal(question)
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(target)
    found = []
    for card in cards:
        if card.id == exclude or (card.note_id is not None and card.note_id == note):
            continue
        matcher.set_seq1(_normal(card.question or ""))
        if matcher.real_quick_ratio() >= SIMILAR and matcher.quick_ratio() >= SIMILAR:
            ratio = matcher.ratio()
            if ratio >= SIMILAR:
                found.append((card, ratio))
    return sorted(found, key=lambda pair: -pair[1])


def warnings_for(card: Card, collection: Collection) -> list[str]:
    """A warning line for each card (up to 3) whose question is nearly the card's."""
    return [
        f"warning: the question is much like that of {other.id} ({other.where}, {ratio:.0%} alike)"
        for other, ratio in similar(card.question, collection.cards.values(), exclude=card.id, note=card.note_id)[:3]
    ]
