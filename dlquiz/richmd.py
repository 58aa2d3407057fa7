"""Card Markdown with `$...$` / `$$...$$` math, for Rich.

Math is converted *before* Markdown sees the text (so `_` and `*` inside a formula are never
emphasis): inline math becomes Unicode with every ASCII punctuation character backslash-escaped;
display math becomes a fenced block that `MathMarkdown` lays out on several lines when it
fits the width, and as one wrapped line when it does not. Code spans and fenced code are left
alone, `\\$` is a dollar sign, and a `$` only opens math when followed by a non-space and only
closes it when preceded by a non-space and not followed by a digit (pandoc's rule), so
"costs $5 or $6" stays prose.

`MathMarkdown` also reuses one Markdown parser (Rich builds a new one per document, which costs
more than the parse), and shows a table too wide for the terminal as one record per row.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.markdown import CodeBlock, Markdown, TableElement
from rich.measure import Measurement
from rich.padding import Padding
from rich.text import Text

from dlquiz import mathtext

MATH_FENCE = "dlquiz-display-math"
# `$` opens math before a non-space and closes it after a non-space, not before a digit; inline
# math may run over a line break but not over a blank line.
_INLINE = r"\$(?P<inline>(?![\s$])(?:[^$\\\n]|\\.|\n(?![ \t]*\n))+?)(?<![\s\\])\$(?!\d)"
_SCAN = re.compile(
    r"""
    (?P<fence>^[ \t]*(?P<marks>`{3,}|~{3,})[^\n]*(?:\n.*?)??(?:\n[ \t]*(?P=marks)[`~]*[ \t]*(?=\n|\Z)|\Z))
  | (?P<code>(?P<ticks>`+)(?!`).*?(?<!`)(?P=ticks)(?!`))
  | (?P<escape>\\[\\$])
  | \$\$(?P<display>.+?)\$\$
  | """ + _INLINE,
    re.M | re.S | re.X,
)
# Anything Markdown could read as syntax, outside math; text without it is plain paragraphs.
_SYNTAX = re.compile(r"[*_`\[\]<>#|\\!~&]|^[ \t]*(?:[-+*>]|\d+[.)])(?:[ \t]|$)|^[ \t]*[-=]+[ \t]*$|^ {4}|  \n", re.M)
_INLINE_MATH = re.compile(_INLINE, re.S)
_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character
_LIST_MARKER = re.compile(r"[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+")
MATH_INDENT = 2


def escape(text: str) -> str:
    """`text` as Markdown that shows exactly `text`."""
    return _PUNCT.sub(r"\\\1", text)


def prepare(text: str, raw_math: bool = False) -> tuple[str, tuple[str, ...]]:
    """Markdown with the math converted (or, with `raw_math`, protected as source), and the
    display formulas that the fenced math blocks refer to by index."""
    formulas: list[str] = []

    def replace(m: re.Match) -> str:
        if m.group("inline") is not None:
            return escape(m.group() if raw_math else mathtext.inline(m.group("inline")))
        if m.group("display") is None:
            return m.group()  # code, fenced code or an escape: as written
        if raw_math:
            return escape(m.group())
        line_start = text.rfind("\n", 0, m.start()) + 1
        before = text[line_start:m.start()]
        if before.lstrip().startswith("|"):  # inside a table row: one line is all there is
            return escape(mathtext.inline(m.group("display")))
        formulas.append(m.group("display"))
        line_end = text.find("\n", m.end())
        return _math_fence(len(formulas) - 1, before, text[m.end():line_end if line_end >= 0 else None])

    return _SCAN.sub(replace, text), tuple(formulas)


def math_spans(text: str):
    """(source with its `$`s, LaTeX, is display math) for each formula of `text`, in order;
    code and escaped dollars are skipped as when rendering."""
    for m in _SCAN.finditer(text):
        if m.group("inline") is not None:
            yield m.group(), m.group("inline"), False
        elif m.group("display") is not None:
            yield m.group(), m.group("display"), True


def is_plain(text: str) -> bool:
    """Is `text` (math aside) free of Markdown syntax, so that it renders as plain paragraphs?"""
    return "$$" not in text and not _SYNTAX.search(_INLINE_MATH.sub("x", text))


def paragraphs(text: str, raw_math: bool = False) -> Text:
    """Plain text (see `is_plain`) rendered exactly as Rich's Markdown would render it, without
    the cost of a Markdown parse: lines joined into paragraphs, math converted."""
    paras = [" ".join(line.strip() for line in p.strip().splitlines()) for p in re.split(r"\n[ \t]*\n", text)]
    joined = "\n\n".join(p for p in paras if p)
    return Text(joined if raw_math else plain_text(joined), style="markdown.paragraph", justify="left")


def plain_text(text: str) -> str:
    """`text` with every formula as one line of Unicode and `\\$` as `$`; no Markdown."""

    def one_line(m: re.Match) -> str:
        latex = m.group("inline") if m.group("inline") is not None else m.group("display")
        if latex is not None:
            return mathtext.inline(latex)
        return m.group()[1:] if m.group() == "\\$" else m.group()

    return _SCAN.sub(one_line, text)


def _math_fence(index: int, before: str, after: str) -> str:
    """A fenced block standing for display formula `index`, indented like the text it sits in
    (a list item's content), and set apart from prose before or after it on the same line."""
    marker = _LIST_MARKER.match(before)
    indent = " " * (len(marker.group()) if marker else len(before) - len(before.lstrip()))
    at_block_start = not before.strip() or (marker is not None and marker.end() == len(before))
    fence = f"````{MATH_FENCE}\n{indent}{index}\n{indent}````"
    head = "" if at_block_start else f"\n\n{indent}"
    tail = f"\n\n{indent}" if after.strip() else ""
    return head + fence + tail


@lru_cache(maxsize=1)
def _parser():
    from markdown_it import MarkdownIt

    return MarkdownIt().enable("strikethrough").enable("table")  # what rich.markdown uses


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
        self.parsed = _parser().parse(self.markup)
