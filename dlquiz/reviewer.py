"""The review screen: Rich output and key input around a `session.Session`.

In a terminal, keys are read one at a time (no Enter); when stdin is not a terminal, each line is
one key (an empty line is Enter), so scripts and tests can pipe a session. The session commits
every grade before the next card is drawn; this module only shows and asks.
"""

from __future__ import annotations

import os
import select
import sys
import time
from contextlib import contextmanager
from typing import TextIO

from rich.console import Console, Group
from rich.panel import Panel
from rich.rule import Rule
from rich.text import Text

from dlquiz import render
from dlquiz.session import Item, Session
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
Grades below 4 bring the card back at the end of the session, until it scores 4 or more.
"""
_LABEL = {"new": "new", "review": "review", "redrill": "again", "cram": "cram"}


class Keys:
    """Key input: single key presses on a terminal, one line per key otherwise."""

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream or sys.stdin
        self.tty = self.stream.isatty()

    @contextmanager
    def _cbreak(self):
        import termios
        import tty

        fd = self.stream.fileno()
        saved = termios.tcgetattr(fd)
        try:
            tty.setcbreak(fd)
            yield fd
        finally:
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)

    def key(self) -> str:
        """One key: a character, 'enter', 'space', or 'eof'."""
        if not self.tty:
            line = self.stream.readline()
            if not line:
                return "eof"
            text = line.rstrip("\r\n")
            if text == "":
                return "enter"
            return "space" if text.strip() == "" else text.strip()[0]
        with self._cbreak() as fd:
            char = os.read(fd, 1).decode("utf-8", "replace")
            if char == "\x1b":  # an escape sequence (arrow keys...): swallow the rest
                while select.select([fd], [], [], 0.02)[0]:
                    os.read(fd, 16)
                return "escape"
        if char in ("\r", "\n"):
            return "enter"
        if char == " ":
            return "space"
        if char in ("\x04", ""):
            return "eof"
        return char


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


def _duration(seconds: int) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes}m {seconds:02d}s" if minutes else f"{seconds}s"


class Reviewer:
    """Runs a session on a console with keys; returns the session's summary."""

    def __init__(self, session: Session, console: Console | None = None, keys: Keys | None = None):
        self.session = session
        self.console = console or Console(highlight=False)
        self.keys = keys or Keys()

    # -- drawing
    def header(self, item: Item) -> None:
        deck = self.session.collection.deck(item.card.deck)
        left = f"{deck.id} · {deck.title}"
        right = f"{self.session.done} done · {self.session.left} left"
        self.console.print(Rule(Text(f"{left}   [{_LABEL[item.kind]}]   {right}"), style="dim"))

    def question(self, item: Item) -> None:
        card = item.card
        parts = [render.markdown(card.question)]
        if card.options:
            parts.append(render.markdown(render.options_block(card)))
        self.console.print(Panel(Group(*parts), title=f"[bold]{card.id}[/bold]", title_align="left"))

    def answer(self, item: Item) -> None:
        card = item.card
        parts = [render.markdown(render.format_answer(card))]
        if card.explain:
            parts += [Text(""), Text("Why", style="bold cyan"), render.markdown(card.explain)]
        if card.note:
            parts += [Text(""), Text("Note on the notes", style="bold cyan"), render.markdown(card.note)]
        self.console.print(Panel(Group(*parts), title="Answer", title_align="left", border_style="green"))

    def grade_bar(self, item: Item) -> None:
        preview = self.session.preview(item)
        bar = Text()
        for q in GRADES:
            if q:
                bar.append("  ")
            bar.append(f"{q}", style="bold").append(f" {SHORT[q]} ").append(_interval(preview[q]), style="dim")
        if item.kind in ("redrill", "cram"):
            bar.append("   (no schedule change)", style="dim")
        self.console.print(bar)
        self.console.print(Text("grade 0-5 · u undo · s bury · ? keys · q quit", style="dim"))

    # -- the loop
    def run(self) -> dict:
        try:
            self._loop()
        except KeyboardInterrupt:
            self.console.print()
        return self.session.summary()

    def _loop(self) -> None:
        session = self.session
        while session.current is not None:
            item = session.current
            shown = time.monotonic()
            self.header(item)
            self.question(item)
            self.console.print(Text("Space/Enter show answer · s bury · u undo · ? keys · q quit", style="dim"))
            action = self._ask({"space", "enter", "s", "u", "q", "eof"})
            if action in ("q", "eof"):
                return
            if self._side_action(action):
                continue
            self.answer(item)
            self.grade_bar(item)
            action = self._ask({*map(str, GRADES), "s", "u", "q", "eof"})
            if action in ("q", "eof"):
                return
            if self._side_action(action):
                continue
            review = session.grade(int(action), int((time.monotonic() - shown) * 1000))
            if session.is_leech(review):
                self.console.print(Text(
                    f"Leech: {item.card.id} has lapsed {review.after.lapses} times. "
                    "Consider rewriting it (dlquiz show / edit) or splitting it.", style="bold yellow"))
        if session.done:
            self.console.print(Text("Nothing left for today. Well done.", style="bold green"))

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
    if not summary["answers"]:
        text = "No cards reviewed."
    else:
        grades = " ".join(f"{q}×{n}" for q, n in sorted(summary["grades"].items(), reverse=True))
        text = (f"Reviewed {_plural(summary['cards'], 'card')} ({_plural(summary['answers'], 'answer')}) in "
                f"{_duration(summary['seconds'])} · grades {grades}")
    tail = f"{summary['left']} left in this session · {summary['due_tomorrow']} due tomorrow"
    if summary["next_due"]:
        tail += f" · next due {summary['next_due']}"
    console.print(Text(text, style="bold"))
    console.print(Text(tail))
