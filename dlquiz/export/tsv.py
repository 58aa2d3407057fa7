"""Export to TSV for Anki's text import (Anki 2.1.55+): one line per note, into the Basic note
type that every collection has (a text import cannot create note types).
"""

from __future__ import annotations

import re
from pathlib import Path

from dlquiz.export.notes import Note, Progress, Report
from dlquiz.export.runs import check_output, gc_paused, newly_gone, prepare, write_atomically

TSV_NOTETYPE = "Basic"  # in every Anki collection; a text import cannot create note types


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
    from dlquiz.decks.collection import load_collection
    from dlquiz.review import store as store_module

    if out is not None:
        check_output(out)
    collection = load_collection()
    report = Report(path=str(out) if out is not None else "standard output", search_field="Back")
    with store_module.open_store(create=True) as store, gc_paused():
        notes, known = prepare(collection, patterns, store, paths.now(), report, progress)
        text = tsv_text(notes)
        if out is not None:
            write_atomically(out, lambda tmp: Path(tmp).write_text(text, encoding="utf-8", newline=""))
        report.gone = newly_gone(store, collection, known)
    return report, text
