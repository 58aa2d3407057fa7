"""Export to Anki: an .apkg that re-imports as updates, never duplicates.

The notes come from dlquiz.export.notes, the package from dlquiz.export.apkg (genanki), and what
every export does around them (stamping change times, atomic writing, reporting deleted cards)
from dlquiz.export.runs. `--with-progress` carries each card's SM-2 schedule and review log;
progress needs no part of Anki, only the package format.
"""

from __future__ import annotations

from pathlib import Path

from dlquiz.export.notes import Progress, Report
from dlquiz.export.runs import check_output, newly_gone, prepare, write_atomically
from dlquiz.model import Collection, collector_paused


def export_anki(out: Path, patterns: list[str] | None = None, with_progress: bool = False,
                progress: Progress | None = None, collection: Collection | None = None) -> Report:
    """Write the chosen decks (default: all) of the collection (default: every deck found)
    to an .apkg at `out`; see the module docstring."""
    from dlquiz import config, paths
    from dlquiz.decks.collection import load_collection
    from dlquiz.export import apkg
    from dlquiz.review.today import today as review_today
    from dlquiz.review import store as store_module

    check_output(out)
    collection = collection if collection is not None else load_collection()
    now = paths.now()
    report = Report(path=str(out), with_progress=with_progress)
    with store_module.open_store(create=True) as store, collector_paused():
        notes, known = prepare(collection, patterns, store, now, report, progress)
        today = review_today(store, now, config.load(paths.home()).rollover_hour)
        schedules = None
        if with_progress:
            schedules = apkg.schedules(store, {card_id for note in notes for card_id in note.card_ids}, today)
        exported = []
        write_atomically(out, lambda tmp: exported.extend(apkg.write(tmp, notes, now, today, schedules, report, progress)))
        if exported:  # these reviews are dlquiz's own: `dlquiz import anki` never takes them back in
            with store.transaction():
                store.db.executemany("INSERT OR REPLACE INTO anki_exported (revlog_id, device, seq) VALUES (?, ?, ?)",
                                     exported)
        report.gone = newly_gone(store, collection, known)
    return report
