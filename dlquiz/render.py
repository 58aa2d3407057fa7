"""Rich rendering of cards and tables. The only module besides cli.py that knows the terminal.

Card text is Markdown with `$...$` / `$$...$$` LaTeX. Until math rendering lands (issue 5),
math spans are shown as their LaTeX source, protected from Markdown so `a_b_c` or `[l]` stay
as written.
"""

from __future__ import annotations

import re
from typing import Any

from rich.console import Group, RenderableType
from rich.markdown import Markdown
from rich.panel import Panel
from rich.text import Text

from dlquiz.decks import Card

_MATH = re.compile(r"\$\$.+?\$\$|\$[^$\n]+?\$", re.DOTALL)
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _protect_math(text: str) -> str:
    return _MATH.sub(lambda m: _MD_SPECIAL.sub(r"\\\1", m.group()), text)


def markdown(text: str) -> Markdown:
    """Card text as a Rich Markdown renderable."""
    return Markdown(_protect_math(text), code_theme="ansi_dark", hyperlinks=False)


def format_answer(card: Card) -> str:
    """The answer as the user reads it (Markdown)."""
    answer = card.answer
    if card.kind == "truefalse":
        return "**True**" if answer else "**False**"
    if card.kind == "choice":
        chosen = answer if isinstance(answer, tuple) else (answer,)
        return "\n".join(f"**{LETTERS[card.options.index(a)]}.** {a}" for a in chosen)
    if card.kind == "numeric":
        return f"**{answer:,}**" if isinstance(answer, int) else f"**{answer:g}**"
    if card.kind == "shape":
        return "**(" + ", ".join(str(d) for d in answer) + ")**" if len(answer) > 1 else f"**({answer[0]},)**"
    return str(answer)


def options_block(card: Card) -> str:
    return "\n".join(f"- **{LETTERS[i]}.** {option}" for i, option in enumerate(card.options or ()))


def _section(title: str, body: RenderableType) -> list[RenderableType]:
    return [Text(title, style="bold cyan"), body, Text("")]


def card_view(card: Card, deck_title: str = "", schedule: str | None = None) -> RenderableType:
    """The whole card: question, options, answer, explanation, note, tags, source, schedule."""
    parts: list[Any] = []
    parts += _section("Question", markdown(card.question))
    if card.options:
        parts += _section("Options", markdown(options_block(card)))
    parts += _section("Answer", markdown(format_answer(card)))
    if card.explain:
        parts += _section("Why", markdown(card.explain))
    if card.note:
        parts += _section("Note on the notes", markdown(card.note))
    meta = Text()
    meta.append("kind ", style="dim").append(card.kind)
    if card.tags:
        meta.append("  tags ", style="dim").append(", ".join(card.tags))
    meta.append("\nfrom ", style="dim").append(card.where)
    if card.source:
        meta.append("\nsource ", style="dim").append(card.source)
    if schedule:
        meta.append("\nschedule ", style="dim").append(schedule)
    parts.append(meta)
    subtitle = f"{card.deck} · {deck_title}" if deck_title else card.deck
    return Panel(Group(*parts), title=f"[bold]{card.id}[/bold]", subtitle=subtitle, expand=True)
