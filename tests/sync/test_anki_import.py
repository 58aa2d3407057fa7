"""`dlquiz import anki`: the round trip through Anki's own library. dlquiz exports with progress,
Anki imports the package, the learner answers there through Anki's scheduler on several days
with all four buttons, Anki exports with scheduling, and dlquiz imports that: its log then holds
exactly those answers, the states are the replay of the log, and importing again adds nothing."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from anki.collection import ExportAnkiPackageOptions, ImportAnkiPackageOptions, ImportAnkiPackageRequest

from dlquiz.review.store import open_store
from dlquiz.review.today import review_day
from dlquiz.sync import anki as anki_import

DECK = """
course: 4
week: 1
title: Foundations of CNNs
cards:
  - id: c4w1-a
    question: Question a?
    answer: Answer a.
  - id: c4w1-b
    question: Question b?
    answer: Answer b.
  - id: c4w1-c
    question: Question c?
    answer: Answer c.
  - id: c4w1-drill
    template: conv_output_size
"""


@pytest.fixture
def studied(write_deck, monkeypatch, cli, col, tmp_path):
    """dlquiz reviews c4w1-a three times (20, 19 and 13 days ago) and exports with progress; Anki
    imports the package, and also holds a note of its own. Returns (now, today, the collection)."""
    write_deck("c4w1.yaml", DECK)
    now = datetime.now(timezone.utc).astimezone()  # Anki dates what it does by the real clock
    monkeypatch.setenv("DLQUIZ_NOW", now.isoformat())
    today = review_day(now, 4)
    with open_store() as store:
        for days_ago, grade in ((20, 5), (19, 4), (13, 5)):
            store.record("c4w1-a", grade, "review", today - timedelta(days=days_ago), now - timedelta(days=days_ago))
    result = cli("export", "anki", "--with-progress", "-o", str(tmp_path / "progress.apkg"))
    assert result.exit_code == 0, result.stderr
    options = ImportAnkiPackageOptions(with_scheduling=True)
    col.import_anki_package(ImportAnkiPackageRequest(package_path=str(tmp_path / "progress.apkg"), options=options))
    basic = col.models.by_name("Basic")
    note = col.new_note(basic)
    note["Front"], note["Back"] = "not a dlquiz card", "no"
    col.add_note(note, col.decks.id("Default"))
    return now, today, col


def anki_card(col, card_id: str):
    return col.get_note(col.find_notes(f'"CardId:{card_id}"')[0]).cards()[0]


def answer(col, card_id: str, ease: int, when: datetime) -> None:
    """Answer a dlquiz card in Anki with a button, through Anki's scheduler, as if at `when`: the
    card is made due today (Anki logs that as a manual entry), answered, and its new revlog entry
    moved to that moment."""
    card = anki_card(col, card_id)
    col.sched.set_due_date([card.id], "0")
    card = col.get_card(card.id)
    card.start_timer()
    col.sched.answerCard(card, ease)
    newest = col.db.scalar("SELECT max(id) FROM revlog WHERE cid = ? AND type != 4", card.id)
    col.db.execute("UPDATE revlog SET id = ? WHERE id = ?", int(when.timestamp() * 1000), newest)


ANSWERS = [  # card, button, days ago (hour): all four buttons, several days, twice one day
    ("c4w1-a", 3, 10, 9), ("c4w1-b", 1, 10, 9), ("c4w1-b", 3, 10, 10), ("c4w1-c", 4, 7, 12),
    ("c4w1-a", 2, 3, 9), ("c4w1-b", 4, 3, 9), ("c4w1-drill", 3, 1, 9),
]


def study_in_anki(col, now: datetime) -> list[tuple[str, int, datetime]]:
    done = []
    for minute, (card_id, ease, days_ago, hour) in enumerate(ANSWERS):
        when = (now - timedelta(days=days_ago)).replace(hour=hour, minute=minute, second=0, microsecond=0)
        answer(col, card_id if card_id != "c4w1-drill" else "c4w1-drill#1", ease, when)
        done.append((card_id, ease, when))
    return done


def export_from_anki(col, path: Path, legacy: bool = False) -> Path:
    options = ExportAnkiPackageOptions(with_scheduling=True, with_media=False, legacy=legacy)
    col.export_anki_package(out_path=str(path), options=options, limit=None)
    return path


def test_reviews_made_in_anki_come_back_exactly_once(studied, cli, tmp_path):
    now, today, col = studied
    done = study_in_anki(col, now)
    package = export_from_anki(col, tmp_path / "from-anki.apkg")
    assert "collection.anki21b" in zipfile.ZipFile(package).namelist()  # zstd: what Anki writes by default
    result = cli("import", "anki", str(package))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ("imported 7 reviews of 4 cards from Anki (3 already imported, 1 note not from dlquiz); "
                             "skipped 7 log entries that are not answers (7 set by hand)\n")
    grades = {1: 1, 2: 3, 3: 4, 4: 5}
    with open_store() as store:
        rows = store.db.execute("SELECT card_id, grade, reviewed_at, day, kind, anki_id FROM reviews WHERE origin = 'anki' "
                                "ORDER BY reviewed_at").fetchall()
        expected = sorted((card, grades[ease], when.astimezone(timezone.utc).isoformat(timespec="microseconds"),
                           review_day(when, 4).isoformat()) for card, ease, when in done)
        assert sorted(row[:4] for row in rows) == expected
        # the first answer of a card on a review day is its scheduled review, later ones re-drills
        assert [kind for card, _, _, _, kind, _ in rows if card == "c4w1-b"] == ["review", "redrill", "review"]
        assert all(anki_id == int(datetime.fromisoformat(at).timestamp() * 1000) for _, _, at, _, _, anki_id in rows)
        assert store.db.execute("SELECT count(*) FROM reviews WHERE origin = 'dlquiz'").fetchone()[0] == 3  # no copies
        states = store.states()
        assert states == store.rebuild_states()
        a = states["c4w1-a"]  # 5, 4, 5 in dlquiz; then Good, and Hard in Anki: 4 and 3
        assert (a.sm2.repetitions, a.sm2.interval, a.lapses) == (5, 119, 0)  # 16 days, 44 (× 2.7), 119
        assert states["c4w1-b"].last_day == review_day(done[5][2], 4)
    again = cli("import", "anki", str(package))
    assert again.stdout.startswith("imported 0 reviews of 0 cards from Anki (10 already imported, 1 note not from dlquiz)")
    with open_store() as store:
        assert store.db.execute("SELECT count(*) FROM reviews").fetchone()[0] == 10


def test_a_package_exported_before_revlog_ids_were_recorded_is_recognised_by_card_and_time(studied, cli, tmp_path):
    now, today, col = studied
    with open_store() as store:
        store.db.execute("DELETE FROM anki_exported")
    package = export_from_anki(col, tmp_path / "from-anki.apkg")
    result = cli("import", "anki", str(package), "--json")
    report = json.loads(result.stdout)
    assert (report["imported"], report["already_imported"]) == (0, 3)


@pytest.mark.parametrize("form", ["legacy .apkg", ".colpkg", "collection.anki2"])
def test_every_form_of_anki_file_is_read(studied, cli, tmp_path, form):
    now, today, col = studied
    answer(col, "c4w1-b", 3, now - timedelta(days=2))
    if form == "legacy .apkg":
        path = export_from_anki(col, tmp_path / "legacy.apkg", legacy=True)
        assert "collection.anki21" in zipfile.ZipFile(path).namelist()
    elif form == ".colpkg":
        path = tmp_path / "all.colpkg"
        col.export_collection_package(str(path), include_media=False, legacy=False)
    else:
        path = Path(col.path)
        col.close()  # (a collection file as Anki leaves it)
    before = path.read_bytes()
    result = cli("import", "anki", str(path))
    assert result.stdout.startswith("imported 1 review of 1 card from Anki (3 already imported"), result.stderr
    assert path.read_bytes() == before  # never written
    if form == "collection.anki2":
        col.reopen()


def test_dry_run_says_what_and_writes_nothing(studied, cli, tmp_path):
    now, today, col = studied
    study_in_anki(col, now)
    package = export_from_anki(col, tmp_path / "from-anki.apkg")
    with open_store() as store:
        before = store.db.execute("SELECT * FROM reviews").fetchall()
    result = cli("import", "anki", str(package), "--dry-run")
    assert result.stdout.startswith("would import 7 reviews of 4 cards from Anki (3 already imported")
    assert result.stderr == "dry run: nothing written\n"
    with open_store() as store:
        assert store.db.execute("SELECT * FROM reviews").fetchall() == before


def test_imported_reviews_reach_the_other_machines_once(studied, cli, tmp_path, monkeypatch):
    """An import is this machine's events: a sync sends them; a second machine that imports the
    same file too keeps one of each (by revlog id)."""
    now, today, col = studied
    study_in_anki(col, now)
    package = export_from_anki(col, tmp_path / "from-anki.apkg")
    shared = tmp_path / "shared"
    shared.mkdir()
    cli("import", "anki", str(package))
    cli("sync", str(shared))
    with open_store() as store:
        first = store.states()
    monkeypatch.setenv("DLQUIZ_HOME", str(tmp_path / "other"))
    (tmp_path / "other").mkdir()
    result = cli("import", "anki", str(package))  # no dlquiz review here yet: the 3 exported ones come in too
    assert result.stdout.startswith("imported 10 reviews of 4 cards from Anki (0 already imported")
    result = cli("sync", str(shared), "--json")
    assert (json.loads(result.stdout)["already_had"], json.loads(result.stdout)["received"]) == (7, 3)
    with open_store() as store:  # the copies of dlquiz's own 3 reviews are taken back
        assert store.db.execute("SELECT count(*) FROM reviews WHERE origin = 'anki' AND id NOT IN "
                                "(SELECT undoes FROM reviews WHERE undoes IS NOT NULL)").fetchone()[0] == 7
        assert store.states() == first
        second = store.states()
    monkeypatch.setenv("DLQUIZ_HOME", str(tmp_path / "home"))
    cli("sync", str(shared))
    with open_store() as store:
        assert store.states() == second


BAD = {
    "not a zip": (b"hello, not anki", "not an Anki package (.apkg, .colpkg) or collection (collection.anki2)"),
    "empty": (b"", "not an Anki package (.apkg, .colpkg) or collection (collection.anki2)"),
}


@pytest.mark.parametrize("name", ["not a zip", "empty", "zip without a collection", "truncated package",
                                  "truncated collection", "newer schema", "other SQLite", "zip bomb"])
def test_bad_files_are_one_line_exit_2_and_the_store_unchanged(studied, cli, tmp_path, monkeypatch, name):
    now, today, col = studied
    study_in_anki(col, now)
    package = export_from_anki(col, tmp_path / "from-anki.apkg")
    bad = tmp_path / "bad.apkg"
    if name in BAD:
        bad.write_bytes(BAD[name][0])
    elif name == "zip without a collection":
        with zipfile.ZipFile(bad, "w") as archive:
            archive.writestr("media", "{}")
    elif name == "truncated package":
        bad.write_bytes(package.read_bytes()[: package.stat().st_size // 2])
    elif name == "truncated collection":
        bad = tmp_path / "collection.anki2"
        col.close()
        bad.write_bytes(Path(col.path).read_bytes()[:12288])
        col.reopen()
    elif name == "newer schema":
        bad = tmp_path / "collection.anki2"
        col.close()
        bad.write_bytes(Path(col.path).read_bytes())
        col.reopen()
        db = sqlite3.connect(bad)
        db.execute("UPDATE col SET ver = 99")
        db.commit()
        db.close()
    elif name == "other SQLite":
        db = sqlite3.connect(bad)
        db.execute("CREATE TABLE t (x)")
        db.commit()
        db.close()
    else:
        monkeypatch.setattr("dlquiz.sync.ankifile.MAX_BYTES", 4096)
        bad = package
    with open_store() as store:
        before = store.db.execute("SELECT * FROM reviews").fetchall()
    result = cli("import", "anki", str(bad))
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith(f"{bad}: "), result.stderr
    if name in BAD:
        assert result.stderr == f"{bad}: {BAD[name][1]}\n"
    elif name == "newer schema":
        assert "made by a newer Anki (collection schema 99; this dlquiz reads up to 18)" in result.stderr
    elif name == "zip bomb":
        assert "larger than 0 MB unpacked" in result.stderr
    with open_store() as store:
        assert store.db.execute("SELECT * FROM reviews").fetchall() == before


def test_buttons_map_to_grades_as_the_readme_says():
    assert anki_import.BUTTONS == {1: 1, 2: 3, 3: 4, 4: 5}
