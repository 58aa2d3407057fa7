"""Card Markdown laid out by dlquiz.render.layout: the fast way to show a card.

`CardMarkdown` parses card text with markdown-it (the parser rich.markdown uses, configured the
same way) and lays out what cards are made of (paragraphs with bold, italic, strikethrough and
code spans, bullet and numbered lists, nested, tables that fit, fenced code, display math)
straight to lines, exactly as `richmd_markdown.MathMarkdown` (Rich's Markdown) would show them.
Anything else (a heading, a quote, a link, HTML, a table too wide or holding tabs) sends the
whole text to `MathMarkdown`, so both show the same thing always; tests/test_layout.py compares
the two on every bundled card and on generated Markdown.
"""

from __future__ import annotations

from functools import lru_cache

from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.style import Style

from dlquiz.render import layout
from dlquiz.render.layout import NULL, Line, Run
from dlquiz.render.markup import MATH_FENCE, MATH_INDENT, prepare

_BLOCKS = frozenset({"paragraph_open", "paragraph_close", "inline", "bullet_list_open", "bullet_list_close",
                     "ordered_list_open", "ordered_list_close", "list_item_open", "list_item_close",
                     "fence", "code_block", "table_open", "table_close", "thead_open", "thead_close",
                     "tbody_open", "tbody_close", "tr_open", "tr_close", "th_open", "th_close", "td_open",
                     "td_close"})
_INLINE = frozenset({"text", "softbreak", "hardbreak", "strong_open", "strong_close", "em_open", "em_close",
                     "s_open", "s_close", "code_inline"})


@lru_cache(maxsize=1)
def parser():
    """markdown-it as rich.markdown sets it up."""
    from markdown_it import MarkdownIt

    return MarkdownIt().enable("strikethrough").enable("table")


def supported(tokens) -> bool:
    """Can `CardMarkdown` lay these tokens out itself?"""
    return all(t.type in _BLOCKS and (t.type != "inline" or all(c.type in _INLINE for c in t.children or ()))
               for t in tokens)


class CardMarkdown:
    """Card text (Markdown with math) as a Rich renderable; `lines()` for a caller that wants
    the lines themselves (render.Frame). `CardMarkdown.built` takes tokens made by `paragraph`,
    `bullet_list` and `display_math` instead of text: for Markdown that dlquiz writes itself
    (a choice card's options, an answer in bold), which then needs no parse."""

    def __init__(self, text: str, raw_math: bool = False) -> None:
        self.text, self.raw_math = text, raw_math
        self.markup, self.formulas = prepare(text, raw_math)
        self.tokens = parser().parse(self.markup)
        self._rich = None if supported(self.tokens) else self._markdown()
        self.control = bool(layout.CONTROL.search(self.markup))

    @classmethod
    def built(cls, tokens: list, formulas: tuple[str, ...] = ()) -> CardMarkdown:
        self = cls.__new__(cls)
        self.tokens, self.formulas, self._rich, self.control = tokens, formulas, None, True
        return self

    def _markdown(self):
        from dlquiz.render.markdown import MathMarkdown

        return MathMarkdown(self.text, raw_math=self.raw_math)

    def lines(self, console: Console, options: ConsoleOptions, width: int) -> list[Line]:
        rich = self._rich
        if rich is None:
            try:
                return _Layout(console, options, self.formulas, self.control).blocks(self.tokens, width)
            except _LeaveToRich:  # a table too wide, or with tabs in it
                rich = self._markdown()
        return layout.rendered(console, rich, options, width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from layout.segments(self.lines(console, options, options.max_width))


class Token:
    """What `_Layout` reads of a markdown-it Token."""

    __slots__ = ("type", "tag", "nesting", "content", "children", "info", "attrs")

    def __init__(self, type: str, tag: str = "", nesting: int = 0, content: str = "", children=None) -> None:
        self.type, self.tag, self.nesting, self.content, self.children = type, tag, nesting, content, children
        self.info, self.attrs = "", {}


def paragraph(*pieces: tuple[str, str]) -> list[Token]:
    """A paragraph of (text, how) pieces: how is "" (plain), "strong", "em", or a newline
    character (a line break in the source, shown as a space, as Markdown shows one)."""
    children = []
    for text, how in pieces:
        if how == "\n":
            children.append(Token("softbreak"))
        elif how:
            children += [Token(f"{how}_open", how, 1), Token("text", content=text), Token(f"{how}_close", how, -1)]
        elif text:
            children.append(Token("text", content=text))
    return [Token("paragraph_open", "p", 1), Token("inline", children=children), Token("paragraph_close", "p", -1)]


def bullet_list(items: list[list[Token]]) -> list[Token]:
    tokens = [Token("bullet_list_open", "ul", 1)]
    for item in items:
        tokens += [Token("list_item_open", "li", 1), *item, Token("list_item_close", "li", -1)]
    return tokens + [Token("bullet_list_close", "ul", -1)]


def _cell(runs: list[Run], text: str, justify: str, width: int, style: Style) -> Line:
    """One table cell's line: its text justified in `width` cells, blanks in `style`."""
    if justify in ("right", "center"):
        text = text.rstrip()
    spare = width - layout.cells(text)
    before = spare if justify == "right" else spare // 2 if justify == "center" else 0
    segments = [Segment(" " * before, style)] if before else []
    at = 0
    for piece, piece_style in runs:
        piece = piece[:max(len(text) - at, 0)]
        if piece:
            segments.append(Segment(piece, style + piece_style))
        at += len(piece)
    if spare - before:
        segments.append(Segment(" " * (spare - before), style))
    return segments


def display_math(latex: str) -> CardMarkdown:
    """One display formula, alone."""
    fence = Token("fence", "code", 0, "0")
    fence.info = MATH_FENCE
    return CardMarkdown.built([fence], (latex,))


class _LeaveToRich(Exception):
    """A table that does not fit the width (richmd_markdown._Table narrows it, or shows
    records), or holds tabs: Rich's Markdown lays the text out."""


class _Layout:
    """One layout of a token list: Rich's Markdown rules (a blank line between top-level
    blocks and before a top-level list, none inside a list item; ` • ` bullets and right-aligned numbers) over
    dlquiz.render.layout's wrapping; styles stacked as rich.markdown stacks them."""

    def __init__(self, console: Console, options: ConsoleOptions, formulas: tuple[str, ...], control: bool) -> None:
        self.console, self.options, self.formulas = console, options, formulas
        self.control = control  # has control characters (that Rich's Text strips)
        self.styles = [console.get_style("none", default="none")]

    def style(self, name: str) -> Style:
        return self.console.get_style(name, default="none")

    def push(self, name: str) -> Style:
        self.styles.append(self.styles[-1] + self.style(name))
        return self.styles[-1]

    def blocks(self, tokens, width: int, item: Style | None = None) -> list[Line]:
        """Lay out a sequence of block tokens; `item`: inside a list item with this style."""
        out: list[Line] = []
        pos = 0
        while pos < len(tokens):
            nested = tokens[pos].type in ("bullet_list_open", "ordered_list_open", "table_open")
            block, pos = self.block(tokens, pos, width, item)
            # Rich puts a blank line before a top-level block once any element has closed: so
            # also before a list or table that comes first (its items or cells close before it)
            if item is None and (out or nested):
                out.append([Segment(" " * width)])
            out += block
        return out

    def block(self, tokens, pos: int, width: int, item: Style | None) -> tuple[list[Line], int]:
        token = tokens[pos]
        kind = token.type
        if kind == "paragraph_open":
            self.push("markdown.paragraph")
            block = layout.lines(self.runs(tokens[pos + 1].children or ()), width, item or NULL)
            self.styles.pop()
            return block, pos + 3
        if kind in ("bullet_list_open", "ordered_list_open"):
            return self.list(tokens, pos, width)
        if kind == "table_open":
            return self.table(tokens, pos, width, item)
        return self.code(token, width, item), pos + 1

    def runs(self, children) -> list[Run]:
        runs: list[Run] = []
        for child in children:
            kind = child.type
            if kind == "text":
                runs.append((child.content, self.styles[-1]))
            elif kind == "softbreak":
                runs.append((" ", self.styles[-1]))
            elif kind == "hardbreak":
                runs.append(("\n", self.styles[-1]))
            elif kind == "code_inline":
                runs.append((child.content, self.styles[-1] + self.style("markdown.code")))
            elif child.nesting == 1:
                self.push(f"markdown.{child.tag}")
            else:
                self.styles.pop()
        return [(layout.CONTROL.sub("", text), style) for text, style in runs] if self.control else runs

    def list(self, tokens, pos: int, width: int) -> tuple[list[Line], int]:
        bullet = tokens[pos].type == "bullet_list_open"
        start = int(tokens[pos].attrs.get("start", 1))
        items: list[list] = []
        depth, pos = 0, pos + 1
        while True:  # split the list's tokens into its items' contents
            token = tokens[pos]
            if depth == 0 and token.type in ("bullet_list_close", "ordered_list_close"):
                break
            if depth == 0 and token.type == "list_item_open":
                items.append([])
            elif depth == 1 and token.type == "list_item_close":
                pass
            else:
                items[-1].append(token)
            depth += token.nesting if token.type in ("list_item_open", "list_item_close") else 0
            pos += 1
        out: list[Line] = []
        if bullet:
            mark = self.style("markdown.item.bullet")
            first, rest, inner = Segment(" • ", mark), Segment("   ", mark), width - 3
        else:
            mark = self.style("markdown.item.number")
            number_width = len(str(start + len(items))) + 2  # rich.markdown's width (one too many)
            inner = width - number_width
        for index, contents in enumerate(items):
            item = self.push("markdown.item")
            body = self.blocks(contents, inner, item)  # an empty item shows nothing, as in Rich
            self.styles.pop()
            if not bullet:
                first = Segment(f"{start + index}".rjust(number_width - 1) + " ", mark)
                rest = Segment(" " * number_width, mark)
            out += layout.indent(body, first, rest)
        return out, pos + 1

    def table(self, tokens, pos: int, width: int, item: Style | None) -> tuple[list[Line], int]:
        """A table as rich.markdown has Rich draw it (box.SIMPLE, no outer padding, padding
        collapsed, columns as wide as their widest cell), when it fits the width."""
        rows: list[list[tuple[list[Run], str]]] = []
        while tokens[pos].type != "table_close":
            token = tokens[pos]
            if token.type == "tr_open":
                rows.append([])
            elif token.type in ("th_open", "td_open"):
                align = str(token.attrs.get("style"))
                justify = next((j for j in ("right", "center", "left") if f"text-align:{j}" in align), "default")
                rows[-1].append((self.runs(tokens[pos + 1].children or ()), justify))
                pos += 1
            pos += 1
        count = len(rows[0]) if rows else 0
        texts = [["".join(text for text, _ in runs) for runs, _ in row] for row in rows]
        if not count or any(len(row) != count for row in rows) or any("\n" in t or "\t" in t for row in texts for t in row):
            raise _LeaveToRich  # (not a shape markdown-it makes; Rich will know what to do)
        widths = [max(layout.cells(row[i]) for row in texts) + (i < count - 1) or 1 for i in range(count)]
        if sum(widths) + count + 1 > width:
            raise _LeaveToRich
        from rich import box

        frame = box.SIMPLE.substitute(self.options, safe=self.console.safe_box)
        border = self.style("markdown.table.border")
        heading, heading_text = self.style("table.header"), self.style("markdown.table.header")
        out = [[Segment(frame.get_top(widths), border)]]
        for index, row in enumerate(rows):
            edge = (frame.head_left, frame.head_right, frame.head_vertical) if index == 0 else \
                (frame.foot_left, frame.foot_right, frame.foot_vertical) if index == len(rows) - 1 else \
                (frame.mid_left, frame.mid_right, frame.mid_vertical)
            line: Line = [Segment(edge[0], border)]
            for column, ((runs, justify), text) in enumerate(zip(row, texts[index])):
                if column:
                    line.append(Segment(edge[2], border))
                if index == 0:
                    runs = [(t, heading + style + heading_text) for t, style in runs]
                line += _cell(runs, text, justify, widths[column] - (column < count - 1), heading if index == 0 else NULL)
                if column < count - 1:
                    line.append(Segment(" ", heading if index == 0 else NULL))
            line.append(Segment(edge[1], border))
            out.append(line)
            if index == 0:
                out.append([Segment(frame.get_row(widths, "head", edge=True), border)])
        out.append([Segment(frame.get_bottom(widths), border)])
        table_width = sum(widths) + count + 1
        if item:
            out = [list(Segment.apply_style(line, item)) for line in out]
        return [line + [Segment(" " * (width - table_width), item)] if table_width < width else line
                for line in out], pos + 1

    def code(self, token, width: int, item: Style | None) -> list[Line]:
        """Fenced or indented code (Rich's Syntax, word-wrapped with a one-cell margin), or a
        display-math fence: the formula in 2-D when it fits, else on one wrapped line."""
        name = (token.info or "").partition(" ")[0] or "text"
        if name == MATH_FENCE:
            try:
                latex = self.formulas[int(token.content.strip())]
            except (ValueError, IndexError):  # written by hand: shown as code
                latex = None
            if latex is not None:
                return self.math(latex, width, item)
        from rich.syntax import Syntax

        syntax = Syntax(layout.CONTROL.sub("", token.content).rstrip(), name, theme="ansi_dark", word_wrap=True, padding=1)
        rendered = layout.rendered(self.console, syntax, self.options, width)
        return [list(Segment.apply_style(line, item)) for line in rendered] if item else rendered

    def math(self, latex: str, width: int, item: Style | None) -> list[Line]:
        from dlquiz.render.math import text as mathtext  # (only text with math needs it)

        rows = mathtext.display(latex)
        if max(mathtext.width(row) for row in rows) + MATH_INDENT > width:
            return layout.lines([(mathtext.inline(latex), item or NULL)], width, item)
        style = item or NULL
        return [[Segment(" " * MATH_INDENT + row + " " * (width - MATH_INDENT - mathtext.width(row)), style)]
                for row in rows]
