"""The review screen: Rich output and key input around a `session.Session`.

In a terminal, keys are read one at a time (no Enter); when stdin is not a terminal, each line is
one key (an empty line is Enter), so scripts and tests can pipe a session. The session commits
every grade before the next card is drawn; this module only shows and asks.
"""

from __future__ import annotations

import threading
import time

from rich.console import Console, Group
from rich.control import Control
from rich.panel import Panel
from rich.segment import ControlType
from rich.text import Text

from dlquiz.render import cards as render
from dlquiz.review import bars
from dlquiz.review.keys import Keys
from dlquiz.review.session import Item, Session
from dlquiz.sm2 import GRADES

_COMMANDS = {":u": "u", ":undo": "u", ":s": "s", ":bury": "s", ":q": "q", ":quit": "q", "?": "?"}
_LABEL = {"new": "new", "review": "review", "redrill": "again", "cram": "cram"}


_TYPED_KINDS = ("truefalse", "choice", "numeric", "shape", "formula")  # = answers.CHECKABLE


def _asks_for_answer(card) -> bool:
    """answers.checkable without importing answers (and its parsers) before the first card."""
    return card.kind in _TYPED_KINDS or getattr(card, "template", None) is not None


def answers_module():
    from dlquiz.checking import answers

    return answers


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


class Reviewer:
    """Runs a session on a console with keys; returns the session's summary."""

    def __init__(self, session: Session, console: Console | None = None, keys: Keys | None = None,
                 options: render.Options = render.DEFAULT):
        self.session = session
        self.options = options
        self.console = console or render.console(options)
        self.keys = keys or Keys()

    # -- drawing
    def header(self, item: Item) -> None:
        deck = self.session.collection.deck(item.card.deck)
        progress = f"{self.session.done} done · {self.session.left} left"
        self.console.print(bars.header(deck.id, deck.title, _LABEL[item.kind], progress, self.console.width))

    def question(self, item: Item, card=None) -> None:
        card = card or item.card
        parts = [render.markdown(card.question, self.options)]
        if card.options:
            parts.append(render.options_view(card, self.options))
        self.console.print(Panel(Group(*parts), title=f"[bold]{card.id}[/bold]", title_align="left"))

    def hint(self, card) -> None:
        """The keys line under a question: type the answer, or show it. On a terminal, the
        "show answer" hint is taken back when the answer shows (`retract_hint`)."""
        typed = _asks_for_answer(card)
        view = bars.hint(typed)
        self.console.print(view)
        self._hint_lines = len(self.console.render_lines(view, pad=False)) if not typed and self.console.is_terminal else 0

    _hint_lines = 0

    def retract_hint(self) -> None:
        """Erase the "show answer" hint, the last lines printed: once the answer shows it no
        longer holds. (Output that is not a terminal keeps it: it cannot be erased there.)"""
        if self._hint_lines:
            up_and_erase = ((ControlType.CURSOR_UP, 1), (ControlType.ERASE_IN_LINE, 2))
            self.console.control(Control(ControlType.CARRIAGE_RETURN, *up_and_erase * self._hint_lines))
            self._hint_lines = 0

    def help(self) -> None:
        self._hint_lines = 0  # the hint is no longer the last thing on screen
        self.console.print(bars.help_view(self.console.width))

    def answer(self, card) -> None:
        options = self.options
        parts = [render.answer_view(card, options)]
        if card.explain:
            parts += [Text(""), Text("Why", style="bold cyan"), render.markdown(card.explain, options)]
        if card.note:
            parts += [Text(""), Text("Note on the notes", style="bold cyan"), render.markdown(card.note, options)]
        self.console.print(Panel(Group(*parts), title="Answer", title_align="left", border_style="green"))

    def grade_bar(self, item: Item, suggestion: int | None = None) -> None:
        self.console.print(bars.grade_bar(self.session.preview(item), item.kind, self.console.width, suggestion))

    # -- the loop
    def _warm_up(self) -> None:
        """Import what later cards need while the learner reads the first one: the Markdown
        renderer and, when formulas are to be checked, sympy (~0.3 s)."""
        from dlquiz.render import markdown  # noqa: F401 - rich.markdown and markdown-it

        if any(getattr(item.card, "template", None) or item.card.kind == "formula" for item in list(self.session.queue)):
            answers_module().warm_up()

    def run(self) -> dict:
        self._warmed = False
        try:
            with self.keys.active():
                self._loop()
        except KeyboardInterrupt:
            self.console.print()
        return self.session.summary()

    def _loop(self) -> None:
        session = self.session
        while session.current is not None:
            item = session.current
            card = session.shown_card(item)
            shown = time.monotonic()
            self.header(item)
            self.question(item, card)
            if not self._warmed:  # only now: nothing may delay the first card
                self._warmed = True
                threading.Thread(target=self._warm_up, daemon=True).start()
            suggestion = None
            self.hint(card)
            if _asks_for_answer(card):
                action, suggestion = self._typed_answer(card)
            else:
                action = self._ask({"space", "enter", "s", "u", "q", "eof"}, again=lambda: self.hint(card))
            if action in ("q", "eof"):
                return
            if self._side_action(action):
                continue
            self.retract_hint()
            self.answer(card)
            self.grade_bar(item, suggestion)
            allowed = {*map(str, GRADES), "s", "u", "q", "eof"} | ({"enter"} if suggestion is not None else set())
            action = self._ask(allowed, again=lambda: self.grade_bar(item, suggestion))
            if action in ("q", "eof"):
                return
            if self._side_action(action):
                continue
            quality = suggestion if action == "enter" else int(action)
            review = session.grade(quality, int((time.monotonic() - shown) * 1000))
            if session.is_leech(review):
                self.console.print(Text(
                    f"Leech: {item.card.id} has lapsed {review.after.lapses} times. "
                    "Consider rewriting it (dlquiz show / edit) or splitting it.", style="bold yellow"))
        if session.done:
            self.console.print(Text("Nothing left for today. Well done.", style="bold green"))

    def _typed_answer(self, card) -> tuple[str, int | None]:
        """Ask for the answer and check it; returns (what to do next, the suggested grade)."""
        answers = answers_module()
        while True:
            response = self.keys.line("answer › ")
            if response is None:
                return "eof", None
            command = _COMMANDS.get(response.strip().lower())
            if command == "?":
                self.help()
                continue
            if command is not None:
                return command, None
            if not response.strip():
                return "reveal", None
            verdict = answers.check_card(card, response)
            if not verdict.readable:  # a typo is not a wrong answer: ask again
                self.console.print(Text(f"? {verdict.feedback} · try again, or Enter to show the answer", style="bold yellow"))
                continue
            mark, style = ("✓", "bold green") if verdict.correct else ("✗", "bold red")
            self.console.print(Text(f"{mark} {verdict.feedback}", style=style))
            return "checked", answers.suggested_grade(verdict)

    def _ask(self, allowed: set[str], again=None) -> str:
        """The next allowed key; `?` shows the help, then `again()` redraws what it pushed up."""
        while True:
            key = self.keys.key()
            if key == "?":
                self.help()
                if again is not None:
                    again()
                continue
            if key in allowed:
                return key

    def _side_action(self, key: str) -> bool:
        """Handle undo and bury; True when the current card changed."""
        if key == "s":
            card = self.session.current.card
            self.session.bury()
            self.console.print(Text(f"Buried {card.id} until tomorrow.", style="dim"))
            return True
        if key == "u":
            action = self.session.undo()
            if action is None:
                self.console.print(Text("Nothing to undo.", style="dim"))
            else:
                what = "grade" if action.what == "grade" else "burial"
                self.console.print(Text(f"Undid the {what} of {action.item.card.id}.", style="dim"))
            return True
        return False


def print_summary(console: Console, summary: dict) -> None:
    """The end-of-session summary: cards, grades, time, what is due next."""
    from dlquiz.stats.view import (
        duration,  # the one time-span format, shared with `dlquiz stats`
    )

    if not summary["answers"]:
        text = "No cards reviewed."
    else:
        grades = " ".join(f"{q}×{n}" for q, n in sorted(summary["grades"].items(), reverse=True))
        text = (f"Reviewed {_plural(summary['cards'], 'card')} ({_plural(summary['answers'], 'answer')}) in "
                f"{duration(summary['seconds'] * 1000)} · grades {grades}")
    tail = f"{summary['left']} left in this session"
    if summary["next_due"]:
        tail += f" · next due {summary['next_due']}"
    console.print(Text(text, style="bold"))
    console.print(Text(tail))
