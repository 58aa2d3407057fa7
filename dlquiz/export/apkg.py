"""The .apkg itself, written with genanki: genanki lays out the collection (schema, note type,
decks) and walks the notes; dlquiz's genanki.Note subclass gives each note its own modification
time and, for `--with-progress`, its card's schedule and review log, and collects the rows that
genanki would insert one statement at a time, to insert them in one batch per table.

Progress is written into the package's cards and revlog tables, which Anki's importer reads
when "Import any learning progress" is on; it applies them only to cards new to the
collection. SM-2 maps onto Anki's SM-2 fields directly:

    grade 0-2 -> Again (1)    grade 3 -> Hard (2)    grade 4 -> Good (3)    grade 5 -> Easy (4)
    E-Factor  -> ease factor x 1000 (2.5 -> 2500)    interval -> ivl (days; under FSRS, FSRS's)
    due date  -> due (days, counted from the package's creation day)
    lapses    -> lapses       reviews -> reps (Anki counts every review)

Due days: Anki re-bases a review card's due day from the package's creation day to the
collection's, so the package is dated at noon of dlquiz's review day and each due day is
counted from it; the card is then due on the same calendar day in Anki, whenever it is imported.
"""

from __future__ import annotations

import itertools
import sqlite3
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as dtime

import genanki

from dlquiz.export.notes import CLOZE_FIELDS, FIELDS, Note, Report, stable_id

MODEL_NAME = "dlquiz Q/A"
# Derived once, as stable_id("dlquiz note type: Q/A"), and never to change: Anki recognises the
# note type (and so every note's layout) by this id.
MODEL_ID = 3292028825174443
# When the templates, fields or CSS last changed (Unix time). Anki takes a note type from a
# package only when it is newer than its own copy: move this forward with every change to them.
MODEL_MTIME = 1795737600  # 2026-11-27: the Cite field
CLOZE_MODEL_NAME = "dlquiz Cloze"
CLOZE_MODEL_ID = 2646519833333332  # stable_id("dlquiz note type: Cloze"), derived once, never to change
CLOZE_MODEL_MTIME = 1795737600
EASE = {0: 1, 1: 1, 2: 1, 3: 2, 4: 3, 5: 4}  # SM-2 grade -> Anki answer button

CSS = """\
.card {
  font-family: -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 20px; line-height: 1.5; text-align: left;
  color: #1d1f23; background-color: #fbfbf8;
  max-width: 44em; margin: 0 auto; padding: 0 12px;
}
.card.nightMode, .card.night_mode, .nightMode .card, .night_mode .card { color: #e4e4e0; background-color: #1f2023; }
hr#answer { border: 0; border-top: 1px solid currentColor; opacity: .3; margin: 1em 0; }
.dlq-extra > div { margin-top: .8em; padding: .1em .8em; border-left: 3px solid #3b82c4; }
.dlq-extra > .dlq-note { border-left-color: #c48a3b; font-size: .9em; }
.dlq-label { font-weight: 600; margin: .3em 0; opacity: .8; }
.dlq-source { margin-top: 1.2em; font-size: .75em; opacity: .65; }
.dlq-source::before { content: "From the notes: "; }
.dlq-source p { display: inline; margin: 0; }
.dlq-id { margin-top: .6em; font-size: .7em; opacity: .45; font-family: monospace; text-align: right; }
.dlq-cite { margin-top: .6em; font-size: .8em; opacity: .75; }
.dlq-cite p { margin: 0; }
.cloze { font-weight: 600; color: #2a6bb3; }
.nightMode .cloze, .night_mode .cloze { color: #7fb2ec; }
table { border-collapse: collapse; margin: .5em 0; }
th, td { border: 1px solid rgba(127, 127, 127, .45); padding: .25em .6em; vertical-align: top; }
th { background: rgba(127, 127, 127, .12); }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .88em;
       background: rgba(127, 127, 127, .15); border-radius: 4px; padding: .05em .3em; }
pre { background: rgba(127, 127, 127, .12); padding: .6em .8em; border-radius: 6px; overflow-x: auto; }
pre code { background: none; padding: 0; }
a { color: #2a6bb3; }
.nightMode a, .night_mode a { color: #7fb2ec; }
"""

FRONT = '<div class="dlq-q">{{Question}}</div>'
BACK = """\
{{FrontSide}}

<hr id="answer">

<div class="dlq-a">{{Answer}}</div>
{{#Cite}}<div class="dlq-cite">{{Cite}}</div>{{/Cite}}
{{#Extra}}<div class="dlq-extra">{{Extra}}</div>{{/Extra}}
{{#Source}}<div class="dlq-source">{{Source}}</div>{{/Source}}
<div class="dlq-id">{{CardId}}</div>"""
CLOZE_FRONT = '<div class="dlq-q">{{cloze:Text}}</div>'
CLOZE_BACK = """\
<div class="dlq-q">{{cloze:Text}}</div>
{{#Cite}}<div class="dlq-cite">{{Cite}}</div>{{/Cite}}
{{#Extra}}<div class="dlq-extra">{{Extra}}</div>{{/Extra}}
{{#Source}}<div class="dlq-source">{{Source}}</div>{{/Source}}
<div class="dlq-id">{{CardId}}</div>"""


class _Model(genanki.Model):
    mtime = MODEL_MTIME

    def to_json(self, timestamp, deck_id):
        data = super().to_json(timestamp, deck_id)
        data["mod"] = self.mtime  # the note type changes when its templates do, not at each export
        return data


def note_type(cloze: bool = False) -> genanki.Model:
    """The "dlquiz Q/A" note type (or, with `cloze`, "dlquiz Cloze", a cloze note type): fields
    and template with ids derived from their names."""
    name, fields, front, back = (CLOZE_MODEL_NAME, CLOZE_FIELDS, CLOZE_FRONT, CLOZE_BACK) if cloze else (
        MODEL_NAME, FIELDS, FRONT, BACK)
    model = _Model(
        CLOZE_MODEL_ID if cloze else MODEL_ID, name,
        fields=[{"name": field, "id": stable_id(f"{name} field {field}")} for field in fields],
        templates=[{"name": "Cloze" if cloze else "Card 1", "qfmt": front, "afmt": back,
                    "id": stable_id(f"{name} template {'Cloze' if cloze else 'Card 1'}")}],
        css=CSS, model_type=genanki.Model.CLOZE if cloze else genanki.Model.FRONT_BACK,
    )
    model.mtime = CLOZE_MODEL_MTIME if cloze else MODEL_MTIME
    return model


@dataclass(frozen=True)
class Schedule:
    """One card's progress in Anki's terms."""

    interval: int
    due_in: int  # days from the export's review day; negative when overdue
    factor: int
    lapses: int
    log: tuple[tuple, ...]  # revlog: ms, ease, ivl, lastIvl, factor, time, type; and the grade's device, seq


def _interval(state) -> int:
    """The card's interval as its due day says, whichever scheduler set it (under FSRS, SM-2's
    interval would disagree with the due day sent beside it)."""
    if state.last_day is None:
        return state.sm2.interval
    return max(1, (state.due - state.last_day).days)


def schedules(store, card_ids: set[str], today: date) -> dict[str, Schedule]:
    """The schedule and effective review log (undone grades left out) of every reviewed card."""
    logs: dict[str, list] = {}
    rows = store.db.execute(
        "SELECT card_id, reviewed_at, grade, answer_ms, interval_before, interval_after, ef_after, due_before, device, seq "
        "FROM reviews WHERE kind = 'review' AND id NOT IN (SELECT undoes FROM reviews WHERE undoes IS NOT NULL) "
        "ORDER BY reviewed_at, device, seq"
    )
    for card_id, at, grade, answer_ms, ivl_before, ivl_after, ef_after, due_before, device, seq in rows:
        if card_id in card_ids:
            ms = int(datetime.fromisoformat(at).timestamp() * 1000)
            kind = 0 if due_before is None else 1  # Anki: 0 learning (first sight), 1 review
            logs.setdefault(card_id, []).append((ms, EASE[grade], ivl_after, ivl_before, ef_after * 10, answer_ms, kind,
                                                 device, seq))
    return {
        card_id: Schedule(
            interval=_interval(state), due_in=(state.due - today).days, factor=state.sm2.easiness_centi * 10,
            lapses=state.lapses, log=tuple(logs.get(card_id, ())),
        )
        for card_id, state in store.states().items()
        if card_id in card_ids and state.due is not None
    }


class _Rows:
    """The rows of the notes, cards and review log, inserted together once genanki has walked
    the decks: genanki runs one INSERT per row, which costs more than rendering the note."""

    def __init__(self):
        self.notes: list[tuple] = []
        self.cards: list[tuple] = []
        self.revlog: list[tuple] = []
        self.revlog_ids: set[int] = set()
        self.exported: list[tuple[int, str, int]] = []  # revlog id, and the device and seq of its grade

    def insert(self, db: sqlite3.Connection) -> None:
        db.executemany("INSERT INTO notes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", self.notes)
        db.executemany("INSERT INTO cards VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", self.cards)
        db.executemany("INSERT INTO revlog VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", self.revlog)


class _Note(genanki.Note):
    """A genanki note with its own modification time and, with --with-progress, its card's
    schedule and review log. It writes the rows genanki's Note and Card would (same columns,
    same values), into `rows`."""

    def __init__(self, note: Note, model, schedules: list[Schedule | None], rows: _Rows, tick):
        super().__init__(model=model, fields=list(note.fields), tags=list(note.tags), guid=note.guid, due=note.position)
        self.mtime = note.mtime
        self.schedules = schedules  # one per Anki card: a cloze note has one per cloze, in Anki's order
        self.rows = rows
        self._tick = tick

    @property
    def tags(self):
        return self._tags

    @tags.setter
    def tags(self, value):
        self._tags = value  # words without spaces already (the deck loader checks): no second check

    def write_to_db(self, cursor, timestamp, deck_id, id_gen):
        self._check_number_model_fields_matches_num_fields()
        rows, mtime = self.rows, self.mtime
        note_id = next(id_gen)
        rows.notes.append((note_id, self.guid, self.model.model_id, mtime, -1, self._format_tags(),
                           self._format_fields(), self.sort_field, 0, 0, ""))
        for ordinal, s in enumerate(self.schedules):
            card_id = next(id_gen)
            if s is None:  # a new card, in export order
                rows.cards.append((card_id, note_id, deck_id, ordinal, mtime, -1, 0, 0, self.due, 0, 0, 0, 0, 0, 0, 0, 0, ""))
                continue
            # a review card (type and queue 2)
            rows.cards.append((card_id, note_id, deck_id, ordinal, mtime, -1, 2, 2, s.due_in, s.interval, s.factor,
                               len(s.log), s.lapses, 0, 0, 0, 0, ""))
            for ms, ease, ivl, last_ivl, factor, time_ms, kind, device, seq in s.log:
                while ms in rows.revlog_ids:  # revlog ids are unique times in ms
                    ms += 1
                rows.revlog_ids.add(ms)
                rows.exported.append((ms, device, seq))
                rows.revlog.append((ms, card_id, -1, ease, ivl, last_ivl, factor, time_ms, kind))
        self._tick()


def write(path: str, notes: list[Note], now: datetime, today: date, progress_of: dict[str, Schedule] | None,
          report: Report, progress=None) -> list[tuple[int, str, int]]:
    """Write the notes (and, when given, the schedules by card id) as an .apkg at `path`; the
    revlog ids it wrote, each with its grade's identity (for `dlquiz import anki`).
    `today` is dlquiz's review day, the day the schedules' due days count from. A parametric
    card's schedule goes with its first draw; a cloze note's cards get their clozes' schedules."""
    models = {False: note_type(), True: note_type(cloze=True)}
    decks: dict[str, genanki.Deck] = {}
    rows = _Rows()
    counter = itertools.count(1)

    def tick() -> None:
        done = next(counter)
        if progress is not None and (done % 256 == 0 or done == len(notes)):
            progress("writing", done, len(notes))

    for note in notes:
        card_schedules = [None] * len(note.card_ids)
        if progress_of is not None and note.draw in (None, 1):
            card_schedules = [progress_of.get(card_id) for card_id in note.card_ids]
        for schedule in filter(None, card_schedules):
            report.scheduled += 1
            report.reviews += len(schedule.log)
        deck = decks.get(note.deck)
        if deck is None:
            deck = decks[note.deck] = genanki.Deck(stable_id(note.deck), note.deck)
            for model in models.values():
                deck.add_model(model)
        model = models[bool(note.cloze)]
        deck.add_note(_Note(note, model, card_schedules, rows, tick))
    package = genanki.Package(list(decks.values()))
    stamp = now.timestamp()
    db = sqlite3.connect(":memory:")  # built in memory and zipped from there: no temporary file
    try:
        package.write_to_db(db.cursor(), stamp, itertools.count(int(stamp * 1000)))
        rows.insert(db)
        # Anki re-bases due days from this creation time: noon of today's review day.
        created = datetime.combine(today, dtime(12), tzinfo=now.tzinfo)
        db.execute("UPDATE col SET crt = ?", (int(created.timestamp()),))
        db.commit()
        collection = db.serialize()
    finally:
        db.close()
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("collection.anki2", collection)
        archive.writestr("media", "{}")
    return rows.exported
