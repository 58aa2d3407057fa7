"""`dlquiz import anki FILE`: reviews made in Anki (desktop, AnkiDroid, AnkiMobile) come back into
dlquiz's log, with their own times. docs/sync.md has the round trip step by step.

A note is dlquiz's when its GUID is one a dlquiz card's notes have (dlquiz.export.notes:
`genanki.guid_for("dlquiz", card_id[, draw])`, the draws of a parametric card included, and
every GUID an export recorded in the store). Each entry of Anki's review log (`revlog`) of such a
note's card becomes a grade from Anki (origin 'anki', the revlog id kept: importing twice adds
nothing): Again, Hard, Good, Easy are grades 1, 3, 4, 5. The first review of a card on a review
day is a scheduled review, later ones that day re-drills (dlquiz's day model; a day that already
has a scheduled review of the card in the log keeps it). Entries that are not answers are
skipped and counted: set by hand (type 4: a due date set, a card forgotten), rescheduled by
Anki (type 5), reviewed in a filtered deck (type 3), or without a button (ease 0). Reviews that
dlquiz itself put into a package (`export anki --with-progress`) are recognised by the revlog
ids the export recorded (table `anki_exported`) or, for packages made before it recorded them,
by card and time: never twice. The new grades are merged like a sync's (dlquiz.review.events),
the cards they touch replayed under the active scheduler, in one transaction.
"""

from __future__ import annotations

import bisect
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timezone, tzinfo
from pathlib import Path

from dlquiz.errors import UsageError
from dlquiz.model import collector_paused
from dlquiz.render.words import plural
from dlquiz.review import events, merging
from dlquiz.review.today import review_day
from dlquiz.sync import ankifile

BUTTONS = {1: 1, 2: 3, 3: 4, 4: 5}  # Anki's answer buttons (Again, Hard, Good, Easy) -> SM-2 grades
SKIPPED_TYPES = {3: "filtered", 4: "manual", 5: "rescheduled"}
# A revlog id is the answer's time in milliseconds since 1970 (UTC): one before 1970 or in the
# year 9999 or later is no time a review was made (and no date Python can shift by a time zone).
LAST_ID = 253_370_764_800_000  # 9999-01-01T00:00:00Z
# The revlog entries read: those whose fields hold what Anki writes there (SQLite keeps any value
# in any column; a damaged or hand-edited collection can hold text, reals, blobs).
_SOUND = (f"typeof(cid) = 'integer' AND typeof(ease) = 'integer' AND typeof(time) = 'integer' "
          f"AND typeof(type) = 'integer' AND id BETWEEN 0 AND {LAST_ID - 1}")
BUMP_MS = 1000  # an export moves a review's revlog id up by at most this much to keep ids unique
MAX_ANSWER_MS = 60_000  # as a dlquiz session counts a card left on screen
_THOUSANDTHS = tuple(f".{milli:03d}000+00:00" for milli in range(1000))  # the end of a time as events.utc writes it


@dataclass
class Report:
    """What an import did (or, with dry_run, would do)."""

    file: str
    dry_run: bool = False
    imported: int = 0
    cards: int = 0
    already: int = 0  # reviews in the log already (imported before, or dlquiz's own, exported)
    foreign_notes: int = 0  # notes whose GUID is no dlquiz card's
    skipped: dict[str, int] = field(default_factory=lambda: dict.fromkeys(
        ("manual", "rescheduled", "filtered", "no_answer", "damaged"), 0))

    def line(self) -> str:
        verb = "would import" if self.dry_run else "imported"
        line = (f"{verb} {plural(self.imported, 'review')} of {plural(self.cards, 'card')} from Anki "
                f"({self.already} already imported, {plural(self.foreign_notes, 'note')} not from dlquiz)")
        skipped = sum(self.skipped.values())
        if skipped:
            words = {"manual": "set by hand", "rescheduled": "rescheduled by Anki", "filtered": "in a filtered deck",
                     "no_answer": "without an answer", "damaged": "damaged (a time or a field out of range)"}
            parts = ", ".join(f"{count} {words[why]}" for why, count in self.skipped.items() if count)
            line += f"; skipped {plural(skipped, 'log entry', 'log entries')} that {'is' if skipped == 1 else 'are'} not answers ({parts})"
        return line

    def to_dict(self) -> dict:
        return {"file": self.file, "dry_run": self.dry_run, "imported": self.imported, "cards": self.cards,
                "already_imported": self.already, "notes_not_from_dlquiz": self.foreign_notes, "skipped": dict(self.skipped)}


@dataclass
class Revlog:
    """The reviews of dlquiz's notes in an Anki file: (revlog id, dlquiz card id, ease, answer
    ms, type), oldest first, how many notes were not dlquiz's, and how many entries of dlquiz's
    notes were damaged (left out)."""

    file: str
    rows: list[tuple[int, str, int, int, int]]
    foreign_notes: int
    damaged: int = 0


def read(path: Path, guids: dict[str, tuple[str, ...]]) -> Revlog:
    """The reviews of dlquiz's notes in the Anki file at `path` (ankifile: a bad file is a
    UsageError). `guids` maps a note GUID to the dlquiz cards of its Anki cards, in Anki's order."""
    report = Report(str(path))
    with collector_paused():
        rows = _read(path, guids, report)
    return Revlog(str(path), rows, report.foreign_notes, report.skipped["damaged"])


def bring_in(store, revlog: Revlog, rollover_hour: int, zone: tzinfo | None = None, dry_run: bool = False) -> Report:
    """Add the reviews the log does not have to `store` (None: there is no store yet, and this
    is a dry run). `zone` is the time zone of review days (None: the system's)."""
    report = Report(revlog.file, dry_run, foreign_notes=revlog.foreign_notes)
    report.skipped["damaged"] = revlog.damaged
    revlog = revlog.rows
    if store is None:
        with collector_paused():
            _plan(None, revlog, rollover_hour, zone, report)
        return report
    with store.transaction("the import"), collector_paused():
        planned = _plan(store, revlog, rollover_hour, zone, report)
        if dry_run:
            report.imported, report.cards = len(planned), len({event.card_id for event in planned})
            return report
        merged = merging.merge(store, planned, fresh=True)  # (no copies of dlquiz's reviews: the plan left them out)
    report.imported, report.cards, report.already = merged.added, len(merged.cards), report.already + merged.known
    return report


def _read(path: Path, guids: dict[str, tuple[str, ...]], report: Report) -> list[tuple[int, str, int, int, int]]:
    """(revlog id, dlquiz card id, ease, answer ms, type) of every review of dlquiz's notes."""
    with ankifile.opened(path) as col:
        try:
            notes = {}
            for note_id, guid in col.execute("SELECT id, guid FROM notes"):
                cards = guids.get(guid)
                if cards is None:
                    report.foreign_notes += 1
                else:
                    notes[note_id] = cards
            card_of = {}
            for card_id, note_id, ordinal in col.execute("SELECT id, nid, ord FROM cards WHERE typeof(ord) = 'integer'"):
                cards = notes.get(note_id)
                if cards is not None and 0 <= ordinal < len(cards):
                    card_of[card_id] = cards[ordinal]
            get = card_of.get
            report.skipped["damaged"] = sum(1 for (cid,) in col.execute(f"SELECT cid FROM revlog WHERE NOT ({_SOUND})")
                                            if get(cid) is not None)
            return [(revlog_id, card, ease, time, kind) for revlog_id, cid, ease, time, kind
                    in col.execute(f"SELECT id, cid, ease, time, type FROM revlog WHERE {_SOUND} ORDER BY id")
                    if (card := get(cid)) is not None]
        except sqlite3.DatabaseError as exc:
            raise UsageError(f"{path}: a damaged or cut-short Anki collection ({exc})") from None


def _plan(store, revlog, rollover_hour: int, zone: tzinfo | None, report: Report) -> list[events.Event]:
    """The grades to add, numbered as this device's next events; counts the rest in `report`."""
    db = store.db if store is not None else None
    known = _column(db, "SELECT anki_id FROM reviews WHERE anki_id IS NOT NULL")
    exported = _column(db, "SELECT revlog_id FROM anki_exported")
    scheduled = set() if db is None else set(db.execute(
        "SELECT card_id, day FROM reviews WHERE kind = 'review' AND id NOT IN (SELECT undoes FROM reviews WHERE undoes IS NOT NULL)"))
    ours: dict[str, list[tuple[int, int]]] | None = None
    seq = events.next_seq(db, store.device) if db is not None else 1
    device = store.device if store is not None else ""
    planned, days, dates = [], {}, {}
    clock: dict[int, str] = {}  # second of the day -> 'HH:MM:SS'
    thousandths = _THOUSANDTHS
    make = tuple.__new__  # (an Event of all its fields, made as the tuple it is: a third of the time of Event(...))
    for revlog_id, card_id, ease, answer_ms, kind in revlog:
        skipped = SKIPPED_TYPES.get(kind) or (None if ease in BUTTONS else "no_answer")
        if skipped is not None:
            report.skipped[skipped] += 1
            continue
        if revlog_id in known or revlog_id in exported:
            report.already += 1
            continue
        known.add(revlog_id)  # (a revlog id is given once: merged as new without looking it up again)
        if ours is None:
            ours = _dlquiz_reviews(db)
        if ours and _exported_before(ours.get(card_id), revlog_id, ease):
            report.already += 1
            continue
        utc_day, milli = divmod(revlog_id, 86_400_000)  # (the time as events.utc writes it, built from its UTC day)
        prefix = dates.get(utc_day)
        if prefix is None:
            prefix = dates[utc_day] = datetime.fromtimestamp(utc_day * 86_400, timezone.utc).isoformat()[:11]  # 'YYYY-MM-DDT'
        second, milli = divmod(milli, 1000)
        hms = clock.get(second)
        if hms is None:
            hms = clock[second] = f"{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}"
        quarter = revlog_id // 900_000  # (every time zone's offset is a whole number of quarter hours)
        day = days.get(quarter)
        if day is None:
            moment = datetime.fromtimestamp(revlog_id // 1000, timezone.utc).replace(microsecond=revlog_id % 1000 * 1000)
            day = days[quarter] = review_day(moment.astimezone(zone), rollover_hour).isoformat()
        key = (card_id, day)
        first = key not in scheduled
        scheduled.add(key)
        planned.append(make(events.Event, (
            "grade", device, seq, card_id, prefix + hms + thousandths[milli], day,
            "review" if first else "redrill", BUTTONS[ease],
            answer_ms if 0 <= answer_ms <= MAX_ANSWER_MS else 0 if answer_ms < 0 else MAX_ANSWER_MS, "anki", revlog_id,
            None, None, None)))
        seq += 1
    if store is None:
        report.imported, report.cards = len(planned), len({event.card_id for event in planned})
    return planned


def _column(db, query: str) -> set:
    return set() if db is None else {row[0] for row in db.execute(query)}


def _dlquiz_reviews(db) -> dict[str, list[tuple[int, int]]]:
    """card id -> (millisecond, Anki button) of its scheduled reviews made in dlquiz, sorted:
    what an export with progress wrote as the card's revlog."""
    ours: dict[str, list[tuple[int, int]]] = {}
    if db is None:
        return ours
    from dlquiz.export.apkg import EASE  # (genanki: only when there are reviews to compare)

    for card_id, at, grade in db.execute("SELECT card_id, reviewed_at, grade FROM reviews WHERE kind = 'review' AND origin = 'dlquiz'"):
        ours.setdefault(card_id, []).append((int(datetime.fromisoformat(at).timestamp() * 1000), EASE[grade]))
    for reviews in ours.values():
        reviews.sort()
    return ours


def _exported_before(reviews: list[tuple[int, int]] | None, revlog_id: int, ease: int) -> bool:
    """Whether a revlog entry is one of these dlquiz reviews as an export wrote it: the same
    button, at its millisecond or a little after (an export moves colliding ids up)."""
    if not reviews:
        return False
    index = bisect.bisect_right(reviews, (revlog_id, 99)) - 1
    while index >= 0 and revlog_id - reviews[index][0] < BUMP_MS:
        if reviews[index][1] == ease:
            return True
        index -= 1
    return False


def take_back_copies(store, card_ids, now: datetime | None = None) -> int:
    """Take back (an undo of this device each) the standing grades from Anki of these cards that
    are copies of dlquiz's own reviews: a package exported with progress, studied in Anki and
    imported on a machine that did not have the original reviews yet; they arrive later, by a
    sync. Inside the caller's write transaction. The number taken back."""
    if not card_ids:
        return 0
    now = now or datetime.now(timezone.utc)
    db = store.db
    with_anki = {row[0] for row in db.execute("SELECT card_id FROM reviews WHERE anki_id IS NOT NULL")} & set(card_ids)
    if not with_anki:
        return 0
    from dlquiz.export.apkg import EASE  # (genanki: only when there are grades from Anki to compare)

    events.mark_affected(db, with_anki)
    ours: dict[str, list[tuple[int, int]]] = {}
    theirs = []
    for row_id, card_id, at, grade, origin, anki_id in db.execute(
            "SELECT id, card_id, reviewed_at, grade, origin, anki_id FROM reviews WHERE kind = 'review' "
            "AND card_id IN (SELECT card_id FROM temp.affected) "
            "AND id NOT IN (SELECT undoes FROM reviews WHERE undoes IS NOT NULL)").fetchall():
        if origin == "dlquiz":
            ours.setdefault(card_id, []).append((int(datetime.fromisoformat(at).timestamp() * 1000), EASE[grade]))
        else:
            theirs.append((row_id, card_id, anki_id, EASE[grade]))
    copies = 0
    for row_id, card_id, anki_id, button in theirs:
        if card_id in ours and _exported_before(sorted(ours[card_id]), anki_id, button):
            store._undo(row_id, now.astimezone(timezone.utc).date(), events.utc(now))
            copies += 1
    return copies
