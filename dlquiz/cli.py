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


def _context(create_store: bool = False):
    """The collection, the store (None if there is none and none is wanted), the config and today."""
    from dlquiz import config as config_module, paths, session, store as store_module

    collection = _load()
    store = store_module.open_store(create=create_store)
    cfg = config_module.load(paths.home())
    now = paths.now()
    return collection, store, cfg, now, session.today(store, now, cfg.rollover_hour)


@app.command()
@handle_errors
def decks(as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table.")) -> None:
    """List every deck: cards, new, due today, leeches, next due day."""
    from dlquiz import session

    collection, store, cfg, _, day = _context()
    try:
        counts = session.deck_counts(collection, store, day, cfg)
    finally:
        if store is not None:
            store.close()
    rows = [
        {"id": deck.id, "course": deck.course, "week": deck.week, "title": deck.title, "path": deck.path, **counts[deck.id]}
        for deck in collection.decks
    ]
    if as_json:
        import json

        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    from rich.table import Table

    table = Table(box=None, pad_edge=False, header_style="bold")
    columns = ("cards", "new", "due", "leech")
    table.add_column("deck")
    table.add_column("title")
    for name in columns:
        table.add_column(name, justify="right")
    table.add_column("next due")
    for row in rows:
        table.add_row(row["id"], row["title"], *(str(row[c]) for c in columns), row["next_due"] or "")
    table.add_section()
    upcoming = [r["next_due"] for r in rows if r["next_due"]]
    table.add_row(f"{len(rows)} decks", f"today is {day.isoformat()}", *(str(sum(r[c] for r in rows)) for c in columns), min(upcoming, default=""))
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
    from dlquiz import store as store_module

    store = store_module.open_store(create=False) if not paths else None
    if store is not None:
        with store:
            orphans = store.orphans(collection.cards)
        if orphans:
            shown = ", ".join(orphans[:5]) + (", ..." if len(orphans) > 5 else "")
            typer.echo(f"{len(orphans)} orphaned card(s) with review history but in no deck (kept): {shown}")
    if report.problems:
        typer.echo(f"{summary}; {len(report.problems)} problem(s)")
        raise typer.Exit(1)
    typer.echo(f"{summary}; all good")


@app.command()
@handle_errors
def review(
    decks: Optional[List[str]] = typer.Argument(None, metavar="[DECK]...", help="Deck ids or globs (c4w1, 'c4*'); default: all."),
    tag: Optional[List[str]] = typer.Option(None, "--tag", "-t", help="Only cards with this tag (repeatable)."),
    new: Optional[int] = typer.Option(None, "--new", min=0, help="New cards today (default from config: 20)."),
    reviews: Optional[int] = typer.Option(None, "--reviews", min=0, help="Scheduled reviews today (default from config: 200)."),
    limit: Optional[int] = typer.Option(None, "--limit", "-n", min=1, help="At most this many cards in this session."),
    cram: bool = typer.Option(False, "--cram", help="Review the chosen cards whatever their due date; no schedule changes."),
) -> None:
    """Review today's cards: due reviews first, then new cards (SM-2)."""
    from dlquiz import paths, reviewer, session as session_module

    collection, store, cfg, _, day = _context(create_store=True)
    with store:
        session_module.remember_day(store, day)
        session = session_module.Session(
            collection, store, day=day, now=paths.now, config=cfg, patterns=decks, tags=tag,
            limit=limit, new_limit=new, review_limit=reviews, cram=cram,
        )
        console = _console()
        if session.current is None:
            summary = session.summary()
            upcoming = f" Next due: {summary['next_due']}." if summary["next_due"] else ""
            console.print(f"Nothing to review today ({day.isoformat()}).{upcoming}")
            return
        summary = reviewer.Reviewer(session, console).run()
        reviewer.print_summary(console, summary)


def main() -> None:
    """Entry point for `python -m dlquiz`."""
    app(prog_name="dlquiz")


if __name__ == "__main__":  # pragma: no cover
    main()
