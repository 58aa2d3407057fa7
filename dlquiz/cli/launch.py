"""The `dlquiz` command's entry point.

The plain forms of the two commands used most, `dlquiz review` and `dlquiz decks` (and
`dlquiz decks --json`), run straight from dlquiz.cli.commands, without importing Typer and building
the app: that is 80 ms of the 300 ms a 50,000-card collection may take to its first card.
Every other command line, including these commands with any other argument, goes to the Typer
app (dlquiz.cli.app.app), which parses it, prints help and usage errors, and runs the same code.
"""

from __future__ import annotations

import os
import sys

QUICK = {("review",): ("review", {}), ("decks",): ("decks", {}), ("decks", "--json"): ("decks", {"as_json": True})}


def main() -> None:
    _quiet_on_closed_pipe()
    quick = QUICK.get(tuple(sys.argv[1:]))
    if quick is not None and "_DLQUIZ_COMPLETE" not in os.environ:  # the shell completing a word: Typer's job
        from dlquiz.cli import commands

        name, kwargs = quick
        sys.exit(commands.run(getattr(commands, name), **kwargs))
    from dlquiz.cli.app import app

    app(prog_name="dlquiz")


def _quiet_on_closed_pipe() -> None:
    """`dlquiz decks | head` ends quietly when `head` stops reading, as a Unix filter does: the
    default action of SIGPIPE (Python's own is to raise BrokenPipeError, which would print
    "Broken pipe" on stderr, or a traceback at interpreter exit)."""
    import signal

    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)


if __name__ == "__main__":
    main()
