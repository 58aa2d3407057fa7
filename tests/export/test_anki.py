"""Anki export, checked with Anki's own library: what dlquiz writes is imported into a fresh
collection and the collection is inspected (notes, decks, tags, fields, schedules, revlog)."""

from __future__ import annotations

import io
import os
import re
import sqlite3
import subprocess
import sys
import zipfile
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path

import pytest
from anki.collection import (
    Collection,
    ImportAnkiPackageOptions,
    ImportAnkiPackageRequest,
)
from anki.import_export_pb2 import ImportCsvRequest

from dlquiz.decks.collection import load_collection
from dlquiz.export import anki
from dlquiz.export import apkg as anki_package
from dlquiz.export import notes as anki_notes
from dlquiz.export import tsv as anki_tsv
from dlquiz.model import Card, Deck
from dlquiz.review.store import open_store

C4W1 = r"""
course: 4
course_title: Convolutional Neural Networks
week: 1
title: Foundations of CNNs
cards:
  - id: c4w1-params
    kind: numeric
    source: How many parameters does this layer have?
    question: A conv layer has 100 filters of $5 \times 5$ over an RGB input. How many parameters?
    answer: 7600
    explain: $(5 \cdot 5 \cdot 3 + 1) \cdot 100$ — each filter spans all 3 input channels, plus one bias.
    tags: [parameters, conv]
  - id: c4w1-padding
    kind: choice
    question: Which padding keeps $n_H$ unchanged when $s = 1$?
    options: [valid, same]
    answer: same
  - id: c4w1-xss
    question: 'What does <script>alert(1)</script> do? <img src=x onerror="alert(2)">'
    answer: 'Nothing: <b onmouseover=alert(3)>bold</b> and [a link](javascript:alert(4)).'
    explain: '<iframe src="https://evil.example"></iframe> $x < y$ & $$\sum_i a_i$$'
  - id: c4w1-pool-params
    kind: truefalse
    question: Max pooling has parameters to learn.
    answer: false
    tags: [pooling]
  - id: c4w1-w-shape
    kind: shape
    question: What is the shape of $W^{[1]}$ for 3 inputs and 4 units?
    answer: [4, 3]
  - id: c4w1-out-size
    kind: formula
    question: Output size of a convolution with padding $p$ and stride $s$?
    answer: '$\frac{n + 2p - f}{s} + 1$'
    expr: (n + 2*p - f)/s + 1
"""

C5W1 = """
course: 5
week: 1
title: Recurrent Neural Networks
cards:
  - id: c5w1-hash-4910
    question: '#1 rule of RNNs: is $a^{<t>}$ shared?'
    answer: |-
      Yes: the **same** parameters at every step.

      | step | weights |
      | --- | --- |
      | $t$ | $W_{aa}$ |
"""

N_CARDS = 7
ROOT = "Deep Learning Specialization"
C4W1_DECK = f"{ROOT}::C4 Convolutional Neural Networks::W1 Foundations of CNNs"
C5W1_DECK = f"{ROOT}::C5::W1 Recurrent Neural Networks"
DOLLAR_MATH = re.compile(r"\$[^\s$][^$]*\$")


@pytest.fixture
def small(write_deck):
    write_deck("c4w1.yaml", C4W1)
    write_deck("c5w1.yaml", C5W1)


def import_apkg(col: Collection, path: Path, with_scheduling: bool = False):
    options = ImportAnkiPackageOptions(with_scheduling=with_scheduling)
    return col.import_anki_package(ImportAnkiPackageRequest(package_path=str(path), options=options)).log


def notes_by_id(col: Collection) -> dict:
    """card id -> the Anki note holding it."""
    return {note["CardId"]: note for note in (col.get_note(nid) for nid in col.find_notes(""))}


def set_now(monkeypatch, moment: datetime) -> None:
    monkeypatch.setenv("DLQUIZ_NOW", moment.isoformat())


class _Tags(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, list]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


def test_one_note_per_card_in_named_decks_with_tags(cli, small, col, tmp_path):
    result = cli("export", "anki", "-o", str(tmp_path / "out.apkg"))
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        f"wrote {N_CARDS} notes in 2 decks to {tmp_path / 'out.apkg'} "
        f"({N_CARDS} new, 0 changed, 0 unchanged since the last export)\n"
    )
    log = import_apkg(col, tmp_path / "out.apkg")
    assert (len(log.new), len(log.updated), len(log.duplicate)) == (N_CARDS, 0, 0)
    notes = notes_by_id(col)
    assert sorted(notes) == sorted(["c4w1-params", "c4w1-padding", "c4w1-xss", "c4w1-pool-params", "c4w1-w-shape",
                                    "c4w1-out-size", "c5w1-hash-4910"])
    assert {d.name for d in col.decks.all_names_and_ids()} >= {ROOT, C4W1_DECK, C5W1_DECK}
    card = notes["c4w1-params"].cards()[0]
    assert col.decks.name(card.did) == C4W1_DECK
    assert col.decks.name(notes["c5w1-hash-4910"].cards()[0].did) == C5W1_DECK
    assert sorted(notes["c4w1-params"].tags) == ["conv", "dls::c4::w1", "kind::numeric", "parameters"]
    assert sorted(notes["c5w1-hash-4910"].tags) == ["dls::c5::w1", "kind::basic"]
    import genanki

    assert notes["c4w1-params"].guid == genanki.guid_for("dlquiz", "c4w1-params")
    assert notes["c4w1-params"].note_type()["name"] == "dlquiz Q/A"


def test_fields_are_html_with_mathjax_and_the_answers_read_well(cli, small, col, tmp_path):
    cli("export", "anki", "-o", str(tmp_path / "out.apkg"))
    import_apkg(col, tmp_path / "out.apkg")
    notes = notes_by_id(col)
    params = notes["c4w1-params"]
    assert params["Question"] == (
        "<p>A conv layer has 100 filters of \\(5 \\times 5\\) over an RGB input. How many parameters?</p>\n")
    assert params["Answer"] == "<p><strong>7,600</strong></p>\n"
    assert params["Extra"] == (
        '<div class="dlq-why"><p>\\((5 \\cdot 5 \\cdot 3 + 1) \\cdot 100\\) — each filter spans all 3 input '
        "channels, plus one bias.</p>\n</div>")
    assert params["Source"] == "<p>How many parameters does this layer have?</p>\n"
    assert notes["c4w1-padding"]["Question"].endswith(
        "<ul>\n<li><strong>A.</strong> valid</li>\n<li><strong>B.</strong> same</li>\n</ul>\n")
    assert notes["c4w1-padding"]["Answer"] == "<p><strong>B.</strong> same</p>\n"
    assert notes["c4w1-pool-params"]["Question"].endswith("<ul>\n<li>True</li>\n<li>False</li>\n</ul>\n")
    assert notes["c4w1-pool-params"]["Answer"] == "<p><strong>False</strong></p>\n"
    assert notes["c4w1-w-shape"]["Answer"] == "<p><strong>(4, 3)</strong></p>\n"
    assert notes["c4w1-out-size"]["Answer"] == "<p>\\[\\frac{n + 2p - f}{s} + 1\\]</p>\n"
    assert "<table>" in notes["c5w1-hash-4910"]["Answer"] and "<td>\\(W_{aa}\\)</td>" in notes["c5w1-hash-4910"]["Answer"]
    for note in notes.values():
        for name, value in note.items():
            assert not DOLLAR_MATH.search(value), (note["CardId"], name, value)
    assert "\\(" in params["Question"] and "\\[" in notes["c4w1-out-size"]["Answer"]


def test_script_and_event_handlers_never_reach_anki(cli, small, col, tmp_path):
    cli("export", "anki", "-o", str(tmp_path / "out.apkg"))
    import_apkg(col, tmp_path / "out.apkg")
    note = notes_by_id(col)["c4w1-xss"]
    card = note.cards()[0]
    for html in [*note.values(), card.question(), card.answer()]:
        for tag, attrs in _Tags(html).tags:
            assert tag not in ("script", "iframe", "img"), html
            assert not [name for name, _ in attrs if name.startswith("on")], html
            assert not [v for name, v in attrs if name == "href" and "javascript" in (v or "")], html
    for value in note.values():
        assert "<script" not in value and "<iframe" not in value
    # what was written shows as text, so the learner sees the card as written
    assert note["Question"] == ('<p>What does &lt;script&gt;alert(1)&lt;/script&gt; do? '
                                '&lt;img src=x onerror="alert(2)"&gt;</p>\n')
    assert note["Extra"] == ('<div class="dlq-why"><p>&lt;iframe src="https://evil.example"&gt;&lt;/iframe&gt; '
                             "\\(x &lt; y\\) &amp; \\[\\sum_i a_i\\]</p>\n</div>")


def test_importing_the_same_file_twice_adds_nothing(cli, small, col, tmp_path):
    cli("export", "anki", "-o", str(tmp_path / "out.apkg"))
    import_apkg(col, tmp_path / "out.apkg")
    before = (col.note_count(), col.card_count(), col.db.scalar("SELECT COUNT(*) FROM revlog"), len(col.decks.all_names_and_ids()))
    mods = col.db.all("SELECT guid, mod FROM notes ORDER BY guid")
    log = import_apkg(col, tmp_path / "out.apkg")
    assert (len(log.new), len(log.updated), len(log.duplicate)) == (0, 0, N_CARDS)
    assert (col.note_count(), col.card_count(), col.db.scalar("SELECT COUNT(*) FROM revlog"),
            len(col.decks.all_names_and_ids())) == before
    assert col.db.all("SELECT guid, mod FROM notes ORDER BY guid") == mods


def test_editing_one_card_updates_exactly_that_note(cli, small, write_deck, col, tmp_path, monkeypatch):
    first = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
    set_now(monkeypatch, first)
    cli("export", "anki", "-o", str(tmp_path / "v1.apkg"))
    import_apkg(col, tmp_path / "v1.apkg")
    mods = dict(col.db.all("SELECT guid, mod FROM notes"))
    assert set(mods.values()) == {int(first.timestamp())}

    write_deck("c4w1.yaml", C4W1.replace("How many parameters?", "How many parameters, biases included?"))
    later = first + timedelta(days=3)
    set_now(monkeypatch, later)
    result = cli("export", "anki", "-o", str(tmp_path / "v2.apkg"))
    assert "(0 new, 1 changed, 6 unchanged since the last export)" in result.stderr
    log = import_apkg(col, tmp_path / "v2.apkg")
    assert (len(log.new), len(log.updated), len(log.duplicate), len(log.conflicting)) == (0, 1, N_CARDS - 1, 0)
    notes = notes_by_id(col)
    assert "biases included?" in notes["c4w1-params"]["Question"]
    edited = notes["c4w1-params"].guid
    after = dict(col.db.all("SELECT guid, mod FROM notes"))
    assert after[edited] == int(later.timestamp())
    assert {g: m for g, m in after.items() if g != edited} == {g: m for g, m in mods.items() if g != edited}
    assert col.note_count() == N_CARDS


def test_an_edit_within_the_same_second_still_reaches_anki(cli, small, write_deck, col, tmp_path):
    cli("export", "anki", "-o", str(tmp_path / "v1.apkg"))
    import_apkg(col, tmp_path / "v1.apkg")
    write_deck("c4w1.yaml", C4W1.replace("plus one bias.", "plus one bias per filter."))
    cli("export", "anki", "-o", str(tmp_path / "v2.apkg"))  # DLQUIZ_NOW has not moved
    log = import_apkg(col, tmp_path / "v2.apkg")
    assert (len(log.updated), len(log.duplicate)) == (1, N_CARDS - 1)
    assert "per filter" in notes_by_id(col)["c4w1-params"]["Extra"]


def test_unchanged_cards_keep_their_time_across_exports(cli, small, tmp_path, monkeypatch):
    first = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
    set_now(monkeypatch, first)
    cli("export", "anki", "-o", str(tmp_path / "v1.apkg"))
    set_now(monkeypatch, first + timedelta(days=30))
    result = cli("export", "anki", "c4w1", "-o", str(tmp_path / "v2.apkg"))
    assert result.stderr.endswith("(0 new, 0 changed, 6 unchanged since the last export)\n")
    with zipfile.ZipFile(tmp_path / "v2.apkg") as archive:
        (tmp_path / "v2.anki2").write_bytes(archive.read("collection.anki2"))
    db = sqlite3.connect(tmp_path / "v2.anki2")
    assert {m for (m,) in db.execute("SELECT mod FROM notes")} == {int(first.timestamp())}
    db.close()


def test_a_card_deleted_from_the_decks_is_reported_once(cli, small, write_deck, col, tmp_path):
    cli("export", "anki", "-o", str(tmp_path / "v1.apkg"))
    import_apkg(col, tmp_path / "v1.apkg")
    write_deck("c5w1.yaml", "course: 5\nweek: 1\ntitle: Recurrent Neural Networks\ncards: []\n")
    result = cli("export", "anki", "-o", str(tmp_path / "v2.apkg"))
    assert result.exit_code == 0
    assert result.stderr.splitlines()[1:] == [
        "1 card exported before is in no deck now; Anki keeps the notes until you delete them: c5w1-hash-4910",
        "  to find them in Anki's browser, search: CardId:c5w1-hash-4910",
    ]
    assert len(col.find_notes("CardId:c5w1-hash-4910")) == 1  # the search works
    again = cli("export", "anki", "-o", str(tmp_path / "v3.apkg"))
    assert len(again.stderr.splitlines()) == 1


def test_a_card_that_comes_back_and_goes_again_is_reported_again(cli, small, write_deck, tmp_path):
    out = str(tmp_path / "out.apkg")
    cli("export", "anki", "-o", out)
    write_deck("c5w1.yaml", "course: 5\nweek: 1\ntitle: Recurrent Neural Networks\ncards: []\n")
    assert "c5w1-hash-4910" in cli("export", "anki", "-o", out).stderr
    write_deck("c5w1.yaml", C5W1)
    back = cli("export", "anki", "-o", out)
    assert back.stderr == f"wrote {N_CARDS} notes in 2 decks to {out} (0 new, 0 changed, {N_CARDS} unchanged since the last export)\n"
    write_deck("c5w1.yaml", "course: 5\nweek: 1\ntitle: Recurrent Neural Networks\ncards: []\n")
    assert "in no deck now" in cli("export", "anki", "-o", out).stderr


def test_many_deleted_cards_are_counted_and_the_first_named():
    report = anki_notes.Report(path="x.apkg", notes=1, decks=1, gone=[f"c1w1-card-{i:02d}" for i in range(30)])
    assert report.lines()[1] == (
        "30 cards exported before are in no deck now; Anki keeps the notes until you delete them: "
        + ", ".join(f"c1w1-card-{i:02d}" for i in range(12)) + ", and 18 more")
    assert report.lines()[2].count("CardId:") == 12


def test_a_deleted_card_is_found_in_a_tsv_import_too(cli, small, write_deck, col, tmp_path):
    cli("export", "tsv", "-o", str(tmp_path / "v1.tsv"))
    metadata = col.get_csv_metadata(str(tmp_path / "v1.tsv"), None)
    col.import_csv(ImportCsvRequest(path=str(tmp_path / "v1.tsv"), metadata=metadata))
    write_deck("c5w1.yaml", "course: 5\nweek: 1\ntitle: Recurrent Neural Networks\ncards: []\n")
    result = cli("export", "tsv", "-o", str(tmp_path / "v2.tsv"))
    search = result.stderr.splitlines()[-1].split("search: ", 1)[1]
    assert search == '"Back:*>c5w1-hash-4910<*"'
    assert len(col.find_notes(search)) == 1


def test_with_progress_keeps_interval_due_ease_and_reviews(cli, small, col, tmp_path, monkeypatch):
    now = datetime.now(timezone.utc).astimezone()  # Anki dates the import by the real clock
    set_now(monkeypatch, now)
    from dlquiz.review import today as session

    today = session.review_day(now, 4)
    with open_store() as store:
        for days_ago, grade in ((20, 5), (19, 4), (13, 5)):
            store.record("c4w1-params", grade, "review", today - timedelta(days=days_ago), now - timedelta(days=days_ago))
        wrong = store.record("c4w1-padding", 1, "review", today - timedelta(days=2), now - timedelta(days=2))
        store.undo(wrong.id, today - timedelta(days=2), now - timedelta(days=2))  # undone: not carried
        store.record("c4w1-padding", 2, "review", today - timedelta(days=2), now - timedelta(days=2, minutes=-1))
        params, padding = store.state("c4w1-params"), store.state("c4w1-padding")
    result = cli("export", "anki", "--with-progress", "-o", str(tmp_path / "p.apkg"))
    assert result.stderr.splitlines()[1] == (
        "with progress: 2 cards with a schedule, 4 reviews (Anki applies them only to cards new to the collection)")
    import_apkg(col, tmp_path / "p.apkg", with_scheduling=True)
    notes = notes_by_id(col)
    card = notes["c4w1-params"].cards()[0]
    assert (card.type, card.queue, card.ivl, card.factor, card.reps, card.lapses) == (2, 2, 16, 2700, 3, 0)
    assert (params.sm2.interval, params.sm2.easiness_centi) == (16, 270)  # ceil(6 × 2.6)
    assert card.due - col.sched.today == (params.due - today).days == 3
    revlog = col.db.all("SELECT ease, ivl, lastIvl, factor, type FROM revlog WHERE cid = ? ORDER BY id", card.id)
    assert revlog == [[4, 1, 0, 2600, 0], [3, 6, 1, 2600, 1], [4, 16, 6, 2700, 1]]
    failed = notes["c4w1-padding"].cards()[0]
    assert (failed.ivl, failed.reps, failed.lapses, failed.due - col.sched.today) == (1, 1, padding.lapses, -1)
    assert col.db.all("SELECT ease FROM revlog WHERE cid = ?", failed.id) == [[1]]
    new = notes["c4w1-w-shape"].cards()[0]
    assert (new.type, new.queue, new.reps) == (0, 0, 0)


def test_with_progress_under_fsrs_sends_the_interval_its_due_day_says(cli, small, col, tmp_path, monkeypatch):
    # Under FSRS the due day is FSRS's; the interval sent beside it must agree with it (SM-2's
    # interval, which the log keeps, would tell Anki another schedule).
    now = datetime.now(timezone.utc).astimezone()
    set_now(monkeypatch, now)
    from dlquiz.paths import home
    from dlquiz.review import today as session

    (home() / "config.toml").write_text('scheduler = "fsrs"\n', encoding="utf-8")
    today = session.review_day(now, 4)
    with open_store() as store:
        for days_ago, grade in ((30, 4), (27, 5), (12, 4)):
            store.record("c4w1-params", grade, "review", today - timedelta(days=days_ago), now - timedelta(days=days_ago))
        state = store.state("c4w1-params")
    assert state.stability is not None  # FSRS's state
    assert (state.due - state.last_day).days != state.sm2.interval  # the two schedulers disagree here
    cli("export", "anki", "--with-progress", "-o", str(tmp_path / "p.apkg"))
    import_apkg(col, tmp_path / "p.apkg", with_scheduling=True)
    card = notes_by_id(col)["c4w1-params"].cards()[0]
    assert card.due - col.sched.today == (state.due - today).days
    assert card.ivl == (state.due - state.last_day).days


def test_progress_applies_only_to_cards_new_to_the_collection(cli, small, col, tmp_path):
    cli("export", "anki", "-o", str(tmp_path / "plain.apkg"))
    import_apkg(col, tmp_path / "plain.apkg")
    with open_store() as store:
        store.record("c4w1-params", 5, "review", datetime(2026, 11, 26).date(), datetime(2026, 11, 26, 9, tzinfo=timezone.utc))
    cli("export", "anki", "--with-progress", "-o", str(tmp_path / "p.apkg"))
    import_apkg(col, tmp_path / "p.apkg", with_scheduling=True)
    card = notes_by_id(col)["c4w1-params"].cards()[0]
    assert (card.type, card.reps) == (0, 0)
    assert col.db.scalar("SELECT COUNT(*) FROM revlog") == 0


def test_tsv_imports_into_the_right_decks(cli, small, col, tmp_path):
    result = cli("export", "tsv", "-o", str(tmp_path / "out.tsv"))
    assert result.exit_code == 0, result.stderr
    text = (tmp_path / "out.tsv").read_text(encoding="utf-8")
    assert text.startswith("#separator:tab\n#html:true\n#guid column:1\n#notetype column:2\n#deck column:3\n#tags column:6\n")
    # this note's GUID begins with "#": its row must not read as a comment
    assert anki_notes.guid_for("c5w1-hash-4910") == "#WPARIJ#?"
    assert '\n"#WPARIJ#?"\t' in text
    metadata = col.get_csv_metadata(str(tmp_path / "out.tsv"), None)
    log = col.import_csv(ImportCsvRequest(path=str(tmp_path / "out.tsv"), metadata=metadata)).log
    assert len(log.new) == N_CARDS
    decks_of = {}
    for nid in col.find_notes(""):
        note = col.get_note(nid)
        card_id = re.search(r'<div class="dlq-id">([^<]+)</div>', note["Back"]).group(1)
        decks_of[card_id] = col.decks.name(note.cards()[0].did)
        assert not DOLLAR_MATH.search(note["Front"] + note["Back"])
    assert decks_of["c5w1-hash-4910"] == C5W1_DECK
    assert {decks_of[c] for c in decks_of if c.startswith("c4w1")} == {C4W1_DECK}
    assert sorted(col.get_note(col.find_notes("tag:kind::numeric")[0]).tags) == [
        "conv", "dls::c4::w1", "kind::numeric", "parameters"]
    again = col.import_csv(ImportCsvRequest(path=str(tmp_path / "out.tsv"), metadata=metadata)).log
    assert len(again.new) == 0 and col.note_count() == N_CARDS


def test_tsv_quotes_a_cell_starting_with_a_hash():
    assert anki_tsv.tsv_cell("#1 rule") == '"#1 rule"'
    assert anki_tsv.tsv_cell('say "hi"') == '"say ""hi"""'
    assert anki_tsv.tsv_cell("a\tb") == '"a\tb"'
    assert anki_tsv.tsv_cell("plain") == "plain"


def test_tsv_to_standard_output(cli, small, tmp_path):
    result = cli("export", "tsv", "c5w1", "-o", "-")
    assert result.exit_code == 0
    assert result.stdout.startswith("#separator:tab\n")
    assert len(result.stdout.splitlines()) == 7  # six header lines and one note
    assert result.stderr == "wrote 1 note in 1 deck to standard output (1 new, 0 changed, 0 unchanged since the last export)\n"


def test_a_parametric_card_exports_three_fixed_draws(cli, write_deck, col, tmp_path):
    write_deck("c4w1.yaml", """
        course: 4
        week: 1
        title: Foundations of CNNs
        cards:
          - id: c4w1-conv-output-drill
            template: conv_output_size
    """)
    import genanki

    cli("export", "anki", "-o", str(tmp_path / "t.apkg"))
    import_apkg(col, tmp_path / "t.apkg")
    notes = notes_by_id(col)
    assert sorted(notes) == [f"c4w1-conv-output-drill#{d}" for d in (1, 2, 3)]
    for draw in (1, 2, 3):
        note = notes[f"c4w1-conv-output-drill#{draw}"]
        assert note.guid == genanki.guid_for("dlquiz", "c4w1-conv-output-drill", draw)
        assert re.fullmatch(r"<p><strong>[\d,]+</strong></p>\n", note["Answer"])
    assert len({n["Question"] for n in notes.values()}) == 3


def test_bundled_decks_export_and_import_whole(cli, bundled, col, tmp_path):
    collection = load_collection()
    result = cli("export", "anki", "-o", str(tmp_path / "all.apkg"))
    assert result.exit_code == 0, result.stderr
    expected = len(anki_notes.build_notes((collection.deck(c.deck), c) for c in collection.cards.values()))
    log = import_apkg(col, tmp_path / "all.apkg")
    assert len(log.new) == expected == col.note_count() >= len({c.note_id or c.id for c in collection.cards.values()})
    names = {d.name for d in col.decks.all_names_and_ids()}
    for deck in collection.decks:
        assert anki_notes.deck_name(deck) in names
    with_math = 0
    for nid in col.find_notes(""):
        note = col.get_note(nid)
        for name, value in note.items():
            assert not DOLLAR_MATH.search(value), (note["CardId"], name, value)
            assert "<script" not in value
        with_math += "\\(" in "".join(value for name, value in note.items() if name != "CardId")
    assert with_math > 100


def test_ids_never_change():
    assert anki_package.MODEL_ID == anki_notes.stable_id("dlquiz note type: Q/A") == 3292028825174443
    assert anki_notes.stable_id(C4W1_DECK) == anki_notes.stable_id(C4W1_DECK)
    model = anki_package.note_type().to_json(0, 1)
    assert [f["name"] for f in model["flds"]] == ["Question", "Answer", "Extra", "Source", "CardId", "Cite"]
    assert model["mod"] == anki_package.MODEL_MTIME
    assert all(f["id"] == anki_notes.stable_id(f"dlquiz Q/A field {f['name']}") for f in model["flds"])
    assert anki_package.CLOZE_MODEL_ID == anki_notes.stable_id("dlquiz note type: Cloze") == 2646519833333332
    cloze = anki_package.note_type(cloze=True).to_json(0, 1)
    assert [f["name"] for f in cloze["flds"]] == ["Text", "Extra", "Source", "CardId", "Cite"]
    assert cloze["type"] == 1 and cloze["mod"] == anki_package.CLOZE_MODEL_MTIME


def test_deck_names_tags_and_answers_for_odd_input():
    deck = Deck(id="c9w2", path="x", course=9, week=2, title="A::B  title", course_title=None)
    assert anki_notes.deck_name(deck) == "Deep Learning Specialization::C9::W2 A:B  title"
    card = Card(id="c9w2-x", deck="c9w2", kind="numeric", question="q", answer=0.000125, tags=("a", "a"))
    assert anki_notes.note_tags(card, deck) == ("dls::c9::w2", "kind::numeric", "a")
    assert anki_notes.answer_html(card) == "<p><strong>0.000125</strong></p>\n"


def test_nothing_to_export_is_a_usage_error(cli, tmp_path):
    result = cli("export", "anki", "-o", str(tmp_path / "x.apkg"))
    assert (result.exit_code, result.stderr) == (2, "no cards to export\n")
    assert not (tmp_path / "x.apkg").exists()


def test_unknown_deck_and_bad_output_are_usage_errors(cli, small, tmp_path):
    result = cli("export", "anki", "c9*", "-o", str(tmp_path / "x.apkg"))
    assert (result.exit_code, result.stderr) == (2, "no deck matches 'c9*' (try `dlquiz decks`)\n")
    result = cli("export", "anki", "-o", str(tmp_path / "nowhere" / "x.apkg"))
    assert (result.exit_code, result.stderr) == (2, f"{tmp_path / 'nowhere'}: no such directory\n")
    result = cli("export", "tsv", "-o", str(tmp_path))
    assert (result.exit_code, result.stderr) == (2, f"{tmp_path}: is a directory; give a file name\n")
    assert not list(tmp_path.glob("*.apkg"))


def test_the_export_is_an_ordinary_file(cli, small, tmp_path):
    cli("export", "anki", "-o", str(tmp_path / "out.apkg"))
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "out.apkg").stat().st_mode & 0o777 == 0o666 & ~umask
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.apkg")]  # no temporary file left


def test_a_failed_write_leaves_the_old_file(small, tmp_path, monkeypatch):
    out = tmp_path / "out.apkg"
    out.write_bytes(b"the previous export")

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(anki_package, "write", broken)
    with pytest.raises(OSError):
        anki.export_anki(out)
    assert out.read_bytes() == b"the previous export"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


def test_progress_bar_appears_only_after_a_second_on_a_terminal():
    from rich.console import Console

    from dlquiz.cli.export import DelayedProgress

    clock = iter([0.0, 0.5, 1.5, 1.6]).__next__
    screen = io.StringIO()
    with DelayedProgress(clock=clock, console=Console(file=screen, force_terminal=True, width=80)) as progress:
        progress("rendering", 10, 100)
        assert progress.bar is None  # half a second: nothing shown
        progress("rendering", 50, 100)
        assert progress.bar is not None
        progress("writing", 100, 100)
    assert "writing" in screen.getvalue() and "100/100" in screen.getvalue()
    piped = DelayedProgress(clock=iter([0.0, 5.0, 6.0]).__next__, console=Console(file=io.StringIO()))
    piped("rendering", 1, 2)
    piped("rendering", 2, 2)
    assert piped.bar is None


def test_help_imports_none_of_the_export_libraries():
    heavy = {"genanki", "markdown_it", "mdit_py_plugins", "nh3", "anki"}
    for args in (["--help"], ["export", "--help"], ["export", "anki", "--help"], ["export", "tsv", "--help"]):
        result = subprocess.run([sys.executable, "-X", "importtime", "-m", "dlquiz", *args],
                                capture_output=True, text=True, env=os.environ, timeout=60)
        assert result.returncode == 0 and "Usage" in result.stdout, args
        imported = {line.rsplit("|", 1)[-1].strip().split(".")[0]
                    for line in result.stderr.splitlines() if line.startswith("import time:")}
        assert "typer" in imported and not imported & heavy, args
