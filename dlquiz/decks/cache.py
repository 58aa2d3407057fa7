"""A cache of parsed decks, so a large collection opens without parsing its YAML again, and
without building anything per card until a card is needed.

One file, `$DLQUIZ_HOME/cache/decks.cache`: a header (magic, the index's length and checksum),
an index, then the decks' pieces. The index (a marshal of plain values) maps each deck file's
absolute path to its size, modification time, change time, inode and content hash (BLAKE2b of
the bytes), its resolved path, and the validated deck: its fields, how many cards it has, and
where two pieces of it lie in the file with their checksums: its card ids as one text, one id a
line (whose checksum is also the digest the store keys the deck's membership on), and its cards
packed (each card a marshal of a plain tuple in Card's field order, after a table of where each
one starts, so that one card can be read alone). Opening a collection reads the index
only: per deck, nothing per card. A deck's ids are read and split the first time they are
needed, its Card objects built the first time a card is (model.Deck), both read from the same
file through the descriptor opened at the start (so a cache rewritten meanwhile cannot mix them
up). `dlquiz decks` or the first card of a review on 200,000 cards thus splits few ids and
builds few cards, or none; a review session builds the cards it shows, one by one.

It can never serve stale cards. A file whose size, mtime, ctime or inode differs from the entry
is read and hashed, and parsed again only if its content changed. An edit that restores the
size and the mtime still moves the ctime (no tool can set it back); and a file whose ctime lies
within two seconds of the cache being written (a "racy" entry, as git calls it: the clock's
granularity could hide a second edit) is hashed every time. Only valid decks are cached; a file
with problems is parsed again each time so its errors are always reported. A missing, outdated
or unwritable cache just means parsing; writes are atomic (temp file + rename).

It can never serve damaged cards either. The cache is verified, not trusted: every length read
from the file is compared with the file's real size before it is used, and the index and every
piece carry a BLAKE2b checksum that is checked before a byte of them is used (so a damaged file
cannot make `marshal` build gigabytes or spin). Anything that does not verify (a cut, a flipped
bit, a splice, an absurd size, ids that are not as many as the index says, cards that do not
carry the ids) is dropped, silently, and that deck parsed again from its YAML.

Ids unique across decks, without looking at every id: the index also names the entries whose
ids were last found unique all together (`clean`). Decks served unchanged from those entries are
`settled` and need no check among themselves; a deck parsed again is checked (decks.collection)
against the others only for the ids it did not have before (`earlier`).

`marshal` is used because it loads plain values several times faster than pickle or JSON; it
builds data only (it runs nothing), and the file lives in the user's own directory, beside the
review store.
"""

from __future__ import annotations

import marshal
import os
import struct
import threading
import time
from pathlib import Path
from stat import S_ISREG
from typing import Callable

try:  # the BLAKE2 module alone: hashlib would also load OpenSSL, 5 ms before the first card
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - CPython always has it
    from hashlib import blake2b

from dlquiz.decks.files import deck_id_for, deck_source, display_path, load_file, read_bytes
from dlquiz.decks import packed as packing
from dlquiz.decks.format import load_text
from dlquiz.decks.yamlread import Bad as _Bad
from dlquiz.errors import DeckError, Problem
from dlquiz.model import Card, Deck

FILENAME = "decks.cache"
MAGIC = b"dlquiz-decks 3\n"
DIGEST = 16  # bytes of BLAKE2b: the index's checksum, each piece's, each file's content hash
_HEAD = struct.Struct("<Q16s")  # after MAGIC: the index's length and its checksum
HEADER = len(MAGIC) + _HEAD.size
RACY_NS = 2_000_000_000  # entries changed this close to the cache's writing are hashed each time
_DECK_FIELDS = ("course", "week", "title", "course_title")
# An index entry, by position: the file's stat and content hash, the deck's fields, its number of
# cards, the file's resolved path, then (offset after the index, length, checksum) of its ids and
# of its packed cards.
SIZE, MTIME, CTIME, INODE, CONTENT, FIELDS, COUNT, REAL, IDS_AT, IDS_LEN, IDS_SUM, CARDS_AT, CARDS_LEN, CARDS_SUM = range(14)
_ENTRY = (int, int, int, int, bytes, tuple, int, str, int, int, bytes, int, int, bytes)
IDS, CARDS = IDS_AT, CARDS_AT  # the two pieces of a deck, named by their offset's position
# The modules whose rules decide what a deck file loads to: a cached deck was validated by them
# (tests/decks/test_cache.py checks they exist).
RULES = ("decks/format.py", "decks/files.py", "decks/yamlread.py", "decks/cache.py", "decks/packed.py", "model.py",
         "checking/shown.py", "checking/formula_parser.py", "checking/templates/kit.py", "checking/templates/catalog.py",
         "checking/templates/conv.py", "checking/templates/nets.py", "decks/clozes.py", "cloze.py",
         "checking/clozes.py", "checking/cloze_latex.py")


def _version() -> str:
    """What a cached deck was validated by: another dlquiz, or other deck rules, mean another cache.
    The deck-rule modules' own bytes are hashed, so even an edit between releases invalidates it."""
    import dlquiz

    digest = blake2b(digest_size=8)
    package = Path(dlquiz.__file__).parent
    for name in RULES:
        try:
            digest.update((package / name).read_bytes())
        except OSError:
            pass
    return f"{dlquiz.__version__}-{digest.hexdigest()}"


VERSION = _version()


def cache_path(home: Path) -> Path:
    return home / "cache" / FILENAME


def checksum(data: bytes) -> bytes:
    """The BLAKE2b checksum of a piece of the cache file (of a deck's ids: model.ids_digest)."""
    return blake2b(data, digest_size=DIGEST).digest()


def content_digest(data: bytes) -> bytes:
    """The hash of a deck file's bytes that says whether it changed."""
    return blake2b(data, digest_size=DIGEST).digest()


def header(index: bytes) -> bytes:
    """The bytes before the index: the magic, the index's length and its checksum."""
    return MAGIC + _HEAD.pack(len(index), checksum(index))


def _sane(entry, room: int) -> bool:
    """An index entry of the right shape whose pieces lie inside the file (`room` bytes after the
    index)."""
    return (type(entry) is tuple and len(entry) == len(_ENTRY) and all(type(v) is t for v, t in zip(entry, _ENTRY))
            and len(entry[FIELDS]) == len(_DECK_FIELDS) and entry[COUNT] >= 0
            and all(0 <= entry[at] and 0 <= entry[at + 1] and entry[at] + entry[at + 1] <= room
                    and len(entry[at + 2]) == DIGEST for at in (IDS, CARDS)))


class DeckCache:
    """Parsed decks by file, checked against each file's stat and content hash (module doc)."""

    def __init__(self, path: Path | None):
        self.path = path
        self.entries: dict[str, tuple] = {}
        self.clean: set[str] = set()  # entries whose ids were found unique all together
        self.used: set[str] = set()
        self.reparsed: set[str] = set()  # entries whose content changed this time
        self.settled: set[Deck] = set()  # decks served unchanged from clean entries
        self.earlier: dict[Deck, Callable[[], tuple[str, ...]]] = {}  # a reparsed clean entry's ids before
        self.changed = False
        self.written_ns = 0
        self._fd: int | None = None  # the cache file this index came from: pieces are read from it
        self._base = 0
        self._lock = threading.Lock()  # (os.pread where there is none)
        self._new: dict[str, tuple[bytes, bytes]] = {}  # ids and packed cards parsed this time, not yet in a file
        self._cwd: str | None = None
        self._last: tuple[tuple, bytes] | None = None  # the packed cards a card was last read from, by entry
        if path is not None:
            self._open(path)

    def _open(self, path: Path) -> None:
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0))
        except OSError:
            return
        try:
            if self._read_index(fd):
                return
        except Exception:  # a damaged cache is no cache: whatever it holds, parse the decks
            pass
        os.close(fd)

    def _read_index(self, fd: int) -> bool:
        """Take the index of the open cache file `fd` if it verifies; False if it does not."""
        stat = os.fstat(fd)
        if not S_ISREG(stat.st_mode) or stat.st_size < HEADER:
            return False
        head = self._pread(fd, HEADER, 0)
        if len(head) != HEADER or not head.startswith(MAGIC):
            return False
        size, digest = _HEAD.unpack(head[len(MAGIC):])
        if size > stat.st_size - HEADER:  # (a length is compared with the file before it is used)
            return False
        index = self._pread(fd, size, HEADER)
        if len(index) != size or checksum(index) != digest:  # checked before marshal reads it
            return False
        data = marshal.loads(index)
        if type(data) is not dict or data.get("version") != VERSION or data.get("card_fields") != packing.CARD_FIELDS \
                or data.get("deck_fields") != _DECK_FIELDS or type(data.get("entries")) is not dict \
                or type(data.get("written_ns")) is not int or type(data.get("clean")) is not tuple:
            return False
        room = stat.st_size - HEADER - size
        self.entries = {key: entry for key, entry in data["entries"].items() if type(key) is str and _sane(entry, room)}
        self.clean = {key for key in data["clean"] if type(key) is str and key in self.entries}
        self.written_ns = data["written_ns"]
        self._fd, self._base = fd, HEADER + size
        return True

    def _pread(self, fd: int, size: int, offset: int) -> bytes:
        if hasattr(os, "pread"):
            return os.pread(fd, size, offset)
        with self._lock:
            os.lseek(fd, offset, os.SEEK_SET)
            return os.read(fd, size)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __del__(self) -> None:
        self.close()

    def _piece(self, key: str, entry: tuple, at: int) -> bytes | None:
        """A piece (IDS or CARDS) of `entry`, or None when it cannot be read or does not verify."""
        new = self._new.get(key)
        if new is not None and self.entries.get(key) is entry:
            return new[0 if at == IDS else 1]
        if self._fd is None:
            return None
        try:
            data = self._pread(self._fd, entry[at + 1], self._base + entry[at])
        except OSError:
            return None
        return data if len(data) == entry[at + 1] and checksum(data) == entry[at + 2] else None

    def _shown(self, real: str, path: Path) -> str:
        """What decks.files.display_path says, from the resolved path kept in the entry."""
        if self._cwd is None:
            try:
                cwd = os.path.realpath(os.getcwd())
                self._cwd = cwd if cwd.endswith(os.sep) else cwd + os.sep
            except OSError:  # (a working directory that was removed: paths shown as given)
                self._cwd = "\0"
        return real[len(self._cwd):] if real.startswith(self._cwd) else str(path)

    def load_file(self, path: Path) -> tuple[Deck | None, list[Problem]]:
        """Like decks.load_file, served from the cache when the file is unchanged."""
        key = os.path.abspath(path)
        try:
            stat = os.stat(path)
        except (OSError, ValueError):
            return load_file(path)
        if not S_ISREG(stat.st_mode):
            return load_file(path)  # (which says what it is)
        entry = self.entries.get(key)
        looks = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
        if entry is not None and entry[:4] == looks and entry[CTIME] < self.written_ns - RACY_NS:
            return self._served(key, entry, path), []
        shown = display_path(path)
        try:
            raw = read_bytes(path)
        except _Bad as bad:
            return None, [Problem(shown, bad.line, bad.message)]
        digest = content_digest(raw)
        if entry is not None and entry[SIZE] == len(raw) and entry[CONTENT] == digest:  # touched (or racy), not changed
            if entry[:4] != looks:
                entry = self.entries[key] = (*looks, *entry[CONTENT:REAL], os.path.realpath(path), *entry[REAL + 1:])
                self.changed = True
            return self._served(key, entry, path), []
        try:
            source = deck_source(path, raw)
        except _Bad as bad:
            return None, [Problem(shown, bad.line, bad.message)]
        del raw  # (the same bytes as source: the parser reads them without a copy)
        deck, problems = load_text(source, shown, deck_id_for(path))
        del source
        if deck is None:
            return deck, problems
        try:
            packed = packing.pack(deck.cards)
        except ValueError:  # a value marshal cannot hold: just do not cache this file
            return deck, problems
        ids = deck.ids_text.encode()
        fields = tuple(getattr(deck, name) for name in _DECK_FIELDS)
        new = (*looks, digest, fields, deck.count, os.path.realpath(path), 0, len(ids), checksum(ids),
               0, len(packed), checksum(packed))
        if entry is not None and key in self.clean:  # its ids before: only new ones need a check
            self.earlier[deck] = lambda: self._earlier_ids(key, entry)
        self.entries[key] = new
        self._new[key] = (ids, packed)
        self.used.add(key)
        self.reparsed.add(key)
        self.changed = True
        deck._unpack, deck._fetch, deck._cards = self._unpacker(key, new, path, shown, deck), None, None  # (the parse's
        deck._fetch = self._fetcher(key, new, shown, deck)  # Cards go: a deck read whole is no more built whole)
        return deck, problems

    def _served(self, key: str, entry: tuple, path: Path) -> Deck:
        """The deck of an unchanged entry: its ids and cards read when first needed."""
        self.used.add(key)
        shown = self._shown(entry[REAL], path)
        deck = Deck(deck_id_for(path), shown, *entry[FIELDS], count=entry[COUNT], digest=entry[IDS_SUM],
                    read_ids=lambda: self._ids_text(key, entry, path, shown), unpack=lambda: None)
        deck._unpack = self._unpacker(key, entry, path, shown, deck)
        deck._fetch = self._fetcher(key, entry, shown, deck)
        if key in self.clean:
            self.settled.add(deck)
        return deck

    def _ids_text(self, key: str, entry: tuple, path: Path, shown: str) -> str:
        """An entry's ids, one a line, from its verified piece; else from the deck's YAML."""
        text = self._verified_ids(key, entry)
        if text is not None:
            return text
        deck, problems = load_file(path)
        if deck is None:  # (it was made invalid since this run began)
            raise DeckError(problems)
        return deck.ids_text

    def _earlier_ids(self, key: str, entry: tuple) -> tuple[str, ...] | None:
        """The ids a replaced entry held, from its verified piece; None when it does not verify."""
        text = self._verified_ids(key, entry)
        return None if text is None else tuple(text.split("\n")) if text else ()

    def _verified_ids(self, key: str, entry: tuple) -> str | None:
        """An entry's ids, one a line, from its piece if it verifies (else None)."""
        data = self._piece(key, entry, IDS)
        return packing.ids_text(data, entry[COUNT]) if data is not None else None

    def _unpacker(self, key: str, entry: tuple, path: Path, shown: str, deck: Deck) -> Callable[[], list[Card]]:
        def unpack() -> list[Card]:
            cards = self._unpack(key, entry, deck.ids)
            if cards is None:  # the cache file was cut, damaged or went away: read the deck itself
                parsed, problems = load_file(path)
                if parsed is None:  # (and it was made invalid since this run began)
                    raise DeckError(problems)
                cards = parsed.cards
            for card in cards:  # (shown paths depend on the working directory: not cached)
                card.path = shown
            return cards

        return unpack

    def _unpack(self, key: str, entry: tuple, ids: tuple[str, ...]) -> list[Card] | None:
        """The Card objects of `entry` from its verified packed cards; None unless they are
        exactly cards with the ids `ids`."""
        packed = self._piece(key, entry, CARDS)
        cards = packing.unpack(packed, entry[COUNT]) if packed is not None else None
        return cards if cards is not None and tuple(card.id for card in cards) == ids else None

    def _fetcher(self, key: str, entry: tuple, shown: str, deck: Deck) -> Callable[[int], Card | None]:
        def fetch(at: int) -> Card | None:
            """Card number `at` of the deck from its verified packed cards; None unless it is the
            card with the id the deck's ids name there. The last deck's packed cards are kept."""
            last = self._last
            packed = last[1] if last is not None and last[0] is entry else self._piece(key, entry, CARDS)
            if packed is None:
                return None
            self._last = (entry, packed)
            cards = packing.unpack(packed, entry[COUNT], at, at + 1)
            if not cards or cards[0].id != deck.ids[at]:
                return None
            cards[0].path = shown
            return cards[0]

        return fetch

    def save(self, prune: bool = True, clean: bool = False) -> None:
        """Write the cache back if anything changed; with `prune`, drop files not loaded this time
        (right when the whole collection was loaded); with `clean`, the ids of every file loaded
        this time were found unique all together. Never fails."""
        if self.path is None:
            return
        stale = set(self.entries) - self.used if prune else set()
        unique = set(self.used) if clean else self.clean - self.reparsed
        if not self.changed and not stale and unique == self.clean:
            return
        entries, chunks, at = {}, [], 0
        for key, entry in self.entries.items():
            if key in stale:
                continue
            ids, packed = self._piece(key, entry, IDS), self._piece(key, entry, CARDS)
            if ids is None or packed is None:  # (damaged: parsed again next time)
                continue
            entries[key] = (*entry[:IDS_AT], at, len(ids), entry[IDS_SUM], at + len(ids), len(packed), entry[CARDS_SUM])
            chunks += (ids, packed)
            at += len(ids) + len(packed)
        written = time.time_ns()
        index = marshal.dumps({"version": VERSION, "card_fields": packing.CARD_FIELDS, "deck_fields": _DECK_FIELDS,
                               "written_ns": written, "entries": entries,
                               "clean": tuple(sorted(key for key in unique if key in entries))})
        try:
            self.path.parent.mkdir(exist_ok=True)
            import tempfile

            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".decks-", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(header(index))
                    handle.write(index)
                    for chunk in chunks:
                        handle.write(chunk)
                os.replace(tmp, self.path)
            except BaseException:
                os.unlink(tmp)
                raise
            legacy = self.path.with_name("decks.marshal")  # (dlquiz 0.1's cache, one file of another format)
            if legacy.exists():
                legacy.unlink()
        except (OSError, ValueError):
            pass  # no cache this time; nothing is lost
