"""YAML text -> plain values that remember their line numbers, with safe-load semantics.

PyYAML is imported on first use only, so commands served from the parsed-deck cache never pay
for it. Parsing goes through libyaml's C parser when available; anchors and aliases are refused
before anything is built (an alias-expansion bomb costs nothing), as are duplicate keys, merge
keys and custom tags.
"""

from __future__ import annotations

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
        line = mark.line + 1 if mark else 0
        detail = exc.problem or exc.context or "invalid YAML"
        raise Bad(line, f"invalid YAML: {detail}") from None
    except yaml.YAMLError as exc:
        raise Bad(0, f"invalid YAML: {exc}") from None
    if node is None:
        raise Bad(0, "empty deck file (expected course, week, title and cards)")
    return _build(node, set(), scalars, kinds)
