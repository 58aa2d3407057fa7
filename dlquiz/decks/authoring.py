"""Authoring cards: `dlquiz add` and `dlquiz edit`, without disturbing hand-kept decks.

A draft (dlquiz.decks.drafts: what the user typed, from flags or prompts) becomes a YAML block appended to its
deck's file; an edited block replaces its card's lines in place (dlquiz.decks.deckfile does the text
surgery). Before anything is written, the would-be file is validated exactly as `dlquiz check`
validates: strict loading, ids unique across decks, the reference `check:`, the formula parse.
Writing happens under a lock, from re-reading the decks to the atomic rename, so concurrent
runs all land. Nothing here knows the terminal; the prompts live in dlquiz.cli.interview.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml

from dlquiz import cloze, paths
from dlquiz.checking import checks
from dlquiz.decks import deckfile
from dlquiz.decks.collection import build_collection
from dlquiz.decks.drafts import Draft, card_fields, parse_deck_id, parse_int, unique_id, warnings_for
from dlquiz.decks.editor import Aborted, keep, run_editor, strip_comments  # noqa: F401 - part of this module's API
from dlquiz.decks.files import deck_id_for, discover, display_path
from dlquiz.decks.format import ID_RE, load_text
from dlquiz.errors import DlquizError, NotFound, Problem, UsageError
from dlquiz.model import Card, Collection, Deck, collector_paused


@dataclass
class Plan:
    """What an add or an edit will write (or wrote): the file's new bytes and the loaded card."""

    card: Card
    deck_title: str
    path: Path
    block: str
    data: bytes
    created: bool = False
    warnings: list[str] = field(default_factory=list)
    cards: list[Card] = field(default_factory=list)  # a cloze card: the card of each cloze (`card` is the first)

    @property
    def card_id(self) -> str:
        """The id as written in the deck (a cloze card's, not its first cloze's)."""
        return self.card.note_id or self.card.id


# ---------------------------------------------------------------------------------------------
# where decks are and where they may be written


@dataclass
class _World:
    """Every deck file, loaded and valid, with the path of each deck."""

    loaded: dict[Path, tuple]
    collection: Collection
    files: dict[str, Path]


def _world() -> _World:
    from dlquiz.decks.cache import DeckCache, cache_path

    # Unchanged files come from the parsed-deck cache (verified by content hash), as in every
    # command; with the cyclic GC paused, as load_collection does, since loading makes no cycles.
    home = paths.home()
    cache = DeckCache(cache_path(home) if home.is_dir() else None)
    files = discover(paths.deck_dirs())
    with collector_paused():
        loaded = {path: cache.load_file(path) for path in files}
    cache.save()
    collection = build_collection(list(loaded.values()))  # an invalid deck stops here
    return _World(loaded, collection, {deck_id_for(p): p for p in files})


def _bundled(path: Path) -> bool:
    return path.resolve().is_relative_to(paths.bundled_cards_dir().resolve())


def new_deck_dir(create: bool = False) -> Path | None:
    """The first writable deck directory (the bundled one only in a source checkout)."""
    for directory in paths.deck_dirs():
        if _bundled(directory) and not paths.is_source_checkout():
            continue
        if directory.is_dir():
            if os.access(directory, os.W_OK):
                return directory
            continue
        parent = next((p for p in directory.parents if p.exists()), None)
        if parent is not None and parent.is_dir() and os.access(parent, os.W_OK):
            if create:
                directory.mkdir(parents=True, exist_ok=True)
            return directory
    return None


def refusal(path: Path, deck_id: str) -> str | None:
    """Why the deck in `path` cannot take a new or edited card (bundled, not writable), or None."""
    if _bundled(path) and not paths.is_source_checkout():
        return f"deck {deck_id!r} is bundled with dlquiz and replaced on upgrade"
    if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
        return f"{display_path(path)}: cannot write there (permission denied)"
    return None


def refused(deck_id: str, why: str, at_prompt: bool = False) -> str:
    """The refusal of a deck, and what to do instead."""
    if "bundled" not in why:
        return why
    if at_prompt:
        return f"{why}: type a deck of your own, or a new id such as my-{deck_id}"
    return f"{why}; add to a deck of your own (--deck my-{deck_id} with --course, --week and --title)"


def _writable(path: Path, deck_id: str) -> None:
    why = refusal(path, deck_id)
    if why is not None:
        raise UsageError(refused(deck_id, why))


def decks_for_adding() -> tuple[dict[str, str], dict[str, str]]:
    """(the decks a card can be added to, by id, with their titles; the others, with why not)."""
    world = _world()
    writable, refused = {}, {}
    for deck in world.collection.decks:
        why = refusal(world.files[deck.id], deck.id)
        if why is None:
            writable[deck.id] = deck.title
        else:
            refused[deck.id] = why
    return writable, refused


# ---------------------------------------------------------------------------------------------
# validating a would-be file


def _validate(world: _World, path: Path, text: str, card_id: str, describe: Callable[[Problem], str], prefix: str = "") -> tuple[Deck, list[Card]]:
    """Load the would-be text of one deck file and the collection around it, and run the card's
    check and formula parse; raises UsageError (one line) on any problem. `describe` words a
    problem of the text; a failing check is reported as `prefix + "card 'id': ..."`."""
    deck_id = deck_id_for(path)
    deck, problems = load_text(text, display_path(path), deck_id)
    if problems:
        raise UsageError("; ".join(describe(p) for p in sorted(problems, key=lambda p: p.line)))
    loaded = dict(world.loaded)
    loaded[path] = (deck, [])
    collection = build_collection(list(loaded.values()))
    cards = collection.note(card_id)  # (a cloze card: the card of each cloze)
    report = checks.run(collection, cards)
    if report.problems:
        raise UsageError("; ".join(prefix + p.message for p in report.problems))
    return deck, cards


def _same(card: Card, fields: dict[str, Any]) -> bool:
    """True when the loaded card holds exactly the values that were written."""
    plain = lambda v: [plain(x) for x in v] if isinstance(v, (list, tuple)) else v  # noqa: E731
    loaded = {"id": card.note_id} if card.note_id is not None else {}
    return all(plain(loaded.get(key, getattr(card, key))) == plain(value) for key, value in fields.items())


def _taken(collection: Collection, card_id: str) -> Card | None:
    """The card holding `card_id`, as a card's id or a cloze deck card's (`<id>-c1`...), or None."""
    return collection.cards.get(card_id) or collection.cards.get(f"{card_id}-c1")


class _Ids:
    """The ids a new card may not take: every card's, and every cloze deck card's."""

    def __init__(self, collection: Collection) -> None:
        self.collection = collection

    def __contains__(self, card_id: str) -> bool:
        return _taken(self.collection, card_id) is not None


def draft_block(draft: Draft) -> str:
    """The draft's card as the YAML block `add` would write (at column 0), to edit when the
    card was refused; a draft whose values do not even parse gives them as typed."""
    try:
        return deckfile.card_block(card_fields(draft, draft.card_id or unique_id(draft.deck or "", draft.question or "", ())), 0)
    except UsageError:
        typed = {key: value for key, value in vars(draft).items() if value not in (None, [], "")}
        return yaml.safe_dump([typed], allow_unicode=True, sort_keys=False)


def _one_card(text: str, what: str) -> dict:
    """The one card a block of YAML from an editor holds (`- id: ...`); a UsageError naming
    `what` ("edited card", "new card") when it is not readable or not one card."""
    try:
        items = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark else ""
        raise UsageError(f"{what}{where}: invalid YAML: {getattr(exc, 'problem', None) or exc}") from None
    if not (isinstance(items, list) and len(items) == 1 and isinstance(items[0], dict)):
        raise UsageError(f"the {what.split()[0]} text must be one card: a single item starting with '- id:'")
    return items[0]


def _block_card_id(block: str) -> str:
    card_id = _one_card(block, "new card").get("id")
    if not isinstance(card_id, str):
        raise UsageError("the new card needs an id: its first line is '- id: ...'")
    return card_id


def plan_add(draft: Draft, block: str | None = None) -> Plan:
    """Validate a draft against the decks as they are now and work out the file to write; with
    `block` (the card's YAML, edited after a refusal), that block is the card, as written.
    Raises UsageError (exit 2) for bad values, an invalid card or an unknown deck."""
    deck_id = parse_deck_id(draft.deck or "")
    world = _world()
    card_id = draft.card_id if block is None else _block_card_id(block)
    if card_id is not None:
        flag = "--id: " if block is None else ""
        if not ID_RE.match(card_id):
            raise UsageError(f"{flag}invalid id {card_id!r}: use lowercase letters, digits and hyphens")
        if _taken(world.collection, card_id) is not None:
            raise UsageError(f"{flag}{card_id!r} is taken (by {_taken(world.collection, card_id).where})")
    else:
        words = draft.question or ""
        if (draft.kind or "").strip().lower() == "cloze":  # the slug of the text, not of its markup
            words = cloze.replace(words, cloze.find_quietly(words), lambda item: item.content)
        card_id = unique_id(deck_id, words, _Ids(world.collection))
    fields = card_fields(draft, card_id) if block is None else None
    if deck_id in world.files:
        path = world.files[deck_id]
        _writable(path, deck_id)
        title = world.collection.deck(deck_id).title
        bom, text = deckfile.read(path)
        try:
            new_text, block = deckfile.append_card(text, fields, block)
        except ValueError as exc:
            raise UsageError(f"{display_path(path)}: {exc}") from None
    else:
        if not (draft.course and draft.week and draft.title):
            close = difflib.get_close_matches(deck_id, list(world.files), n=3, cutoff=0.6)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise UsageError(f"unknown deck {deck_id!r}{hint}; to create it, give --course, --week and --title")
        if "\n" in draft.title or not draft.title.strip():
            raise UsageError("--title: the deck's title must be one line of text")
        directory = new_deck_dir()
        if directory is None:
            raise UsageError("no writable deck directory for a new deck (set DLQUIZ_CARDS)")
        path, bom, title = directory / f"{deck_id}.yaml", "", draft.title
        header = deckfile.deck_header(
            parse_int(draft.course, "--course"), parse_int(draft.week, "--week"), title, draft.course_title
        )
        body = deckfile.card_block(fields, 2) if block is None else deckfile.indent_block(block, 2)
        new_text = block = header + body
    _, cards = _validate(world, path, new_text, card_id, lambda p: f"card {card_id!r}: {p.message}")
    if fields is not None and not _same(cards[0], fields):  # pragma: no cover - the emitter proves its own round trip
        raise DlquizError(f"card {card_id!r} would not load back as written; nothing written")
    data = (bom + new_text).encode("utf-8")
    return Plan(cards[0], title, path, block, data, deck_id not in world.files, warnings_for(cards[0], world.collection), cards)


def add(draft: Draft, block: str | None = None) -> Plan:
    """Add the draft's card (or `block`, see plan_add) to its deck: plan it again under the lock
    (so a concurrent add is seen), then write the file atomically. Returns what was written."""
    if draft.course or draft.week or draft.title:
        new_deck_dir(create=True)  # so the directory exists to be locked
    with deckfile.locked(paths.deck_dirs()):
        plan = plan_add(draft, block)
        deckfile.write_atomic(plan.path, plan.data)
    return plan


# ---------------------------------------------------------------------------------------------
# editing one card in place


@dataclass
class Edit:
    """A card being edited: its block as it was handed to the editor (dedented)."""

    card_id: str
    path: Path
    original: str


def _locate(world: _World, card_id: str) -> tuple[Path, str, str, deckfile.Span, int]:
    card = world.collection.note(card_id)[0]
    path = world.files[card.deck]
    bom, text = deckfile.read(path)
    try:
        span = deckfile.find_span(text, card_id)
    except ValueError as exc:
        raise UsageError(f"{display_path(path)}: {exc}") from None
    return path, bom, text, span, deckfile.layout(text).column


def start_edit(card_id: str) -> Edit:
    """The card's block, dedented, to hand to an editor. NotFound for an unknown id."""
    world = _world()
    card = world.collection.note(card_id)[0]
    card_id = card.note_id or card_id  # one cloze of a cloze card: the card as a whole is edited
    path, _, text, span, column = _locate(world, card_id)
    _writable(path, card.deck)
    return Edit(card_id, path, deckfile.dedent_block(text, span, column))


def finish_edit(edit: Edit, edited: str) -> Plan | None:
    """Write the edited block back in place of the card; None when nothing changed.

    The id cannot change: the schedule is keyed by it, so a changed id is refused."""
    if edited == edit.original:
        return None
    if not edited.strip():
        raise Aborted("the edited card is empty; nothing changed (to delete a card, remove its lines from the deck file)")
    card_id = _one_card(edited, "edited card").get("id")
    if card_id != edit.card_id:
        raise UsageError(
            f"the id of a card cannot change (its schedule is keyed by it): {edit.card_id!r} became "
            f"{card_id!r}; nothing written"
        )
    with deckfile.locked(paths.deck_dirs()):
        world = _world()
        try:
            path, bom, text, span, column = _locate(world, edit.card_id)
        except NotFound:
            raise UsageError(f"card {edit.card_id!r} is gone from the decks; nothing written") from None
        if deckfile.dedent_block(text, span, column) != edit.original:
            raise UsageError(f"{display_path(path)}: card {edit.card_id!r} changed while you edited it; nothing written")
        new_text = deckfile.replace_block(text, span, column, edited)
        deck, cards = _validate(world, path, new_text, edit.card_id, lambda p: _in_block(p, span.first), "edited ")
        data = (bom + new_text).encode("utf-8")
        deckfile.write_atomic(path, data)
    return Plan(cards[0], deck.title, path, edited, data, False, warnings_for(cards[0], world.collection), cards)


def _in_block(problem: Problem, first: int) -> str:
    """A problem of the edited file, with its line numbers counted in the edited block."""
    message = re.sub(r"\(first at line (\d+)\)", lambda m: f"(first at line {int(m[1]) - first})", problem.message)
    return f"edited card, line {max(problem.line - first, 1)}: {message}"


def edit_card(card_id: str, again: Callable[[str], bool] | None = None, edit: Edit | None = None) -> Plan | None:
    """Edit a card in the user's editor and write it back; None when nothing changed. When the
    result is refused, `again(message)` decides whether to reopen the editor on it; otherwise
    the refusal is raised, naming a file that keeps the user's text. `edit`: start_edit's result,
    when the caller already checked that the card can be edited."""
    edit = edit or start_edit(card_id)
    text = edit.original
    while True:
        edited = run_editor(text, card_id)
        try:
            return finish_edit(edit, edited)
        except UsageError as exc:
            if again is None or not again(str(exc)):
                raise UsageError(f"{exc}; your text is kept in {keep(edited, card_id)}") from None
            text = edited
