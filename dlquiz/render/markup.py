"""Card Markdown with `$...$` / `$$...$$` math, made ready for a Markdown renderer. Plain text, no Rich.

Math is converted *before* Markdown sees the text (so `_` and `*` inside a formula are never
emphasis): inline math becomes Unicode with every ASCII punctuation character backslash-escaped;
display math becomes a fenced block that `MathMarkdown` lays out on several lines when it
fits the width, and as one wrapped line when it does not. Code spans and fenced code are left
alone, `\\$` is a dollar sign, and a `$` only opens math when followed by a non-space and only
closes it when preceded by a non-space and not followed by a digit (pandoc's rule), so
"costs $5 or $6" stays prose.

dlquiz.render.markdown shows the result with Rich's Markdown (`MathMarkdown`), which lays the
math fences out with dlquiz.render.math.
"""

from __future__ import annotations

import re

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
NO_BREAK = "\u00a0"  # joins an inline formula's parts, so that a line never breaks inside it
UNBROKEN = 40  # an inline formula (or a part between its commas) up to this wide is kept on one line
_PARTS = re.compile(r"(?<=[,;]) ")


def _mathtext():
    """dlquiz.render.math.text, imported when the first formula is met (text without math never needs it)."""
    from dlquiz.render.math import text as mathtext

    return mathtext


def inline(latex: str) -> str:
    """An inline formula as one line of Unicode that a terminal never breaks: its spaces are
    no-break spaces (dlquiz.render.cards makes Rich honour them), except after the commas and
    semicolons of a formula too wide to keep whole (`v₀ = 0; vₜ = βvₜ₋₁ + (1 − β)θₜ`)."""
    mathtext = _mathtext()
    text = mathtext.inline(latex)
    parts = _PARTS.split(text) if mathtext.width(text) > UNBROKEN else [text]
    return " ".join(part.replace(" ", NO_BREAK) if mathtext.width(part) <= UNBROKEN else part for part in parts)


def escape(text: str) -> str:
    """`text` as Markdown that shows exactly `text`."""
    return _PUNCT.sub(r"\\\1", text)


def prepare(text: str, raw_math: bool = False) -> tuple[str, tuple[str, ...]]:
    """Markdown with the math converted (or, with `raw_math`, protected as source), and the
    display formulas that the fenced math blocks refer to by index."""
    formulas: list[str] = []

    def replace(m: re.Match) -> str:
        if m.group("inline") is not None:
            return escape(m.group() if raw_math else inline(m.group("inline")))
        if m.group("display") is None:
            return m.group()  # code, fenced code or an escape: as written
        if raw_math:
            return escape(m.group())
        line_start = text.rfind("\n", 0, m.start()) + 1
        before = text[line_start:m.start()]
        if before.lstrip().startswith("|"):  # inside a table row: one line is all there is
            return escape(inline(m.group("display")))
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


def formula_ranges(text: str):
    """(start, end, LaTeX start, LaTeX end) of each formula of `text`, in order: where the
    formula lies with its `$`s and where its LaTeX lies; code and escaped dollars are skipped."""
    for m in _SCAN.finditer(text):
        group = "inline" if m.group("inline") is not None else "display" if m.group("display") is not None else None
        if group is not None:
            yield m.start(), m.end(), m.start(group), m.end(group)


def cloze_side(text: str, number: int | None, answer: bool) -> str:
    """A cloze card's text (dlquiz.cloze) as one side shows it: cloze `number` hidden in a box on
    the question side (`\\boxed{\\ldots}` or the hint in a formula, `[...]` in prose) and
    highlighted on the answer side (`\\bbox{...}` in a formula); the other clozes shown as they
    are. With `number` None, every cloze is highlighted (the whole note). Highlights in prose are
    set between dlquiz.render.math's MARK_ON and MARK_OFF, as the math renderer sets them."""
    from dlquiz import cloze
    from dlquiz.render.math.marks import MARK_OFF, MARK_ON

    clozes = cloze.find(text)
    revealed, spans = cloze.located(clozes, text)
    ranges = list(formula_ranges(revealed))
    places = {item.start: cloze.place(span, ranges) for item, span in zip(clozes, spans)}

    def show(item: cloze.Cloze) -> str:
        in_math = places[item.start] is not None
        if number is not None and item.number != number:
            return item.content
        if answer or number is None:
            return rf"\bbox{{{item.content}}}" if in_math else MARK_ON + item.content + MARK_OFF
        if in_math:
            hint = _TEXT_SPECIAL.sub(lambda m: "\\" + m.group(), item.hint or "")
            return r"\boxed{\text{" + hint + "}}" if item.hint else r"\boxed{\ldots}"
        return MARK_ON + escape(f"[{item.hint or '…'}]") + MARK_OFF

    return cloze.replace(text, clozes, show)


_TEXT_SPECIAL = re.compile(r"[{}_&%$#]")


_SYMBOL = re.compile(r"([A-Za-z]+)(?:_\{?([A-Za-z0-9]+)\}?)?")


def math_symbols(text: str) -> dict[str, str]:
    """The symbols `text` writes as math on their own (`$n_x$`, `$m$`), by their plain name
    (`n_x`), each as it shows (`nₓ`): a shape's dims are shown the way its question shows them."""
    found = {}
    for _, latex, _ in math_spans(text):
        match = _SYMBOL.fullmatch(latex.strip())
        if match:
            name = match.group(1) + (f"_{match.group(2)}" if match.group(2) else "")
            found[name] = _mathtext().inline(latex)
    return found


def is_plain(text: str) -> bool:
    """Is `text` (math aside) free of Markdown syntax, so that it renders as plain paragraphs?"""
    return "$$" not in text and not _SYNTAX.search(_INLINE_MATH.sub("x", text))


def plain_text(text: str) -> str:
    """`text` with every formula as one line of Unicode (kept whole: `inline`) and `\\$` as `$`;
    no Markdown."""

    def one_line(m: re.Match) -> str:
        latex = m.group("inline") if m.group("inline") is not None else m.group("display")
        if latex is not None:
            return inline(latex)
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

