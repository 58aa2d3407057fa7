"""Word wrapping for card text, straight to lines of Rich Segments.

Rich lays a `Text` out through several layers (`Text.wrap` makes a `Text` per line, justifies
and truncates each, joins them, renders the join, and the console splits it into lines again);
for a card that is most of the time it takes to show it. `lines()` computes the same lines in
one pass over "runs" (a piece of text and its complete style): the same break positions as
`rich._wrap.divide_line`, the same trimming of trailing blanks, cropping of what still does not
fit, and padding, cell for cell and style for style. tests/test_layout.py holds it to that
against Rich on every bundled card at several widths.

Text that this module does not lay out itself (another justification than left/default, no
wrapping, another overflow) is handed back to Rich: see `text_lines`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence

from rich.cells import cell_len, chop_cells, set_cell_size
from rich.console import Console, ConsoleOptions
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

Run = tuple[str, Style]
Line = list[Segment]

_WORD = re.compile(r"(\s*\S+)\s*")  # rich._wrap.re_word, the word without its trailing blanks grouped
_TRAILING_BLANKS = re.compile(r"\s+$")
CONTROL = re.compile("[\a\b\v\f\r]")  # what rich.text strips from text
NULL = Style.null()


def cells(text: str) -> int:
    """Terminal cells of `text` (Rich's measure; printable ASCII is one cell a character)."""
    return len(text) if text.isascii() and text.isprintable() else cell_len(text)


def breaks(line: str, width: int) -> list[int]:
    """Where to break `line` (no newlines) to fit `width` cells: rich._wrap.divide_line with
    fold=True, measuring printable ASCII (most card text) by its length."""
    if not (line.isascii() and line.isprintable()):
        return _breaks(line, width)
    positions: list[int] = []
    offset = 0
    for match in _WORD.finditer(line):
        start, stripped, end = match.start(), match.end(1), match.end()
        if width - offset >= stripped - start:
            offset += end - start
        elif stripped - start > width:
            return _breaks(line, width)  # a word to fold: the general case
        elif offset and start:
            positions.append(start)
            offset = end - start
    return positions


def _breaks(line: str, width: int) -> list[int]:
    positions: list[int] = []
    offset = 0
    for match in _WORD.finditer(line):
        start, word, stripped = match.start(), match.group(), match.group(1)
        length = cells(stripped)
        trail = len(word) - len(stripped)
        if trail and not word.isascii():
            trail = cells(word[len(stripped):])
        if width - offset >= length:
            offset += length + trail
        elif length > width:  # longer than a line: folded
            folded = chop_cells(word, width=width)
            for index, piece in enumerate(folded):
                if start:
                    positions.append(start)
                if index == len(folded) - 1:
                    offset = cells(piece)
                else:
                    start += len(piece)
        elif offset and start:
            positions.append(start)
            offset = length + trail
    return positions


def lines(runs: Sequence[Run], width: int, pad: Style | None = None) -> list[Line]:
    """`runs` wrapped to `width` cells, each line padded to exactly `width`; newlines break
    lines. `pad` is the style of the padding: the text's own style when Rich would justify it
    "left", None when it would not justify it (the console pads those lines, unstyled)."""
    width = max(width, 1)
    plain = "".join(text for text, _ in runs)
    if "\t" in plain:
        runs = _expand_tabs(runs)
        plain = "".join(text for text, _ in runs)
    elif "\n" not in plain and len(plain) <= width and plain.isascii() and plain.isprintable():
        line = [Segment(text, style) for text, style in runs if text]  # one line, no wrapping
        if len(plain) < width:
            line.append(Segment(" " * (width - len(plain)), pad))
        return [line]
    bounds, styles, at = [], [], 0
    for text, style in runs:
        if text:
            at += len(text)
            bounds.append(at)
            styles.append(style)
    out: list[Line] = []
    start = 0
    for row in plain.split("\n"):
        end = start + len(row)
        cuts = [start + cut for cut in breaks(row, width)] if row else []
        for a, b in zip([start, *cuts], [*cuts, end]):
            out.append(_line(plain, bounds, styles, a, b, width, pad))
        start = end + 1
    return out


def _expand_tabs(runs: Sequence[Run], size: int = 8) -> list[Run]:
    """Tabs as spaces to the next tab stop, in the tab's style (Text.expand_tabs)."""
    out: list[Run] = []
    column = 0
    for text, style in runs:
        pieces = []
        for piece in re.split(r"(\t|\n)", text):
            if piece == "\n":
                column = 0
            elif piece == "\t":
                spaces = size - column % size
                column += spaces
                piece = " " * spaces
            else:
                column += cells(piece)
            pieces.append(piece)
        out.append(("".join(pieces), style))
    return out


def _line(plain: str, bounds: list[int], styles: list[Style], a: int, b: int, width: int,
          pad: Style | None) -> Line:
    """One wrapped line, plain[a:b], trimmed, cropped and padded as Rich's wrap does."""
    text = plain[a:b]
    if len(text) > width:  # Text.rstrip_end: drop trailing blanks beyond the width
        blanks = _TRAILING_BLANKS.search(text)
        if blanks:
            text = text[:len(text) - min(len(blanks.group()), len(text) - width)]
    size = cells(text)
    if size > width:
        text = set_cell_size(text, width)  # may end in a space standing for half a wide character
        size = width
    segments: Line = []
    index = bisect_right(bounds, a)  # the run holding character a (bounds: where each run ends)
    at = a
    stop = a + len(text)
    while at < stop:
        end = min(bounds[index], stop)
        segments.append(Segment(text[at - a:end - a], styles[index]))
        at = end
        index += 1
    if size < width:
        segments.append(Segment(" " * (width - size), pad))
    return segments


def text_runs(console: Console, text: Text) -> list[Run]:
    """A Rich Text as runs, each with its full style: the text's style, then its spans in order,
    combined as Text.render combines them."""
    get = console.get_style
    base = get(text.style, default=NULL) if text.style else NULL
    plain = text.plain  # (a Text strips control codes itself)
    spans = [span for span in text.spans if span.end > span.start]
    if not spans:
        return [(plain, base)]
    span_styles = [get(span.style, default=NULL) if isinstance(span.style, str) else span.style for span in spans]
    edges = sorted({0, len(plain), *(s.start for s in spans), *(s.end for s in spans)})
    runs = []
    for a, b in zip(edges, edges[1:]):
        if a >= len(plain):
            break
        style = Style.combine([base, *(st for s, st in zip(spans, span_styles) if s.start <= a < s.end)])
        runs.append((plain[a:b], style))
    return runs


def text_lines(console: Console, text: Text, width: int) -> list[Line]:
    """A Rich Text laid out at `width` as it would be in a Group (padded to the width)."""
    if text.justify not in (None, "default", "left") or text.no_wrap or text.overflow not in (None, "fold"):
        return console.render_lines(text, console.options.update(width=width, height=None), pad=True)
    # Rich pads a left-justified Text with its own style; other lines the console pads, unstyled.
    pad = (console.get_style(text.style, default=NULL) if text.style else NULL) if text.justify == "left" else None
    return lines(text_runs(console, text), width, pad)


def indent(body: list[Line], first: Segment, rest: Segment) -> list[Line]:
    """`body` with `first` before its first line and `rest` before the others (a list item)."""
    return [[first if i == 0 else rest, *line] for i, line in enumerate(body)]


def rendered(console: Console, renderable, options: ConsoleOptions, width: int) -> list[Line]:
    """Any other renderable, laid out by Rich at `width`, padded."""
    return console.render_lines(renderable, options.update(width=max(width, 1), height=None), pad=True)


def segments(lines_: Iterable[Line]) -> Iterable[Segment]:
    """Lines as a Segment stream, one newline after each."""
    new_line = Segment.line()
    for line in lines_:
        yield from line
        yield new_line
