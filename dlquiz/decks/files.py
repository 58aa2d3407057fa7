"""Deck files on disk: discovery under the deck directories, reading one file (UTF-8, BOM,
empty files), and the paths a user is shown.

`load_file` reads and validates one deck (dlquiz.decks.format); `compose_node` gives the YAML
node tree of a deck's text for the tools that edit it in place (dlquiz.decks.deckfile).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from dlquiz.decks.format import load_text
from dlquiz.decks.yamlread import Bad as _Bad
from dlquiz.decks.yamlread import compose as _compose
from dlquiz.errors import Problem
from dlquiz.model import Deck


def read_text(path: Path, data: bytes | None = None) -> str:
    """A deck file's text (from `data` if already read); raises _Bad if it is unreadable, empty or
    not UTF-8."""
    try:
        if data is None:
            data = path.read_bytes()
    except OSError as exc:
        raise _Bad(0, f"cannot read: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _Bad(line, f"not UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise _Bad(0, "empty deck file (expected course, week, title and cards)")
    return text


def deck_id_for(path: Path) -> str:
    return path.name[: -len(".yaml")] if path.name.endswith(".yaml") else path.stem


def load_file(path: Path) -> tuple[Deck | None, list[Problem]]:
    """Load one deck file. Returns the deck (None if invalid) and its problems."""
    shown = display_path(path)
    try:
        text = read_text(path)
    except _Bad as bad:
        return None, [Problem(shown, bad.line, bad.message)]
    return load_text(text, shown, deck_id_for(path))


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
            resolved = path.resolve()
            if resolved not in seen and path.is_file():
                seen.add(resolved)
                files.append(path)
    return files


def compose_node(text: str) -> Any:
    """The YAML node tree of a deck's text as the loader reads it (nodes carry start and end
    marks), for tools that edit the text in place. Call it on text that loads without problems."""
    return _compose(text)
