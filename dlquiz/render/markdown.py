"""The Markdown half of richmd: Rich's Markdown with dlquiz's math fences and tables.

dlquiz.cardmd shows card Markdown itself, exactly as this would, and uses this only for what
it does not lay out itself (headings, quotes, links, HTML, a table too wide for the terminal);
tests/test_layout.py compares the two. Importing rich.markdown therefore waits until such a
card is shown.
"""

from __future__ import annotations

from functools import lru_cache

from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.markdown import CodeBlock, Markdown, TableElement
from rich.measure import Measurement
from rich.padding import Padding
from rich.text import Text

from dlquiz.render.math import text as mathtext
from dlquiz.render.cardmd import parser
from dlquiz.render.markup import MATH_FENCE, MATH_INDENT, prepare


@lru_cache(maxsize=4)
def _template(code_theme: str, hyperlinks: bool) -> dict:
    return dict(Markdown("", code_theme=code_theme, hyperlinks=hyperlinks).__dict__)


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
        # Rich's own __init__ builds a parser per document; take its attributes from a template.
        self.__dict__.update(_template(code_theme, hyperlinks))
        self.markup, self.formulas = prepare(text, raw_math)
        self.parsed = parser().parse(self.markup)
