"""The review screen: Rich output and key input around a `session.Session`.

In a terminal, keys are read one at a time (no Enter); when stdin is not a terminal, each line is
one key (an empty line is Enter), so scripts and tests can pipe a session. The session commits
every grade before the next card is drawn; this module only shows and asks.
"""

from __future__ import annotations

import threading
import time

from rich.console import Console, Group
from rich.panel import Panel
from rich.rule import Rule
from rich.text import Text

from dlquiz.render import cards as render
from dlquiz.review.keys import Keys
from dlquiz.review.session import Item, Session
from dlquiz.sm2 import GRADES, SHORT

HELP = """\
Keys
  Space / Enter   show the answer (Enter also accepts a suggested grade)
  0 1 2 3 4 5     grade: 0 blackout · 1 wrong, familiar · 2 wrong, seemed easy
                  3 right, with difficulty · 4 right, after a hesitation · 5 perfect
  u               undo the last grade or burial (several steps back)
  s               bury this card until tomorrow
  ?               this help
  q / Ctrl-C      end the session (every grade so far is saved)
Cards with a checkable answer (numbers, shapes, formulas, choices, true/false, steps in order,
a cloze's [...]) ask you to type it: Enter checks it and suggests a grade (4 if right, 1 if wrong)
that Enter accepts and a digit overrides. At that prompt an empty line shows the answer
unchecked, and :u :s :q undo, bury, quit.
Grades below 4 bring the card back at the end of the session, until it scores 4 or more.
"""
_COMMANDS = {":u": "u", ":undo": "u", ":s": "s", ":bury": "s", ":q": "q", ":quit": "q", "?": "?"}
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


def _interval(days: int | None) -> str:
    if days is None:
        return "again"
    if days < 30:
        return f"{days}d"
    if days < 365:
        return f"{days / 30:.1f}mo".replace(".0mo", "mo")
    return f"{days / 365:.1f}y".replace(".0y", "y")


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
        left = f"{deck.id} · {deck.title}"
        right = f"{self.session.done} done · {self.session.left} left"
        self.console.print(Rule(Text(f"{left}   [{_LABEL[item.kind]}]   {right}"), style="dim"))

    def question(self, item: Item, card=None) -> None:
        card = card or item.card
        self.console.print(Panel(render.question_view(card, self.options), title=f"[bold]{card.id}[/bold]", title_align="left"))

    def hint(self, card) -> None:
        """The keys line under a question: type the answer, or show it."""
        if _asks_for_answer(card):
            self.console.print(Text("type your answer · Enter with nothing shows it · :u undo · :s bury · :q quit · ? keys", style="dim"))
        else:
            self.console.print(Text("Space/Enter show answer · s bury · u undo · ? keys · q quit", style="dim"))

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
        bar = Text()
        for q in GRADES:
            if q:
                bar.append("  ")
            bar.append(f"{q}", style="bold reverse" if q == suggestion else "bold")
            bar.append(f" {SHORT[q]} ").append(_interval(preview[q]), style="dim")
        if item.kind in ("redrill", "cram"):
            bar.append("   (no schedule change)", style="dim")
        self.console.print(bar)
        accept = f"Enter = {suggestion} · " if suggestion is not None else ""
        self.console.print(Text(f"{accept}grade 0-5 · u undo · s bury · ? keys · q quit", style="dim"))

    # -- the loop
    def _warm_up(self) -> None:
        """Import what later cards need while the learner reads the first one: the Markdown
        renderer and, when formulas are to be checked, sympy (~0.3 s)."""
        from dlquiz.render import markdown  # noqa: F401 - rich.markdown and markdown-it

        if any(getattr(item.card, "template", None) or item.card.kind in ("formula", "cloze") for item in list(self.session.queue)):
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
                action = self._ask({"space", "enter", "s", "u", "q", "eof"})
            if action in ("q", "eof"):
                return
            if self._side_action(action):
                continue
            self.answer(card)
            self.grade_bar(item, suggestion)
            allowed = {*map(str, GRADES), "s", "u", "q", "eof"} | ({"enter"} if suggestion is not None else set())
            action = self._ask(allowed)
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
                self.console.print(HELP)
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

    def _ask(self, allowed: set[str]) -> str:
        while True:
            key = self.keys.key()
            if key == "?":
                self.console.print(HELP)
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
