"""Deck files as text, for `dlquiz add` and `dlquiz edit`: emit one card as a YAML block, find a
card's block, splice a block in, and write the result atomically under a lock.

A deck file is never re-dumped. Adding a card only adds lines; editing one replaces only that
card's lines. Every other byte is kept: comments, order, blank lines, quoting, the line endings
(`\\r\\n` files stay `\\r\\n`) and a byte-order mark.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from dlquiz.decks.files import compose_node

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks; writes stay atomic
    fcntl = None  # type: ignore[assignment]

# The line breaks YAML counts (so our line numbers agree with the parser's marks).
_BREAK = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")
_BOM = "\ufeff"
_FOLD = 74  # one-line texts longer than this are folded (`>-`), as in the bundled decks
_WIDTH = 80  # where folding starts: the emitter breaks at the first space past it


# ---------------------------------------------------------------------------------------------
# emitting a card


class Flow(list):
    """A list written in flow style: `tags: [a, b]`, `answer: [4, 1]`."""


class _Dumper(yaml.SafeDumper):
    """Safe dumper that indents lists under their key (`options:` then `  - ...`)."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


class _QuotedDumper(_Dumper):
    """Every string double-quoted on one line: the fallback that always round-trips."""


def _str(dumper: yaml.SafeDumper, text: str):
    # Literal blocks for multi-line text and folded blocks for long lines, like hand-kept decks;
    # the emitter itself falls back to quoting where a block cannot hold the text exactly.
    style = "|" if "\n" in text else (">" if len(text) > _FOLD else None)
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


def _flow(dumper: yaml.SafeDumper, items: Flow):
    return dumper.represent_sequence("tag:yaml.org,2002:seq", items, flow_style=True)


_Dumper.add_representer(str, _str)
_Dumper.add_representer(Flow, _flow)
_QuotedDumper.add_representer(str, lambda d, s: d.represent_scalar("tag:yaml.org,2002:str", s, style='"'))


def _plain(value: Any) -> Any:
    return [_plain(v) for v in value] if isinstance(value, (list, tuple)) else value


def card_block(fields: dict[str, Any], column: int = 2, newline: str = "\n") -> str:
    """One card as a YAML list item (`- id: ...`) with its dash at `column`, ending in a newline.

    The block is checked to load back to exactly `fields`; text the pretty styles cannot carry
    is written double-quoted instead."""
    for dumper in (_Dumper, _QuotedDumper):
        text = yaml.dump([fields], Dumper=dumper, allow_unicode=True, sort_keys=False, width=_WIDTH)
        pad = " " * column
        block = "".join(pad + line if line.strip() else line for line in text.splitlines(keepends=True))
        try:
            if yaml.safe_load(block) == [_plain(dict(fields))] or dumper is _QuotedDumper:
                return block.replace("\n", newline)
        except yaml.YAMLError:  # pragma: no cover - the quoted form always loads
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def deck_header(course: int, week: int, title: str, course_title: str | None = None) -> str:
    """The top of a new deck file, up to and including `cards:`."""
    head: dict[str, Any] = {"course": course}
    if course_title:
        head["course_title"] = course_title
    head.update(week=week, title=title)
    text = yaml.safe_dump(head, allow_unicode=True, sort_keys=False, width=math.inf)
    return text + "cards:\n"


# ---------------------------------------------------------------------------------------------
# a deck file's text and where its cards are


def split_lines(text: str) -> list[str]:
    """The text's lines with their line breaks, split where YAML counts a new line."""
    lines, start = [], 0
    for match in _BREAK.finditer(text):
        lines.append(text[start : match.end()])
        start = match.end()
    if start < len(text):
        lines.append(text[start:])
    return lines


def _blank(line: str) -> bool:
    return not line.strip()


def _ends_line(line: str) -> bool:
    return bool(line) and line[-1] in "\r\n\x85\u2028\u2029"


def _strip_break(line: str) -> str:
    match = _BREAK.search(line)
    return line[: match.start()] if match else line


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


@dataclass
class Span:
    """Where one card is: lines `first`..`last` (0-based, inclusive), from its dash."""

    card_id: str | None
    first: int
    last: int


@dataclass
class Layout:
    """Where a deck's cards are in its text, and how they are laid out."""

    column: int = 2  # the column of the items' dashes
    spans: list[Span] = field(default_factory=list)
    empty_flow: tuple[int, int, int] | None = None  # `cards: []`: its line and columns
    separated: bool = True  # cards separated by a blank line
    flow: bool = False  # `cards: [...]`: not a list of blocks, so no block can be added or replaced


def _last_line(node: Any) -> int:
    """The last line holding the node's content (its end mark may lie further on)."""
    if isinstance(node, ScalarNode):
        end = node.end_mark
        if end.column == 0 and end.line > node.start_mark.line:
            return end.line - 1  # block scalars end at the start of the next line
        return end.line
    if node.flow_style or not node.value:
        return node.end_mark.line
    last = node.value[-1]
    return _last_line(last[1] if isinstance(node, MappingNode) else last)


def _kept_blank_lines(node: Any) -> bool:
    """True when the card ends in a `|+` block scalar whose trailing blank lines are content."""
    while isinstance(node, (MappingNode, SequenceNode)) and node.value and not node.flow_style:
        node = node.value[-1][1] if isinstance(node, MappingNode) else node.value[-1]
    return isinstance(node, ScalarNode) and node.style in ("|", ">") and node.value.endswith("\n\n")


def _span(lines: list[str], item: Any, column: int) -> Span:
    first = item.start_mark.line
    while first > 0 and not (len(lines[first]) > column and lines[first][column] == "-"):
        first -= 1  # the dash sits alone on a line above the card's first key
    last = _last_line(item)
    if not _kept_blank_lines(item):
        while last > first and _blank(lines[last]):
            last -= 1
    # Comment lines right below a card and indented under it belong to it.
    probe = last + 1
    while probe < len(lines) and (_blank(lines[probe]) or lines[probe].lstrip().startswith("#")):
        if not _blank(lines[probe]):
            if _indent(lines[probe]) <= column:
                break
            last = probe
        probe += 1
    card_id = None
    if isinstance(item, MappingNode):
        card_id = next((v.value for k, v in item.value if k.value == "id" and isinstance(v, ScalarNode)), None)
    return Span(card_id, first, last)


def layout(text: str) -> Layout:
    """Where the cards of a (valid) deck's text are."""
    lines = split_lines(text)
    root = compose_node(text)
    cards = next(v for k, v in root.value if k.value == "cards")
    if cards.flow_style:
        key = next(k for k, v in root.value if v is cards)
        start, end = cards.start_mark, cards.end_mark
        empty = (start.line, start.column, end.column) if start.line == end.line and not cards.value else None
        return Layout(column=key.start_mark.column + 2, empty_flow=empty, flow=True)
    column = cards.start_mark.column
    spans = [_span(lines, item, column) for item in cards.value]
    separated = len(spans) < 2 or any(_blank(line) for line in lines[spans[-2].last + 1 : spans[-1].first])
    return Layout(column=column, spans=spans, separated=separated)


def newline_of(text: str) -> str:
    """The file's line ending: that of its first line."""
    match = _BREAK.search(text)
    return match.group() if match and match.group() in ("\n", "\r\n") else "\n"


def indent_block(block: str, column: int, newline: str = "\n") -> str:
    """A card's block written at column 0 (as in an editor), moved to `column`."""
    pad = " " * column
    body = [(pad if line.strip() else "") + _strip_break(line) for line in split_lines(block)]
    while body and not body[-1].strip():
        body.pop()
    return "".join(line + newline for line in body)


def append_card(text: str, fields: dict[str, Any] | None, block: str | None = None) -> tuple[str, str]:
    """The text with the card `fields` (or a `block` of YAML written at column 0, one card)
    added after the last card, and the block added.

    Only lines are added, laid out like the cards before (indentation, blank lines between
    cards, line endings), except that a file without a final newline gets one and an empty
    `cards: []` loses its `[]`."""
    lines = split_lines(text)
    where = layout(text)
    newline = newline_of(text)
    if where.flow and where.empty_flow is None:
        raise ValueError("the cards are written as a flow list ([...]); write them as a block list to add cards")
    if where.empty_flow is not None:
        line, start, end = where.empty_flow
        before, after = lines[line][:start], lines[line][end:]
        lines[line] = before.rstrip(" ") + after  # `cards: []  # c` -> `cards:  # c`
        at, gap = line + 1, False
    else:
        at = where.spans[-1].last + 1  # right after the last card (and its own comments)
        gap = where.separated and not _blank(lines[at - 1])
    if at == len(lines) and lines and not _ends_line(lines[-1]):
        lines[-1] += newline
    block = card_block(fields, where.column, newline) if block is None else indent_block(block, where.column, newline)
    added = ([newline] if gap else []) + [block]
    return "".join(lines[:at] + added + lines[at:]), block


def find_span(text: str, card_id: str) -> Span:
    """The span of the card with this id (KeyError if there is none)."""
    where = layout(text)
    if where.flow:
        raise ValueError("the cards are written as a flow list ([...]); write them as a block list to edit one")
    for span in where.spans:
        if span.card_id == card_id:
            return span
    raise KeyError(card_id)


def dedent_block(text: str, span: Span, column: int) -> str:
    """The card's lines with the dash moved to column 0 (for editing on its own)."""
    lines = split_lines(text)[span.first : span.last + 1]
    out = [line[column:] if line[:column] == " " * column else line.lstrip(" ") for line in lines]
    if out and not _ends_line(out[-1]):
        out[-1] += "\n"
    return "".join(out)


def replace_block(text: str, span: Span, column: int, block: str) -> str:
    """The text with the card's lines replaced by `block` (dedented), indented to `column`."""
    lines = split_lines(text)
    newline = newline_of(text)
    new_lines = split_lines(indent_block(block, column, newline))
    if not _ends_line(lines[span.last]) and new_lines:  # the card ended the file, unterminated
        new_lines[-1] = new_lines[-1][: -len(newline)]
    return "".join(lines[: span.first] + new_lines + lines[span.last + 1 :])


# ---------------------------------------------------------------------------------------------
# reading and writing files


def read(path: Path) -> tuple[str, str]:
    """A deck file as (byte-order mark or "", text), decoded exactly (line ends untouched)."""
    text = path.read_bytes().decode("utf-8")
    if text.startswith(_BOM):
        return _BOM, text[1:]
    return "", text


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` atomically: a synced temp file in the same directory, renamed
    over it. A reader sees the old file or the new one, never half of one. Symlinks are
    followed, and the file's permissions are kept."""
    target = path.resolve()
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    # The temp name does not end in .yaml, so a concurrent `discover` never sees it.
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _sync_dir(target.parent)


def _sync_dir(directory: Path) -> None:
    # Make the rename itself durable; not possible (nor needed) on every platform.
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def locked(directories: Iterable[Path]) -> Iterator[None]:
    """Hold an exclusive lock on each existing deck directory (flock on the directory itself,
    so no lock files litter the decks), always in the same order so two writers cannot
    deadlock. Every `dlquiz add` and `edit` holds it from reading the decks to the rename."""
    unique = sorted({d.resolve() for d in directories if d.is_dir()}) if fcntl is not None else []
    fds: list[int] = []
    try:
        for directory in unique:
            fd = os.open(directory, os.O_RDONLY)
            fds.append(fd)
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        for fd in reversed(fds):
            os.close(fd)  # closing the descriptor releases its lock
