"""`dlquiz import anki` of collections that Anki would never write: SQLite keeps any value in any
column, so a damaged or hand-edited collection can hold a revlog time before 1970 or past the
year 9999, text or a fraction where a number belongs, a card's ordinal as text. Generated as a
class (Hypothesis) on a real collection that Anki's own library wrote: the import never fails
with a traceback, skips and counts exactly the damaged entries of dlquiz's notes (exit 1), and
imports the sound ones as it would without them."""

from __future__ import annotations

import itertools
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.sync.test_anki_import import anki_card, studied, study_in_anki  # noqa: F401 (a fixture)

# Values SQLite keeps as they are in a column of integer affinity (it would store the text '3' as
# the number 3: that entry is sound, and is imported).
ODD_VALUES = st.one_of(
    st.text(alphabet="abcxyz ", max_size=8), st.floats(allow_nan=False, allow_infinity=False).filter(lambda x: x != int(x)),
    st.binary(max_size=8), st.just(2.5))
LAST_ID = 253_370_764_800_000  # 9999-01-01 in milliseconds: a review's time is before it
BAD_TIMES = st.one_of(st.integers(-(2**63), -1), st.integers(LAST_ID, 2**63 - 1))
FIELDS = ("ease", "time", "type")
RUNS = itertools.count()
DAMAGE = st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), st.sampled_from(("id",) + FIELDS), BAD_TIMES, ODD_VALUES),
                  min_size=1, max_size=4)


@pytest.fixture
def collection_file(studied, tmp_path):
    """A collection.anki2 written by Anki's library after a week of answers in Anki, and the
    Anki card ids of dlquiz's cards a, b, c."""
    now, today, col = studied
    study_in_anki(col, now)
    cids = {name: anki_card(col, f"c4w1-{name}").id for name in "abc"}
    col.close()
    clean = tmp_path / "clean" / "collection.anki2"
    clean.parent.mkdir()
    shutil.copy(col.path, clean)
    col.reopen()
    return clean, cids


def imported(cli, monkeypatch, home: Path, path: Path):
    home.mkdir()
    monkeypatch.setenv("DLQUIZ_HOME", str(home))
    return cli("import", "anki", str(path), "--json")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(damage=DAMAGE, ord_as_text=st.booleans())
def test_damaged_log_entries_are_skipped_and_counted_and_the_rest_imported(collection_file, cli, monkeypatch, tmp_path,
                                                                           damage, ord_as_text):
    run = next(RUNS)  # (each example its own files and homes)
    clean, cids = collection_file
    base, damaged = tmp_path / f"{run}-base.anki2", tmp_path / f"{run}-damaged.anki2"
    shutil.copy(clean, base)
    db = sqlite3.connect(base)
    if ord_as_text:  # a card whose ordinal is not a number is no card of a dlquiz note
        db.execute("UPDATE cards SET ord = 'zero' WHERE id = ?", (cids["c"],))
    db.commit()
    db.close()
    shutil.copy(base, damaged)
    db = sqlite3.connect(damaged)
    template = db.execute("SELECT id, usn, ivl, lastIvl, factor FROM revlog ORDER BY id DESC LIMIT 1").fetchone()
    for n, (card, field, bad_time, odd) in enumerate(damage):
        row = {"id": template[0] + 1000 * (n + 1), "cid": cids[card], "ease": 3, "time": 5000, "type": 1}
        if field == "id":
            row["id"] = bad_time
        else:
            row[field] = odd
        db.execute("INSERT OR IGNORE INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   (row["id"], row["cid"], template[1], row["ease"], *template[2:], row["time"], row["type"]))
    db.commit()
    # What the file holds now (SQLite's column affinity turns '3' into 3): the damaged entries
    # of cards that are dlquiz's, by what Python sees.
    ours = {cids[name] for name in "abc" if not (ord_as_text and name == "c")}
    expected = sum(1 for rid, cid, *fields in db.execute("SELECT id, cid, ease, time, type FROM revlog")
                   if cid in ours and not (all(type(v) is int for v in fields) and 0 <= rid < LAST_ID))
    db.close()

    clean_run = imported(cli, monkeypatch, tmp_path / f"{run}-home-base", base)
    assert clean_run.exit_code == 0, clean_run.stderr
    result = imported(cli, monkeypatch, tmp_path / f"{run}-home", damaged)
    assert "Traceback" not in result.stderr and "Error" not in result.stderr, result.stderr
    assert result.exit_code == (1 if expected else 0), result.stderr
    report, sound = json.loads(result.stdout), json.loads(clean_run.stdout)
    assert report["skipped"]["damaged"] == expected
    assert (report["imported"], report["cards"]) == (sound["imported"], sound["cards"])
    assert {k: v for k, v in report["skipped"].items() if k != "damaged"} == \
        {k: v for k, v in sound["skipped"].items() if k != "damaged"}


def test_a_damaged_entry_is_named_in_the_line(collection_file, cli, monkeypatch, tmp_path):
    clean, cids = collection_file
    db = sqlite3.connect(clean)
    db.execute("INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
               "VALUES (?, ?, -1, 3, 1, 0, 2500, 5000, 1)", (2**62, cids["a"]))
    db.commit()
    db.close()
    result = imported(cli, monkeypatch, tmp_path / "fresh-home", clean)
    assert result.exit_code == 1
    result = cli("import", "anki", str(clean), "--dry-run")
    assert result.exit_code == 1
    assert "1 damaged (a time or a field out of range)" in result.stdout


@settings(max_examples=300, deadline=None)
@given(revlog_ids=st.lists(st.integers(0, LAST_ID - 1), min_size=1, max_size=20, unique=True),
       offset=st.integers(-14 * 4, 14 * 4))
def test_every_revlog_time_becomes_the_time_and_review_day_the_log_keeps(revlog_ids, offset):
    """An import builds its reviews' times from their milliseconds piece by piece (day, second,
    millisecond; a sixth of the time of formatting a datetime): for any revlog id Anki can hold,
    the very text events.utc writes for that moment, and its review day in any time zone."""
    from datetime import datetime, timedelta, timezone

    from dlquiz.review.events import utc
    from dlquiz.review.today import review_day
    from dlquiz.sync import anki

    zone = timezone(timedelta(minutes=15 * offset))
    report = anki.Report("collection.anki2")
    planned = anki._plan(None, [(rid, f"card-{i % 3}", 3, 5000, 1) for i, rid in enumerate(sorted(revlog_ids))], 4, zone, report)
    for event, rid in zip(planned, sorted(revlog_ids)):
        moment = datetime.fromtimestamp(rid // 1000, timezone.utc).replace(microsecond=rid % 1000 * 1000)
        assert (event.at, event.day, event.anki_id) == (utc(moment), review_day(moment.astimezone(zone), 4).isoformat(), rid)
    assert len(planned) == len(revlog_ids) and report.imported == len(revlog_ids)
