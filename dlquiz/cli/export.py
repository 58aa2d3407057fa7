"""`dlquiz export anki` and `dlquiz export tsv`: plain functions with Typer's parameter
declarations, registered on the `export` group by dlquiz.cli.app (wrapped in its error handling),
and the progress bar a long export shows.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable, List, Optional

import typer

from dlquiz.cli.commands import err as _err
from dlquiz.cli.complete import DECKS_ARGUMENT


class DelayedProgress:
    """A progress callback that shows a Rich bar on stderr once the work has taken more than
    `delay` seconds, and only on a terminal: quick exports print nothing but their summary."""

    def __init__(self, delay: float = 1.0, clock: Callable[[], float] | None = None, console=None):
        import time

        self.clock = clock or time.monotonic
        self.delay = delay
        self.started = self.clock()
        self.console = console
        self.bar = None
        self.task = None

    def __call__(self, what: str, done: int, total: int) -> None:
        if self.bar is None:
            if self.clock() - self.started < self.delay:
                return
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            console = self.console or Console(stderr=True)
            if not console.is_terminal:
                self.started = float("inf")  # never: a pipe or a log gets no bar
                return
            self.bar = Progress(TextColumn("{task.description:<9}"), BarColumn(), MofNCompleteColumn(),
                                TimeRemainingColumn(), console=console, transient=True)
            self.bar.start()
            self.task = self.bar.add_task(what, total=total, completed=done)
        self.bar.update(self.task, description=what, completed=done, total=total)

    def __enter__(self) -> "DelayedProgress":
        return self

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()


def export_anki(
    decks: Optional[List[str]] = DECKS_ARGUMENT,
    output: Path = typer.Option(Path("dlquiz.apkg"), "--output", "-o", help="The .apkg file to write."),
    with_progress: bool = typer.Option(
        False, "--with-progress", help="Carry each card's schedule and review log (Anki applies them to cards new to the collection)."),
) -> None:
    """Write an .apkg package for Anki.

    Re-importing after you edit cards updates their notes in place and never duplicates them.
    """
    from dlquiz.export import anki

    with DelayedProgress() as progress:
        report = anki.export_anki(output, decks, with_progress=with_progress, progress=progress)
    for line in report.lines():
        _err(line)


def export_tsv(
    decks: Optional[List[str]] = DECKS_ARGUMENT,
    output: Path = typer.Option(Path("dlquiz.tsv"), "--output", "-o", help="The file to write; '-' for standard output."),
) -> None:
    """Write TSV for Anki's text import.

    Import it with File > Import; the notes use Anki's Basic note type.
    """
    from dlquiz.export import tsv

    to_stdout = str(output) == "-"
    with DelayedProgress() as progress:
        report, text = tsv.export_tsv(None if to_stdout else output, decks, progress=progress)
    if to_stdout:
        sys.stdout.write(text)
    for line in report.lines():
        _err(line)
