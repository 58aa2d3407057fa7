"""Display math laid out in two dimensions, like a pretty printer: stacked fractions, limits
above and below ∑, brackets as tall as what they hold, a radical over a tall radicand. Whatever
needs no second line is set by dlquiz.render.math.line. Public entry point: dlquiz.render.math.text.display.
"""

from __future__ import annotations

from dlquiz.render.math import symbols as S
from dlquiz.render.math.line import needs_separator, one_line, spaced, unicode_script, width
from dlquiz.render.math.marks import MARK_OFF, MARK_ON
from dlquiz.render.math.nodes import Fenced, Frac, Grid, Mark, Row, Script, Sqrt, Sym

_TALL = {
    "(": "⎛⎜⎝", ")": "⎞⎟⎠", "[": "⎡⎢⎣", "]": "⎤⎥⎦", "⌊": "⎢⎢⎣", "⌋": "⎥⎥⎦", "⌈": "⎡⎢⎢",
    "⌉": "⎤⎥⎥", "{": "⎧⎪⎩", "}": "⎫⎪⎭", "|": "│││", "‖": "‖‖‖", "⟨": "╱⟨╲", "⟩": "╲⟩╱",
}
_MIDDLE = {"{": "⎨", "}": "⎬", "⟨": "⟨", "⟩": "⟩"}



class Box:
    """Lines of equal width with a baseline row, the unit of the 2-D layout."""

    __slots__ = ("lines", "base", "width")

    def __init__(self, lines: list[str], base: int = 0) -> None:
        self.width = max((width(line) for line in lines), default=0)
        self.lines = [line + " " * (self.width - width(line)) for line in lines]
        self.base = base


def _center(line: str, total: int) -> str:
    spare = total - width(line)
    return " " * (spare // 2) + line + " " * (spare - spare // 2)


def _hcat(boxes: list[Box], gaps: list[int]) -> Box:
    ascent = max(b.base for b in boxes)
    descent = max(len(b.lines) - b.base - 1 for b in boxes)
    rows = [""] * (ascent + descent + 1)
    for part, gap in zip(boxes, gaps):
        top = ascent - part.base
        for r in range(len(rows)):
            i = r - top
            rows[r] += " " * gap + (part.lines[i] if 0 <= i < len(part.lines) else " " * part.width)
    return Box(rows, ascent)


def _tall(node) -> bool:
    """Does the node need more than one line in display math?"""
    kind = type(node)
    if kind is Frac or kind is Grid:
        return True
    if kind is Row:
        return any(_tall(i) for i in node.items)
    if kind is Script:
        return (_is_limits(node) and (node.sub is not None or node.sup is not None)) or _tall(node.base)
    if kind is Fenced or kind is Sqrt or kind is Mark:
        return _tall(node.body)
    return False


def _is_limits(node: Script) -> bool:
    return isinstance(node.base, Sym) and node.base.limits


def box(node) -> Box:
    if not _tall(node):
        return Box([one_line(node, False)])
    kind = type(node)
    if kind is Row:
        return _row_box(node.items)
    if kind is Frac:
        return _frac_box(node)
    if kind is Script:
        return _limits_box(node) if _is_limits(node) else _tall_script_box(node)
    if kind is Sqrt:
        return _sqrt_box(node)
    if kind is Fenced:
        return _fence(box(node.body), node.left, node.right)
    if kind is Mark:
        inner = box(node.body)
        inner = _fence(inner, "[", "]") if node.boxed else inner
        return Box([MARK_ON + line + MARK_OFF for line in inner.lines], inner.base)
    return _grid_box(node)


def _row_box(items: list) -> Box:
    boxes: list[Box] = []
    gaps: list[int] = []
    last = None
    for gap, item, _cls_ in spaced(items, False):
        part = box(item)
        if boxes and gap == 0 and (isinstance(item, Frac) or isinstance(last, Frac)):
            gap = 1  # a stacked fraction's bar would touch its neighbour: `α ───`
        elif boxes and gap == 0 and needs_separator(boxes[-1].lines[boxes[-1].base].rstrip(), part.lines[part.base].lstrip()):
            gap = 1
        boxes.append(part)
        gaps.append(gap)
        last = item
    return _hcat(boxes, gaps) if boxes else Box([""])


def _frac_box(node: Frac) -> Box:
    num, den = box(node.num), box(node.den)
    total = max(num.width, den.width) + 2
    bar = ["─" * total] if node.bar else []
    lines = [_center(line, total) for line in num.lines] + bar + [_center(line, total) for line in den.lines]
    return Box(lines, len(num.lines))


def _limits_box(node: Script) -> Box:
    """∑ with its limits centred below and above, as in printed display math."""
    op = one_line(node.base, False)
    above = [one_line(node.sup, True)] if node.sup is not None else []
    below = [one_line(node.sub, True)] if node.sub is not None else []
    lines = above + [op] + below
    total = max(width(line) for line in lines)
    return Box([_center(line, total) for line in lines], len(above))


def _tall_script_box(node: Script) -> Box:
    """Scripts on a tall base go to its top and bottom right corners."""
    base = box(node.base)
    sup = _corner(node.sup, S.SUPERSCRIPT)
    sub = _corner(node.sub, S.SUBSCRIPT)
    lines = list(base.lines)
    lines[0] += sup
    lines[-1] += sub if len(lines) > 1 else ""
    return Box(lines, base.base)


def _corner(row: Row | None, table: dict) -> str:
    if row is None:
        return ""
    text = one_line(row, True)
    return unicode_script(text, table) or text


def _sqrt_box(node: Sqrt) -> Box:
    body = box(node.body)
    h = len(body.lines)
    index = one_line(node.index, True) if node.index is not None else ""
    top = [" " * (h + 1 + width(index)) + "_" * body.width]
    rows = []
    for r, line in enumerate(body.lines):
        prefix = " " * (h - r) + "╱" + " " * r
        if r == h - 1:
            prefix = "╲" + prefix[1:]
        rows.append((index if r == h - 1 else " " * width(index)) + prefix + line)
    return Box(top + rows, body.base + 1)


def _fence(body: Box, left: str, right: str) -> Box:
    h = len(body.lines)
    if h == 1:
        return Box([left + body.lines[0] + right], 0)
    return _hcat([_tall_delimiter(left, h, body.base), body, _tall_delimiter(right, h, body.base)], [0, 0, 0])


def _tall_delimiter(delim: str, h: int, base: int) -> Box:
    if not delim:
        return Box([""] * h, base)
    top, ext, bottom = _TALL.get(delim) or (delim, delim, delim)
    if delim in "⟨⟩":
        column = [top if r < base else bottom if r > base else _MIDDLE[delim] for r in range(h)]
    else:
        column = [top] + [_MIDDLE.get(delim, ext) if r == base and h > 2 else ext for r in range(1, h - 1)] + [bottom]
    return Box(column, base)


def _grid_box(node: Grid) -> Box:
    cells = [[box(c) for c in row] for row in node.rows] or [[Box([""])]]
    ncols = max(len(r) for r in cells)
    widths = [max((r[c].width for r in cells if c < len(r)), default=0) for c in range(ncols)]
    lines: list[str] = []
    for row in cells:
        padded = []
        for c, part in enumerate(row):
            pad = (lambda line, w=widths[c]: line + " " * (w - width(line))) if node.align_left else (
                lambda line, w=widths[c]: _center(line, w))
            padded.append(Box([pad(line) for line in part.lines], part.base))
        lines.extend(_hcat(padded, [0] + [2] * (len(padded) - 1)).lines)
    body = Box(lines, (len(lines) - 1) // 2)
    return _fence(body, node.left, node.right) if len(lines) > 1 else Box([node.left + lines[0] + node.right])
