"""Hostile content exported to Anki, checked with Anki's own library: the package always imports
(a control character like Anki's field separator \\x1f cannot break it), nothing fetches a remote
resource, nothing plays or speaks ([sound:...], [anki:tts]), math carries no link-making macro,
and deck names and tags are plain text. The same for `export tsv`.

Decks refuse control characters when they load, so the hostile cards are also built directly
(as a program using dlquiz's API could), to prove the export's own guard."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from anki.collection import Collection as AnkiCollection
from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest
from anki.import_export_pb2 import ImportCsvRequest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from dlquiz.export import anki
from dlquiz.export import notes as anki_notes
from dlquiz.export import tsv
from dlquiz.model import Card, CardIndex, Collection, Deck

HOSTILE_TEXTS = [
    "Separator\x1f inside, and \x1e, \x00, \x07 and \x1b[2J",
    "A pixel: ![pix](https://tracker.example/p.png) and <img src=\"https://tracker.example/q.png\">",
    "Plays: [sound:../../etc/passwd] [SOUND:x.mp3] [ sound:y.mp3] and speaks [anki:tts lang=en_US]hello[/anki:tts]",
    r"Math: $\href{javascript:alert(1)}{x} + \url{https://e.example} + \require{bbox} + \class{c}{y}$",
    r"$$\href{https://tracker.example}{\frac{a}{b}}$$",
    "{{c1::cloze}} and {{Question}} and {{#Extra}}x{{/Extra}}",
]


class _Fetches(HTMLParser):
    """What a field's HTML would fetch when shown: any element with a source, or a style."""

    def __init__(self, html: str, note_type_css: bool = False):
        super().__init__()
        self.found: list = []
        self.css = note_type_css  # (a rendered card begins with the note type's own <style>)
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "style" and self.css and not attrs:
            return
        if tag in ("img", "script", "iframe", "link", "object", "embed", "video", "audio", "source", "style") or any(
                name in ("src", "srcset", "style", "background", "poster", "data") for name, _ in attrs):
            self.found.append((tag, attrs))

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_MACRO = re.compile(r"\\(?:href|url|require|class|cssId|style)\b")


def _deck(title="Hostile <script>alert(0)</script>\x1f title", course_title="<b>Course</b>\n{{c1::x}}") -> Deck:
    return Deck(id="c9w1", path="c9w1.yaml", course=9, week=1, title=title, course_title=course_title, cards=[])


def _collection(texts: list[str], tags=("<script>", "{{c1::x}}", "ok\x1ftag")) -> Collection:
    deck = _deck()
    deck.cards = [Card(id=f"c9w1-h{i}", deck="c9w1", kind="basic", question=text, answer=text, explain=text,
                       note=text, source=text, tags=tuple(tags), path="c9w1.yaml", line=i + 1)
                  for i, text in enumerate(texts)]
    return Collection(decks=[deck], cards=CardIndex([deck]))


def _clean(col: AnkiCollection, count: int, where: str) -> None:
    """Every note imported, and nothing in it that plays, fetches, links from math or is markup
    in a deck name or tag."""
    assert col.note_count() == count
    for nid in col.find_notes(""):
        note = col.get_note(nid)
        for name, value in note.items():
            assert not _CONTROL.search(value), (where, name, value)
            assert not _Fetches(value).found, (where, name, value)
            assert not _MACRO.search(value), (where, name, value)
        for card in note.cards():
            assert card.question_av_tags() == [] and card.answer_av_tags() == [], (where, note.items())
            assert not _Fetches(card.question() + card.answer(), note_type_css=True).found
            assert "<" not in col.decks.name(card.did) and not _CONTROL.search(col.decks.name(card.did))
        for tag in note.tags:
            assert re.fullmatch(r"[\w:.+\-/#]+", tag), tag


def test_hostile_cards_export_and_import_into_anki(col, tmp_path):
    collection = _collection(HOSTILE_TEXTS)
    anki.export_anki(tmp_path / "h.apkg", collection=collection)
    log = col.import_anki_package(ImportAnkiPackageRequest(
        package_path=str(tmp_path / "h.apkg"), options=ImportAnkiPackageOptions())).log
    assert len(log.new) == len(HOSTILE_TEXTS)
    _clean(col, len(HOSTILE_TEXTS), "apkg")
    names = {d.name for d in col.decks.all_names_and_ids()}
    assert "Deep Learning Specialization::C9 Course {{c1:x}}::W1 Hostile alert(0)  title" in names
    notes = [col.get_note(nid) for nid in col.find_notes("")]
    assert sorted(notes[0].tags) == ["c1::x", "dls::c9::w1", "kind::basic", "oktag"]  # ("<script>" is markup only)
    shown = {note["CardId"]: note["Question"] for note in notes}
    assert shown["c9w1-h1"] == "<p>A pixel: pix and &lt;img src=\"https://tracker.example/q.png\"&gt;</p>\n"  # (text)
    assert shown["c9w1-h2"].startswith("<p>Plays: &#91;sound:../../etc/passwd] &#91;SOUND:x.mp3] &#91; sound:y.mp3]")
    assert shown["c9w1-h3"] == r"<p>Math: \(x + \text{https://e.example} +  + y\)</p>" + "\n"


def test_hostile_cards_export_as_tsv_and_import_into_anki(col, tmp_path, monkeypatch):
    collection = _collection(HOSTILE_TEXTS)
    monkeypatch.setattr("dlquiz.decks.collection.load_collection", lambda *a, **k: collection)
    tsv.export_tsv(tmp_path / "h.tsv")
    path = str(tmp_path / "h.tsv")
    log = col.import_csv(ImportCsvRequest(path=path, metadata=col.get_csv_metadata(path, None))).log
    assert len(log.new) == len(HOSTILE_TEXTS)
    _clean(col, len(HOSTILE_TEXTS), "tsv")


# Any text at all in every field: the fields Anki gets never hold a control character or a
# sound tag, and the package imports whole.
_ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=60) | st.sampled_from(HOSTILE_TEXTS)


@settings(max_examples=6, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@seed(15)
@given(st.lists(_ANY_TEXT, min_size=1, max_size=12), st.lists(st.text(min_size=1, max_size=10), max_size=4))
def test_any_text_exports_to_a_package_anki_imports_whole(tmp_path_factory, texts, tags):
    folder = tmp_path_factory.mktemp("any")
    collection = _collection(texts, tags=tuple(t for t in tags if t.strip()))
    for note in anki_notes.build_notes((collection.decks[0], card) for card in collection.decks[0].cards):
        for field in note.fields:
            assert not _CONTROL.search(field) and not re.search(r"\[\s*/?\s*(sound|anki)\s*:", field, re.I), field
    anki.export_anki(folder / "any.apkg", collection=collection)
    col = AnkiCollection(str(folder / "collection.anki2"))
    try:
        col.import_anki_package(ImportAnkiPackageRequest(package_path=str(folder / "any.apkg"),
                                                         options=ImportAnkiPackageOptions()))
        _clean(col, len(texts), "any")
    finally:
        col.close()
