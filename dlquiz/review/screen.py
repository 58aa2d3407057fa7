"""The review screen: Rich output and key input around a `session.Session`.

In a terminal, keys are read one at a time (no Enter); when stdin is not a terminal, each line is
one key (an empty line is Enter), so scripts and tests can pipe a session. The session commits
every grade before the next card is drawn; this module only shows and asks.
"""

from __future__ import annotations

import gc
import threading
import time

from rich.console import Console, Group
from rich.control import Control
from rich.panel import Panel
from rich.segment import ControlType
from rich.text import Text

from dlquiz.render import cards as render
from dlquiz.render.words import plural
from dlquiz.review import actions, bars, wal
from dlquiz.review.keys import Keys, Resumed
from dlquiz.review.session import Item, Session
from dlquiz.sm2 import GRADES

_COMMANDS = {":u": "u", ":undo": "u", ":s": "s", ":bury": "s", ":q": "q", ":quit": "q", "?": "?",
             ":!": "!", ":suspend": "!", ":e": "e", ":edit": "e", ":i": "i", ":info": "i"}
_LABEL = {"new": "new", "review": "review", "redrill": "again", "cram": "cram"}


_TYPED_KINDS = ("truefalse", "choice", "numeric", "shape", "formula", "order")  # = answers.CHECKABLE, cloze apart


def _asks_for_answer(card) -> bool:
    """answers.checkable without importing answers (and its parsers) before the first card: a
    cloze card asks when code can check every part it hides (dlquiz.checking.clozes)."""
    if card.kind == "cloze":
        return all(slot[2] != "self" for slot in card.answer)
    return card.kind in _TYPED_KINDS or getattr(card, "template", None) is not None


def answers_module():
    from dlquiz.checking import answers

    return answers


class Reviewer:
    """Runs a session on a console with keys; returns the session's summary."""

    def __init__(self, session: Session, console: Console | None = None, keys: Keys | None = None,
                 options: render.Options = render.DEFAULT):
        self.session = session
        self.options = options
        self.console = console or render.console(options)
        self.keys = keys or Keys()
        self.page = actions.Page(self.console)

    # -- drawing
    def header(self, item: Item) -> None:
        deck = self.session.collection.deck(item.card.deck)
        progress = f"{self.session.done} done · {self.session.left} left"
        self.console.print(bars.AtWidth(lambda width: bars.header(deck.id, deck.title, _LABEL[item.kind], progress, width)))

    def question(self, item: Item, card=None) -> None:
        card = card or item.card
        self.console.print(Panel(render.question_view(card, self.options), title=f"[bold]{card.id}[/bold]", title_align="left"))

    def hint(self, card) -> None:
        """The keys line under a question: type the answer, or show it. On a terminal, the
        "show answer" hint is taken back when the answer shows (`retract_hint`)."""
        typed = _asks_for_answer(card)
        view = bars.hint(typed)
        self.console.print(view)
        self._hint = view if not typed and self.console.is_terminal else None
        self._hint_lines = len(self.console.render_lines(view, pad=False)) if self._hint is not None else 0

    _hint_lines = 0
    _hint = None

    def redraw(self) -> None:
        """The page drawn again (after Ctrl-Z and `fg`, or a resize), at the terminal's width now;
        the "show answer" hint, if it is still the last thing on screen, counted again."""
        self.page.redraw()
        if self._hint_lines and self._hint is not None:
            self._hint_lines = len(self.console.render_lines(self._hint, pad=False))

    def retract_hint(self) -> None:
        """Erase the "show answer" hint, the last lines printed: once the answer shows it no
        longer holds. (Output that is not a terminal keeps it: it cannot be erased there.)"""
        if self._hint is not None:  # (nor is it drawn again with the page)
            hint, self._hint = self._hint, None
            self.page.printed = [printed for printed in self.page.printed if not (len(printed) == 1 and printed[0] is hint)]
        if self._hint_lines:
            up_and_erase = ((ControlType.CURSOR_UP, 1), (ControlType.ERASE_IN_LINE, 2))
            self.console.control(Control(ControlType.CARRIAGE_RETURN, *up_and_erase * self._hint_lines))
            self._hint_lines = 0

    def help(self) -> None:
        self._hint_lines = 0  # the hint is no longer the last thing on screen
        self.console.print(bars.AtWidth(bars.help_view))

    def answer(self, card) -> None:
        options = self.options
        parts = [render.answer_view(card, options)]
        if card.explain:
            parts += [Text(""), Text("Why", style="bold cyan"), render.markdown(card.explain, options)]
        if card.note:
            parts += [Text(""), Text("Note on the notes", style="bold cyan"), render.markdown(card.note, options)]
        self.console.print(Panel(Group(*parts), title="Answer", title_align="left", border_style="green"))

    def grade_bar(self, item: Item, suggestion: int | None = None) -> None:
        preview = self.session.preview(item)
        self.console.print(bars.AtWidth(lambda width: bars.grade_bar(preview, item.kind, width, suggestion)))

    # -- the loop
    def _warm_up(self) -> None:
        """Import what later cards need while the learner reads the first one: the Markdown
        renderer and, when formulas are to be checked, sympy (~0.3 s). Then set aside for the
        session what exists by now (modules, the collection's index, the queue): the garbage
        collector's full passes no longer walk it (a pause of 25 ms every few hundred cards)."""
        from dlquiz.render import markdown  # noqa: F401 - rich.markdown and markdown-it

        if any(getattr(item.card, "template", None) or item.card.kind in ("formula", "cloze") for item in list(self.session.queue)):
            answers_module().warm_up()
        gc.freeze()

    def run(self) -> dict:
        self._warmed = False
        self.console.push_render_hook(self.page)
        try:
            with self.keys.active():
                self._loop()
        except KeyboardInterrupt:
            self.console.print()
        finally:
            self.console.pop_render_hook()
        return self.session.summary()

    def _loop(self) -> None:
        session = self.session
        while session.current is not None:
            item = session.current
            card = session.shown_card(item)
            shown = time.monotonic()
            self.page.new()
            self.header(item)
            self.question(item, card)
            if not self._warmed:  # only now: nothing may delay the first card
                self._warmed = True
                wal.start_deaf(threading.Thread(target=self._warm_up, daemon=True))  # (signals: the main thread's)
            suggestion = None
            self.hint(card)
            if _asks_for_answer(card):
                action, suggestion = self._typed_answer(card)
            else:
                action = self._ask({"space", "enter", "q", "eof"}, again=lambda: self.hint(card))
            if action in ("q", "eof"):
                return
            if action == "changed":
                continue
            self.retract_hint()
            self.answer(card)
            suggestion = 4 if suggestion is None else suggestion  # Anki: Space/Enter = Good
            self.grade_bar(item, suggestion)
            action = self._ask({*map(str, GRADES), "enter", "space", "q", "eof"},
                               again=lambda: self.grade_bar(item, suggestion))
            if action in ("q", "eof"):
                return
            if action == "changed":
                continue
            quality = suggestion if action in ("enter", "space") else int(action)
            review = session.grade(quality, int((time.monotonic() - shown) * 1000))
            if session.is_leech(review):
                actions.offer_suspension(self, item.card_id, review.after.lapses)
        if session.done:
            self.console.print(Text("Nothing left for today. Well done.", style="bold green"))

    def _typed_answer(self, card) -> tuple[str, int | None]:
        """Ask for the answer and check it; returns (what to do next: 'q', 'eof', 'changed' (the
        card on screen changed), 'reveal' or 'checked'; the suggested grade)."""
        answers = answers_module()
        early = self._typed_early()
        if early is not None:
            return early, None
        while True:
            try:
                response = self.keys.line("answer › ")
            except Resumed:
                self.redraw()
                continue
            if response is None:
                return "eof", None
            command = _COMMANDS.get(response.strip().lower())
            if command == "?":
                self.help()
                continue
            if command == "q":
                return command, None
            if command is not None:
                if self._side_action(command):
                    return "changed", None
                continue
            if not response.strip():
                return "reveal", None
            verdict = answers.check_card(card, response)
            if not verdict.readable:  # a typo is not a wrong answer: ask again
                self.console.print(Text(f"? {verdict.feedback} · try again, or Enter to show the answer", style="bold yellow"))
                continue
            mark, style = ("✓", "bold green") if verdict.correct else ("✗", "bold red")
            self.console.print(Text(f"{mark} {verdict.feedback}", style=style))
            return "checked", answers.suggested_grade(verdict)

    def _typed_early(self) -> str | None:
        """Keys pressed before the answer prompt showed (a double `u`, say) are keys, not the
        start of an answer: a side key acts (the rest wait for the next card), others are
        dropped. Right after an undo, keys pressed in the next moment count too."""
        early = self.keys.typed_ahead(wait=0.4 if self._undone else 0.0)
        self._undone = False
        while early:
            key, early = early[0], early[1:]
            if key == "q":
                return "q"
            if key in actions.SIDE_KEYS and self._side_action(key):
                self.keys.unread(early)
                return "changed"
        return None

    def _ask(self, allowed: set[str], again=None) -> str:
        """The next key among `allowed`; `?` shows the help, then `again()` redraws what it pushed
        up; a side key (undo, bury, ...) acts, and returns 'changed' when the card on screen changed."""
        while True:
            try:
                key = self.keys.key()
            except Resumed:
                self.redraw()
                continue
            if key == "?":
                self.help()
                if again is not None:
                    again()
                continue
            if key in actions.SIDE_KEYS:
                if self._side_action(key):
                    return "changed"
                continue
            if key in allowed:
                return key

    _undone = False

    def _side_action(self, key: str) -> bool:
        """Undo, bury, suspend, edit, info (dlquiz.review.actions); True when the card changed."""
        self._hint_lines = 0  # what they print comes after the hint: it is no longer the last line
        changed = actions.SIDE_KEYS[key](self)
        self._undone = changed and key == "u"
        return changed


def print_summary(console: Console, summary: dict) -> None:
    """The end-of-session summary: cards, grades, time, what is due next."""
    from dlquiz.stats.view import (
        duration,  # the one time-span format, shared with `dlquiz stats`
    )

    if not summary["answers"]:
        text = "No cards reviewed."
    else:
        grades = " ".join(f"{q}×{n}" for q, n in sorted(summary["grades"].items(), reverse=True))
        text = (f"Reviewed {plural(summary['cards'], 'card')} ({plural(summary['answers'], 'answer')}) in "
                f"{duration(summary['ms'])} · grades {grades}")
    tail = f"{summary['left']} left in this session"
    if summary["next_due"]:
        tail += f" · next due {summary['next_due']}"
    console.print(Text(text, style="bold"))
    console.print(Text(tail))
