"""Cloze cards in Anki, checked with Anki's own library: one note of a cloze note type per cloze
deck card, one Anki card per cloze, the hidden part hidden inside MathJax on the question side
and shown on the answer side, stable GUIDs, the siblings' progress, and the TSV route into
Anki's stock Cloze note type. Also the Cite field, order cards and multi-answer choices."""

from __future__ import annotations

from datetime import datetime, timezone

import genanki
import pytest
from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest
from anki.import_export_pb2 import ImportCsvRequest

from dlquiz.export import clozes as anki_clozes
from dlquiz.review.store import open_store
from dlquiz.review.today import review_day

DECK = r"""
course: 2
course_title: Improving Deep Neural Networks
week: 2
title: Optimization Algorithms
cards:
  - id: c2w2-ewa
    kind: cloze
    source: Exponentially weighted averages
    question: 'EWA: $v_t = {{c1::\beta}} v_{t-1} + {{c2::(1-\beta)::one minus}} \theta_t$ and {{c3::$\frac{1}{1-\beta}$}} values, {{c4::biased}} at first.'
    explain: About 10 values for $\beta = 0.9$.
  - id: c2w2-bias
    kind: cloze
    question: 'Corrected: $v_t^{corrected} = {{c1::\frac{v_t}{1-\beta^{t}}}}$'
  - id: c2w2-adam-paper
    question: What did Kingma and Ba propose in 2015?
    answer: Adam, momentum and RMSprop together, with bias correction.
    cite: Kingma, D. P., & Ba, J. (2015). Adam. ICLR.
  - id: c2w2-steps
    kind: order
    question: Put the steps in order.
    answer: [first, second, third]
  - id: c2w2-optimizers
    kind: choice
    question: Which are optimizers?
    options: [Adam, ReLU, RMSprop]
    answer: [Adam, RMSprop]
"""


@pytest.fixture
def deck(write_deck):
    write_deck("c2w2.yaml", DECK)


def import_apkg(col, path, with_scheduling=False):
    options = ImportAnkiPackageOptions(with_scheduling=with_scheduling)
    return col.import_anki_package(ImportAnkiPackageRequest(package_path=str(path), options=options)).log


def note_of(col, card_id: str):
    (nid,) = col.find_notes(f"CardId:{card_id}")
    return col.get_note(nid)


def test_a_cloze_deck_card_is_one_cloze_note_with_a_card_per_cloze(cli, deck, col, tmp_path):
    result = cli("export", "anki", "-o", str(tmp_path / "out.apkg"))
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith(f"wrote 5 notes in 1 deck to {tmp_path / 'out.apkg'}")
    import_apkg(col, tmp_path / "out.apkg")
    note = note_of(col, "c2w2-ewa")
    assert note.note_type()["name"] == "dlquiz Cloze" and note.note_type()["type"] == 1
    assert note.guid == genanki.guid_for("dlquiz", "c2w2-ewa")
    cards = sorted(note.cards(), key=lambda card: card.ord)
    assert [card.ord for card in cards] == [0, 1, 2, 3]
    first, second, third, fourth = cards
    # inside MathJax: Anki shows the box in the formula and the hidden part on the answer side
    assert r"\(v_t = [...] v_{t-1} + (1-\beta) \theta_t\)" in first.question()
    assert r"\(v_t = \beta v_{t-1} + (1-\beta) \theta_t\)" in first.answer()
    assert r"\(v_t = \beta v_{t-1} + [one minus] \theta_t\)" in second.question()
    assert ">[...]</span>" in third.question() and r"\frac{1}{1-\beta}" not in third.question()
    assert r"\(\frac{1}{1-\beta}\)" in third.answer()
    assert ">[...]</span>" in fourth.question() and ">biased</span>" in fourth.answer()
    assert "About 10 values" in first.answer() and "c2w2-ewa" in first.answer()


def test_braces_that_close_a_cloze_are_written_as_anki_reads_them(cli, deck, col, tmp_path):
    assert anki_clozes.anki_text(r"$x = {{c1::\frac{a}{b^{2}}}}$") == r"$x = {{c1::\frac{a}{b^{2} } }}$"
    assert anki_clozes.anki_text(r"{{c1::\text{a::b}::hint}}") == r"{{c1::\text{a: :b}::hint}}"
    cli("export", "anki", "-o", str(tmp_path / "out.apkg"))
    import_apkg(col, tmp_path / "out.apkg")
    (card,) = note_of(col, "c2w2-bias").cards()
    assert r"v_t^{corrected} = [...]" in card.question() and "beta" not in card.question()
    assert r"\frac{v_t}{1-\beta^{t} }" in card.answer()


def test_the_siblings_progress_goes_to_their_own_anki_cards(cli, deck, col, tmp_path, monkeypatch):
    now = datetime.now(timezone.utc).astimezone()  # Anki dates the import by the real clock
    monkeypatch.setenv("DLQUIZ_NOW", now.isoformat())
    with open_store() as store:
        store.record("c2w2-ewa-c2", 5, "review", review_day(now, 4), now)
    result = cli("export", "anki", "--with-progress", "-o", str(tmp_path / "p.apkg"))
    assert "with progress: 1 card with a schedule, 1 review" in result.stderr
    import_apkg(col, tmp_path / "p.apkg", with_scheduling=True)
    cards = {card.ord: card for card in note_of(col, "c2w2-ewa").cards()}
    assert (cards[1].type, cards[1].ivl, cards[1].due - col.sched.today) == (2, 1, 1)
    assert [cards[n].type for n in (0, 2, 3)] == [0, 0, 0]
    assert col.db.scalar("SELECT COUNT(*) FROM revlog WHERE cid = ?", cards[1].id) == 1


def test_reexporting_an_edited_cloze_card_updates_its_note(cli, deck, col, tmp_path, write_deck):
    cli("export", "anki", "-o", str(tmp_path / "a.apkg"))
    import_apkg(col, tmp_path / "a.apkg")
    write_deck("c2w2.yaml", DECK.replace("{{c4::biased}} at first", "{{c4::biased towards zero}} at first"))
    result = cli("export", "anki", "-o", str(tmp_path / "b.apkg"))
    assert "(0 new, 1 changed, 4 unchanged since the last export)" in result.stderr
    log = import_apkg(col, tmp_path / "b.apkg")
    assert len(log.updated) == 1 and col.note_count() == 5
    assert "biased towards zero" in note_of(col, "c2w2-ewa")["Text"]


def test_cite_order_and_several_answers_in_the_note(cli, deck, col, tmp_path):
    cli("export", "anki", "-o", str(tmp_path / "out.apkg"))
    import_apkg(col, tmp_path / "out.apkg")
    paper = note_of(col, "c2w2-adam-paper")
    assert paper["Cite"] == "<p>Kingma, D. P., &amp; Ba, J. (2015). Adam. ICLR.</p>\n"
    assert "Kingma" not in paper["Answer"] and "dlq-cite" in paper.cards()[0].answer()
    steps = note_of(col, "c2w2-steps")
    assert "Put the letters in order." in steps["Question"] and steps["Answer"].count("<li>") == 3
    assert "Pick all that apply." in note_of(col, "c2w2-optimizers")["Question"]


def test_tsv_rows_go_to_the_stock_cloze_and_basic_note_types(cli, deck, col, tmp_path):
    result = cli("export", "tsv", "-o", str(tmp_path / "out.tsv"))
    assert result.exit_code == 0, result.stderr
    metadata = col.get_csv_metadata(str(tmp_path / "out.tsv"), None)
    log = col.import_csv(ImportCsvRequest(path=str(tmp_path / "out.tsv"), metadata=metadata)).log
    assert len(log.new) == 5
    (note,) = [col.get_note(nid) for nid in col.find_notes("note:Cloze") if "EWA" in col.get_note(nid)["Text"]]
    assert len(note.cards()) == 4 and "c2w2-ewa" in note["Back Extra"]
    first = min(note.cards(), key=lambda card: card.ord)
    assert r"\(v_t = [...] v_{t-1}" in first.question()
    assert len(col.find_notes("note:Basic")) == 3 and len(col.find_notes("note:Cloze")) == 2


def test_dlquiz_import_anki_knows_a_cloze_notes_cards_in_anki_order(deck):
    from dlquiz.decks.collection import load_collection
    from dlquiz.export.notes import guid_for, note_guids

    guids = note_guids(load_collection().cards.values())
    assert guids[guid_for("c2w2-ewa")] == ("c2w2-ewa-c1", "c2w2-ewa-c2", "c2w2-ewa-c3", "c2w2-ewa-c4")
    assert guids[guid_for("c2w2-adam-paper")] == ("c2w2-adam-paper",)
