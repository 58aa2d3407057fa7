"""What frames a card on the review screen, drawn for the terminal's width: the header rule (the
deck, why the card is here, the progress), the key hints under a question, the grade bar and the
`?` help.

Each key hint or grade is one item that a line never splits (`Items`): lines break between items
only. The words for the grades come from one table, dlquiz.sm2.GRADE_WORDS, so the bar and the
help say the same thing; below `NARROW` columns both use the short words. Terminal UI: imports
Rich and the base.
"""

from __future__ import annotations

from typing import Iterable, Mapping

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.rule import Rule
from rich.text import Text

from dlquiz.review.session import Effect
from dlquiz.sm2 import GRADE_WORDS, GRADES

NARROW = 60  # below this many columns the grade bar and the help use the short grade words
AGAIN = "↻"  # marks a grade that brings the card back today (SM-2's step 7)
PASS = 4  # the lowest grade that ends the day's re-drill
_NOTES = {"redrill": "re-drill: 4 or 5 ends it", "cram": "cram: 4 or 5 ends it"}


class AtWidth:
    """A renderable made for the width it is drawn at, `make(width)`: the review page keeps what
    it printed and draws it again after a resize, at the new width."""

    def __init__(self, make) -> None:
        self.make = make

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.make(options.max_width)


class Items:
    """Items (key hints, grades) on as many lines as the width needs, `separator` between two
    items of a line: a line breaks between items, never inside one."""

    def __init__(self, items: Iterable[Text | str], separator: str = " · ", style: str = "") -> None:
        self.items = [Text(item) if isinstance(item, str) else item for item in items]
        self.separator = separator
        self.style = style

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        line = Text(style=self.style)
        for item in self.items:
            if line and line.cell_len + len(self.separator) + item.cell_len > options.max_width:
                yield line
                line = Text(style=self.style)
            if line:
                line.append(self.separator)
            line.append_text(item)
        yield line


def keys_line(*items: str) -> Items:
    """Key hints (`u undo`, `q quit`), dim, separated by dots."""
    return Items(items, style="dim")


def interval(days: int) -> str:
    """An interval as the bar shows it: `1d`, `15d`, `2.5mo`, `1.2y`."""
    if days < 30:
        return f"{days}d"
    if days < 365:
        return f"{days / 30:.1f}mo".replace(".0mo", "mo")
    return f"{days / 365:.1f}y".replace(".0y", "y")


def easiness(value: float) -> str:
    """An E-Factor as the bar shows it, without trailing zeros: `2.5`, `2.36`, `1.3`."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def grade_word(quality: int, width: int) -> str:
    """The grade's word on a terminal this wide (the short one below NARROW columns)."""
    words = GRADE_WORDS[quality]
    return words.short if width < NARROW else words.label


# ---------------------------------------------------------------------------------------------
# the header


def header(deck_id: str, deck_title: str, label: str, progress: str, width: int) -> Rule:
    """The rule above a card: `c4w2 · Deep Convolutional Models   [new]   3 done · 17 left`. The
    label and the progress always show (at 40 columns and more); the deck's title is shortened
    with `…`, or left out, to make room."""
    room = width - 4  # a centred Rule keeps a dash and a space on each side of its title
    deck = Text(f"{deck_id} · {deck_title}")
    right = f"   [{label}]   {progress}"
    if deck.cell_len + len(right) > room:
        right = f"  [{label}]  {progress}"
        free = room - len(right)
        if free < len(deck_id) + 4:  # not even `c4w2 · D…`: the deck's id alone
            deck = Text(deck_id)
        deck.truncate(max(free, 1), overflow="ellipsis")
    return Rule(deck + Text(right), style="dim")


# ---------------------------------------------------------------------------------------------
# under a question, and under an answer


def hint(typed: bool) -> Items:
    """The keys under a question: type the answer, or show it."""
    if typed:
        return keys_line("type your answer", "Enter with nothing shows it", ":u undo", ":s bury", ":q quit", "? keys")
    return keys_line("Space/Enter show answer", "s bury", "u undo", "? keys", "q quit")


def _grade(quality: int, width: int, after: Effect | None, suggested: bool) -> Text:
    """One item of the bar: `3 hard 6d ×2.36 ↻` (under FSRS, which has no E-Factor: `3 hard 6d ↻`)."""
    item = Text(str(quality), style="bold reverse" if suggested else "bold")
    item.append(" " + grade_word(quality, width))
    if after is not None:
        shown = f" {interval(after.interval)}" + (f" ×{easiness(after.easiness)}" if after.easiness is not None else "")
        item.append(shown, style="dim")
    if quality < PASS:
        item.append(" " + AGAIN)
    return item


def grade_bar(preview: Mapping[int, Effect | None], kind: str, width: int, suggestion: int | None = None) -> Group:
    """The grades and their effects, then the keys. In a scheduled review each grade shows the
    interval it gives and the E-Factor it sets (`×2.36`: later intervals grow by it), so that
    3, 4 and 5 differ even where their intervals are the same; `↻` marks the grades that bring
    the card back today. A re-drill or cram changes no schedule: its bar says which grades end it."""
    grades: list[Text] = [_grade(q, width, preview[q], q == suggestion) for q in GRADES]
    if kind in _NOTES:
        grades.append(Text(f"({_NOTES[kind]} · no schedule change)", style="dim"))
    accept = [f"Enter = {suggestion}"] if suggestion is not None else []
    keys = keys_line(*accept, f"{AGAIN} back today", "grade 0-5", "u undo", "s bury", "? keys", "q quit")
    return Group(Items(grades, separator="  "), keys)


# ---------------------------------------------------------------------------------------------
# the `?` help

_BAR = (
    "On the grade bar each grade shows the interval it gives and the E-Factor it sets (×2.5: each later "
    f"interval grows by it). {AGAIN}: the card comes back today, until it scores 4 or 5 (SM-2's step 7). "
    "A re-drill or cram changes no schedule."
)
_TYPED = (
    "Cards with a checkable answer (numbers, shapes, formulas, choices, true/false, steps in order, a cloze's "
    "[...]) ask you to type it: Enter "
    "checks it and suggests a grade (4 if right, 1 if wrong) that Enter accepts and a digit overrides. At that "
    "prompt an empty line shows the answer unchecked, and :u :s :! :e :i :q undo, bury, suspend, edit, info, quit. "
    "Grades below 4 bring the card back at the end of the session (and in your next session today), until it "
    "scores 4 or more."
)


def help_view(width: int) -> RenderableType:
    """The keys, and how to read the grade bar, wrapped to the terminal's width."""
    from rich.padding import Padding
    from rich.table import Table  # only when asked for

    keys = Table.grid(padding=(0, 2))
    keys.add_column(no_wrap=True, style="bold")
    keys.add_column()
    keys.add_row("Space / Enter", "show the answer; then grade 4 (or the grade a typed answer suggests)")
    for quality in GRADES:
        keys.add_row(f"{quality} {grade_word(quality, width)}", GRADE_WORDS[quality].meaning)
    keys.add_row("u", "undo the last grade, burial or suspension (several steps back)")
    keys.add_row("s", "bury this card until tomorrow")
    keys.add_row("!", "suspend this card (until dlquiz unsuspend ID)")
    keys.add_row("e", "edit this card in $EDITOR (as dlquiz edit)")
    keys.add_row("i", "this card's schedule and history")
    keys.add_row("?", "this help")
    keys.add_row("q / Ctrl-C", "end the session (every grade so far is saved)")
    return Group(Text("Keys", style="bold"), Padding(keys, (0, 0, 0, 2)), Text(_BAR), Text(_TYPED))
