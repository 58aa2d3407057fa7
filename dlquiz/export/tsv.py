"""Export to TSV for Anki's text import (Anki 2.1.55+): one line per note, into the note types
every collection has (a text import cannot create note types): Basic, and Cloze for cloze cards,
named per row in a note type column.
"""

from __future__ import annotations

import re
from pathlib import Path

from dlquiz.export.notes import Note, Progress, Report
from dlquiz.export.runs import check_output, newly_gone, prepare, write_atomically
from dlquiz.model import collector_paused

TSV_NOTETYPE = "Basic"  # in every Anki collection; a text import cannot create note types
TSV_CLOZE_NOTETYPE = "Cloze"  # the same, for cloze cards: fields Text and Back Extra


def tsv_cell(value: str) -> str:
    """One TSV cell for Anki's text import: quoted (quotes doubled) when it holds a tab, a
    newline or a quote, or begins with `#`, which would otherwise make its row a comment."""
    if value.startswith("#") or any(ch in value for ch in '\t\n\r"'):
        return '"' + value.replace('"', '""') + '"'
    return value


TSV_HEADER = (
    "#separator:tab\n#html:true\n"
    "#guid column:1\n#notetype column:2\n#deck column:3\n#tags column:6\n"
)


def tsv_text(notes: list[Note]) -> str:
    """Anki 2.1.55+ text-import lines: guid, note type, deck, two fields, tags. A card goes to
    Basic (Front: the question; Back: the answer, citation, explanation, source and card id), a
    cloze card to Cloze (Text: the text with its clozes; Back Extra: the rest)."""
    lines = [TSV_HEADER]
    for note in notes:
        if note.cloze:
            text, extra, source, card_id, cite = note.fields
            first, second, notetype = text, "", TSV_CLOZE_NOTETYPE
        else:
            first, second, extra, source, card_id, cite = note.fields
            notetype = TSV_NOTETYPE
        second += (f'<div class="dlq-cite">{cite}</div>' if cite else "") + extra
        second += (f'<div class="dlq-source">{source}</div>' if source else "") + f'<div class="dlq-id">{card_id}</div>'
        cells = (note.guid, notetype, note.deck, _one_line(first), _one_line(second), " ".join(note.tags))
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
    from dlquiz.decks.collection import load_collection
    from dlquiz.review import store as store_module

    if out is not None:
        check_output(out)
    collection = load_collection()
    report = Report(path=str(out) if out is not None else "standard output", search_field="Back")
    with store_module.open_store(create=True) as store, collector_paused():
        notes, known = prepare(collection, patterns, store, paths.now(), report, progress)
        text = tsv_text(notes)
        if out is not None:
            write_atomically(out, lambda tmp: Path(tmp).write_text(text, encoding="utf-8", newline=""))
        report.gone = newly_gone(store, collection, known)
    return report, text
