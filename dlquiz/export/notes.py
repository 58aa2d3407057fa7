"""Cards as Anki notes: GUIDs, fields as HTML, tags, deck names, and the content hash that says
whether a note changed since the last export.

Every card becomes one note (a parametric card three, one per fixed draw) whose GUID is
`genanki.guid_for("dlquiz", card_id[, draw])`, so editing a card's text keeps its note. Fields
are HTML made from the card's Markdown (dlquiz.export.html).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Callable, Iterable

from dlquiz.export.html import display_math, escape, plain, plain_tag, safe_field, to_html
from dlquiz.model import Card, Deck
from dlquiz.render.words import plural

ROOT_DECK = "Deep Learning Specialization"
DRAWS = (1, 2, 3)  # a parametric card exports these fixed instances
FIELDS = ("Question", "Answer", "Extra", "Source", "CardId", "Cite")  # (Cite last: the older fields keep their places)
CLOZE_FIELDS = ("Text", "Extra", "Source", "CardId", "Cite")
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
GONE_SHOWN = 12  # deleted cards named in an export's report

Progress = Callable[[str, int, int], None]  # (what is being done, done, total)


@dataclass(slots=True)
class Note:
    """One Anki note: where it goes, what it shows, and when its content last changed."""

    guid: str
    card_id: str
    draw: int | None
    deck: str
    fields: tuple[str, ...]  # FIELDS (CLOZE_FIELDS for a cloze note), as HTML
    tags: tuple[str, ...]
    position: int = 0  # order of the note among the new cards
    mtime: int = 0
    cloze: tuple[str, ...] = ()  # a cloze note: the ids of its cards, c1 first (Anki's card ords)

    @property
    def card_ids(self) -> tuple[str, ...]:
        """The dlquiz cards behind the note's Anki cards, in Anki's order."""
        return self.cloze or (self.card_id,)


@dataclass
class Report:
    """What an export did, for the command to print."""

    path: str
    notes: int = 0
    decks: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    gone: list[str] = field(default_factory=list)  # card ids exported before, now in no deck
    scheduled: int = 0  # notes carrying a review schedule (--with-progress)
    reviews: int = 0  # review log entries carried
    with_progress: bool = False
    search_field: str = "CardId"  # the field of the notes that holds the card id

    def lines(self) -> list[str]:
        """The summary a user reads after an export."""
        lines = [
            f"wrote {plural(self.notes, 'note')} in {plural(self.decks, 'deck')} to {self.path} "
            f"({self.new} new, {self.changed} changed, {self.unchanged} unchanged since the last export)"
        ]
        if self.with_progress:
            lines.append(f"with progress: {plural(self.scheduled, 'card')} with a schedule, "
                         f"{plural(self.reviews, 'review')} (Anki applies them only to cards new to the collection)")
        if self.gone:
            # A deck directory switched off can make hundreds "gone": name the first few only.
            shown = self.gone[:GONE_SHOWN]
            more = f", and {len(self.gone) - len(shown)} more" if len(self.gone) > len(shown) else ""
            verb = "is" if len(self.gone) == 1 else "are"
            lines.append(f"{plural(len(self.gone), 'card')} exported before {verb} in no deck now; Anki keeps "
                         f"the notes until you delete them: {', '.join(shown)}{more}")
            lines.append("  to find them in Anki's browser, search: " + " OR ".join(self._search(c) for c in shown))
        return lines

    def _search(self, card_id: str) -> str:
        # The Basic note of a TSV export holds the id inside its Back field, in its own element.
        return f"CardId:{card_id}" if self.search_field == "CardId" else f'"Back:*>{card_id}<*"'


_BASE91 = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&()*+,-./:;<=>?@[]^_`{|}~"


def guid_for(card_id: str, draw: int | None = None) -> str:
    """The note GUID of a card (or of one fixed draw of a parametric card); never a field hash.

    Exactly `genanki.guid_for("dlquiz", card_id[, draw])` (SHA-256, 64 bits in base 91), computed
    here in half the time genanki takes (it builds the number byte by byte)."""
    key = f"dlquiz__{card_id}" if draw is None else f"dlquiz__{card_id}__{draw}"
    number = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big")
    digits = []
    while number:
        number, digit = divmod(number, 91)
        digits.append(_BASE91[digit])
    return "".join(reversed(digits))


def stable_id(text: str) -> int:
    """A positive id derived from `text` alone (deck, note type, field and template ids):
    the same text always gives the same id, below 2**53 so JSON readers keep it exact."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return (1 << 40) + int.from_bytes(digest[:8], "big") % ((1 << 52) - (1 << 40))


def deck_name(deck: Deck) -> str:
    """`Deep Learning Specialization::C4 Convolutional Neural Networks::W1 Foundations of ...`,
    as plain text."""
    course = f"C{deck.course} {plain(deck.course_title)}" if deck.course_title else f"C{deck.course}"
    week = f"W{deck.week} {plain(deck.title)}"
    # `::` separates Anki's sub-decks; a title holding it must not make one.
    return "::".join([ROOT_DECK, course.replace("::", ":"), week.replace("::", ":")])


def note_tags(card: Card, deck: Deck) -> tuple[str, ...]:
    """`dls::c4::w1`, `kind::numeric` and the card's own tags (words without spaces, as the
    deck loader makes sure, made plain text), no repeats."""
    own = (plain_tag(tag) for tag in card.tags)
    return tuple(dict.fromkeys((f"dls::c{deck.course}::w{deck.week}", f"kind::{card.kind}", *(t for t in own if t))))


def _number(value) -> str:
    if isinstance(value, int):
        return f"{value:,}"
    return f"{float(value):,.10g}"  # exact enough for any answer, never 1e+05 for 100000.5


def answer_html(card: Card) -> str:
    """The answer as it reads on the back of the card."""
    answer = card.answer
    if card.kind == "truefalse":
        return f"<p><strong>{'True' if answer else 'False'}</strong></p>\n"
    if card.kind == "choice":
        chosen = answer if isinstance(answer, tuple) else (answer,)
        return "".join(
            to_html(f"**{LETTERS[card.options.index(a)]}.** {a}") for a in chosen
        )
    if card.kind == "order":
        return to_html("\n".join(f"{n}. **{LETTERS[card.options.index(step)]}.** {step}" for n, step in enumerate(answer, 1)))
    if card.kind == "numeric":
        return f"<p><strong>{_number(answer)}</strong></p>\n"
    if card.kind == "shape":
        dims = ", ".join(str(d) for d in answer) + ("," if len(answer) == 1 else "")
        return f"<p><strong>({escape(dims)})</strong></p>\n"
    text = str(answer).strip()
    if card.kind == "formula" and text.startswith("$") and text.endswith("$") and text.count("$") in (2, 4):
        return f"<p>{display_math(text.strip('$'))}</p>\n"  # a formula answer stands alone, displayed
    return to_html(text)


def card_fields(card: Card, card_label: str | None = None) -> tuple[str, ...]:
    """The note's fields (FIELDS) as HTML: question with its options, answer, the explanation
    and the note on the notes, the source heading, and the card id."""
    question = to_html(card.question)
    kind = card.kind
    if kind in ("choice", "order"):
        question += to_html("\n".join(f"- **{LETTERS[i]}.** {option}" for i, option in enumerate(card.options)))
        if kind == "order":
            question += "<p><em>Put the letters in order.</em></p>\n"
        elif isinstance(card.answer, tuple) and len(card.answer) > 1:
            question += "<p><em>Pick all that apply.</em></p>\n"
    elif kind == "truefalse":
        question += "<ul>\n<li>True</li>\n<li>False</li>\n</ul>\n"
    extra, source, cite = extra_fields(card)
    return tuple(safe_field(field) for field in (question, answer_html(card), extra, source, escape(card_label or card.id), cite))


def extra_fields(card: Card) -> tuple[str, str, str]:
    """The Extra (explanation and note on the notes), Source and Cite fields, as HTML."""
    extra = f'<div class="dlq-why">{to_html(card.explain)}</div>' if card.explain else ""
    if card.note:
        extra += f'<div class="dlq-note"><p class="dlq-label">Note on the notes</p>{to_html(card.note)}</div>'
    source = to_html(card.source) if card.source else ""
    return extra, source, to_html(card.cite) if card.cite else ""


def cloze_fields(card: Card) -> tuple[str, ...]:
    """A cloze note's fields (CLOZE_FIELDS) as HTML: the text with its clozes as Anki reads them
    (dlquiz.export.clozes), the explanation and note on the notes, the source, the note's id, the
    citation."""
    from dlquiz.export.clozes import anki_text

    extra, source, cite = extra_fields(card)
    return tuple(safe_field(field) for field in (to_html(anki_text(card.question)), extra, source, escape(card.note_id), cite))


def note_guids(cards: Iterable[Card]) -> dict[str, tuple[str, ...]]:
    """GUID -> the card ids of its Anki cards, in Anki's order, of every note these cards become
    (build_notes' GUIDs): what `dlquiz import anki` recognises as dlquiz's notes."""
    guids: dict[str, tuple[str, ...]] = {}
    for card in cards:
        if card.note_id is not None:  # one note for the cards of a cloze deck card, c1 first
            guid = guid_for(card.note_id)
            guids[guid] = guids.get(guid, ()) + (card.id,)
        elif getattr(card, "template", None) is None:
            guids[guid_for(card.id)] = (card.id,)
        else:
            for draw in DRAWS:
                guids[guid_for(card.id, draw)] = (card.id,)
    return guids


def _instances(card: Card) -> list[tuple[Card, int | None]]:
    """A parametric card (one with a `template`) as its fixed draws."""
    from dlquiz.checking.templates.catalog import instantiate

    return [(instantiate(card, draw), draw) for draw in DRAWS]


def build_notes(decks_cards: Iterable[tuple[Deck, Card]], progress: Progress | None = None, total: int = 0) -> list[Note]:
    """The notes of these cards, in order: one per card, three for a parametric card, one for
    all the cards of a cloze deck card (with its note id as card id)."""
    notes: list[Note] = []
    append = notes.append
    names: dict[str, str] = {}
    clozes: dict[str, Note] = {}
    for done, (deck, card) in enumerate(decks_cards, 1):
        name = names.get(deck.id) or names.setdefault(deck.id, deck_name(deck))
        tags = note_tags(card, deck)
        if card.note_id is not None:  # the cards of a cloze deck card come one after the other
            note = clozes.get(card.note_id)
            if note is None:
                note = clozes[card.note_id] = Note(guid_for(card.note_id), card.note_id, None, name,
                                                   cloze_fields(card), tags, len(notes))
                append(note)
            note.cloze += (card.id,)
        elif getattr(card, "template", None) is None:
            if card.kind == "order":
                from dlquiz.checking import order  # the steps as the first review shows them

                card = order.draw(card, 1)
            append(Note(guid_for(card.id), card.id, None, name, card_fields(card), tags, len(notes)))
        else:
            for instance, draw in _instances(card):
                label = card.id if draw is None else f"{card.id}#{draw}"
                append(Note(guid_for(card.id, draw), card.id, draw, name, card_fields(instance, label), tags, len(notes)))
        if progress is not None and (done % 256 == 0 or done == total):
            progress("rendering", done, total)
    return notes


def content_hash(note: Note) -> str:
    """What Anki would see change: the fields and the tags."""
    text = "\x1f".join(note.fields) + "\x1e" + " ".join(note.tags)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()
