"""Export to Anki: an .apkg that re-imports as updates, never duplicates; and a TSV for Anki's
text import.

Every card becomes one note (a parametric card three, one per fixed draw) whose GUID is
`genanki.guid_for("dlquiz", card_id[, draw])`, so editing a card's text keeps its note. Fields
are HTML made from the card's Markdown (dlquiz.export.html). Anki updates an existing note only
when the incoming note is newer, so a note's modification time is when its content last
changed: the store keeps each note's content hash and the time that content was first
exported (table `anki_notes`, store migration m003). The same table remembers what was exported, so
a card deleted from the decks is reported once, by the next export.

`--with-progress` carries each card's SM-2 schedule and review log (dlquiz.export.apkg);
progress needs no part of Anki, only the package format.
"""

from __future__ import annotations

import gc
import hashlib
import importlib
import os
import re
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable

from dlquiz.export.html import display_math, escape, to_html
from dlquiz.decks.load import Card, Collection, Deck
from dlquiz.errors import UsageError

ROOT_DECK = "Deep Learning Specialization"
DRAWS = (1, 2, 3)  # a parametric card exports these fixed instances
FIELDS = ("Question", "Answer", "Extra", "Source", "CardId")
TSV_NOTETYPE = "Basic"  # in every Anki collection; a text import cannot create note types
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
    fields: tuple[str, ...]  # FIELDS, as HTML
    tags: tuple[str, ...]
    position: int = 0  # order of the note among the new cards
    mtime: int = 0


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
            f"wrote {_count(self.notes, 'note')} in {_count(self.decks, 'deck')} to {self.path} "
            f"({self.new} new, {self.changed} changed, {self.unchanged} unchanged since the last export)"
        ]
        if self.with_progress:
            lines.append(f"with progress: {_count(self.scheduled, 'card')} with a schedule, "
                         f"{_count(self.reviews, 'review')} (Anki applies them only to cards new to the collection)")
        if self.gone:
            # A deck directory switched off can make hundreds "gone": name the first few only.
            shown = self.gone[:GONE_SHOWN]
            more = f", and {len(self.gone) - len(shown)} more" if len(self.gone) > len(shown) else ""
            verb = "is" if len(self.gone) == 1 else "are"
            lines.append(f"{_count(len(self.gone), 'card')} exported before {verb} in no deck now; Anki keeps "
                         f"the notes until you delete them: {', '.join(shown)}{more}")
            lines.append("  to find them in Anki's browser, search: " + " OR ".join(self._search(c) for c in shown))
        return lines

    def _search(self, card_id: str) -> str:
        # The Basic note of a TSV export holds the id inside its Back field, in its own element.
        return f"CardId:{card_id}" if self.search_field == "CardId" else f'"Back:*>{card_id}<*"'


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


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
    """`Deep Learning Specialization::C4 Convolutional Neural Networks::W1 Foundations of ...`."""
    course = f"C{deck.course} {deck.course_title}" if deck.course_title else f"C{deck.course}"
    week = f"W{deck.week} {deck.title}"
    # `::` separates Anki's sub-decks; a title holding it must not make one.
    return "::".join([ROOT_DECK, course.replace("::", ":"), week.replace("::", ":")])


def note_tags(card: Card, deck: Deck) -> tuple[str, ...]:
    """`dls::c4::w1`, `kind::numeric` and the card's own tags (words without spaces, as the
    deck loader makes sure), no repeats."""
    return tuple(dict.fromkeys((f"dls::c{deck.course}::w{deck.week}", f"kind::{card.kind}", *card.tags)))


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
    if kind == "choice":
        question += to_html("\n".join(f"- **{LETTERS[i]}.** {option}" for i, option in enumerate(card.options)))
    elif kind == "truefalse":
        question += "<ul>\n<li>True</li>\n<li>False</li>\n</ul>\n"
    extra = f'<div class="dlq-why">{to_html(card.explain)}</div>' if card.explain else ""
    if card.note:
        extra += f'<div class="dlq-note"><p class="dlq-label">Note on the notes</p>{to_html(card.note)}</div>'
    source = to_html(card.source) if card.source else ""
    return question, answer_html(card), extra, source, escape(card_label or card.id)


def _instances(card: Card) -> list[tuple[Card, int | None]]:
    """A parametric card (one with a `template`) as its fixed draws."""
    try:
        instantiate = importlib.import_module("dlquiz.checking.templates.catalog").instantiate
    except (ImportError, AttributeError):  # parametric cards not available: export it as written
        return [(card, None)]
    return [(instantiate(card, draw), draw) for draw in DRAWS]


def build_notes(decks_cards: Iterable[tuple[Deck, Card]], progress: Progress | None = None, total: int = 0) -> list[Note]:
    """The notes of these cards, in order: one per card, three for a parametric card."""
    notes: list[Note] = []
    append = notes.append
    names: dict[str, str] = {}
    for done, (deck, card) in enumerate(decks_cards, 1):
        name = names.get(deck.id) or names.setdefault(deck.id, deck_name(deck))
        tags = note_tags(card, deck)
        if getattr(card, "template", None) is None:
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


def exported_before(store) -> dict[str, tuple[str, str, int, int]]:
    """guid -> (card id, content hash, changed_at, gone) of every note exported before."""
    rows = store.db.execute("SELECT guid, card_id, content, changed_at, gone FROM anki_notes")
    return {guid: (card_id, digest, changed_at, gone) for guid, card_id, digest, changed_at, gone in rows}


def stamp(store, notes: list[Note], now: datetime, report: Report, known: dict) -> None:
    """Give each note (in place) the time its content last changed, recording new content in
    the store; `known` is `exported_before(store)`.

    Unchanged content keeps its time; new or changed content gets now, and always a time later
    than the one it had, so Anki sees the edit even when the clock says otherwise."""
    now_s = int(now.timestamp())
    writes = []
    for note in notes:
        digest = content_hash(note)
        before = known.get(note.guid)
        if before is not None and before[1] == digest:
            report.unchanged += 1
            note.mtime = before[2]
            if before[3]:  # reported gone once, back now
                writes.append((note.guid, note.card_id, digest, note.mtime))
            continue
        if before is None:
            report.new += 1
            note.mtime = now_s
        else:
            report.changed += 1
            note.mtime = max(now_s, before[2] + 1)
        writes.append((note.guid, note.card_id, digest, note.mtime))
    with store.transaction():
        store.db.executemany(
            "INSERT INTO anki_notes (guid, card_id, content, changed_at, gone) VALUES (?, ?, ?, ?, 0) "
            "ON CONFLICT (guid) DO UPDATE SET card_id = excluded.card_id, content = excluded.content, "
            "changed_at = excluded.changed_at, gone = 0",
            writes,
        )


def newly_gone(store, collection: Collection, known: dict) -> list[str]:
    """Card ids exported before (`known`) that no deck holds now and no export has reported
    yet; marks them reported."""
    gone = sorted({card_id for card_id, _, _, was_gone in known.values() if not was_gone and card_id not in collection.cards})
    if gone:
        with store.transaction():
            store.db.executemany("UPDATE anki_notes SET gone = 1 WHERE card_id = ?", [(c,) for c in gone])
    return gone


def _selection(collection: Collection, patterns: list[str] | None) -> list[tuple[Deck, Card]]:
    from dlquiz.review.session import select_cards

    cards = select_cards(collection, patterns)
    decks = {deck.id: deck for deck in collection.decks}
    return [(decks[card.deck], card) for card in cards]


def _prepare(collection: Collection, patterns, store, now, report: Report, progress: Progress | None):
    """The notes of the chosen cards, stamped, and what was exported before."""
    chosen = _selection(collection, patterns)
    if not chosen:
        raise UsageError("no cards to export")
    notes = build_notes(chosen, progress, len(chosen))
    report.notes = len(notes)
    report.decks = len({note.deck for note in notes})
    known = exported_before(store)
    stamp(store, notes, now, report, known)
    return notes, known


def _check_output(path: Path) -> None:
    if path.is_dir():
        raise UsageError(f"{path}: is a directory; give a file name")
    if not path.parent.is_dir():
        raise UsageError(f"{path.parent}: no such directory")


@contextmanager
def _gc_paused():
    """Building notes makes many small objects and no reference cycles: with the cyclic garbage
    collector paused it does not walk the loaded decks again and again (a fifth of the export)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def write_atomically(path: Path, write: Callable[[str], None]) -> None:
    """Call write(temporary path) next to `path`, then move it into place: a failed export
    never leaves half a file where the last good one was."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp's file is private; an export is an ordinary file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def export_anki(out: Path, patterns: list[str] | None = None, with_progress: bool = False,
                progress: Progress | None = None, collection: Collection | None = None) -> Report:
    """Write the chosen decks (default: all) of the collection (default: every deck found)
    to an .apkg at `out`; see the module docstring."""
    from dlquiz import config, paths
    from dlquiz.export import apkg as anki_package
    from dlquiz.decks import load as decks
    from dlquiz.review import session
    from dlquiz.review import store as store_module

    _check_output(out)
    collection = collection if collection is not None else decks.load_collection()
    now = paths.now()
    report = Report(path=str(out), with_progress=with_progress)
    with store_module.open_store(create=True) as store, _gc_paused():
        notes, known = _prepare(collection, patterns, store, now, report, progress)
        today = session.today(store, now, config.load(paths.home()).rollover_hour)
        schedules = None
        if with_progress:
            schedules = anki_package.schedules(store, {note.card_id for note in notes}, today)
        write_atomically(out, lambda tmp: anki_package.write(tmp, notes, now, today, schedules, report, progress))
        report.gone = newly_gone(store, collection, known)
    return report


def tsv_cell(value: str) -> str:
    """One TSV cell for Anki's text import: quoted (quotes doubled) when it holds a tab, a
    newline or a quote, or begins with `#`, which would otherwise make its row a comment."""
    if value.startswith("#") or any(ch in value for ch in '\t\n\r"'):
        return '"' + value.replace('"', '""') + '"'
    return value


TSV_HEADER = (
    "#separator:tab\n#html:true\n"
    f"#notetype:{TSV_NOTETYPE}\n#guid column:1\n#deck column:2\n#tags column:5\n"
)


def tsv_text(notes: list[Note]) -> str:
    """Anki 2.1.55+ text-import lines: guid, deck, Front, Back, tags. The note type is Basic,
    which every collection has: Front is the question, Back the answer, explanation, source
    and card id."""
    lines = [TSV_HEADER]
    for note in notes:
        question, answer, extra, source, card_id = note.fields
        back = answer + extra + (f'<div class="dlq-source">{source}</div>' if source else "")
        back += f'<div class="dlq-id">{card_id}</div>'
        cells = (note.guid, note.deck, _one_line(question), _one_line(back), " ".join(note.tags))
        lines.append("\t".join(tsv_cell(cell) for cell in cells) + "\n")
    return "".join(lines)


_PRE = re.compile(r"<pre>.*?</pre>", re.S)


def _one_line(html: str) -> str:
    """HTML on one line, so each note is one line of the TSV: a newline between tags or words
    reads as a space anyway; inside <pre> it becomes <br>."""
    html = _PRE.sub(lambda m: m.group().replace("\n", "<br>"), html.strip("\n"))
    return html.replace("\n", " ")


def export_tsv(out: Path | None, patterns: list[str] | None = None, progress: Progress | None = None) -> tuple[Report, str]:
    """The chosen decks as TSV for Anki's text import: written to `out`, or returned when `out`
    is None (for standard output). Returns the report and the text."""
    from dlquiz import paths
    from dlquiz.decks import load as decks
    from dlquiz.review import store as store_module

    if out is not None:
        _check_output(out)
    collection = decks.load_collection()
    report = Report(path=str(out) if out is not None else "standard output", search_field="Back")
    with store_module.open_store(create=True) as store, _gc_paused():
        notes, known = _prepare(collection, patterns, store, paths.now(), report, progress)
        text = tsv_text(notes)
        if out is not None:
            write_atomically(out, lambda tmp: Path(tmp).write_text(text, encoding="utf-8", newline=""))
        report.gone = newly_gone(store, collection, known)
    return report, text

