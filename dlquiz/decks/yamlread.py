"""YAML text -> plain values that remember their line numbers, with safe-load semantics.

PyYAML is imported on first use only, so commands served from the parsed-deck cache never pay
for it. Booleans are `true` and `false` only (any case), as in YAML 1.2: `yes`, `no`, `on` and
`off` are words, so `answer: no` is text and a truefalse card cannot be answered `yes`. Parsing goes through libyaml's C parser when available; anchors and aliases are refused
before anything is built (an alias-expansion bomb costs nothing), as are duplicate keys, merge
keys and custom tags. So are control characters (raw, or written as escapes in a quoted string:
they would reach the terminal), nesting deeper than a deck needs, and numbers no card needs:
beyond MAX_NUMBER in size, or not finite (.nan, .inf). Each is one `Bad` with its line.
"""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from sys import intern
from typing import Any, Callable

from dlquiz.errors import clip, cut

# An anchor needs '&' at the start of a token; only then are the parser's events scanned for it.
# (Aliases need an anchor; and should one slip past, the builder sees the shared node and stops.)
_ANCHOR_HINT = re.compile(r"(?:^|[\s\[\{,])&[^\s\[\]\{\},]", re.MULTILINE)
_T = "tag:yaml.org,2002:"
MAX_NUMBER = 10**15  # no answer, dimension or parameter needs more; Python's int limit is far beyond
MAX_DEPTH = 32  # a deck nests four levels deep
# Tab and newline are text (and a carriage return in the file, as in CRLF line ends); every other
# C0 or C1 control character, DEL, a lone surrogate and the two non-characters YAML refuses are
# not (PyYAML would report them as two lines with a position, or pass an escaped one to the screen).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_CONTROL_IN_FILE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# The same in UTF-8 (a file's bytes, already known to be UTF-8: no surrogates).
_CONTROL_IN_UTF8 = re.compile(b"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\xc2[\x80-\x9f]|\xef\xbf[\xbe\xbf]")
_NAMES = {0: "NUL", 7: "BEL", 8: "BS", 0x0B: "VT", 0x0C: "FF", 0x0D: "CR", 0x1B: "ESC", 0x7F: "DEL"}


class Bad(Exception):
    """A problem inside one file; carries the 1-based line (0: the whole file)."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


class YMap(dict):
    """A YAML mapping that remembers the line of the mapping and of each key."""

    __slots__ = ("line", "lines")


class YList(list):
    """A YAML sequence that remembers its line and the line of each item."""

    __slots__ = ("line", "lines")


@lru_cache(maxsize=None)
def _machinery():
    import yaml
    import yaml.events  # noqa: F401 - what the builder reads
    from yaml.constructor import SafeConstructor
    from yaml.nodes import MappingNode, ScalarNode, SequenceNode

    try:  # the C parser is ~10x faster; fall back to the pure-Python one where libyaml is missing
        base = yaml.CSafeLoader
    except AttributeError:  # pragma: no cover - depends on how PyYAML was built
        base = yaml.SafeLoader

    class FastLoader(base):
        """The safe loader with a fast path in tag resolution: a plain scalar whose first
        character cannot start a number, boolean, null, timestamp or merge key is a string,
        without running the resolver's regular expressions. Same results, much less work."""

        _special_starts = frozenset(ch for ch in base.yaml_implicit_resolvers if ch)

        def resolve(self, kind, value, implicit):
            if kind is ScalarNode:
                if implicit[0] and value and value[0] not in self._special_starts:
                    return _T + "str"
                if not implicit[0]:
                    return _T + "str"
            tag = super().resolve(kind, value, implicit)
            if tag == _T + "bool" and value.lower() not in ("true", "false"):
                return _T + "str"  # yes, no, on, off: words, as in YAML 1.2
            return tag

    construct = SafeConstructor()
    scalars = {
        _T + "int": construct.construct_yaml_int,
        _T + "float": construct.construct_yaml_float,
        _T + "bool": construct.construct_yaml_bool,
        _T + "null": construct.construct_yaml_null,
        _T + "timestamp": construct.construct_yaml_timestamp,
    }
    return yaml, base, FastLoader, scalars, (ScalarNode, MappingNode, SequenceNode)


def control_character(text: str, pattern: re.Pattern = _CONTROL) -> int | None:
    """The index of the first control character in `text` (see _CONTROL), or None."""
    found = pattern.search(text)
    return found.start() if found else None


def _control_problem(char: str) -> str:
    code = ord(char)
    name = f" ({_NAMES[code]})" if code in _NAMES else ""
    return f"control character U+{code:04X}{name} is not allowed in a deck; remove it"


def _number(value: Any, line: int, text: str) -> Any:
    """An int or float scalar's value, refused when it is too large or not finite."""
    if not math.isfinite(value):
        raise Bad(line, f"{clip(text)} is not a finite number; decks hold finite numbers only")
    if abs(value) > MAX_NUMBER:
        raise Bad(line, f"the number {clip(text)} is too large (at most {MAX_NUMBER:.0e} in size)")
    return value


class _Builder:
    """Plain values straight from the parser's events, one event at a time: no node tree is
    kept (a 150,000-card deck's nodes, with two marks each, took a gigabyte), and what a deck may
    not hold is refused at its line as it comes (module doc). The same values as safe_load."""

    def __init__(self, loader: Any, scalars: dict, yaml: Any, each_card: Callable | None = None):
        self.each_card = each_card
        self.next = loader.get_event
        self.resolve = loader.resolve
        self.scalars = scalars
        self.events = yaml.events
        self.kinds = yaml.nodes.ScalarNode, yaml.nodes.SequenceNode, yaml.nodes.MappingNode

    def document(self) -> Any:
        events = self.events
        self.next()  # the stream starts
        event = self.next()
        if type(event) is events.StreamEndEvent:
            return None
        value = self.value(self.next(), 0)
        self.next()  # the document ends
        event = self.next()
        if type(event) is not events.StreamEndEvent:
            raise Bad(event.start_mark.line + 1, "invalid YAML: expected a single document in the stream")
        return value

    def value(self, event: Any, depth: int, each: Callable | None = None) -> Any:
        events, line = self.events, event.start_mark.line + 1
        kind = type(event)
        if kind is events.AliasEvent or event.anchor is not None:
            raise Bad(line, "YAML anchors and aliases are not allowed")
        if kind is events.ScalarEvent:
            return self.scalar(event, line)
        if depth >= MAX_DEPTH:
            raise Bad(line, f"nested too deeply (more than {MAX_DEPTH} levels)")
        scalar, sequence, mapping = self.kinds
        node = sequence if kind is events.SequenceStartEvent else mapping
        if event.tag not in (None, "!") and event.tag != self.resolve(node, None, (True, False)):
            raise Bad(line, f"unsupported YAML tag {clip(event.tag)}")
        if kind is events.SequenceStartEvent:
            items, lines = YList(), []
            event = self.next()
            while type(event) is not events.SequenceEndEvent:
                lines.append(event.start_mark.line + 1)
                item = self.value(event, depth + 1)
                items.append(item if each is None else each(item, lines[-1]))
                event = self.next()
            items.line, items.lines = line, lines
            return items
        result, lines = YMap(), {}
        event = self.next()
        while type(event) is not events.MappingEndEvent:
            key_line = event.start_mark.line + 1
            if type(event) is not events.ScalarEvent:
                raise Bad(key_line, "mapping keys must be plain words")
            if event.tag in (None, "!") and self.resolve(scalar, event.value, event.implicit) == _T + "merge":
                raise Bad(key_line, "merge keys (<<) are not allowed")
            key = self.value(event, depth + 1)
            key = intern(key if isinstance(key, str) else str(key))  # (150,000 cards: one "question", not 150,000)
            if key in lines:
                raise Bad(key_line, f"duplicate key {clip(key)} (first at line {lines[key]})")
            lines[key] = key_line
            each = self.each_card if depth == 0 and key == "cards" else None
            result[key] = self.value(self.next(), depth + 1, each)
            event = self.next()
        result.line, result.lines = line, lines
        return result

    def scalar(self, event: Any, line: int) -> Any:
        text, tag = event.value, event.tag
        if tag is None or tag == "!":
            tag = self.resolve(self.kinds[0], text, event.implicit)
        if tag == _T + "str":
            if event.style == '"' and (at := control_character(text)) is not None:  # an escape like "\a"
                raise Bad(line, _control_problem(text[at]))
            return text
        construct = self.scalars.get(tag)
        if construct is None:
            raise Bad(line, f"unsupported YAML tag {clip(tag)}")
        if tag == _T + "int" and len(text.lstrip("+-").replace("_", "")) > 16:  # (before int(): over 4,300 digits it raises)
            raise Bad(line, f"the number {clip(text)} is too large (at most {MAX_NUMBER:.0e} in size)")
        try:
            value = construct(self.kinds[0](tag, text, event.start_mark, event.end_mark, event.style))
        except (ValueError, OverflowError, TypeError):  # a date like 2026-13-45, a sexagesimal 1:99:99
            raise Bad(line, f"cannot read {clip(text)}; quote it if it is text") from None
        return _number(value, line, text) if tag in (_T + "int", _T + "float") else value


def compose(text: str) -> Any:
    """The YAML node tree of `text` (nodes carry start and end marks); refuses anchors."""
    yaml, base, loader_class, _, _ = _machinery()
    if _ANCHOR_HINT.search(text):
        for event in yaml.parse(text, Loader=base):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise Bad(event.start_mark.line + 1, f"YAML anchors and aliases are not allowed (found {clip(event.anchor)})")
    loader = loader_class(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def parse_yaml(text: str | bytes, each_card: Callable[[Any, int], Any] | None = None) -> Any:
    """Parse YAML text (or its UTF-8 bytes, known to be valid: then the parser reads them as they
    are, with no copy) into plain values (mappings and lists remember lines); raises Bad.
    `each_card(value, line)` replaces each item of the top-level `cards` list as soon as it is
    read (a deck's validation: a large deck's YAML values are never all held at once)."""
    yaml, _, loader_class, scalars, _ = _machinery()
    if isinstance(text, bytes):
        found = _CONTROL_IN_UTF8.search(text)
        if found is not None:
            raise Bad(text.count(b"\n", 0, found.start()) + 1, _control_problem(found.group().decode()))
    elif (at := control_character(text, _CONTROL_IN_FILE)) is not None:
        raise Bad(text.count("\n", 0, at) + 1, _control_problem(text[at]))
    loader = loader_class(text)
    try:
        value = _Builder(loader, scalars, yaml, each_card).document()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        shown = text if isinstance(text, str) else text.decode("utf-8", "replace")
        raise Bad(mark.line + 1 if mark else 0, cut(explain(shown, mark, exc.problem or exc.context or ""), 200)) from None
    except yaml.YAMLError as exc:
        raise Bad(0, f"invalid YAML: {cut(str(exc))}") from None
    finally:
        loader.dispose()
    if value is None:
        raise Bad(0, "empty deck file (expected course, week, title and cards)")
    return value



# ---------------------------------------------------------------------------------------------
# YAML errors in plain words

_CARD_START = re.compile(r"(\s*)-\s+(?:\{\s*)?id:\s*['\"]?([^\s'\",}]+)")
_KEY_LINE = re.compile(r"(\s*)(?:-\s+)?([A-Za-z_][\w-]*):(?:\s|$)")


def _card_at(lines: list[str], index: int) -> tuple[str, int] | None:
    """The card that line `index` (0-based) belongs to, by the nearest `- id: ...` above it
    that is not indented deeper: (its id, the column of its keys)."""
    for above in range(min(index, len(lines) - 1), -1, -1):
        match = _CARD_START.match(lines[above])
        if match:
            return match.group(2), lines[above].index("id", len(match.group(1)))
        if above < index and lines[above].strip() and not lines[above].startswith(" "):
            return None  # a top-level key: outside the cards
    return None


def _owner(lines: list[str], index: int, column: int) -> str | None:
    """The key (at `column`) whose value line `index` continues."""
    for above in range(index - 1, -1, -1):
        match = _KEY_LINE.match(lines[above])
        if match and len(match.group(1)) <= column:
            return match.group(2)
    return None


def explain(text: str, mark, problem: str) -> str:
    """A YAML parse error in plain words, naming the card it is in: a ':' in unquoted text, a key
    indented unlike its card's other keys, a tab."""
    lines = text.splitlines()
    index = mark.line if mark is not None else len(lines)
    card = _card_at(lines, index) if index < len(lines) else None
    where = f"invalid YAML in card {card[0]!r}" if card else "invalid YAML"
    here = lines[index] if index < len(lines) else ""
    key = _KEY_LINE.match(here)
    indent = len(here) - len(here.lstrip(" "))
    if "tab" in problem:
        return f"{where}: indent with spaces, not tabs"
    if card is not None and key and indent != card[1] and (
            problem.startswith("mapping values are not allowed") or problem.startswith("did not find expected")):
        return (f"{where}: bad indentation: {key.group(2)!r} is indented {indent} spaces, the card's other keys "
                f"{card[1]} (the keys of a card line up)")
    if problem.startswith("mapping values are not allowed"):
        fix = " (a ':' followed by a space starts a new key)"
        if key and mark.column > key.end():  # `question: What is it: a test?`
            value = here[key.end():].strip()
            value = value if len(value) <= 60 else value[:59] + "…"  # a long line must not make a long message
            return f"{where}: quote the text{fix}: {key.group(2)}: {json.dumps(value, ensure_ascii=False)}"
        owner = _owner(lines, index, card[1] if card else indent)
        return f"{where}: quote the text of {owner!r}{fix}" if owner else f"{where}: quote the text{fix}"
    return f"{where}: {problem or 'unreadable'}"
