"""The parsed-deck cache under damage: whatever happens to decks.cache, every command shows
exactly the cards of the YAML, raises nothing, and never lets marshal read a byte that dlquiz
did not write (the checksum is checked first, so damage cannot cost seconds or gigabytes)."""

from __future__ import annotations

import json
import marshal
import random
import shutil
import struct
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, seed, settings

from dlquiz.decks import cache as cache_module
from dlquiz.decks.cache import HEADER, MAGIC, cache_path, header
from dlquiz.decks.collection import load_collection
from dlquiz.paths import bundled_cards_dir
from tests.fault.mutations import SIZES, apply, edits, random_edits

DECKS = ("c1w1.yaml", "c3w2.yaml", "c4w2.yaml")  # real decks: numbers, choices, shapes, formulas, a template


def _truth() -> list[tuple]:
    """Every deck's fields and every card, read from the YAML itself."""
    return _seen(load_collection(cache=False))


def _seen(collection) -> list[tuple]:
    return [(d.id, d.path, d.course, d.week, d.title, d.course_title, d.ids, list(d.cards)) for d in collection.decks]


def _pieces(raw: bytes) -> set[bytes]:
    """The exact byte strings dlquiz wrote to be unmarshalled: the index and each deck's cards."""
    (size,) = struct.unpack("<Q", raw[len(MAGIC):len(MAGIC) + 8])
    index = raw[HEADER:HEADER + size]
    entries = marshal.loads(index)["entries"]
    base = HEADER + size
    return {index} | {raw[base + e[7]: base + e[7] + e[8]] for e in entries.values()}


class Cached:
    """A real cache of real decks, its pristine bytes, and what the YAML says."""

    def __init__(self, home, cards):
        for name in DECKS:
            shutil.copy(bundled_cards_dir() / name, cards / name)
        self.truth = _truth()
        load_collection()
        self.path = cache_path(home)
        self.pristine = self.path.read_bytes()
        self.pieces = _pieces(self.pristine)

    def load_damaged(self, data: bytes) -> list[tuple]:
        self.path.write_bytes(data)
        return _seen(load_collection())


@pytest.fixture
def cached(isolated, monkeypatch):
    made = Cached(isolated["home"], isolated["cards"])
    real = marshal.loads

    def verified_loads(data, *args):
        assert bytes(data) in made.pieces, "marshal read bytes dlquiz did not write"
        return real(data, *args)

    monkeypatch.setattr(cache_module, "marshal", SimpleNamespace(loads=verified_loads, dumps=marshal.dumps))
    return made


@settings(max_examples=300, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@seed(15)
@given(damage=edits())
def test_a_damaged_cache_gives_exactly_the_cards_of_the_yaml(cached, damage):
    assert cached.load_damaged(apply(cached.pristine, damage)) == cached.truth


def test_twelve_hundred_random_damages_give_exactly_the_cards_of_the_yaml(cached):
    rng = random.Random(20261126)
    for _ in range(1200):
        damage = random_edits(rng)
        assert cached.load_damaged(apply(cached.pristine, damage)) == cached.truth, damage


@pytest.mark.parametrize("size", SIZES)
def test_an_absurd_index_size_is_compared_with_the_file_first(cached, size):
    raw = bytearray(cached.pristine)
    raw[len(MAGIC):len(MAGIC) + 8] = struct.pack("<Q", size)
    assert cached.load_damaged(bytes(raw)) == cached.truth


def _forged(raw: bytes, change) -> bytes:
    """The cache with its index changed by `change(entries)` and a checksum that matches: damage
    the index checksum cannot see, left to the per-deck checks."""
    (size,) = struct.unpack("<Q", raw[len(MAGIC):len(MAGIC) + 8])
    data = marshal.loads(raw[HEADER:HEADER + size])
    change(data["entries"])
    index = marshal.dumps(data)
    return header(index) + index + raw[HEADER + size:]


def _set(position: int, value):
    def change(entries):
        for key, entry in entries.items():
            entries[key] = entry[:position] + (value,) + entry[position + 1:]
    return change


def _swap_places(entries):
    keys = sorted(entries)
    first, last = entries[keys[0]], entries[keys[-1]]
    entries[keys[0]] = first[:7] + last[7:9] + first[9:]
    entries[keys[-1]] = last[:7] + first[7:9] + last[9:]


@pytest.mark.parametrize("change", [
    _set(7, 2**63), _set(8, 2**63), _set(7, -1), _set(8, 10**9), _set(8, 0), _set(9, b"\0" * 16), _set(9, b""),
    _set(6, ("c1w1-not-a-card",)), _set(6, 5), _set(5, ()), _swap_places, lambda entries: entries.update(x=(1, 2)),
], ids=["offset-2^63", "length-2^63", "offset-negative", "length-huge", "length-zero", "checksum-zero",
        "checksum-empty", "other-ids", "ids-not-a-tuple", "no-deck-fields", "chunks-swapped", "junk-entry"])
def test_forged_entries_never_give_a_wrong_card(cached, change):
    assert cached.load_damaged(_forged(cached.pristine, change)) == cached.truth


def test_every_command_shows_the_cards_of_the_yaml_from_a_damaged_cache(cached, cli):
    cached.path.unlink()
    expected_decks = cli("decks", "--json").stdout
    ids = [card_id for deck in json.loads(expected_decks) for card_id in load_collection(cache=False).deck(deck["id"]).ids]
    expected_show = {card_id: cli("show", card_id, "--plain").stdout for card_id in ids[::7]}
    rng = random.Random(15)
    for round_ in range(40):
        cached.path.write_bytes(apply(cached.pristine, random_edits(rng)))
        card_id = list(expected_show)[round_ % len(expected_show)]
        shown = cli("show", card_id, "--plain")
        assert (shown.exit_code, shown.stderr, shown.stdout) == (0, "", expected_show[card_id])
        cached.path.write_bytes(apply(cached.pristine, random_edits(rng)))
        listed = cli("decks", "--json")
        assert (listed.exit_code, listed.stderr, listed.stdout) == (0, "", expected_decks)
