"""The parsed-deck cache: served when files are unchanged, never stale, rebuilt when broken."""

from __future__ import annotations

import os

import pytest

from dlquiz.decks.cache import cache_path
from dlquiz.decks.collection import load_collection
from dlquiz.decks.format import load_text
from tests.decks.test_format import ONE, deck_text


@pytest.fixture
def no_parsing(monkeypatch):
    """Make any YAML parse fail, to prove a load came from the cache."""

    def refuse(*args, **kwargs):
        raise AssertionError("parsed although the cache should have served")

    monkeypatch.setattr("dlquiz.decks.files.load_text", refuse)
    monkeypatch.setattr("dlquiz.decks.cache.load_text", refuse)


def test_second_load_comes_from_the_cache(write_deck, isolated, request):
    write_deck("t.yaml", deck_text(ONE))
    first = load_collection()
    assert cache_path(isolated["home"]).is_file()
    request.getfixturevalue("no_parsing")
    second = load_collection()
    assert second.cards == first.cards and [d.id for d in second.decks] == ["t"]
    assert second.card("t-one").line == 5


def test_an_edit_keeping_size_and_mtime_is_seen(write_deck):
    path = write_deck("t.yaml", deck_text(ONE))
    load_collection()
    stat = path.stat()
    path.write_text(deck_text(ONE.replace("One.", "Uno.")), encoding="utf-8")  # same length
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size and path.stat().st_mtime_ns == stat.st_mtime_ns
    assert load_collection().card("t-one").answer == "Uno."


@pytest.mark.parametrize("garbage", [b"", b"\x00\x01garbage", b"\xe9" * 100])
def test_a_corrupt_cache_is_rebuilt_silently(write_deck, isolated, garbage, cli):
    write_deck("t.yaml", deck_text(ONE))
    load_collection()
    cache = cache_path(isolated["home"])
    cache.write_bytes(garbage)
    result = cli("decks")
    assert result.exit_code == 0 and result.stderr == ""
    assert cache.read_bytes() != garbage
    assert load_collection().card("t-one").answer == "One."


def test_an_invalid_deck_is_never_cached_and_always_reported(write_deck, cli):
    path = write_deck("t.yaml", deck_text(ONE.replace("question", "qustion")))
    for _ in range(2):
        result = cli("check")
        assert result.exit_code == 2
        assert f"{path}:6: unknown card key 'qustion' (did you mean 'question'?)" in result.stderr


def test_checking_one_file_keeps_the_others_cached(write_deck, request):
    a = write_deck("a.yaml", deck_text(ONE))
    write_deck("b.yaml", deck_text(ONE.replace("t-one", "t-two")))
    load_collection()
    load_collection(paths=[a])
    request.getfixturevalue("no_parsing")
    assert set(load_collection().cards) == {"t-one", "t-two"}


def test_no_home_means_no_cache_but_everything_works(write_deck, isolated, monkeypatch, tmp_path):
    write_deck("t.yaml", deck_text(ONE))
    monkeypatch.setenv("DLQUIZ_HOME", str(tmp_path / "missing"))
    assert load_collection().card("t-one")
    assert not (tmp_path / "missing").exists()


def _rewrite_index(cache, change) -> None:
    """Edit the cache file's index (the header says how long it is) with `change(data)`."""
    import marshal
    import struct

    from dlquiz.decks.cache import HEADER, MAGIC, header

    raw = cache.read_bytes()
    (size,) = struct.unpack("<Q", raw[len(MAGIC):len(MAGIC) + 8])
    data = marshal.loads(raw[HEADER:HEADER + size])
    change(data)
    index = marshal.dumps(data)
    cache.write_bytes(header(index) + index + raw[HEADER + size:])


def test_a_cache_from_other_deck_rules_is_not_used(write_deck, isolated, monkeypatch):
    write_deck("t.yaml", deck_text(ONE))
    load_collection()
    cache = cache_path(isolated["home"])
    _rewrite_index(cache, lambda data: data.update(version="0.0.0-older-rules"))
    parsed = []
    real = load_text
    monkeypatch.setattr("dlquiz.decks.cache.load_text", lambda *a: parsed.append(a) or real(*a))
    assert load_collection().card("t-one")
    assert len(parsed) == 1
    seen = []
    _rewrite_index(cache, lambda data: seen.append(data["version"]))
    assert seen and seen[0] != "0.0.0-older-rules"


def _age_cache(cache) -> None:
    """As if the cache had been written long after its files last changed (no racy entries)."""
    _rewrite_index(cache, lambda data: data.update(written_ns=data["written_ns"] + 10**12))


def test_an_old_untouched_file_is_not_even_read(write_deck, isolated, monkeypatch):
    write_deck("t.yaml", deck_text(ONE))
    load_collection()
    _age_cache(cache_path(isolated["home"]))

    def no_hashing(*args, **kwargs):
        raise AssertionError("hashed a file whose stat had not changed")

    monkeypatch.setattr("dlquiz.decks.cache.content_digest", no_hashing)
    assert load_collection().card("t-one").answer == "One."


def test_an_edit_keeping_size_and_mtime_is_seen_in_an_old_cache_too(write_deck, isolated):
    """Not racy: the changed ctime alone says the file must be hashed again."""
    path = write_deck("t.yaml", deck_text(ONE))
    load_collection()
    _age_cache(cache_path(isolated["home"]))
    stat = path.stat()
    path.write_text(deck_text(ONE.replace("One.", "Uno.")), encoding="utf-8")  # same length
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert load_collection().card("t-one").answer == "Uno."


def test_a_touched_file_is_hashed_not_parsed(write_deck, isolated, request):
    path = write_deck("t.yaml", deck_text(ONE))
    load_collection()
    _age_cache(cache_path(isolated["home"]))
    os.utime(path, ns=(10**18, 10**18))
    request.getfixturevalue("no_parsing")
    assert load_collection().card("t-one").answer == "One."


def test_cards_are_built_only_for_decks_that_are_used(write_deck, isolated):
    write_deck("a.yaml", deck_text(ONE))
    write_deck("b.yaml", deck_text(ONE.replace("t-one", "t-two")))
    load_collection()
    collection = load_collection()
    assert list(collection.cards) == ["t-one", "t-two"] and len(collection.cards) == 2
    assert not any(deck.unpacked for deck in collection.decks)
    assert collection.cards["t-two"].id == "t-two"
    assert [deck.unpacked for deck in collection.decks] == [False, True]


def test_a_cache_rewritten_meanwhile_does_not_mix_up_cards(write_deck, isolated):
    """A session holds its index; another process rewriting the cache changes nothing for it."""
    write_deck("a.yaml", deck_text(ONE))
    b = write_deck("b.yaml", deck_text(ONE.replace("t-one", "t-two")))
    load_collection()
    held = load_collection()
    b.write_text(deck_text(ONE.replace("t-one", "t-two").replace("One.", "Two, rewritten.")), encoding="utf-8")
    assert load_collection().card("t-two").answer == "Two, rewritten."  # rewrites the cache
    assert held.card("t-one").answer == "One." and held.card("t-two").answer == "One."


def test_the_cache_of_an_older_dlquiz_is_removed(write_deck, isolated):
    legacy = cache_path(isolated["home"]).with_name("decks.marshal")
    legacy.parent.mkdir(parents=True)
    legacy.write_bytes(b"old format")
    write_deck("t.yaml", deck_text(ONE))
    assert load_collection().card("t-one")
    assert cache_path(isolated["home"]).is_file() and not legacy.exists()


def test_a_cache_cut_short_in_its_packed_cards_still_gives_the_right_cards(write_deck, isolated):
    write_deck("a.yaml", deck_text(ONE))
    write_deck("b.yaml", deck_text(ONE.replace("t-one", "t-two").replace("One.", "Two.")))
    load_collection()
    cache = cache_path(isolated["home"])
    _age_cache(cache)
    cache.write_bytes(cache.read_bytes()[:-10])  # the last deck's packed cards are cut
    collection = load_collection()
    assert collection.card("t-one").answer == "One." and collection.card("t-two").answer == "Two."
    assert load_collection().card("t-two").answer == "Two."  # and the next run too


def test_the_cache_version_hashes_every_module_of_the_deck_rules():
    """A module renamed or split away would silently drop out of the hash and leave stale decks."""
    from pathlib import Path

    from dlquiz.decks import cache

    package = Path(cache.__file__).parent.parent
    assert all((package / name).is_file() for name in cache.RULES), [n for n in cache.RULES if not (package / n).is_file()]
    assert {"decks/format.py", "decks/yamlread.py"} <= set(cache.RULES)
