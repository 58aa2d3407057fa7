"""Card Markdown on screen: Rich's own Markdown, with dlquiz's math and tables.

`MathMarkdown` is rich.markdown.Markdown over the text dlquiz.render.markup prepares (math turned
into Unicode, display math into fences), with two elements of its own: a fence that lays display
math out in 2-D (dlquiz.render.math) when it fits, and a table that never cuts a word. Everything
else (paragraphs, lists, emphasis, code, headings, quotes) is Rich's. Importing this module
imports rich.markdown and markdown-it (about 40 ms): dlquiz.render.cards does it only for text
that has Markdown syntax in it.
"""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.markdown import CodeBlock, Markdown, TableElement
from rich.measure import Measurement
from rich.padding import Padding
from rich.text import Text

from dlquiz.render.markup import MATH_FENCE, MATH_INDENT, prepare
from dlquiz.render.math import text as mathtext


class _Fence(CodeBlock):
    """Fenced code as Rich shows it; a display-math fence as the formula's 2-D layout."""

    @classmethod
    def create(cls, markdown: Markdown, token) -> CodeBlock:
        block = super().create(markdown, token)
        block.formulas = getattr(markdown, "formulas", ())
        return block

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if self.lexer_name != MATH_FENCE:
            yield from super().__rich_console__(console, options)
            return
        try:
            latex = self.formulas[int(str(self.text).strip())]
        except (ValueError, IndexError):  # someone wrote this fence by hand: show it as code
            yield from super().__rich_console__(console, options)
            return
        lines = mathtext.display(latex)
        if max(mathtext.width(line) for line in lines) + MATH_INDENT <= options.max_width:
            yield Padding(Text("\n".join(lines), no_wrap=True, overflow="crop"), (0, 0, 0, MATH_INDENT))
        else:  # too wide for the terminal: the one-line form, which can wrap
            yield Text(mathtext.inline(latex))


class _Table(TableElement):
    """A Markdown table that never cuts a word: when it is too wide, its columns get widths that
    keep each column's longest word whole (Rich's own narrowing can truncate to `Regulariz…`);
    when even that does not fit, one record per row (`Header: cell` lines) instead."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        table = next(iter(super().__rich_console__(console, options)))
        unbounded = options.update_width(1 << 20)  # measurements are capped at the width given
        whole = Measurement.get(console, unbounded, table)
        if whole.maximum <= options.max_width:
            yield table
            return
        cells = [[row[i] for row in self._rows() if i < len(row)] for i in range(len(table.columns))]
        ranges = [[Measurement.get(console, unbounded, cell) for cell in column] for column in cells]
        lows = [max((m.minimum for m in column), default=1) for column in ranges]
        highs = [max((m.maximum for m in column), default=1) for column in ranges]
        room = options.max_width - (whole.maximum - sum(highs))  # less borders and padding
        if sum(lows) > room:
            yield self._records()
            return
        spare, stretch = room - sum(lows), [h - l for h, l in zip(highs, lows)]
        for column, low, give in zip(table.columns, lows, stretch):
            column.width = low + spare * give // max(sum(stretch), 1)
        yield table

    def _rows(self) -> list[list[Text]]:
        header = [[c.content for c in self.header.row.cells]] if self.header and self.header.row else []
        return header + [[c.content for c in row.cells] for row in (self.body.rows if self.body else ())]

    def _records(self) -> Group:
        headers = [c.content for c in self.header.row.cells] if self.header and self.header.row else []
        records: list = []
        for row in self.body.rows if self.body else ():
            for i, cell in enumerate(row.cells):
                line = Text()
                label = headers[i] if i < len(headers) else Text()
                if label.plain.strip():
                    line.append_text(label.copy())
                    line.stylize("bold")
                    line.append(": ")
                line.append_text(cell.content)
                records.append(Padding(line, (0, 0, 0, 0 if i == 0 else 2)))
            records.append(Text())
        return Group(*records[:-1])


class MathMarkdown(Markdown):
    """Rich Markdown of card text, math included (see the module docstring)."""

    elements = {**Markdown.elements, "fence": _Fence, "code_block": _Fence, "table_open": _Table}

    def __init__(self, text: str, raw_math: bool = False, code_theme: str = "ansi_dark",
                 hyperlinks: bool = False) -> None:
        markup, self.formulas = prepare(text, raw_math)
        super().__init__(markup, code_theme=code_theme, hyperlinks=hyperlinks)

