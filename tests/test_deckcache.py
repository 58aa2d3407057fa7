"""The parsed-deck cache: served when files are unchanged, never stale, rebuilt when broken."""

from __future__ import annotations

import os

import pytest

from dlquiz import decks
from dlquiz.deckcache import cache_path
from tests.test_decks import ONE, deck_text


@pytest.fixture
def no_parsing(monkeypatch):
    """Make any YAML parse fail, to prove a load came from the cache."""

    def refuse(*args, **kwargs):
        raise AssertionError("parsed although the cache should have served")

    monkeypatch.setattr(decks, "load_text", refuse)
    monkeypatch.setattr("dlquiz.deckcache.load_text", refuse)


def test_second_load_comes_from_the_cache(write_deck, isolated, request):
    write_deck("t.yaml", deck_text(ONE))
    first = decks.load_collection()
    assert cache_path(isolated["home"]).is_file()
    request.getfixturevalue("no_parsing")
    second = decks.load_collection()
    assert second.cards == first.cards and [d.id for d in second.decks] == ["t"]
    assert second.card("t-one").line == 5


def test_an_edit_keeping_size_and_mtime_is_seen(write_deck):
    path = write_deck("t.yaml", deck_text(ONE))
    decks.load_collection()
    stat = path.stat()
    path.write_text(deck_text(ONE.replace("One.", "Uno.")), encoding="utf-8")  # same length
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size and path.stat().st_mtime_ns == stat.st_mtime_ns
    assert decks.load_collection().card("t-one").answer == "Uno."


@pytest.mark.parametrize("garbage", [b"", b"\x00\x01garbage", b"\xe9" * 100])
def test_a_corrupt_cache_is_rebuilt_silently(write_deck, isolated, garbage, cli):
    write_deck("t.yaml", deck_text(ONE))
    decks.load_collection()
    cache = cache_path(isolated["home"])
    cache.write_bytes(garbage)
    result = cli("decks")
    assert result.exit_code == 0 and result.stderr == ""
    assert cache.read_bytes() != garbage
    assert decks.load_collection().card("t-one").answer == "One."


def test_an_invalid_deck_is_never_cached_and_always_reported(write_deck, cli):
    path = write_deck("t.yaml", deck_text(ONE.replace("question", "qustion")))
    for _ in range(2):
        result = cli("check")
        assert result.exit_code == 2
        assert f"{path}:6: unknown card key 'qustion' (did you mean 'question'?)" in result.stderr


def test_checking_one_file_keeps_the_others_cached(write_deck, request):
    a = write_deck("a.yaml", deck_text(ONE))
    write_deck("b.yaml", deck_text(ONE.replace("t-one", "t-two")))
    decks.load_collection()
    decks.load_collection(paths=[a])
    request.getfixturevalue("no_parsing")
    assert set(decks.load_collection().cards) == {"t-one", "t-two"}


def test_no_home_means_no_cache_but_everything_works(write_deck, isolated, monkeypatch, tmp_path):
    write_deck("t.yaml", deck_text(ONE))
    monkeypatch.setenv("DLQUIZ_HOME", str(tmp_path / "missing"))
    assert decks.load_collection().card("t-one")
    assert not (tmp_path / "missing").exists()


def test_a_cache_from_other_deck_rules_is_not_used(write_deck, isolated, monkeypatch):
    import marshal

    write_deck("t.yaml", deck_text(ONE))
    decks.load_collection()
    cache = cache_path(isolated["home"])
    data = marshal.loads(cache.read_bytes())
    data["version"] = "0.0.0-older-rules"
    cache.write_bytes(marshal.dumps(data))
    parsed = []
    real = decks.load_text
    monkeypatch.setattr("dlquiz.deckcache.load_text", lambda *a: parsed.append(a) or real(*a))
    assert decks.load_collection().card("t-one")
    assert len(parsed) == 1
    assert marshal.loads(cache.read_bytes())["version"] != "0.0.0-older-rules"
