"""Rich rendering of cards: Markdown with readable math, and the console to print it on.

Card text is Markdown with `$...$` / `$$...$$` LaTeX (dlquiz.richmd converts the math to
Unicode before Markdown sees it; dlquiz.mathtext does the conversion). Every function takes an
`Options`: `raw_math` shows the LaTeX source instead, `plain` and `width` shape the console.
Commands build one Options from their flags and use `console(options)` to print:

    options = render.Options(raw_math=raw_math, plain=plain)
    render.console(options).print(render.card_view(card, deck_title=deck.title, options=options))
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import IO, Any

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.segment import Segment
from rich.text import Text

from dlquiz import richmd
from dlquiz.decks import Card

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ONE_FORMULA = re.compile(r"\$[^$]+\$")


@dataclass(frozen=True)
class Options:
    """How to render. `raw_math`: show LaTeX source, not Unicode. `plain`: no colours or styles
    at all. `width`: columns to wrap to (None: the terminal's width, or $COLUMNS, or 80)."""

    raw_math: bool = False
    plain: bool = False
    width: int | None = None


DEFAULT = Options()


def console(options: Options = DEFAULT, *, stderr: bool = False, file: IO[str] | None = None) -> Console:
    """A Rich console for `options`. `--plain` gives no escape codes at all; NO_COLOR (set and
    not empty, per no-color.org) gives no colour codes but keeps bold; output that is not a
    terminal gets no escape codes (Rich's own rule; FORCE_COLOR overrides it)."""
    no_color = bool(os.environ.get("NO_COLOR"))
    return Console(
        file=file,
        stderr=stderr,
        width=options.width,
        highlight=False,
        emoji=False,
        no_color=no_color,
        color_system=None if options.plain else "auto",
    )


def markdown(text: str, options: Options = DEFAULT) -> RenderableType:
    """Card text (Markdown with `$...$` / `$$...$$` math) as a Rich renderable."""
    if richmd.is_plain(text):  # most card text: skip the Markdown parse, same output
        return richmd.paragraphs(text, options.raw_math)
    return richmd.math_markdown(text, options.raw_math)


def text_line(text: str, options: Options = DEFAULT) -> str:
    """Plain text with its math converted to one-line Unicode (no Markdown): for prompts,
    headings, the `source:` line and anything else that is not rendered as Markdown."""
    if options.raw_math or "$" not in text:
        return text
    return richmd.plain_text(text)


def format_answer(card: Card, options: Options = DEFAULT) -> str:
    """The answer as the user reads it (Markdown). A formula answer that is one `$...$` becomes
    display math, laid out in 2-D (unless `options.raw_math`: then it stays as written)."""
    answer = card.answer
    if card.kind == "truefalse":
        return "**True**" if answer else "**False**"
    if card.kind == "choice":
        chosen = answer if isinstance(answer, tuple) else (answer,)
        return "\n".join(f"**{LETTERS[card.options.index(a)]}.** {a}" for a in chosen)
    if card.kind == "numeric":
        return f"**{answer:,}**" if isinstance(answer, int) else f"**{answer:g}**"
    if card.kind == "shape":
        dims = ", ".join(richmd.escape(str(d)) for d in answer)
        return f"**({dims})**" if len(answer) > 1 else f"**({dims},)**"
    text = str(answer)
    if card.kind == "formula" and not options.raw_math and _ONE_FORMULA.fullmatch(text.strip()):
        return f"${text.strip()}$"
    return text


def options_block(card: Card) -> str:
    """A choice card's options as a Markdown list: `- **A.** first option`."""
    return "\n".join(f"- **{LETTERS[i]}.** {option}" for i, option in enumerate(card.options or ()))


class Frame:
    """A rounded box with a title and subtitle around a card, drawn like rich.panel.Panel but
    with the content rendered in one pass (Panel pads it through another renderable, which
    costs a third of the time it takes to show a card)."""

    def __init__(self, body: RenderableType, title: Text, subtitle: str) -> None:
        self.body, self.title, self.subtitle = body, title, subtitle

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        lines = console.render_lines(self.body, options.update(width=max(width - 4, 1), height=None), pad=True)
        yield from _edge(console, "╭", self.title, "╮", width)
        left, right, new_line = Segment("│ "), Segment(" │"), Segment.line()
        for line in lines:
            yield left
            yield from line
            yield right
            yield new_line
        yield from _edge(console, "╰", Text(self.subtitle), "╯", width)


def _edge(console: Console, first: str, label: Text, last: str, width: int) -> RenderResult:
    """A top or bottom border with `label` centred in it, cut with … when too long."""
    label = Text(" ") + label + Text(" ") if label.plain else Text()
    label.truncate(max(width - 4, 0), overflow="ellipsis")
    spare = max(width - 2 - label.cell_len, 0)
    yield Segment(first + "─" * (spare // 2))
    yield from label.render(console, end="")
    yield Segment("─" * (spare - spare // 2) + last)
    yield Segment.line()


def _section(title: str, body: RenderableType) -> list[RenderableType]:
    return [Text(title, style="bold cyan"), body, Text("")]


def card_view(card: Card, deck_title: str = "", schedule: str | None = None,
              options: Options = DEFAULT) -> RenderableType:
    """The whole card: question, options, answer, explanation, note, tags, source, schedule."""
    parts: list[Any] = []
    parts += _section("Question", markdown(card.question, options))
    if card.options:
        parts += _section("Options", markdown(options_block(card), options))
    parts += _section("Answer", markdown(format_answer(card, options), options))
    if card.explain:
        parts += _section("Why", markdown(card.explain, options))
    if card.note:
        parts += _section("Note on the notes", markdown(card.note, options))
    meta = Text()
    meta.append("kind ", style="dim").append(card.kind)
    if card.tags:
        meta.append("  tags ", style="dim").append(", ".join(card.tags))
    meta.append("\nfrom ", style="dim").append(card.where)
    if card.source:
        meta.append("\nsource ", style="dim").append(text_line(card.source, options))
    if schedule:
        meta.append("\nschedule ", style="dim").append(schedule)
    parts.append(meta)
    subtitle = f"{card.deck} · {deck_title}" if deck_title else card.deck
    return Frame(Group(*parts), Text(card.id, style="bold"), subtitle)
