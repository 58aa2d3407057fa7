"""YAML text -> plain values that remember their line numbers, with safe-load semantics.

PyYAML is imported on first use only, so commands served from the parsed-deck cache never pay
for it. Booleans are `true` and `false` only (any case), as in YAML 1.2: `yes`, `no`, `on` and
`off` are words, so `answer: no` is text and a truefalse card cannot be answered `yes`. Parsing goes through libyaml's C parser when available; anchors and aliases are refused
before anything is built (an alias-expansion bomb costs nothing), as are duplicate keys, merge
keys and custom tags.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

# An anchor needs '&' at the start of a token; only then are the parser's events scanned for it.
# (Aliases need an anchor; and should one slip past, the builder sees the shared node and stops.)
_ANCHOR_HINT = re.compile(r"(?:^|[\s\[\{,])&[^\s\[\]\{\},]", re.MULTILINE)
_T = "tag:yaml.org,2002:"


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


def _build(node: Any, seen: set[int], scalars: dict, kinds: tuple) -> Any:
    scalar, mapping, sequence = kinds
    if isinstance(node, scalar):
        tag = node.tag
        if tag == _T + "str":
            return node.value
        construct = scalars.get(tag)
        if construct is None:
            raise Bad(node.start_mark.line + 1, f"unsupported YAML tag {tag!r}")
        return construct(node)
    if id(node) in seen:  # an alias: the composer hands out the anchored node again
        raise Bad(node.start_mark.line + 1, "YAML anchors and aliases are not allowed")
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
            key = _build(key_node, seen, scalars, kinds)
            if not isinstance(key, str):
                key = str(key)
            if key in lines:
                raise Bad(line, f"duplicate key {key!r} (first at line {lines[key]})")
            lines[key] = line
            result[key] = _build(value_node, seen, scalars, kinds)
        return result
    if isinstance(node, sequence):
        items = YList(_build(item, seen, scalars, kinds) for item in node.value)
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
                raise Bad(event.start_mark.line + 1, f"YAML anchors and aliases are not allowed (found {event.anchor!r})")
    loader = loader_class(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def parse_yaml(text: str) -> Any:
    """Parse YAML text into plain values (mappings and lists remember lines); raises Bad."""
    yaml, _, _, scalars, kinds = _machinery()
    try:
        node = compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise Bad(mark.line + 1 if mark else 0, explain(text, mark, exc.problem or exc.context or "")) from None
    except yaml.YAMLError as exc:
        raise Bad(0, f"invalid YAML: {exc}") from None
    if node is None:
        raise Bad(0, "empty deck file (expected course, week, title and cards)")
    return _build(node, set(), scalars, kinds)


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
            return f"{where}: quote the text{fix}: {key.group(2)}: {json.dumps(value, ensure_ascii=False)}"
        owner = _owner(lines, index, card[1] if card else indent)
        return f"{where}: quote the text of {owner!r}{fix}" if owner else f"{where}: quote the text{fix}"
    return f"{where}: {problem or 'unreadable'}"
