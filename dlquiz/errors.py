"""One error vocabulary for dlquiz. The CLI maps these to exit codes, once.

Every message reads well to a user on its own line; none needs a traceback. And `unraisable`:
where an exception raised by a signal handler would be lost instead of reaching the code it is for.
Exit codes: 1 the command ran and found problems (unknown card, failed checks);
2 bad usage or bad input (invalid deck, bad flag, unusable store).
"""

from __future__ import annotations

from typing import NamedTuple


class DlquizError(Exception):
    """Base of every error a user can see. `exit_code` is what the CLI exits with."""

    exit_code = 2

    def lines(self) -> list[str]:
        """The message, one line per problem."""
        return [str(self)]


class UsageError(DlquizError):
    """Bad flag value or bad command-line input."""


class NotFound(DlquizError):
    """A card or deck that does not exist (the command ran and found nothing)."""

    exit_code = 1


class StoreError(DlquizError):
    """The review store cannot be used: corrupt, too new, unreadable, unwritable."""


class Problem(NamedTuple):
    """One problem at one place of one file: `path:line: message`. (A NamedTuple, not a
    dataclass: importing dataclasses would cost every command, `--help` included, a millisecond.)"""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}: {self.message}"
        return f"{self.path}: {self.message}"


class DeckError(DlquizError):
    """One or more decks cannot be read or are invalid. Lists every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.path, p.line))
        super().__init__("\n".join(str(p) for p in self.problems))

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]


def clip(value: object, width: int = 40) -> str:
    """A value as an error message quotes it: its repr, cut with … to about `width` characters,
    so that a line quoting a megabyte of input still fits on a terminal line."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 4 * width:
        return f"a number of about {int(value.bit_length() * 0.30103):,} digits"
    if isinstance(value, str):  # quoted whole, or its start and … inside the quotes
        return repr(value if len(value) <= width else value[: width - 1] + "…")
    else:
        import reprlib

        shorter = reprlib.Repr()
        shorter.maxstring = shorter.maxother = width
        text = shorter.repr(value)
    return cut(text, width)


def cut(text: str, width: int = 80) -> str:
    """Text on one line, cut with … after `width` characters."""
    text = " ".join(text[: width * 4].split()) if "\n" in text[: width * 4] else text
    return text if len(text) <= width else text[: width - 1] + "…"


def unraisable(frame) -> bool:
    """Is the code a signal handler interrupted (`frame`) where an exception cannot leave, which
    Python prints ("Exception ignored in ...") and drops: a finalizer (a `__del__` method or a
    `weakref.finalize` callback, run whenever the garbage collector frees an object, in the
    middle of any code) or a garbage-collector callback (one a profiler or a test library
    installed)? A handler that raises (a time limit's alarm, the review's SIGCONT) must then let
    the code finish and raise after it."""
    import gc
    import weakref

    codes = {getattr(callback, "__code__", None) for callback in gc.callbacks}
    codes.add(weakref.finalize.__call__.__code__)
    while frame is not None:
        if frame.f_code in codes or frame.f_code.co_name == "__del__":
            return True
        frame = frame.f_back
    return False
