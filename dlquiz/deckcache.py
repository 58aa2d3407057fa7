"""A cache of parsed decks, so a large collection opens without parsing its YAML again.

One file, `$DLQUIZ_HOME/cache/decks.marshal`, maps each deck file's absolute path to its size,
modification time and content hash (BLAKE2b of the bytes) and the validated deck as plain tuples.
Every run reads and hashes every deck file (cheap next to parsing), so the cache can never serve
stale cards, even after an edit that keeps the size and the modification time. Only valid decks
are cached; a file with problems is parsed again each time so its errors are always reported.
A missing, corrupt or outdated cache is ignored and rewritten; a home directory that does not
exist or cannot be written just means no cache. Writes are atomic (temp file + rename).

`marshal` is used because it loads plain values several times faster than pickle or JSON; it
builds data only (it runs nothing), and the file lives in the user's own directory, beside the
review store.
"""

from __future__ import annotations

import dataclasses
import marshal
import os
from pathlib import Path

try:  # the BLAKE2 module alone: hashlib would also load OpenSSL, 5 ms before the first card
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - CPython always has it
    from hashlib import blake2b

from dlquiz.decks import Card, Deck, _Bad, display_path, deck_id_for, load_text, read_text
from dlquiz.errors import Problem

FILENAME = "decks.marshal"
_CARD_FIELDS = tuple(f.name for f in dataclasses.fields(Card) if f.name not in ("deck", "path"))
_DECK_FIELDS = tuple(f.name for f in dataclasses.fields(Deck) if f.name not in ("id", "path", "cards"))


def _version() -> str:
    """What a cached deck was validated by: another dlquiz, or other deck rules, mean another cache.
    The deck-rule modules' own bytes are hashed, so even an edit between releases invalidates it."""
    import dlquiz

    digest = blake2b(digest_size=8)
    package = Path(dlquiz.__file__).parent
    for name in ("decks.py", "yamlread.py", "templates.py", "templates_conv.py", "templates_nets.py"):
        try:
            digest.update((package / name).read_bytes())
        except OSError:
            pass
    return f"{dlquiz.__version__}-{digest.hexdigest()}"


VERSION = _version()


def cache_path(home: Path) -> Path:
    return home / "cache" / FILENAME


class DeckCache:
    """Parsed decks by file, checked against each file's size, mtime and content hash."""

    def __init__(self, path: Path | None):
        self.path = path
        self.entries: dict[str, tuple] = {}
        self.used: set[str] = set()
        self.changed = False
        if path is not None:
            self.entries = self._read(path)

    @staticmethod
    def _read(path: Path) -> dict:
        try:
            data = marshal.loads(path.read_bytes())
            if data.get("version") == VERSION and data.get("card_fields") == _CARD_FIELDS and data.get("deck_fields") == _DECK_FIELDS:
                return data["entries"]
        except (OSError, EOFError, ValueError, TypeError, AttributeError, KeyError):
            pass
        return {}

    def load_file(self, path: Path) -> tuple[Deck | None, list[Problem]]:
        """Like decks.load_file, served from the cache when the file is unchanged."""
        shown = display_path(path)
        try:
            raw = path.read_bytes()
            stat = path.stat()
        except OSError:
            from dlquiz.decks import load_file

            return load_file(path)
        key = os.path.abspath(path)
        digest = blake2b(raw, digest_size=16).digest()
        entry = self.entries.get(key)
        if entry is not None and entry[0] == stat.st_size and entry[1] == stat.st_mtime_ns and entry[2] == digest:
            self.used.add(key)
            return self._deck(entry[3], entry[4], deck_id_for(path), shown), []
        try:
            text = read_text(path, raw)
        except _Bad as bad:
            return None, [Problem(shown, bad.line, bad.message)]
        deck, problems = load_text(text, shown, deck_id_for(path))
        if deck is not None:
            packed = (tuple(getattr(deck, name) for name in _DECK_FIELDS),
                      tuple(tuple(getattr(card, name) for name in _CARD_FIELDS) for card in deck.cards))
            try:
                marshal.dumps(packed)
            except ValueError:  # a value marshal cannot hold: just do not cache this file
                return deck, problems
            self.entries[key] = (stat.st_size, stat.st_mtime_ns, digest, *packed)
            self.used.add(key)
            self.changed = True
        return deck, problems

    @staticmethod
    def _deck(deck_values: tuple, card_rows: tuple, deck_id: str, shown: str) -> Deck:
        deck = Deck(deck_id, shown, **dict(zip(_DECK_FIELDS, deck_values)))
        names = _CARD_FIELDS
        deck.cards = [Card(deck=deck_id, path=shown, **dict(zip(names, row))) for row in card_rows]
        return deck

    def save(self, prune: bool = True) -> None:
        """Write the cache back if anything changed; with `prune`, drop files not loaded this time
        (right when the whole collection was loaded). Never fails."""
        if self.path is None:
            return
        stale = set(self.entries) - self.used if prune else set()
        if not self.changed and not stale:
            return
        for key in stale:
            del self.entries[key]
        data = {"version": VERSION, "card_fields": _CARD_FIELDS, "deck_fields": _DECK_FIELDS, "entries": self.entries}
        try:
            self.path.parent.mkdir(exist_ok=True)
            import tempfile

            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".decks-", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(marshal.dumps(data))
                os.replace(tmp, self.path)
            except BaseException:
                os.unlink(tmp)
                raise
        except (OSError, ValueError):
            pass  # no cache this time; nothing is lost
