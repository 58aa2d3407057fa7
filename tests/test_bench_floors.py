"""bench/floors.py, the floors bench_sync.py reports under issue 16's two targets: a floor must do
the work it stands for, or the comparison says nothing. The import's floor brings in exactly the
reviews `dlquiz import anki` brings in, from the same package, and steps them to the same SM-2
schedules; the sync's floor appends every event of the other machine's file and writes the
state of every card they touch. (Small collections: the benchmark's take minutes.)"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))
import bench_sync  # noqa: E402
import floors  # noqa: E402
from synth import write_collection  # noqa: E402

from dlquiz.decks.collection import load_collection  # noqa: E402
from dlquiz.export.notes import guid_for  # noqa: E402
from dlquiz.sm2 import START_EF_CENTI, SM2State, review  # noqa: E402

CARDS = 40
REVLOG = 80  # over 400 days: at least three days apart, so no card is answered twice on one day (a re-drill)


def _studied_in_anki(tmp_path, cards_dir, monkeypatch, cli) -> tuple[list[str], Path]:
    """A collection of CARDS cards, its notes in an Anki package with REVLOG reviews, imported
    by dlquiz. Returns the card ids and the Anki collection file."""
    card_ids = list(load_collection(paths=write_collection(cards_dir, CARDS, 4), cache=False).cards)
    package = tmp_path / "anki" / "from-anki.colpkg"
    package.parent.mkdir()
    collection = bench_sync.anki_package(package, card_ids, REVLOG)
    monkeypatch.setenv("TZ", "UTC")  # (review days as the floor counts them: UTC, rollover at 04:00)
    monkeypatch.setenv("DLQUIZ_NOW", bench_sync.NOW.isoformat())
    result = cli("import", "anki", str(package))
    assert result.exit_code == 0, result.output
    assert f"imported {REVLOG} reviews" in result.output
    return card_ids, collection


def _schedules(db: sqlite3.Connection, query: str) -> dict[str, tuple]:
    return {row[0]: tuple(row[1:]) for row in db.execute(query)}


def test_the_import_floor_brings_in_what_dlquiz_imports_and_reaches_the_same_schedules(
        tmp_path, isolated, cards_dir, monkeypatch, cli):
    card_ids, collection = _studied_in_anki(tmp_path, cards_dir, monkeypatch, cli)
    floor = tmp_path / "floor.db"
    floors.prepare_import(floor, {guid_for(card_id): card_id for card_id in card_ids})

    assert floors.import_(str(floor), str(collection)) == REVLOG

    with sqlite3.connect(isolated["home"] / "dlquiz.db") as ours, sqlite3.connect(floor) as theirs:
        assert (sorted(row[0] for row in theirs.execute("SELECT anki_id FROM log"))
                == sorted(row[0] for row in ours.execute("SELECT anki_id FROM reviews")))
        expected = _schedules(ours, "SELECT card_id, reps, ef, interval, lapses FROM cards")
        floor_states = _schedules(theirs, "SELECT c.card_id, s.reps, s.ef, s.ivl, s.lapses FROM states s "
                                          "JOIN cards c ON c.card = s.card")
    assert len(expected) > CARDS // 2
    assert floor_states == expected


def test_the_sync_floor_appends_every_event_and_writes_every_touched_card(tmp_path, isolated, cards_dir, monkeypatch,
                                                                          cli):
    card_ids, _ = _studied_in_anki(tmp_path, cards_dir, monkeypatch, cli)
    floor = tmp_path / "floor.db"
    floors.prepare_sync(floor, isolated["home"] / "dlquiz.db")
    shared = tmp_path / "shared"
    shared.mkdir()
    bench_sync.remote_events(shared, card_ids, 60)
    with sqlite3.connect(floor) as db:
        before = _schedules(db, "SELECT card, reps, ef, ivl, last_day IS NOT NULL, lapses FROM states")
        assert db.execute("SELECT count(*) FROM log").fetchone()[0] == REVLOG

    assert floors.sync(str(floor), str(shared / f"{bench_sync.REMOTE}.jsonl")) == 60

    with sqlite3.connect(floor) as db:
        assert db.execute("SELECT count(*) FROM log").fetchone()[0] == REVLOG + 60
        grades: dict[int, list[int]] = {}
        for card, grade in db.execute("SELECT card, grade FROM log WHERE id > ? AND kind = 0 ORDER BY at, seq", (REVLOG,)):
            grades.setdefault(card, []).append(grade)
        after = _schedules(db, "SELECT card, reps, ef, ivl, lapses FROM states")
    assert len(grades) > 10
    for card, given in grades.items():  # each moved on from its state by dlquiz's SM-2, grade by grade
        reps, ef, ivl, reviewed, lapses = before.get(card, (0, START_EF_CENTI, 0, False, 0))
        state = SM2State.from_centi(reps, ef, ivl)
        for grade in given:
            state, lapses, reviewed = review(state, grade), lapses + (grade < 3 and reviewed), True
        assert after[card] == (state.repetitions, state.easiness_centi, state.interval, lapses)
