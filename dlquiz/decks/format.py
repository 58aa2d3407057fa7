"""The deck format: YAML values -> validated Card and Deck objects, every problem as `path:line`.

A deck is one YAML file (format: docs/deck-format.md). Validation is strict: every problem of a
file is collected and reported together as `path:line: message`, and nothing half-valid is
returned. A typo in a key is an error with a suggestion, never a silently ignored key. Reading
the YAML itself is dlquiz.decks.yamlread; finding and reading the files is dlquiz.decks.files.
"""

from __future__ import annotations

import difflib
import re
from typing import Any, Iterable

from dlquiz import cloze as cloze_syntax
from dlquiz.checking.shown import parse_shape
from dlquiz.decks.yamlread import Bad as _Bad
from dlquiz.decks.yamlread import YMap as _Map
from dlquiz.decks.yamlread import parse_yaml
from dlquiz.errors import Problem, clip
from dlquiz.model import Card, Deck

KINDS = ("basic", "truefalse", "choice", "numeric", "shape", "formula", "cloze", "order")
ID_RE = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
DECK_KEYS = ("course", "course_title", "week", "title", "cards")
CARD_KEYS = (
    "id", "kind", "question", "answer", "options", "expr", "check", "tolerance",
    "explain", "note", "source", "tags", "template", "params", "cite",
)
# Keys people reach for from other tools, mapped to ours for the "did you mean".
_ALIASES = {
    "q": "question", "a": "answer", "front": "question", "back": "answer",
    "explanation": "explain", "type": "kind", "choices": "options", "tag": "tags",
    "name": "title", "description": "title",
}
_ONLY_FOR = {"options": "choice", "expr": "formula", "tolerance": "numeric"}
_CHECKABLE = ("numeric", "shape", "truefalse", "choice")

# ---------------------------------------------------------------------------------------------
# validation


def _did_you_mean(key: str, allowed: Iterable[str]) -> str:
    allowed = tuple(allowed)
    guess = _ALIASES.get(key.lower())
    if guess not in allowed:
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        guess = close[0] if close else None
    return f" (did you mean {guess!r}?)" if guess else ""


def _unknown_keys(mapping: _Map, allowed: tuple[str, ...], what: str, problems: list, path: str):
    for key in mapping:
        if key not in allowed:
            problems.append(Problem(path, mapping.lines[key], f"unknown {what} key {clip(key)}{_did_you_mean(key, allowed)}"))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def what_it_is(value: Any) -> str:
    """A YAML value's kind as a deck's author knows it: `a list`, `a number`, `empty`."""
    if value is None or value == "":
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "a date" if hasattr(value, "isoformat") else "text" if isinstance(value, str) else "a value"


def _text(card: _Map, key: str, problems: list, path: str, required: bool = False) -> str | None:
    if key not in card:
        if required:
            problems.append(Problem(path, card.line, f"card is missing {key!r}"))
        return None
    value = card[key]
    if not isinstance(value, str) or not value.strip():
        problems.append(Problem(path, card.lines[key], f"{key!r} must be text, not {what_it_is(value)}"))
        return None
    return value


def _answer(card: _Map, kind: str, problems: list, path: str) -> tuple[Any, tuple | None]:
    """Validate `answer` (and `options`) for the kind; returns (answer, options)."""
    if "answer" not in card:
        problems.append(Problem(path, card.line, "card is missing 'answer'"))
        return None, None
    answer = card["answer"]
    line = card.lines["answer"]
    bad = lambda message: problems.append(Problem(path, line, message))  # noqa: E731
    if kind in ("basic", "formula"):
        if not isinstance(answer, str) or not answer.strip():
            hint = " (for a number use kind: numeric)" if _is_number(answer) and kind == "basic" else ""
            bad(f"the answer of a {kind} card must be text{hint}")
    elif kind == "truefalse":
        if not isinstance(answer, bool):
            bad(f"the answer of a truefalse card must be true or false{_truth_hint(answer)}")
    elif kind == "numeric":
        if not _is_number(answer):
            bad(f"the answer of a numeric card must be a number, not {clip(answer)}")
    elif kind == "shape":
        shape = parse_shape(answer)
        if shape is None:
            bad(f"the answer of a shape card must be a list of dimensions like [4, 1], not {clip(answer)}")
        answer = shape
    elif kind == "order":
        answer = _steps(answer, line, problems, path)
    options = None
    if kind == "choice":
        options = _options(card, problems, path)
        answers = answer if isinstance(answer, list) else [answer]
        if not answers or not all(isinstance(a, str) for a in answers):
            bad("the answer of a choice card must be an option's text, or a list of them")
        elif options is not None:
            for text in answers:
                if text not in options:
                    close = difflib.get_close_matches(text, options, n=1, cutoff=0.6)
                    hint = f" (did you mean {clip(close[0])}?)" if close else ""
                    bad(f"answer {clip(text)} is not among the options{hint}")
            if len(set(answers)) != len(answers):
                bad("the answer lists an option twice")
        if isinstance(answer, list):
            answer = tuple(answer)
    return answer, options


def _steps(answer: Any, line: int, problems: list, path: str) -> tuple[str, ...] | None:
    """An order card's answer: its steps in order, at least two, each text, none twice."""
    if not isinstance(answer, list) or len(answer) < 2:
        problems.append(Problem(path, line, "the answer of an order card must be a list of at least 2 steps, in order"))
        return None
    for index, step in enumerate(answer):
        if not isinstance(step, str) or not step.strip():
            problems.append(Problem(path, answer.lines[index], f"step {index + 1} must be text (quote it: '{step}')"))
            return None
    if len(set(answer)) != len(answer):
        problems.append(Problem(path, line, "the answer lists the same step twice"))
        return None
    return tuple(answer)


_TRUTH = {"yes": "true", "y": "true", "on": "true", "t": "true", "1": "true",
          "no": "false", "n": "false", "off": "false", "f": "false", "0": "false"}


def _truth_hint(answer: Any) -> str:
    """`, not 'ture' (did you mean true?)` for a truefalse answer that is not a boolean."""
    word = str(answer).strip().lower()
    guess = _TRUTH.get(word) or next(iter(difflib.get_close_matches(word, ("true", "false"), n=1, cutoff=0.5)), None)
    return f", not {answer!r}" + (f" (did you mean {guess}?)" if guess else "")


def _options(card: _Map, problems: list, path: str) -> tuple[str, ...] | None:
    if "options" not in card:
        problems.append(Problem(path, card.line, "a choice card needs 'options'"))
        return None
    options = card["options"]
    if not isinstance(options, list) or len(options) < 2:
        problems.append(Problem(path, card.lines["options"], "'options' must be a list of at least 2 choices"))
        return None
    ok = True
    for index, option in enumerate(options):
        if not isinstance(option, str) or not option.strip():
            problems.append(Problem(path, options.lines[index], f"option {index + 1} must be text (quote it: {clip(str(option))})"))
            ok = False
    if ok and len(set(options)) != len(options):
        problems.append(Problem(path, card.lines["options"], "'options' has the same choice twice"))
        ok = False
    return tuple(options) if ok else None


def _card(raw: Any, line: int, deck_id: str, path: str, problems: list) -> Card | list[Card] | None:
    if not isinstance(raw, _Map):
        problems.append(Problem(path, line, "a card must be a mapping of keys like id, question and answer"))
        return None
    before = len(problems)
    _unknown_keys(raw, CARD_KEYS, "card", problems, path)
    card_id = raw.get("id")
    if "id" not in raw:
        problems.append(Problem(path, raw.line, "card is missing 'id'"))
    elif not isinstance(card_id, str) or not ID_RE.match(card_id):
        problems.append(Problem(path, raw.lines["id"], f"invalid id {clip(card_id)}: use lowercase letters, digits and hyphens, starting with a letter or digit"))
    if "template" in raw:
        return _template_card(raw, card_id, deck_id, path, problems, before)
    if "params" in raw:
        problems.append(Problem(path, raw.lines["params"], "'params' is only for template cards (with 'template:')"))
    kind = raw.get("kind", "basic")
    if kind not in KINDS:
        hint = _did_you_mean(str(kind), KINDS) or f" (expected one of {', '.join(KINDS)})"
        problems.append(Problem(path, raw.lines["kind"], f"unknown kind {clip(kind)}{hint}"))
        kind = None
    for key, only in _ONLY_FOR.items():
        if key in raw and kind and kind != only:
            problems.append(Problem(path, raw.lines[key], f"{key!r} is only for {only} cards"))
    if "check" in raw and kind and kind not in _CHECKABLE:
        problems.append(Problem(path, raw.lines["check"], f"'check' applies to {', '.join(_CHECKABLE)} cards"))
    question = _text(raw, "question", problems, path, required=True)
    clozes = None
    if kind == "cloze":
        clozes = _cloze_text(raw, question, problems, path)
        answer, options = None, None
    else:
        if question is not None and "{{c" in question and cloze_syntax.find_quietly(question):
            problems.append(Problem(path, raw.lines["question"], f"the question holds a cloze ({{{{c1::...}}}}) but the card is {kind or 'basic'}: add 'kind: cloze'"))
        answer, options = _answer(raw, kind, problems, path) if kind else (None, None)
    texts = {key: _text(raw, key, problems, path) for key in ("explain", "note", "source", "check", "expr", "cite")}
    if kind == "formula" and "expr" not in raw:
        problems.append(Problem(path, raw.line, "a formula card needs 'expr' (the formula in plain math, for checking)"))
    elif kind == "formula" and texts["expr"]:
        _expr(texts["expr"], raw.lines["expr"], problems, path)
    tolerance = raw.get("tolerance")
    if tolerance is not None and (not _is_number(tolerance) or tolerance <= 0):
        problems.append(Problem(path, raw.lines["tolerance"], "'tolerance' must be a positive number"))
    tags = _tags(raw, problems, path)
    if len(problems) > before:
        return None
    card = Card(
        id=card_id, deck=deck_id, kind=kind, question=question, answer=answer, options=options,
        expr=texts["expr"], check=texts["check"], tolerance=tolerance, explain=texts["explain"],
        note=texts["note"], source=texts["source"], tags=tags, path=path, line=raw.line, cite=texts["cite"],
    )
    if kind == "cloze":
        from dlquiz.decks.clozes import expand  # only decks with cloze cards load the cloze reader

        return expand(card, clozes)
    return card


def _cloze_text(raw: _Map, question: str | None, problems: list, path: str) -> list | None:
    """The clozes of a cloze card's question (a cloze card has no 'answer': it hides its own)."""
    if "answer" in raw:
        problems.append(Problem(path, raw.lines["answer"], "a cloze card has no 'answer': its hidden parts ({{c1::...}}) are the answers"))
    if question is None:
        return None
    from dlquiz.decks.clozes import read

    clozes, messages = read(question)
    problems.extend(Problem(path, raw.lines["question"], message) for message in messages)
    return clozes


def _expr(expr: str, line: int, problems: list, path: str) -> None:
    """A formula card's `expr` must parse, or typed answers could never be checked against it.
    (dlquiz's own parser: microseconds, no sympy.)"""
    from dlquiz.checking.formula_parser import FormulaError, parse_tree

    try:
        parse_tree(expr)
    except FormulaError as exc:
        problems.append(Problem(path, line, f"expr {clip(expr)} does not parse: {exc}"))


def _tags(raw: _Map, problems: list, path: str) -> tuple[str, ...]:
    tags = raw.get("tags", ())
    if "tags" in raw:
        if not isinstance(tags, list) or not all(isinstance(t, str) and t and not re.search(r"\s", t) for t in tags):
            problems.append(Problem(path, raw.lines["tags"], "'tags' must be a list of words without spaces"))
            tags = ()
    return tuple(tags)


def _template_card(raw: _Map, card_id: Any, deck_id: str, path: str, problems: list, before: int) -> Card | None:
    """A card with `template:`: its template fills in kind, question, answer and explain."""
    from dlquiz.checking.templates import (
        catalog as templates,  # only decks that use templates load the registry
    )

    fields = templates.validate_card(raw, lambda line, message: problems.append(Problem(path, line, message)))
    texts = {key: _text(raw, key, problems, path) for key in ("note", "source")}
    tags = _tags(raw, problems, path)
    if len(problems) > before or fields is None:
        return None
    return Card(id=card_id, deck=deck_id, kind="basic", note=texts["note"], source=texts["source"], tags=tags,
                path=path, line=raw.line, **fields)


def _deck(data: Any, deck_id: str, path: str, problems: list) -> Deck | None:
    if not isinstance(data, _Map):
        problems.append(Problem(path, getattr(data, "line", 1), "the top level must be a mapping with course, week, title and cards"))
        return None
    before = len(problems)
    _unknown_keys(data, DECK_KEYS, "deck", problems, path)
    for key in ("course", "week", "title", "cards"):
        if key not in data:
            problems.append(Problem(path, data.line, f"deck is missing {key!r}"))
    for key in ("course", "week"):
        if key in data and not (_is_int(data[key]) and 1 <= data[key] <= 99):
            problems.append(Problem(path, data.lines[key], f"{key!r} must be a whole number from 1 to 99"))
    title = _text(data, "title", problems, path) if "title" in data else None
    course_title = _text(data, "course_title", problems, path)
    raw_cards = data.get("cards")
    cards: list[Card] = []
    if "cards" in data and not isinstance(raw_cards, list):
        problems.append(Problem(path, data.lines["cards"], "'cards' must be a list (use `cards: []` for none)"))
    elif raw_cards:
        # (validated as they were read: load_text); a cloze card is one card per cloze
        cards = [card for item in raw_cards for card in (item if isinstance(item, list) else [item]) if card is not None]
    if len(problems) > before:
        return None
    return Deck(
        id=deck_id, path=path, course=data["course"], week=data["week"], title=title,
        course_title=course_title, cards=cards,
    )


def load_text(text: str | bytes, path: str, deck_id: str) -> tuple[Deck | None, list[Problem]]:
    """Load one deck from its text (or its UTF-8 bytes, checked: dlquiz.decks.files.deck_source).
    Returns the deck (None if invalid) and its problems."""
    problems: list[Problem] = []
    if not ID_RE.match(deck_id):
        problems.append(Problem(path, 0, f"invalid deck file name {clip(deck_id)}: use lowercase letters, digits and hyphens"))
    before = len(problems)

    def each_card(raw: Any, line: int) -> Card | list[Card] | None:  # each card as it is read: see parse_yaml
        return _card(raw, line, deck_id, path, problems)

    try:
        data = parse_yaml(text, each_card)
    except _Bad as bad:
        del problems[before:]  # (the problems of the cards read before it: a YAML error comes alone)
        problems.append(Problem(path, bad.line, bad.message))
        return None, problems
    deck = _deck(data, deck_id, path, problems)
    return (deck if not problems else None), problems


