"""Cards on screen, with Rich: Markdown with readable math, the answer and options views, the
whole-card view of `dlquiz show`, a card's schedule and history (`show --history`, the review
screen's `i`), and the console to print them on.

Card text is Markdown with `$...$` / `$$...$$` LaTeX (dlquiz.render.markup converts the math to
Unicode before Markdown sees it; dlquiz.render.math does the conversion; Rich's Markdown lays it
out, through dlquiz.render.markdown). Every function takes an `Options`: `raw_math` shows the
LaTeX source instead, `plain` and `width` shape the console. Commands build one Options from
their flags and use `console(options)` to print:

    options = cards.Options(raw_math=raw_math, plain=plain)
    cards.print_card(console, cards.card_view(card, deck_title=deck.title, options=options))
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import IO, Any

from rich.console import Console, ConsoleOptions, Group, RenderableType
from rich.measure import Measurement
from rich.panel import Panel
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from dlquiz.checking.shown import minus
from dlquiz.model import Card
from dlquiz.render import markup
from dlquiz.render.math.marks import MARK_OFF, MARK_ON
from dlquiz.render.words import plural
from dlquiz.review.info import CardInfo

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ONE_FORMULA = re.compile(r"\$[^$]+\$")
_MARKS = re.compile(f"([{MARK_ON}{MARK_OFF}])")


def _honour_no_break_spaces() -> None:
    """Make Rich's line wrapping honour the no-break space (U+00A0), which holds an inline
    formula together (dlquiz.render.markup.inline). Rich breaks lines at every Unicode space,
    U+00A0 included (https://github.com/Textualize/rich/issues/4196), so `β = 0.9` could end a
    line at `β =`; its word pattern, one regular expression, is given Unicode's meaning of
    U+00A0 instead. tests/render/test_notation.py fails if a Rich release changes this."""
    from rich import _wrap

    _wrap.re_word = re.compile(r"[^\S\u00a0]*[\S\u00a0]+[^\S\u00a0]*")


_honour_no_break_spaces()


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
    if markup.is_plain(text):  # most card text: no Markdown parser needed, the same output
        return paragraphs(text, options.raw_math)
    from dlquiz.render.markdown import (
        MathMarkdown,  # rich.markdown and markdown-it: when first needed
    )

    return MathMarkdown(text, options.raw_math)


def paragraphs(text: str, raw_math: bool = False) -> Text:
    """Plain text (see dlquiz.render.markup.is_plain) as Rich's Markdown renders it, without a
    Markdown parse: lines joined into paragraphs, math converted."""
    paras = [" ".join(line.strip() for line in p.strip().splitlines()) for p in re.split(r"\n[ \t]*\n", text)]
    joined = "\n\n".join(p for p in paras if p)
    return Text(joined if raw_math else markup.plain_text(joined), style="markdown.paragraph", justify="left")


def text_line(text: str, options: Options = DEFAULT) -> str:
    """Plain text with its math converted to one-line Unicode (no Markdown): for prompts,
    headings, the `source:` line and anything else that is not rendered as Markdown."""
    if options.raw_math or "$" not in text:
        return text
    return markup.plain_text(text)


class Highlight:
    """A renderable whose text between dlquiz.render.math's MARK_ON and MARK_OFF (a cloze's box,
    the part a cloze hid) is shown in `style`; the marks themselves take no room and are dropped."""

    def __init__(self, renderable: RenderableType, style: str = "bold reverse") -> None:
        self.renderable, self.style = renderable, Style.parse(style)

    def __rich_console__(self, console: Console, options: ConsoleOptions):
        on = False
        for segment in console.render(self.renderable, options):
            text, style, control = segment
            if control or (not on and MARK_ON not in text and MARK_OFF not in text):
                yield segment
                continue
            for piece in _MARKS.split(text):
                if piece in (MARK_ON, MARK_OFF):
                    on = piece == MARK_ON
                elif piece:
                    lit = on and piece != "\n"
                    yield Segment(piece, (style + self.style if style else self.style) if lit else style)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.renderable)


def _cloze_number(card: Card) -> int | None:
    return card.cloze_number if card.note_id is not None else None


def question_view(card: Card, options: Options = DEFAULT) -> RenderableType:
    """The question as a review shows it: a cloze card's text with its cloze in a box; a choice
    card's options under it (saying when several are right); an order card's steps, shuffled."""
    if card.kind == "cloze":
        return Highlight(markdown(markup.cloze_side(card.question, _cloze_number(card), answer=False), options))
    question = markdown(card.question, options)
    if not card.options:
        return question
    return Group(question, options_view(card, options))


def format_answer(card: Card, options: Options = DEFAULT) -> str:
    """The answer as the user reads it (Markdown). A formula answer that is one `$...$` becomes
    display math, laid out in 2-D (unless `options.raw_math`: then it stays as written); a
    cloze card's is its text with what it hid highlighted; an order card's, its steps in order."""
    answer = card.answer
    bold = _bold_answer(card)
    if bold is not None:
        return f"**{markup.escape(bold)}**"
    if card.kind == "cloze":
        return markup.cloze_side(card.question, _cloze_number(card), answer=True)
    if card.kind == "order":
        shown = card.options or ()
        return "\n".join(f"{n}. " + (f"**{LETTERS[shown.index(step)]}.** " if step in shown else "") + step
                         for n, step in enumerate(answer, 1))
    if card.kind == "choice":
        chosen = answer if isinstance(answer, tuple) else (answer,)
        return "\n\n".join(f"**{LETTERS[card.options.index(a)]}.** {a}" for a in chosen)
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
        return minus(f"{answer:,}" if isinstance(answer, int) else f"{answer:g}")
    if card.kind == "shape":
        symbols = markup.math_symbols(card.question or "")
        dims = ", ".join(symbols.get(d, str(d)) for d in answer)
        return f"({dims})" if len(answer) > 1 else f"({dims},)"
    return None


def answer_view(card: Card, options: Options = DEFAULT) -> RenderableType:
    """The answer as the learner reads it: `format_answer`, rendered, with a paper card's
    citation under it."""
    view = markdown(format_answer(card, options), options)
    if card.kind == "cloze":
        view = Highlight(view)
    if not card.cite:
        return view
    return Group(view, Text(""), cite_view(card, options))


def cite_view(card: Card, options: Options = DEFAULT) -> RenderableType:
    """A paper card's citation (Markdown: a journal in *italics*), dimmed."""
    from rich.styled import Styled

    return Styled(markdown(card.cite, options), "dim")


def options_view(card: Card, options: Options = DEFAULT) -> RenderableType:
    """A choice card's options (an order card's shuffled steps), as a list: `• A. first option`,
    with a line saying so when several options are right or the letters go in order."""
    view = markdown(options_block(card), options)
    if card.kind == "choice" and isinstance(card.answer, tuple) and len(card.answer) > 1:
        return Group(view, Text("Pick all that apply.", style="dim"))
    if card.kind == "order":
        return Group(view, Text("Type the letters in order.", style="dim"))
    return view


def options_block(card: Card) -> str:
    """A choice card's options as a Markdown list: `- **A.** first option`."""
    return "\n".join(f"- **{LETTERS[i]}.** {option}" for i, option in enumerate(card.options or ()))


def print_card(console: Console, view: RenderableType) -> None:
    """Print a `card_view`."""
    console.print(view)


def _section(title: str, body: RenderableType) -> list[RenderableType]:
    return [Text(title, style="bold cyan"), body, Text("")]


def card_view(card: Card, deck_title: str = "", schedule: str | None = None,
              options: Options = DEFAULT) -> RenderableType:
    """The whole card: question, options, answer, explanation, note, tags, source, schedule."""
    parts: list[Any] = []
    if card.kind == "order" and not card.options:
        from dlquiz.checking import order  # (show: the steps as the first review shows them)

        card = order.draw(card, 1)
    if card.kind == "cloze":
        parts += _section("Question", question_view(card, options))
    else:
        parts += _section("Question", markdown(card.question, options))
    if card.options:
        parts += _section("Steps" if card.kind == "order" else "Options", options_view(card, options))
    parts += _section("Answer", answer_view(card, options))
    return _whole(card, card.id, parts, deck_title, schedule, options)


def note_view(cards: list[Card], deck_title: str = "", options: Options = DEFAULT) -> RenderableType:
    """A cloze deck card as a whole (`dlquiz show` of its id): its text with every cloze
    highlighted, and each cloze with the id of the card that asks it."""
    first = cards[0]
    parts: list[Any] = _section("Text", Highlight(markdown(markup.cloze_side(first.question, None, answer=True), options)))
    lines = Text()
    for card in cards:
        hidden = " · ".join(text_line(f"${content}$" if formula else content, options) for content, formula, _ in card.answer)
        lines.append(f"c{card.cloze_number}  ", style="bold").append(hidden).append(f"  {card.id}\n", style="dim")
    lines.rstrip()
    parts += _section("Clozes", lines)
    if first.cite:
        parts += _section("Paper", cite_view(first, options))
    return _whole(first, first.note_id, parts, deck_title, None, options)


def _whole(card: Card, title: str, parts: list[Any], deck_title: str, schedule: str | None, options: Options) -> Panel:
    """A card's panel: `parts`, then its explanation, note on the notes, tags, source, schedule."""
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
    return Panel(Group(*parts), title=Text(title, style="bold"), subtitle=subtitle)


def _ef(centi: int) -> str:
    return f"{centi // 100}.{centi % 100:02d}"


def schedule_line(info: CardInfo) -> str:
    """A card's schedule in one line: `due 2026-12-02 · interval 6 days · E-Factor 2.60 · ...`."""
    state, parts = info.state, []
    if state.suspended:
        since = f" since {info.suspended_since.isoformat()}" if info.suspended_since else ""
        parts.append(f"suspended{since}")
    if info.buried:
        parts.append(f"buried until {state.buried_until.isoformat()}")
    if state.is_new:
        return " · ".join(parts + ["new, never reviewed"])
    sm2 = state.sm2
    return " · ".join(parts + [
        f"due {state.due.isoformat()}", f"interval {plural(sm2.interval, 'day')}", f"E-Factor {_ef(sm2.easiness_centi)}",
        plural(sm2.repetitions, "repetition"), plural(state.lapses, "lapse")])


_KIND = {"review": "review", "redrill": "re-drill", "cram": "cram"}


def history_view(info: CardInfo) -> Text:
    """A card's answers as a table: day, kind, grade, interval after, E-Factor after (a re-drill
    or a cram answer changes no schedule: `-`)."""
    from dlquiz.render import columns

    if not info.history:
        return Text("No answers yet.", style="dim")
    rows = [[day.isoformat(), _KIND.get(kind, kind), str(grade),
             *((plural(interval, "day"), _ef(ef)) if kind == "review" else ("-", "-"))]
            for day, kind, grade, interval, ef in info.history]
    lines, _ = columns.render(["day", "kind", "grade", "interval", "E-Factor"], rows, right={2, 3, 4})
    return Text("\n".join(lines))


def info_view(info: CardInfo) -> RenderableType:
    """The schedule line and the history table (the review screen's `i`)."""
    return Panel(Group(Text(schedule_line(info)), Text(""), history_view(info)),
                 title=Text(f"{info.card_id} · info"), title_align="left", border_style="dim")
