"""Deck files: discovery, strict YAML loading with `path:line` errors, and Card objects.

A deck is one YAML file (format: docs/deck-format.md). Loading is strict: every problem of every
file is collected and reported together as `path:line: message`, and nothing half-valid is
returned. YAML is read with safe-load semantics through the C parser when available; anchors and
aliases are refused before anything is built, so an alias-expansion bomb costs nothing.
"""

from __future__ import annotations

import difflib
import gc
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from dlquiz.errors import DeckError, NotFound, Problem

try:  # the C parser is ~10x faster; fall back to the pure-Python one where libyaml is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

KINDS = ("basic", "truefalse", "choice", "numeric", "shape", "formula")
ID_RE = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
DECK_KEYS = ("course", "course_title", "week", "title", "cards")
CARD_KEYS = (
    "id", "kind", "question", "answer", "options", "expr", "check", "tolerance",
    "explain", "note", "source", "tags",
)
# Keys people reach for from other tools, mapped to ours for the "did you mean".
_ALIASES = {
    "q": "question", "a": "answer", "front": "question", "back": "answer",
    "explanation": "explain", "type": "kind", "choices": "options", "tag": "tags",
    "name": "title", "description": "title",
}
_ONLY_FOR = {"options": "choice", "expr": "formula", "tolerance": "numeric"}
_CHECKABLE = ("numeric", "shape", "truefalse", "choice")
# An anchor needs '&' at the start of a token; only then are the parser's events scanned for it.
# (Aliases need an anchor; and should one slip past, the builder sees the shared node and stops.)
_ANCHOR_HINT = re.compile(r"(?:^|[\s\[\{,])&[^\s\[\]\{\},]", re.MULTILINE)
_DIM_SPLIT = re.compile(r",|×|\*|(?<=\d)\s*x\s*(?=\d)|\s+x\s+")
_DIM_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_{}\[\]^'-]*\Z")

_T = "tag:yaml.org,2002:"


class _FastLoader(_Loader):
    """The safe loader with a fast path in tag resolution: a plain scalar whose first character
    cannot start a number, boolean, null, timestamp or merge key is a string, without running
    the resolver's regular expressions. Same results as the safe loader, much less work."""

    _special_starts = frozenset(ch for ch in _Loader.yaml_implicit_resolvers if ch)

    def resolve(self, kind, value, implicit):
        if kind is ScalarNode:
            if implicit[0] and value and value[0] not in self._special_starts:
                return _T + "str"
            if not implicit[0]:
                return _T + "str"
        return super().resolve(kind, value, implicit)


_CONSTRUCT = SafeConstructor()
_SCALARS = {
    _T + "int": _CONSTRUCT.construct_yaml_int,
    _T + "float": _CONSTRUCT.construct_yaml_float,
    _T + "bool": _CONSTRUCT.construct_yaml_bool,
    _T + "null": _CONSTRUCT.construct_yaml_null,
    _T + "timestamp": _CONSTRUCT.construct_yaml_timestamp,
}


@dataclass(slots=True)
class Card:
    """One card of one deck. `answer` is typed by `kind` (see docs/deck-format.md)."""

    id: str
    deck: str
    kind: str
    question: str
    answer: Any
    options: tuple[str, ...] | None = None
    expr: str | None = None
    check: str | None = None
    tolerance: float | None = None
    explain: str | None = None
    note: str | None = None
    source: str | None = None
    tags: tuple[str, ...] = ()
    path: str = ""
    line: int = 0

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(slots=True)
class Deck:
    """One deck file: its id is the file name without `.yaml`."""

    id: str
    path: str
    course: int
    week: int
    title: str
    course_title: str | None = None
    cards: list[Card] = field(default_factory=list)


@dataclass
class Collection:
    """Every deck found, in order, and every card by id."""

    decks: list[Deck]
    cards: dict[str, Card]

    def card(self, card_id: str) -> Card:
        """The card with this id, or NotFound naming the closest ids."""
        try:
            return self.cards[card_id]
        except KeyError:
            close = difflib.get_close_matches(card_id, list(self.cards), n=3, cutoff=0.6)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise NotFound(f"unknown card {card_id!r}{hint}") from None

    def deck(self, deck_id: str) -> Deck:
        for deck in self.decks:
            if deck.id == deck_id:
                return deck
        close = difflib.get_close_matches(deck_id, [d.id for d in self.decks], n=3, cutoff=0.6)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise NotFound(f"unknown deck {deck_id!r}{hint}")


class _Bad(Exception):
    """A problem inside one file; carries the 1-based line."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


class _Map(dict):
    """A YAML mapping that remembers the line of the mapping and of each key."""

    __slots__ = ("line", "lines")


class _List(list):
    """A YAML sequence that remembers its line and the line of each item."""

    __slots__ = ("line", "lines")


# ---------------------------------------------------------------------------------------------
# YAML -> plain values with line numbers


def _build(node: Any, seen: set[int]) -> Any:
    if isinstance(node, ScalarNode):
        tag = node.tag
        if tag == _T + "str":
            return node.value
        construct = _SCALARS.get(tag)
        if construct is None:
            raise _Bad(node.start_mark.line + 1, f"unsupported YAML tag {tag!r}")
        return construct(node)
    if id(node) in seen:  # an alias: the composer hands out the anchored node again
        raise _Bad(node.start_mark.line + 1, "YAML anchors and aliases are not allowed")
    seen.add(id(node))
    if isinstance(node, MappingNode):
        result = _Map()
        result.line = node.start_mark.line + 1
        result.lines = lines = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, ScalarNode):
                raise _Bad(line, "mapping keys must be plain words")
            if key_node.tag == _T + "merge":
                raise _Bad(line, "merge keys (<<) are not allowed")
            key = _build(key_node, seen)
            if not isinstance(key, str):
                key = str(key)
            if key in lines:
                raise _Bad(line, f"duplicate key {key!r} (first at line {lines[key]})")
            lines[key] = line
            result[key] = _build(value_node, seen)
        return result
    if isinstance(node, SequenceNode):
        items = _List(_build(item, seen) for item in node.value)
        items.line = node.start_mark.line + 1
        items.lines = [item.start_mark.line + 1 for item in node.value]
        return items
    raise _Bad(0, "unreadable YAML")  # pragma: no cover - the composer yields no other nodes


def _compose(text: str) -> Any:
    if _ANCHOR_HINT.search(text):
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise _Bad(
                    event.start_mark.line + 1,
                    f"YAML anchors and aliases are not allowed (found {event.anchor!r})",
                )
    loader = _FastLoader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def parse_yaml(text: str) -> Any:
    """Parse YAML text into plain values (dicts remember lines); raises _Bad on any problem."""
    try:
        node = _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        detail = exc.problem or exc.context or "invalid YAML"
        raise _Bad(line, f"invalid YAML: {detail}") from None
    except yaml.YAMLError as exc:
        raise _Bad(0, f"invalid YAML: {exc}") from None
    if node is None:
        raise _Bad(0, "empty deck file (expected course, week, title and cards)")
    return _build(node, set())


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
            problems.append(Problem(path, mapping.lines[key], f"unknown {what} key {key!r}{_did_you_mean(key, allowed)}"))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def parse_shape(value: Any) -> tuple | None:
    """A shape answer as a tuple of dims (ints or symbol names), or None if it is not one."""
    if isinstance(value, str):
        text = value.strip()
        if text[:1] in "([" and text[-1:] in ")]":
            text = text[1:-1]
        parts = [p.strip() for p in _DIM_SPLIT.split(text) if p.strip()]
        value = [int(p) if re.fullmatch(r"\d+", p) else p for p in parts]
    if not isinstance(value, list) or not value:
        return None
    dims = []
    for dim in value:
        if _is_int(dim) and dim >= 0:
            dims.append(dim)
        elif isinstance(dim, str) and _DIM_RE.match(dim.strip()):
            dims.append(dim.strip())
        else:
            return None
    return tuple(dims)


def _text(card: _Map, key: str, problems: list, path: str, required: bool = False) -> str | None:
    if key not in card:
        if required:
            problems.append(Problem(path, card.line, f"card is missing {key!r}"))
        return None
    value = card[key]
    if not isinstance(value, str) or not value.strip():
        kind = "empty" if value is None or value == "" else f"a {type(value).__name__}"
        problems.append(Problem(path, card.lines[key], f"{key!r} must be text, not {kind}"))
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
            bad("the answer of a truefalse card must be true or false")
    elif kind == "numeric":
        if not _is_number(answer):
            bad(f"the answer of a numeric card must be a number, not {answer!r}")
    elif kind == "shape":
        shape = parse_shape(answer)
        if shape is None:
            bad(f"the answer of a shape card must be a list of dimensions like [4, 1], not {answer!r}")
        answer = shape
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
                    hint = f" (did you mean {close[0]!r}?)" if close else ""
                    bad(f"answer {text!r} is not among the options{hint}")
            if len(set(answers)) != len(answers):
                bad("the answer lists an option twice")
        if isinstance(answer, list):
            answer = tuple(answer)
    return answer, options


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
            problems.append(Problem(path, options.lines[index], f"option {index + 1} must be text (quote it: '{option}')"))
            ok = False
    if ok and len(set(options)) != len(options):
        problems.append(Problem(path, card.lines["options"], "'options' has the same choice twice"))
        ok = False
    return tuple(options) if ok else None


def _card(raw: Any, line: int, deck_id: str, path: str, problems: list) -> Card | None:
    if not isinstance(raw, _Map):
        problems.append(Problem(path, line, "a card must be a mapping of keys like id, question and answer"))
        return None
    before = len(problems)
    _unknown_keys(raw, CARD_KEYS, "card", problems, path)
    card_id = raw.get("id")
    if "id" not in raw:
        problems.append(Problem(path, raw.line, "card is missing 'id'"))
    elif not isinstance(card_id, str) or not ID_RE.match(card_id):
        problems.append(Problem(path, raw.lines["id"], f"invalid id {card_id!r}: use lowercase letters, digits and hyphens, starting with a letter or digit"))
    kind = raw.get("kind", "basic")
    if kind not in KINDS:
        hint = _did_you_mean(str(kind), KINDS) or f" (expected one of {', '.join(KINDS)})"
        problems.append(Problem(path, raw.lines["kind"], f"unknown kind {kind!r}{hint}"))
        kind = None
    for key, only in _ONLY_FOR.items():
        if key in raw and kind and kind != only:
            problems.append(Problem(path, raw.lines[key], f"{key!r} is only for {only} cards"))
    if "check" in raw and kind and kind not in _CHECKABLE:
        problems.append(Problem(path, raw.lines["check"], f"'check' applies to {', '.join(_CHECKABLE)} cards"))
    question = _text(raw, "question", problems, path, required=True)
    answer, options = _answer(raw, kind, problems, path) if kind else (None, None)
    texts = {key: _text(raw, key, problems, path) for key in ("explain", "note", "source", "check", "expr")}
    if kind == "formula" and "expr" not in raw:
        problems.append(Problem(path, raw.line, "a formula card needs 'expr' (the formula in plain math, for checking)"))
    tolerance = raw.get("tolerance")
    if tolerance is not None and (not _is_number(tolerance) or tolerance <= 0):
        problems.append(Problem(path, raw.lines["tolerance"], "'tolerance' must be a positive number"))
    tags = raw.get("tags", ())
    if "tags" in raw:
        if not isinstance(tags, list) or not all(isinstance(t, str) and t and not re.search(r"\s", t) for t in tags):
            problems.append(Problem(path, raw.lines["tags"], "'tags' must be a list of words without spaces"))
            tags = ()
    if len(problems) > before:
        return None
    return Card(
        id=card_id, deck=deck_id, kind=kind, question=question, answer=answer, options=options,
        expr=texts["expr"], check=texts["check"], tolerance=tolerance, explain=texts["explain"],
        note=texts["note"], source=texts["source"], tags=tuple(tags), path=path, line=raw.line,
    )


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
        for raw, line in zip(raw_cards, raw_cards.lines):
            card = _card(raw, line, deck_id, path, problems)
            if card is not None:
                cards.append(card)
    if len(problems) > before:
        return None
    return Deck(
        id=deck_id, path=path, course=data["course"], week=data["week"], title=title,
        course_title=course_title, cards=cards,
    )


def read_text(path: Path) -> str:
    """A deck file's text; raises _Bad if it is unreadable, empty or not UTF-8."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _Bad(0, f"cannot read: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _Bad(line, f"not UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise _Bad(0, "empty deck file (expected course, week, title and cards)")
    return text


def deck_id_for(path: Path) -> str:
    return path.name[: -len(".yaml")] if path.name.endswith(".yaml") else path.stem


def load_text(text: str, path: str, deck_id: str) -> tuple[Deck | None, list[Problem]]:
    """Load one deck from its text. Returns the deck (None if invalid) and its problems."""
    problems: list[Problem] = []
    if not ID_RE.match(deck_id):
        problems.append(Problem(path, 0, f"invalid deck file name {deck_id!r}: use lowercase letters, digits and hyphens"))
    try:
        data = parse_yaml(text)
    except _Bad as bad:
        problems.append(Problem(path, bad.line, bad.message))
        return None, problems
    deck = _deck(data, deck_id, path, problems)
    return (deck if not problems else None), problems


def load_file(path: Path) -> tuple[Deck | None, list[Problem]]:
    """Load one deck file. Returns the deck (None if invalid) and its problems."""
    shown = display_path(path)
    try:
        text = read_text(path)
    except _Bad as bad:
        return None, [Problem(shown, bad.line, bad.message)]
    return load_text(text, shown, deck_id_for(path))


def display_path(path: Path) -> str:
    """A path as the user will recognise it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def discover(dirs: Iterable[Path]) -> list[Path]:
    """Every `*.yaml` deck file under the deck directories, in directory order then by name."""
    files: list[Path] = []
    seen: set[Path] = set()
    for directory in dirs:
        if not directory.is_dir():
            continue
        for path in sorted(directory.rglob("*.yaml")):
            resolved = path.resolve()
            if resolved not in seen and path.is_file():
                seen.add(resolved)
                files.append(path)
    return files


def build_collection(loaded: list[tuple[Deck | None, list[Problem]]]) -> Collection:
    """Join loaded decks into a collection; raises DeckError listing every problem of every file."""
    problems: list[Problem] = []
    decks: list[Deck] = []
    cards: dict[str, Card] = {}
    deck_paths: dict[str, str] = {}
    for deck, deck_problems in loaded:
        problems.extend(deck_problems)
        if deck is None:
            continue
        if deck.id in deck_paths:
            problems.append(Problem(deck.path, 0, f"duplicate deck id {deck.id!r} (also {deck_paths[deck.id]})"))
            continue
        deck_paths[deck.id] = deck.path
        decks.append(deck)
        for card in deck.cards:
            first = cards.get(card.id)
            if first is not None:
                problems.append(Problem(card.path, card.line, f"duplicate id {card.id!r} (first at {first.where})"))
            else:
                cards[card.id] = card
    if problems:
        raise DeckError(problems)
    decks.sort(key=lambda d: (d.course, d.week, d.id))
    ordered = {card.id: card for deck in decks for card in deck.cards}
    return Collection(decks=decks, cards=ordered)


def load_collection(paths: Iterable[Path] | None = None, dirs: Iterable[Path] | None = None) -> Collection:
    """Load the given deck files, or every deck in the deck directories."""
    if paths is None:
        from dlquiz.paths import deck_dirs

        paths = discover(dirs if dirs is not None else deck_dirs())
    # Loading builds many small objects and no reference cycles: pausing the cyclic garbage
    # collector saves it from re-walking a growing heap (a third of the time on large collections).
    paused = gc.isenabled()
    gc.disable()
    try:
        return build_collection([load_file(Path(p)) for p in paths])
    finally:
        if paused:
            gc.enable()
