"""Key input for the review screen: single key presses on a terminal (cbreak mode, set once for
the whole session so keys typed early are never lost), one line per key otherwise, so scripts and
tests can pipe a session; and a line of text, with the terminal's line editing, for typed answers.
"""

from __future__ import annotations

import os
import select
import sys
from contextlib import contextmanager
from typing import TextIO


class Keys:
    """Key input: single key presses on a terminal, one line per key otherwise."""

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream or sys.stdin
        self.tty = self.stream.isatty()

    @contextmanager
    def active(self):
        """Single-key mode for the whole session (set once, so keys typed early are never lost)."""
        if not self.tty:
            yield
            return
        import termios
        import tty

        fd = self.stream.fileno()
        self._saved = termios.tcgetattr(fd)
        try:
            tty.setcbreak(fd, termios.TCSANOW)
            yield
        finally:
            termios.tcsetattr(fd, termios.TCSANOW, self._saved)
            self._saved = None

    _saved = None

    def line(self, prompt: str) -> str | None:
        """One line of text (a typed answer), with the terminal's line editing; None at end of input."""
        if self.tty:
            import termios
            import tty

            fd = self.stream.fileno()
            if self._saved is not None:
                termios.tcsetattr(fd, termios.TCSANOW, self._saved)
            try:
                return input(prompt)
            except EOFError:
                return None
            finally:
                if self._saved is not None:
                    tty.setcbreak(fd, termios.TCSANOW)
        sys.stdout.write(prompt)
        sys.stdout.flush()
        line = self.stream.readline()
        return line.rstrip("\r\n") if line else None

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
        fd = self.stream.fileno()
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
