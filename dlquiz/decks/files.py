"""Deck files on disk: discovery under the deck directories, reading one file (UTF-8, BOM,
empty files), and the paths a user is shown.

Only regular files are read, and none over MAX_DECK_BYTES: a named pipe, a device or a link to
/dev/zero is refused with one line (the file is opened non-blocking, so a FIFO cannot hang the
command), as is a file too large to be a deck.

`load_file` reads and validates one deck (dlquiz.decks.format); `compose_node` gives the YAML
node tree of a deck's text for the tools that edit it in place (dlquiz.decks.deckfile).
"""

from __future__ import annotations

import os
import stat as _stat
from pathlib import Path
from typing import Any, Iterable

from dlquiz.decks.format import load_text
from dlquiz.decks.yamlread import Bad as _Bad
from dlquiz.decks.yamlread import compose as _compose
from dlquiz.errors import Problem
from dlquiz.model import Deck


MAX_DECK_BYTES = 64 * 1024 * 1024  # a 150,000-card deck is 47 MB
_KINDS = ((_stat.S_ISDIR, "a directory"), (_stat.S_ISFIFO, "a named pipe"), (_stat.S_ISCHR, "a device"),
          (_stat.S_ISBLK, "a device"), (_stat.S_ISSOCK, "a socket"))


def _refuse_unless_regular(status: os.stat_result) -> None:
    if not _stat.S_ISREG(status.st_mode):
        what = next((name for test, name in _KINDS if test(status.st_mode)), "not a file")
        raise _Bad(0, f"not a regular file ({what}); a deck is a .yaml file")
    if status.st_size > MAX_DECK_BYTES:
        raise _Bad(0, f"too large for a deck ({status.st_size / 2**20:,.0f} MB; at most {MAX_DECK_BYTES // 2**20} MB)")


def read_bytes(path: Path) -> bytes:
    """A deck file's bytes; raises _Bad if it is not a regular file, is over MAX_DECK_BYTES or
    cannot be read. Never blocks: a FIFO is refused before it is opened, and opened non-blocking
    should it replace the file in between."""
    try:
        _refuse_unless_regular(os.stat(path))
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as handle:
            _refuse_unless_regular(os.fstat(fd))  # the file opened is the one checked
            data = handle.read(MAX_DECK_BYTES + 1)
    except OSError as exc:
        raise _Bad(0, f"cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_DECK_BYTES:  # (it grew meanwhile)
        raise _Bad(0, f"too large for a deck (at most {MAX_DECK_BYTES // 2**20} MB)")
    return data


def read_text(path: Path, data: bytes | None = None) -> str:
    """A deck file's text (from `data` if already read); raises _Bad if it is unreadable, not a
    regular file, too large, empty or not UTF-8."""
    if data is None:
        data = read_bytes(path)
    return _checked(data).decode("utf-8").removeprefix("\ufeff")


def deck_source(path: Path, data: bytes | None = None) -> bytes:
    """What the deck loader parses: the file's bytes (from `data` if already read), checked as
    `read_text` checks them. (The parser reads UTF-8 bytes, byte-order mark and all, as they
    are; text would be copied into UTF-8 again: 47 MB more for a 150,000-card deck.)"""
    return _checked(read_bytes(path) if data is None else data)


def _checked(data: bytes) -> bytes:
    """The bytes of a deck file if they are UTF-8 and not empty; else _Bad."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _Bad(line, f"not UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8") from None
    if not text.removeprefix("\ufeff").strip():
        raise _Bad(0, "empty deck file (expected course, week, title and cards)")
    return data


def deck_id_for(path: Path) -> str:
    return path.name[: -len(".yaml")] if path.name.endswith(".yaml") else path.stem


def load_file(path: Path) -> tuple[Deck | None, list[Problem]]:
    """Load one deck file. Returns the deck (None if invalid) and its problems."""
    shown = display_path(path)
    try:
        source = deck_source(path)
    except _Bad as bad:
        return None, [Problem(shown, bad.line, bad.message)]
    return load_text(source, shown, deck_id_for(path))


def display_path(path: Path) -> str:
    """A path as the user will recognise it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def discover(dirs: Iterable[Path]) -> list[Path]:
    """Every `*.yaml` deck file under the deck directories, in directory order then by name."""
    files: list[Path] = []
    seen: set[Path] = set()
    for directory in dirs:
        if not directory.is_dir():
            continue
        for path in sorted(directory.rglob("*.yaml")):
            resolved = path.resolve()  # (not only files: a pipe or a device named *.yaml is reported)
            if resolved not in seen and not path.is_dir():
                seen.add(resolved)
                files.append(path)
    return files


def compose_node(text: str) -> Any:
    """The YAML node tree of a deck's text as the loader reads it (nodes carry start and end
    marks), for tools that edit the text in place. Call it on text that loads without problems."""
    return _compose(text)
