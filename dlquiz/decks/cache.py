"""A cache of parsed decks, so a large collection opens without parsing its YAML again.

One file, `$DLQUIZ_HOME/cache/decks.cache`: a header (magic, the index's length and checksum),
an index, then the packed cards. The index (a marshal of plain values) maps each deck file's
absolute path to its size, modification time, change time, inode and content hash (BLAKE2b of
the bytes), and to the validated deck: its fields, its card ids, where its packed cards lie in
the file (a marshal of plain tuples in Card's field order) and their checksum. Opening a
collection reads the index only; a deck's Card objects are built from its packed cards the first
time they are needed (model.Deck), read from the same file through the descriptor opened at the
start (so a cache rewritten meanwhile cannot mix them up). `dlquiz decks` or the first card of a
review on 50,000 cards thus builds few Card objects or none.

It can never serve stale cards. A file whose size, mtime, ctime or inode differs from the entry
is read and hashed, and parsed again only if its content changed. An edit that restores the
size and the mtime still moves the ctime (no tool can set it back); and a file whose ctime lies
within two seconds of the cache being written (a "racy" entry, as git calls it: the clock's
granularity could hide a second edit) is hashed every time. Only valid decks are cached; a file
with problems is parsed again each time so its errors are always reported. A missing, outdated
or unwritable cache just means parsing; writes are atomic (temp file + rename).

It can never serve damaged cards either. The cache is verified, not trusted: every length read
from the file is compared with the file's real size before it is used, and the index and every
deck's packed cards carry a BLAKE2b checksum that is checked before `marshal` reads a byte of
them (so a damaged file cannot make it build gigabytes or spin). Anything that does not verify
(a cut, a flipped bit, a splice, an absurd size, an entry that does not decode to cards with the
ids the index names) is dropped, silently, and that deck parsed again from its YAML.

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

try:  # the BLAKE2 module alone: hashlib would also load OpenSSL, 5 ms before the first card
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - CPython always has it
    from hashlib import blake2b

from dlquiz.decks.files import deck_id_for, deck_source, display_path, load_file, read_bytes
from dlquiz.decks.format import load_text
from dlquiz.decks.yamlread import Bad as _Bad
from dlquiz.errors import DeckError, Problem
from dlquiz.model import Card, Deck

FILENAME = "decks.cache"
MAGIC = b"dlquiz-decks 2\n"
DIGEST = 16  # bytes of BLAKE2b: the index's checksum, each deck's, each file's content hash
_HEAD = struct.Struct("<Q16s")  # after MAGIC: the index's length and its checksum
HEADER = len(MAGIC) + _HEAD.size
RACY_NS = 2_000_000_000  # entries changed this close to the cache's writing are hashed each time
_CARD_FIELDS = tuple(Card.__dataclass_fields__)  # a packed card: a tuple in this order, path left empty
_DECK_FIELDS = ("course", "week", "title", "course_title")
# An index entry: (size, mtime_ns, ctime_ns, inode, content digest, deck fields, card ids,
# offset of the packed cards after the index, their length, their checksum).
_ENTRY = (int, int, int, int, bytes, tuple, tuple, int, int, bytes)
# The modules whose rules decide what a deck file loads to: a cached deck was validated by them
# (tests/decks/test_cache.py checks they exist).
RULES = ("decks/format.py", "decks/files.py", "decks/yamlread.py", "decks/cache.py", "model.py", "checking/shown.py",
         "checking/formula_parser.py", "checking/templates/kit.py", "checking/templates/catalog.py",
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
    """The BLAKE2b checksum of a piece of the cache file."""
    return blake2b(data, digest_size=DIGEST).digest()


def content_digest(data: bytes) -> bytes:
    """The hash of a deck file's bytes that says whether it changed."""
    return blake2b(data, digest_size=DIGEST).digest()


def header(index: bytes) -> bytes:
    """The bytes before the index: the magic, the index's length and its checksum."""
    return MAGIC + _HEAD.pack(len(index), checksum(index))


def _sane(entry, room: int) -> bool:
    """An index entry of the right shape whose packed cards lie inside the file (`room` bytes
    after the index)."""
    return (type(entry) is tuple and len(entry) == len(_ENTRY) and all(type(v) is t for v, t in zip(entry, _ENTRY))
            and len(entry[5]) == len(_DECK_FIELDS) and all(type(i) is str for i in entry[6])
            and 0 <= entry[7] and 0 <= entry[8] and entry[7] + entry[8] <= room and len(entry[9]) == DIGEST)


class DeckCache:
    """Parsed decks by file, checked against each file's stat and content hash (module doc)."""

    def __init__(self, path: Path | None):
        self.path = path
        self.entries: dict[str, tuple] = {}
        self.used: set[str] = set()
        self.changed = False
        self.written_ns = 0
        self._fd: int | None = None  # the cache file this index came from: packed cards are read from it
        self._base = 0
        self._lock = threading.Lock()  # (os.pread where there is none)
        self._new: dict[str, bytes] = {}  # packed cards parsed this time, not yet in a file
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
        if type(data) is not dict or data.get("version") != VERSION or data.get("card_fields") != _CARD_FIELDS \
                or data.get("deck_fields") != _DECK_FIELDS or type(data.get("entries")) is not dict \
                or type(data.get("written_ns")) is not int:
            return False
        room = stat.st_size - HEADER - size
        self.entries = {key: entry for key, entry in data["entries"].items() if type(key) is str and _sane(entry, room)}
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

    def _packed(self, key: str) -> bytes | None:
        """The packed cards of entry `key`, or None when they cannot be read or do not verify."""
        if key in self._new:
            return self._new[key]
        entry = self.entries[key]
        if self._fd is None:
            return None
        try:
            data = self._pread(self._fd, entry[8], self._base + entry[7])
        except OSError:
            return None
        return data if len(data) == entry[8] and checksum(data) == entry[9] else None

    def load_file(self, path: Path) -> tuple[Deck | None, list[Problem]]:
        """Like decks.load_file, served from the cache when the file is unchanged."""
        shown = display_path(path)
        key = os.path.abspath(path)
        try:
            stat = path.stat()
        except OSError:
            return load_file(path)
        if not S_ISREG(stat.st_mode):
            return load_file(path)  # (which says what it is)
        entry = self.entries.get(key)
        looks = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
        if entry is not None and entry[:4] == looks and entry[2] < self.written_ns - RACY_NS:
            self.used.add(key)
            return self._deck(key, entry, path, shown), []
        try:
            raw = read_bytes(path)
        except _Bad as bad:
            return None, [Problem(shown, bad.line, bad.message)]
        digest = content_digest(raw)
        if entry is not None and entry[0] == len(raw) and entry[4] == digest:  # touched (or racy), not changed
            if entry[:4] != looks:
                self.entries[key] = (*looks, *entry[4:])
                self.changed = True
            self.used.add(key)
            return self._deck(key, entry, path, shown), []
        try:
            source = deck_source(path, raw)
        except _Bad as bad:
            return None, [Problem(shown, bad.line, bad.message)]
        del raw  # (the same bytes as source: the parser reads them without a copy)
        deck, problems = load_text(source, shown, deck_id_for(path))
        del source
        if deck is not None:
            rows = [tuple("" if name == "path" else getattr(card, name) for name in _CARD_FIELDS) for card in deck.cards]
            try:
                packed = marshal.dumps(rows)
            except ValueError:  # a value marshal cannot hold: just do not cache this file
                return deck, problems
            del rows
            fields = tuple(getattr(deck, name) for name in _DECK_FIELDS)
            self.entries[key] = (*looks, digest, fields, deck.ids, 0, len(packed), checksum(packed))
            self._new[key] = packed
            self.used.add(key)
            self.changed = True
        return deck, problems

    def _deck(self, key: str, entry: tuple, path: Path, shown: str) -> Deck:
        def unpack() -> list[Card]:
            cards = self._unpack(key, entry[6])
            if cards is None:  # the cache file was cut, damaged or went away: read the deck itself
                deck, problems = load_file(path)
                if deck is None:  # (and it was made invalid since this run began)
                    raise DeckError(problems)
                cards = deck.cards
            for card in cards:  # (shown paths depend on the working directory: not cached)
                card.path = shown
            return cards

        return Deck(deck_id_for(path), shown, *entry[5], ids=entry[6], unpack=unpack)

    def _unpack(self, key: str, ids: tuple[str, ...]) -> list[Card] | None:
        """The Card objects of entry `key` from its verified packed cards; None unless they are
        exactly cards with the ids the index names."""
        packed = self._packed(key)
        if packed is None:
            return None
        try:
            rows = marshal.loads(packed)
            cards = [Card(*row) for row in rows if type(row) is tuple and len(row) == len(_CARD_FIELDS)]
        except Exception:  # (verified bytes decode; this is for a cache written by a broken dlquiz)
            return None
        if type(rows) is not list or len(cards) != len(rows) or tuple(card.id for card in cards) != ids:
            return None
        return cards

    def save(self, prune: bool = True) -> None:
        """Write the cache back if anything changed; with `prune`, drop files not loaded this time
        (right when the whole collection was loaded). Never fails."""
        if self.path is None:
            return
        stale = set(self.entries) - self.used if prune else set()
        if not self.changed and not stale:
            return
        entries, chunks, at = {}, [], 0
        for key, entry in self.entries.items():
            if key in stale:
                continue
            packed = self._packed(key)
            if packed is None:  # (damaged: parsed again next time)
                continue
            entries[key] = (*entry[:7], at, len(packed), entry[9])
            chunks.append(packed)
            at += len(packed)
        written = time.time_ns()
        index = marshal.dumps({"version": VERSION, "card_fields": _CARD_FIELDS, "deck_fields": _DECK_FIELDS,
                               "written_ns": written, "entries": entries})
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
