"""The questions `dlquiz add` asks on a terminal for what its flags leave out, then the preview.

Each answer goes through the same parsers as the flags (dlquiz.decks.authoring) as soon as it is
typed, and is asked again until it is usable. Ctrl-D stops without writing anything. On a
terminal every line is edited as in a shell (readline: dlquiz.review.keys.line_editing), the
prompt handed to readline so that Home, Ctrl-L and Up redraw the line without writing over it.
"""

from __future__ import annotations

import re
import sys
from dataclasses import replace
from typing import Callable

from rich.console import Console
from rich.prompt import Confirm, Prompt
from rich.text import Text

from dlquiz.cli.commands import err
from dlquiz.decks import authoring, drafts
from dlquiz.decks.format import KINDS
from dlquiz.errors import UsageError
from dlquiz.review.keys import line_editing

QUESTION_TEMPLATE = """

# Write the question of the new card above: Markdown, with $...$ for LaTeX.
# A cloze card: hide parts with {{c1::hidden}} or {{c1::hidden::hint}}, also inside $...$.
# Lines starting with '#' are ignored; an empty question adds nothing.
"""
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


_CONTROL = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")  # a style's escape sequence, which takes no column


def _line(console: Console, prompt: str | Text = "") -> str:
    """One line typed after `prompt` (Rich markup or Text): with line editing on a terminal,
    where readline is given the prompt as it is shown, its styles marked as taking no columns
    (\\001 ... \\002), so a redrawn line starts after it; else as Console.input reads it."""
    if not (console.is_terminal and sys.stdin.isatty() and line_editing()):
        return console.input(prompt)
    with console.capture() as shown:
        console.print(prompt, end="")
    return input(_CONTROL.sub(lambda m: f"\x01{m.group()}\x02", shown.get()))


class _Edited:
    """A Rich prompt whose line is read by `_line`."""

    @classmethod
    def get_input(cls, console: Console, prompt: Text, password: bool, stream=None) -> str:
        if password or stream is not None:
            return super().get_input(console, prompt, password, stream=stream)  # type: ignore[misc]
        return _line(console, prompt)


class _Prompt(_Edited, Prompt):
    pass


class _Confirm(_Edited, Confirm):
    pass


def _message(exc: UsageError) -> str:
    return re.sub(r"^--[a-z-]+: ", "", str(exc))  # the flag's name means nothing at a prompt


def _ask(console: Console, label: str, parse: Callable[[str], object] | None = None, **options) -> str:
    """One line, asked again until `parse` accepts it (an empty line is returned as "")."""
    while True:
        text = _Prompt.ask(label, console=console, **options).strip()
        if not text or parse is None:
            return text
        try:
            parse(text)
            return text
        except UsageError as exc:
            console.print(f"[red]{_message(exc)}[/red]")


def _lines(console: Console, label: str, hint: str) -> str:
    """Several lines, ended by an empty one."""
    console.print(f"[bold]{label}[/bold] [dim]({hint})[/dim]")
    lines: list[str] = []
    while True:
        line = _line(console, "  ").rstrip()
        if not line:
            return "\n".join(lines)
        lines.append(line)


def _required(console: Console, ask: Callable[[], str], what: str) -> str:
    while True:
        text = ask()
        if text:
            return text
        console.print(f"[red]the card needs {what}[/red]")


def _question(console: Console) -> str:
    text = _lines(console, "Question", "end with an empty line; an empty first line opens $EDITOR")
    if not text:
        text = authoring.strip_comments(authoring.run_editor(QUESTION_TEMPLATE, "question"))
        if not text:
            raise authoring.Aborted("the question is empty; nothing added")
        console.print(text, markup=False)
    return text


def _deck(console: Console, draft: drafts.Draft, writable: dict[str, str], refused: dict[str, str]) -> None:
    """The deck, asked first: only a deck the card can be written to (or a new one), refused as
    soon as it is named, before anything else is typed."""
    if draft.deck is not None:
        if draft.deck in refused:
            raise UsageError(authoring.refused(draft.deck, refused[draft.deck]))
    else:
        yours = " ".join(writable) if writable else "none yet"
        console.print(f"[dim]your decks:[/dim] {yours}", markup=True, highlight=False)

        def usable(text: str) -> None:
            drafts.parse_deck_id(text)
            if text in refused:
                raise UsageError(authoring.refused(text, refused[text], at_prompt=True))

        draft.deck = _required(console, lambda: _ask(console, "Deck (one of yours, or a new id)", usable), "a deck")
    if draft.deck in writable or (draft.course and draft.week and draft.title):
        return
    console.print(f"{draft.deck} is a new deck.")
    number = lambda flag: lambda text: drafts.parse_int(text, flag)  # noqa: E731
    draft.course = draft.course or _required(console, lambda: _ask(console, "Course number", number("--course")), "a course")
    draft.week = draft.week or _required(console, lambda: _ask(console, "Week number", number("--week")), "a week")
    draft.title = draft.title or _required(console, lambda: _ask(console, "Title of the deck"), "a title")


def _choice(console: Console, draft: drafts.Draft) -> None:
    while len(draft.options) < 2:
        console.print("[bold]Options[/bold] [dim](one per line, at least two; an empty line ends)[/dim]")
        draft.options = []
        while line := _line(console, f"  {LETTERS[len(draft.options)]}. ").strip():
            draft.options.append(line)
    if draft.answer:
        return

    def letters(text: str) -> list[str]:
        picked = [c for c in re.split(r"[,\s]+", text.upper()) if c]
        if not picked or any(len(c) != 1 or c not in LETTERS[: len(draft.options)] for c in picked):
            raise UsageError(f"answer with letters from A to {LETTERS[len(draft.options) - 1]}, e.g. B or A,C")
        return [draft.options[LETTERS.index(c)] for c in picked]

    text = _required(console, lambda: _ask(console, "Correct option(s), by letter", letters), "an answer")
    draft.answer = letters(text)


def _answer(console: Console, draft: drafts.Draft, kind: str) -> None:
    if kind == "choice":
        return _choice(console, draft)
    if kind == "cloze":  # the question holds the answers: {{c1::...}}
        return None
    if kind == "order":
        while len(draft.answer) < 2:
            console.print("[bold]Steps[/bold] [dim](in the right order, one per line, at least two; an empty line ends)[/dim]")
            draft.answer = []
            while line := _line(console, f"  {len(draft.answer) + 1}. ").strip():
                draft.answer.append(line)
        return None
    if not draft.answer:
        if kind in ("basic", "formula"):
            hint = "the formula in LaTeX, as shown" if kind == "formula" else "end with an empty line"
            text = _required(console, lambda: _lines(console, "Answer", hint), "an answer")
        else:
            hints = {"truefalse": "true or false", "numeric": "a number", "shape": "dimensions, e.g. 4, 1 or n_x, m"}
            parse = lambda text: drafts.parse_answer(kind, [text])  # noqa: E731
            text = _required(console, lambda: _ask(console, f"Answer ({hints[kind]})", parse), "an answer")
        draft.answer = [text]
    if kind == "formula" and not draft.expr:
        draft.expr = _required(console, lambda: _ask(console, "Expr (the formula in plain math, for checking)", _card_ok(draft, "expr")), "an expr")


def _card_ok(draft: drafts.Draft, key: str) -> Callable[[str], None]:
    """A parser that tries the value in the draft and validates the card as `dlquiz check` does."""

    def parse(text: str) -> None:
        problem = drafts.card_problem(replace(draft, **{key: text}))
        if problem:
            raise UsageError(problem)

    return parse


def fill(draft: drafts.Draft, console: Console, writable: dict[str, str], refused: dict[str, str]) -> drafts.Draft:
    """Ask for everything the draft lacks. `writable` maps the decks a card can go to to their
    titles, `refused` the others to why not (authoring.decks_for_adding)."""
    draft = replace(draft, answer=list(draft.answer), options=list(draft.options), tags=list(draft.tags))
    try:
        _deck(console, draft, writable, refused)
        if draft.kind is None:
            draft.kind = _Prompt.ask("Kind", console=console, choices=list(KINDS), default="basic")
        kind = drafts.parse_kind(draft.kind)
        if draft.question is None:
            draft.question = _question(console)
        _answer(console, draft, kind)
        if draft.explain is None:
            draft.explain = _lines(console, "Explanation", "optional; end with an empty line") or None
        if not draft.tags:
            draft.tags = drafts.parse_tags([_ask(console, "Tags (optional, separated by spaces)")])
        if draft.check is None and kind in drafts.CHECKABLE:
            draft.check = _ask(console, "Reference check (optional, e.g. conv_param_count(f=5, n_c_prev=3, n_c=100))", _card_ok(draft, "check")) or None
    except EOFError:
        kept = f"; what you typed is kept in {_keep(authoring.draft_block(draft))}" if draft.question or draft.answer else ""
        raise authoring.Aborted("nothing added" + kept) from None
    return draft


def _keep(text: str):
    return authoring.keep(text, "new-card")


def write(draft: drafts.Draft, console: Console) -> authoring.Plan:
    """Show the card and ask before writing it. A card refused at this point (an --id that is
    taken, a deck changed meanwhile) is offered in $EDITOR as its YAML, as often as it takes, or
    kept in a file whose path is printed: nothing typed is lost."""
    block = None
    while True:
        text = block if block is not None else authoring.draft_block(draft)
        try:
            plan = authoring.plan_add(draft, block)
            for warning in plan.warnings:
                err(warning)
            if not confirm(console, plan, "Add this card?"):
                raise authoring.Aborted(f"nothing added; your card is kept in {_keep(text)}")
            return authoring.add(draft, block)
        except UsageError as exc:
            console.print(f"{exc}", style="red", markup=False)
            try:
                again = _Confirm.ask("Edit the card in $EDITOR?", console=console, default=True)
            except EOFError:
                again = False
            if not again:
                raise UsageError(f"{exc}; your card is kept in {_keep(text)}") from None
            try:
                block = authoring.run_editor(text, "new-card")
            except authoring.Aborted as stopped:
                raise authoring.Aborted(f"{stopped}; your card is kept in {_keep(text)}") from None


def confirm(console: Console, plan: authoring.Plan, question: str) -> bool:
    """Show the card as it will be rendered, then ask."""
    from dlquiz.render import cards as render

    if plan.card.note_id is not None:  # a cloze card: its text with every cloze, and each cloze's card
        render.print_card(console, render.note_view(plan.cards, deck_title=plan.deck_title))
        for card in plan.cards:
            render.print_card(console, render.question_view(card))
    else:
        render.print_card(console, render.card_view(plan.card, deck_title=plan.deck_title))
    try:
        return _Confirm.ask(question, console=console, default=True)
    except EOFError:
        return False
