"""The command-line interface: parse, call the core, render. The only module importing typer.

Every command turns dlquiz's errors into one readable line per problem on stderr and the exit
code of DESIGN.md (0 fine, 1 problems found, 2 bad usage or input). Heavy modules (sympy, numpy,
the deck loader, Rich rendering) are imported inside the commands, so `--help` stays fast.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import Callable, List, Optional

import typer

from dlquiz import __version__
from dlquiz.errors import DlquizError

app = typer.Typer(
    name="dlquiz",
    help="Spaced-repetition flashcards for the Deep Learning Specialization, answers checked by code.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: no Rich or Markdown import on --help, so start-up stays fast
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _err(line: str) -> None:
    sys.stderr.write(line + "\n")


def _console():
    from rich.console import Console

    return Console(highlight=False)


def handle_errors(command: Callable) -> Callable:
    """Run a command; dlquiz errors become readable stderr lines and their exit code."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except DlquizError as exc:
            for line in exc.lines():
                _err(line)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            _err("interrupted")
            raise typer.Exit(130) from None
        except OSError as exc:
            where = f": {exc.filename}" if getattr(exc, "filename", None) else ""
            _err(f"{exc.strerror or exc}{where}")
            raise typer.Exit(2) from None

    return wrapper


def _version(value: bool) -> None:
    if value:
        typer.echo(f"dlquiz {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
) -> None:
    """Spaced-repetition flashcards for the Deep Learning Specialization."""


def _load(paths: Optional[List[Path]] = None):
    from dlquiz import decks

    if not paths:
        return decks.load_collection()
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(decks.discover([path]))
        elif path.exists():
            files.append(path)
        else:
            raise DlquizError(f"{path}: no such file or directory")
    return decks.load_collection(paths=files)


@app.command()
@handle_errors
def decks(as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table.")) -> None:
    """List every deck: cards, new, due today."""
    collection = _load()
    rows = [
        {
            "id": deck.id, "course": deck.course, "week": deck.week, "title": deck.title,
            "path": deck.path, "cards": len(deck.cards), "new": len(deck.cards), "due": 0,
        }
        for deck in collection.decks
    ]
    if as_json:
        import json

        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    from rich.table import Table

    table = Table(title=None, box=None, pad_edge=False, header_style="bold")
    for name, justify in (("deck", "left"), ("title", "left"), ("cards", "right"), ("new", "right"), ("due", "right")):
        table.add_column(name, justify=justify)
    for row in rows:
        table.add_row(row["id"], row["title"], str(row["cards"]), str(row["new"]), str(row["due"]))
    total = sum(r["cards"] for r in rows)
    table.add_section()
    table.add_row(f"{len(rows)} decks", "", str(total), str(sum(r["new"] for r in rows)), str(sum(r["due"] for r in rows)))
    _console().print(table)


@app.command()
@handle_errors
def show(card_id: str = typer.Argument(..., metavar="ID", help="The card's id, e.g. c4w1-conv-layer-params.")) -> None:
    """Show one card with its answer, explanation and source."""
    from dlquiz import render

    collection = _load()
    card = collection.card(card_id)
    deck = collection.deck(card.deck)
    _console().print(render.card_view(card, deck_title=deck.title))


@app.command()
@handle_errors
def check(paths: Optional[List[Path]] = typer.Argument(None, help="Deck files or directories (default: every deck).")) -> None:
    """Validate decks and run every card's reference check.

    Exit 0 when everything holds, 1 when a card fails its check, 2 when a deck cannot be read.
    """
    from dlquiz import checks

    collection = _load(paths)
    report = checks.run(collection)
    for problem in report.problems:
        _err(str(problem))
    n_cards = len(collection.cards)
    summary = (
        f"{len(collection.decks)} decks, {n_cards} cards: {report.checks} reference checks, "
        f"{report.formulas} formulas"
    )
    if report.problems:
        typer.echo(f"{summary}; {len(report.problems)} problem(s)")
        raise typer.Exit(1)
    typer.echo(f"{summary}; all good")


def main() -> None:
    """Entry point for `python -m dlquiz`."""
    app(prog_name="dlquiz")


if __name__ == "__main__":  # pragma: no cover
    main()
