"""The syntax tree of a math formula, as dlquiz.render.math.parse builds it and dlquiz.render.math.line and
dlquiz.mathbox lay it out, and a few transformations the parser applies. A formula is a Row;
the layouts only read it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union

from dlquiz.render.math.symbols import ORD


@dataclass(slots=True)
class Sym:
    """One symbol, number or word, with its spacing class (mathsyms ORD, BIN, REL, ...)."""

    text: str
    cls: str = ORD
    limits: bool = False  # takes limits below and above in display math (∑, max)


@dataclass(slots=True)
class Space:
    width: int


@dataclass(slots=True)
class Row:
    items: list = field(default_factory=list)


@dataclass(slots=True)
class Script:
    base: Any
    sub: Row | None = None
    sup: Row | None = None
    sup_first: bool = False


@dataclass(slots=True)
class Frac:
    num: Row
    den: Row
    bar: bool = True  # False for \binom


@dataclass(slots=True)
class Sqrt:
    body: Row
    index: Row | None = None


@dataclass(slots=True)
class Fenced:
    left: str
    body: Row
    right: str


@dataclass(slots=True)
class Accent:
    body: Row
    name: str


@dataclass(slots=True)
class Text:
    text: str


@dataclass(slots=True)
class Raw:
    text: str


@dataclass(slots=True)
class Mark:
    """A highlighted part: `\\boxed{x}` (a cloze's hidden part, shown `[x]`) or `\\bbox{x}` (the
    part a cloze hid, shown as it is). Its text is set between marks.MARK_ON and MARK_OFF, which
    take no room on screen; the terminal UI turns them into a style."""

    body: Row
    boxed: bool = False


@dataclass(slots=True)
class Grid:
    rows: list[list[Row]]
    left: str = ""
    right: str = ""
    align_left: bool = False  # cases: columns read left to right like prose


Node = Union[Sym, Space, Row, Script, Frac, Sqrt, Fenced, Accent, Text, Raw, Grid, Mark]



def plain(row: Row) -> str:
    """The characters of a row, for names (`\\operatorname{softmax}`)."""
    out = []
    for item in row.items:
        if isinstance(item, (Sym, Text, Raw)):
            out.append(item.text)
        elif isinstance(item, Row):
            out.append(plain(item))
    return "".join(out)


def word(row: Row) -> Node:
    """An upright run of letters (`\\mathrm{Var}`) is one word; anything else stays a row."""
    if row.items and all(isinstance(i, Sym) and i.cls == ORD for i in row.items):
        return Sym("".join(i.text for i in row.items))
    return row


def restyle(node: Node, table: dict) -> Node:
    """Map the letters of a subtree to a math alphabet (bold, calligraphic, ...)."""
    if isinstance(node, Sym) and node.cls == ORD:
        return Sym(node.text.translate(table), node.cls, node.limits)
    if isinstance(node, Row):
        return Row([restyle(i, table) for i in node.items])
    if isinstance(node, Script):
        return Script(restyle(node.base, table), node.sub, node.sup, node.sup_first)
    if isinstance(node, Text):
        return Text(node.text.translate(table))
    return node
