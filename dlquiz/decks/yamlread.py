"""YAML text -> plain values that remember their line numbers, with safe-load semantics.

PyYAML is imported on first use only, so commands served from the parsed-deck cache never pay
for it. Parsing goes through libyaml's C parser when available; anchors and aliases are refused
before anything is built (an alias-expansion bomb costs nothing), as are duplicate keys, merge
keys and custom tags. So are control characters (raw, or written as escapes in a quoted string:
they would reach the terminal), nesting deeper than a deck needs, and numbers no card needs:
beyond MAX_NUMBER in size, or not finite (.nan, .inf). Each is one `Bad` with its line.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any

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
            return super().resolve(kind, value, implicit)

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


def _number(node: Any, tag: str, construct) -> Any:
    """An int or float scalar, refused when it is too large or not finite."""
    line = node.start_mark.line + 1
    digits = node.value.lstrip("+-").replace("_", "")
    if tag == _T + "int" and len(digits) > 16:  # (before int(): over 4,300 digits it raises)
        raise Bad(line, f"the number {clip(node.value)} is too large (at most {MAX_NUMBER:.0e} in size)")
    try:
        value = construct(node)
    except (ValueError, OverflowError):  # (e.g. a sexagesimal 1:99:99 out of range)
        raise Bad(line, f"cannot read {clip(node.value)} as a number") from None
    if not math.isfinite(value):
        raise Bad(line, f"{clip(node.value)} is not a finite number; decks hold finite numbers only")
    if abs(value) > MAX_NUMBER:
        raise Bad(line, f"the number {clip(node.value)} is too large (at most {MAX_NUMBER:.0e} in size)")
    return value


def _build(node: Any, seen: set[int], scalars: dict, kinds: tuple, depth: int = 0) -> Any:
    scalar, mapping, sequence = kinds
    if isinstance(node, scalar):
        tag = node.tag
        if tag == _T + "str":
            if node.style == '"' and (at := control_character(node.value)) is not None:  # an escape like "\a"
                raise Bad(node.start_mark.line + 1, _control_problem(node.value[at]))
            return node.value
        construct = scalars.get(tag)
        if construct is None:
            raise Bad(node.start_mark.line + 1, f"unsupported YAML tag {clip(tag)}")
        if tag in (_T + "int", _T + "float"):
            return _number(node, tag, construct)
        try:
            return construct(node)
        except (ValueError, OverflowError, TypeError):  # a date like 2026-13-45
            raise Bad(node.start_mark.line + 1, f"cannot read {clip(node.value)}; quote it if it is text") from None
    if id(node) in seen:  # an alias: the composer hands out the anchored node again
        raise Bad(node.start_mark.line + 1, "YAML anchors and aliases are not allowed")
    if depth >= MAX_DEPTH:
        raise Bad(node.start_mark.line + 1, f"nested too deeply (more than {MAX_DEPTH} levels)")
    seen.add(id(node))
    if isinstance(node, mapping):
        result = YMap()
        result.line = node.start_mark.line + 1
        result.lines = lines = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, scalar):
                raise Bad(line, "mapping keys must be plain words")
            if key_node.tag == _T + "merge":
                raise Bad(line, "merge keys (<<) are not allowed")
            key = _build(key_node, seen, scalars, kinds, depth + 1)
            if not isinstance(key, str):
                key = str(key)
            if key in lines:
                raise Bad(line, f"duplicate key {clip(key)} (first at line {lines[key]})")
            lines[key] = line
            result[key] = _build(value_node, seen, scalars, kinds, depth + 1)
        return result
    if isinstance(node, sequence):
        items = YList(_build(item, seen, scalars, kinds, depth + 1) for item in node.value)
        items.line = node.start_mark.line + 1
        items.lines = [item.start_mark.line + 1 for item in node.value]
        return items
    raise Bad(0, "unreadable YAML")  # pragma: no cover - the composer yields no other nodes


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


def parse_yaml(text: str) -> Any:
    """Parse YAML text into plain values (mappings and lists remember lines); raises Bad."""
    yaml, _, _, scalars, kinds = _machinery()
    at = control_character(text, _CONTROL_IN_FILE)
    if at is not None:
        raise Bad(text.count("\n", 0, at) + 1, _control_problem(text[at]))
    try:
        node = compose(text)
    except RecursionError:  # (the pure-Python composer, where libyaml is missing)
        raise Bad(0, f"invalid YAML: nested too deeply (more than {MAX_DEPTH} levels)") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        detail = exc.problem or exc.context or "invalid YAML"
        raise Bad(line, f"invalid YAML: {cut(detail)}") from None
    except yaml.YAMLError as exc:
        raise Bad(0, f"invalid YAML: {cut(str(exc))}") from None
    if node is None:
        raise Bad(0, "empty deck file (expected course, week, title and cards)")
    return _build(node, set(), scalars, kinds)
