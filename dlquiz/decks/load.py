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
from pathlib import Path
from typing import Any, Iterable

from dlquiz.errors import DeckError, Problem
from dlquiz.model import Card, CardIndex, Collection, Deck  # noqa: F401  (this module's API too)
from dlquiz.decks.yamlread import Bad as _Bad, YMap as _Map, compose as _compose, parse_yaml

KINDS = ("basic", "truefalse", "choice", "numeric", "shape", "formula")
ID_RE = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
DECK_KEYS = ("course", "course_title", "week", "title", "cards")
CARD_KEYS = (
    "id", "kind", "question", "answer", "options", "expr", "check", "tolerance",
    "explain", "note", "source", "tags", "template", "params",
)
# Keys people reach for from other tools, mapped to ours for the "did you mean".
_ALIASES = {
    "q": "question", "a": "answer", "front": "question", "back": "answer",
    "explanation": "explain", "type": "kind", "choices": "options", "tag": "tags",
    "name": "title", "description": "title",
}
_ONLY_FOR = {"options": "choice", "expr": "formula", "tolerance": "numeric"}
_CHECKABLE = ("numeric", "shape", "truefalse", "choice")
_DIM_SPLIT = re.compile(r",|×|\*|(?<=\d)\s*x\s*(?=\d)|\s+x\s+")
_DIM_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_{}\[\]^'-]*\Z")

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
    if "template" in raw:
        return _template_card(raw, card_id, deck_id, path, problems, before)
    if "params" in raw:
        problems.append(Problem(path, raw.lines["params"], "'params' is only for template cards (with 'template:')"))
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
    tags = _tags(raw, problems, path)
    if len(problems) > before:
        return None
    return Card(
        id=card_id, deck=deck_id, kind=kind, question=question, answer=answer, options=options,
        expr=texts["expr"], check=texts["check"], tolerance=tolerance, explain=texts["explain"],
        note=texts["note"], source=texts["source"], tags=tags, path=path, line=raw.line,
    )


def _tags(raw: _Map, problems: list, path: str) -> tuple[str, ...]:
    tags = raw.get("tags", ())
    if "tags" in raw:
        if not isinstance(tags, list) or not all(isinstance(t, str) and t and not re.search(r"\s", t) for t in tags):
            problems.append(Problem(path, raw.lines["tags"], "'tags' must be a list of words without spaces"))
            tags = ()
    return tuple(tags)


def _template_card(raw: _Map, card_id: Any, deck_id: str, path: str, problems: list, before: int) -> Card | None:
    """A card with `template:`: its template fills in kind, question, answer and explain."""
    from dlquiz.checking.templates import catalog as templates  # only decks that use templates load the registry

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


def read_text(path: Path, data: bytes | None = None) -> str:
    """A deck file's text (from `data` if already read); raises _Bad if it is unreadable, empty or
    not UTF-8."""
    try:
        if data is None:
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
    """Join loaded decks into a collection; raises DeckError listing every problem of every file.
    Builds no Card objects (a deck holding a duplicate id excepted, to say where it is)."""
    problems: list[Problem] = []
    decks: list[Deck] = []
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
    if len(set().union(*(deck.ids for deck in decks))) < sum(len(deck.ids) for deck in decks):
        first: dict[str, Card] = {}
        for deck in decks:
            for card in deck.cards:
                if card.id in first:
                    problems.append(Problem(card.path, card.line, f"duplicate id {card.id!r} (first at {first[card.id].where})"))
                else:
                    first[card.id] = card
    if problems:
        raise DeckError(problems)
    decks.sort(key=lambda d: (d.course, d.week, d.id))
    return Collection(decks=decks, cards=CardIndex(decks))


def load_collection(
    paths: Iterable[Path] | None = None, dirs: Iterable[Path] | None = None, cache: bool = True
) -> Collection:
    """Load the given deck files, or every deck in the deck directories.

    With `cache`, unchanged files are served from the parsed-deck cache in `$DLQUIZ_HOME`
    (see deckcache.py) when that directory exists."""
    from dlquiz import paths as paths_module

    whole = paths is None
    if whole:
        paths = discover(dirs if dirs is not None else paths_module.deck_dirs())
    deck_cache = None
    if cache:
        from dlquiz.decks.cache import DeckCache, cache_path

        home = paths_module.home()
        deck_cache = DeckCache(cache_path(home) if home.is_dir() else None)
    load = deck_cache.load_file if deck_cache is not None else load_file
    # Loading builds many small objects and no reference cycles: pausing the cyclic garbage
    # collector saves it from re-walking a growing heap (a third of the time on large collections).
    paused = gc.isenabled()
    gc.disable()
    try:
        loaded = [load(Path(p)) for p in paths]
    finally:
        if paused:
            gc.enable()
    if deck_cache is not None:
        deck_cache.save(prune=whole)
    return build_collection(loaded)


def compose_node(text: str) -> Any:
    """The YAML node tree of a deck's text as the loader reads it (nodes carry start and end
    marks), for tools that edit the text in place. Call it on text that loads without problems."""
    return _compose(text)
