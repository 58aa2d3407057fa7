"""What every export does around its notes: choose the cards, build and stamp the notes, write
the file atomically, and report the cards exported before and gone now.

Anki updates an existing note only when the incoming note is newer, so a note's modification
time is when its content last changed: the store keeps each note's content hash and the time
that content was first exported (table `anki_notes`, store migration m003). The same table
remembers what was exported, so a card deleted from the decks is reported once, by the next
export.
"""

from __future__ import annotations

import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Callable

from dlquiz.decks.collection import select_cards
from dlquiz.errors import UsageError
from dlquiz.export.notes import Note, Progress, Report, build_notes, content_hash
from dlquiz.model import Card, Collection, Deck


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
    present = collection.cards  # (a cloze note is exported under its deck card's id, whose cards are `<id>-c1`...)
    gone = sorted({card_id for card_id, _, _, was_gone in known.values()
                   if not was_gone and card_id not in present and f"{card_id}-c1" not in present})
    if gone:
        with store.transaction():
            store.db.executemany("UPDATE anki_notes SET gone = 1 WHERE card_id = ?", [(c,) for c in gone])
    return gone


def selection(collection: Collection, patterns: list[str] | None) -> list[tuple[Deck, Card]]:
    cards = select_cards(collection, patterns)
    decks = {deck.id: deck for deck in collection.decks}
    return [(decks[card.deck], card) for card in cards]


def prepare(collection: Collection, patterns, store, now, report: Report, progress: Progress | None):
    """The notes of the chosen cards, stamped, and what was exported before."""
    chosen = selection(collection, patterns)
    if not chosen:
        raise UsageError("no cards to export")
    notes = build_notes(chosen, progress, len(chosen))
    report.notes = len(notes)
    report.decks = len({note.deck for note in notes})
    known = exported_before(store)
    stamp(store, notes, now, report, known)
    return notes, known


def check_output(path: Path) -> None:
    if path.is_dir():
        raise UsageError(f"{path}: is a directory; give a file name")
    if not path.parent.is_dir():
        raise UsageError(f"{path.parent}: no such directory")


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
