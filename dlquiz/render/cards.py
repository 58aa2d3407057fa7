"""Rich rendering of cards: Markdown with readable math, and the console to print it on.

Card text is Markdown with `$...$` / `$$...$$` LaTeX (dlquiz.render.markup converts the math to
Unicode before Markdown sees it; dlquiz.render.math.text does the conversion). Every function takes an
`Options`: `raw_math` shows the LaTeX source instead, `plain` and `width` shape the console.
Commands build one Options from their flags and use `console(options)` to print:

    options = render.Options(raw_math=raw_math, plain=plain)
    render.print_card(console, render.card_view(card, deck_title=deck.title, options=options))
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import IO, Any

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.segment import Segment
from rich.text import Text

from dlquiz.render import layout
from dlquiz.render import markup as richmd
from dlquiz.decks.load import Card

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
    from dlquiz.render.cardmd import CardMarkdown  # markdown-it: imported when first needed

    return CardMarkdown(text, options.raw_math)


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
    bold = _bold_answer(card)
    if bold is not None:
        return f"**{richmd.escape(bold)}**"
    if card.kind == "choice":
        chosen = answer if isinstance(answer, tuple) else (answer,)
        return "\n".join(f"**{LETTERS[card.options.index(a)]}.** {a}" for a in chosen)
    text = str(answer)
    if card.kind == "formula" and not options.raw_math and _ONE_FORMULA.fullmatch(text.strip()):
        return f"${text.strip()}$"
    return text


def _bold_answer(card: Card) -> str | None:
    """The answer of a true/false, numeric or shape card as shown, in bold; None for others."""
    answer = card.answer
    if card.kind == "truefalse":
        return "True" if answer else "False"
    if card.kind == "numeric":
        return f"{answer:,}" if isinstance(answer, int) else f"{answer:g}"
    if card.kind == "shape":
        dims = ", ".join(str(d) for d in answer)
        return f"({dims})" if len(answer) > 1 else f"({dims},)"
    return None


def answer_view(card: Card, options: Options = DEFAULT) -> RenderableType:
    """`markdown(format_answer(card, options))`, shown the same, without parsing the Markdown
    dlquiz wrote itself where the card's own text in it is plain."""
    from dlquiz.render import cardmd

    bold = _bold_answer(card)
    if bold is not None:
        return cardmd.CardMarkdown.built(cardmd.paragraph((bold, "strong")))
    if card.kind == "choice":
        chosen = card.answer if isinstance(card.answer, tuple) else (card.answer,)
        if _all_plain(chosen):
            pieces: list[tuple[str, str]] = []
            for a in chosen:
                pieces += [("", "\n")] if pieces else []
                pieces += [(f"{LETTERS[card.options.index(a)]}.", "strong"), (" " + _plain(a, options), "")]
            return cardmd.CardMarkdown.built(cardmd.paragraph(*pieces))
    text = format_answer(card, options)
    if card.kind == "formula" and text.startswith("$$") and not options.raw_math:
        return cardmd.display_math(text[2:-2])
    return markdown(text, options)


def options_view(card: Card, options: Options = DEFAULT) -> RenderableType:
    """`markdown(options_block(card))`, shown the same, without a Markdown parse when the
    options are plain text."""
    if not _all_plain(card.options or ()):
        return markdown(options_block(card), options)
    from dlquiz.render import cardmd

    return cardmd.CardMarkdown.built(cardmd.bullet_list([
        cardmd.paragraph((f"{LETTERS[i]}.", "strong"), (" " + _plain(option, options), ""))
        for i, option in enumerate(card.options or ())]))


def _all_plain(texts) -> bool:
    """Are these one-line texts without Markdown syntax (math aside)?"""
    return all(isinstance(t, str) and "\n" not in t and t.strip() and richmd.is_plain(t) for t in texts)


def _plain(text: str, options: Options) -> str:
    return text_line(text.strip(), options) if not options.raw_math else text.strip()


def options_block(card: Card) -> str:
    """A choice card's options as a Markdown list: `- **A.** first option`."""
    return "\n".join(f"- **{LETTERS[i]}.** {option}" for i, option in enumerate(card.options or ()))


class Frame:
    """A rounded box with a title and subtitle around a card's parts, drawn like
    rich.panel.Panel around a Group, but laid out by dlquiz.render.layout: Text and card Markdown
    straight to lines (Rich's own path through Panel, Group and Text.wrap takes most of the time
    it takes to show a card), anything else by Rich."""

    def __init__(self, parts: list[RenderableType], title: Text, subtitle: str) -> None:
        self.parts, self.title, self.subtitle = parts, title, subtitle

    def body_lines(self, console: Console, options: ConsoleOptions, width: int) -> list[layout.Line]:
        lines: list[layout.Line] = []
        for part in self.parts:
            if isinstance(part, Text):
                lines += layout.text_lines(console, part, width)
            elif hasattr(part, "lines"):  # dlquiz.render.cardmd.CardMarkdown
                lines += part.lines(console, options, width)
            else:
                lines += layout.rendered(console, part, options, width)
        return lines

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        lines = self.body_lines(console, options, max(width - 4, 1))
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
    size = layout.cells(label.plain) + 2 if label.plain else 0
    if size > max(width - 4, 0):
        label = Text(" ") + label + Text(" ")
        label.truncate(max(width - 4, 0), overflow="ellipsis")
        size = label.cell_len
        shown = list(label.render(console, end=""))
    elif size:
        shown = [Segment(" "), *(Segment(text, style) for text, style in layout.text_runs(console, label)), Segment(" ")]
    else:
        shown = []
    spare = max(width - 2 - size, 0)
    yield Segment(first + "─" * (spare // 2))
    yield from shown
    yield Segment("─" * (spare - spare // 2) + last)
    yield Segment.line()


def print_card(console: Console, view: RenderableType) -> None:
    """Print a `card_view`. Its lines are already cut to the console's width, so the console is
    told not to measure every line again (that would cost a fifth of the time)."""
    console.print(view, crop=False)


def _section(title: str, body: RenderableType) -> list[RenderableType]:
    return [Text(title, style="bold cyan"), body, Text("")]


def card_view(card: Card, deck_title: str = "", schedule: str | None = None,
              options: Options = DEFAULT) -> RenderableType:
    """The whole card: question, options, answer, explanation, note, tags, source, schedule."""
    parts: list[Any] = []
    parts += _section("Question", markdown(card.question, options))
    if card.options:
        parts += _section("Options", options_view(card, options))
    parts += _section("Answer", answer_view(card, options))
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
    return Frame(parts, Text(card.id, style="bold"), subtitle)
