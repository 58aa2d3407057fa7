"""The command-line interface: parse, call the core, render. The only module importing typer.

Every command turns dlquiz's errors into one readable line per problem on stderr and the exit
code of DESIGN.md (0 fine, 1 problems found, 2 bad usage or input). Heavy modules (sympy, numpy,
the deck loader, Rich rendering) are imported inside the commands, so `--help` stays fast.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Callable, List, Optional

import typer

from dlquiz import __version__
from dlquiz.cli import commands
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


_err = commands.err


def _console():
    from rich.console import Console

    return Console(highlight=False)


def handle_errors(command: Callable) -> Callable:
    """Run a command; dlquiz errors become readable stderr lines and their exit code."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except (DlquizError, KeyboardInterrupt, OSError) as exc:
            raise typer.Exit(commands.exit_code(exc)) from None

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


_load = commands.load
_context = commands.context


@app.command()
@handle_errors
def decks(as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table.")) -> None:
    """List every deck: cards, new, due today, leeches, next due day."""
    commands.decks(as_json)


# Rendering options, shared by every command that shows cards (pass both to render.Options).
RAW_MATH_OPTION = typer.Option(False, "--raw-math", help="Show math as its LaTeX source instead of Unicode.")
PLAIN_OPTION = typer.Option(
    False, "--plain", help="No colours or styles (also when NO_COLOR is set or output is not a terminal)."
)


@app.command()
@handle_errors
def show(
    card_id: str = typer.Argument(..., metavar="ID", help="The card's id, e.g. c4w1-conv-layer-params."),
    raw_math: bool = RAW_MATH_OPTION,
    plain: bool = PLAIN_OPTION,
) -> None:
    """Show one card with its answer, explanation and source (a cloze deck card's id: all its clozes)."""
    from dlquiz.render import cards as render

    collection = _load()
    options = render.Options(raw_math=raw_math, plain=plain)
    if card_id not in collection.cards and f"{card_id}-c1" in collection.cards:  # a cloze deck card: all its clozes
        cards = collection.note(card_id)
        view = render.note_view(cards, deck_title=collection.deck(cards[0].deck).title, options=options)
    else:
        card = collection.card(card_id)
        view = render.card_view(card, deck_title=collection.deck(card.deck).title, options=options)
    render.print_card(render.console(options), view)


@app.command()
@handle_errors
def check(
    paths: Optional[List[Path]] = typer.Argument(None, help="Deck files or directories (default: every deck)."),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON (problems still go to stderr)."),
) -> None:
    """Validate decks and run every card's reference check; report how much code checks.

    Exit 0 when everything holds, 1 when a card fails its check, 2 when a deck cannot be read.
    """
    from dlquiz.checking import checks, coverage

    collection = _load(paths)
    report = checks.run(collection)
    for problem in report.problems:
        _err(str(problem))
    n_cards = len(collection.cards)
    summary = (
        f"{len(collection.decks)} decks, {n_cards} cards: {report.checks} reference checks, "
        f"{report.formulas} formulas, {report.templates} templates × {checks.TEMPLATE_DRAWS} draws"
    )
    figures = coverage.coverage(collection.cards.values())
    from dlquiz.review import store as store_module

    orphans: list[str] = []
    store = store_module.open_store(create=False) if not paths else None
    if store is not None:
        with store:
            orphans = store.orphans(collection.cards)
    if as_json:
        import json

        typer.echo(json.dumps({
            "decks": len(collection.decks), "cards": n_cards, "reference_checks": report.checks,
            "formulas": report.formulas, "templates": report.templates, "problems": [str(p) for p in report.problems],
            "orphans": orphans, **figures.to_dict(),
        }, indent=2, ensure_ascii=False))
        if report.problems:
            raise typer.Exit(1)
        return
    if orphans:
        shown = ", ".join(orphans[:5]) + (", ..." if len(orphans) > 5 else "")
        typer.echo(f"{len(orphans)} orphaned card(s) with review history but in no deck (kept): {shown}")
    if report.problems:
        typer.echo(f"{summary}; {len(report.problems)} problem(s)")
        typer.echo(figures.line())
        raise typer.Exit(1)
    typer.echo(f"{summary}; all good")
    typer.echo(figures.line())


@app.command()
@handle_errors
def review(
    decks: Optional[List[str]] = typer.Argument(None, metavar="[DECK]...", help="Deck ids or globs (c4w1, 'c4*'); default: all."),
    tag: Optional[List[str]] = typer.Option(None, "--tag", "-t", help="Only cards with this tag (repeatable)."),
    new: Optional[int] = typer.Option(None, "--new", min=0, help="New cards today (default from config: 20)."),
    reviews: Optional[int] = typer.Option(None, "--reviews", min=0, help="Scheduled reviews today (default from config: 200)."),
    limit: Optional[int] = typer.Option(None, "--limit", "-n", min=1, help="At most this many cards in this session."),
    cram: bool = typer.Option(False, "--cram", help="Review the chosen cards whatever their due date; no schedule changes."),
    raw_math: bool = RAW_MATH_OPTION,
    plain: bool = PLAIN_OPTION,
) -> None:
    """Review today's cards: due reviews first, then new cards (SM-2)."""
    commands.review(decks, tag, new, reviews, limit, cram, raw_math, plain)


@app.command()
@handle_errors
def add(
    deck: Optional[str] = typer.Option(None, "--deck", "-d", metavar="DECK", help="Deck id, e.g. c4w1. A new id creates the deck (give --course, --week, --title)."),
    kind: Optional[str] = typer.Option(None, "--kind", "-k", metavar="KIND", help="basic (default), truefalse, choice, numeric, shape, formula, cloze or order."),
    question: Optional[str] = typer.Option(None, "--question", "-q", metavar="TEXT", help="The question: Markdown, $...$ for LaTeX; a cloze card's text with {{c1::hidden}}."),
    answer: Optional[List[str]] = typer.Option(None, "--answer", "-a", metavar="TEXT", help="The answer (choice: an option's text, repeat for several; order: each step, in order; cloze: none)."),
    option: Optional[List[str]] = typer.Option(None, "--option", "-o", metavar="TEXT", help="A choice of a choice card (repeat, in order)."),
    expr: Optional[str] = typer.Option(None, "--expr", metavar="MATH", help="Formula cards: the formula in plain math, for checking."),
    check: Optional[str] = typer.Option(None, "--check", metavar="CALL", help="A reference call that must give the answer."),
    tolerance: Optional[str] = typer.Option(None, "--tolerance", metavar="X", help="Numeric cards: relative tolerance for typed answers."),
    explain: Optional[str] = typer.Option(None, "--explain", "-e", metavar="TEXT", help="The explanation shown after the answer."),
    note: Optional[str] = typer.Option(None, "--note", metavar="TEXT", help="Where the notes were wrong: what they said."),
    source: Optional[str] = typer.Option(None, "--source", metavar="TEXT", help="The section of the notes the card comes from."),
    tag: Optional[List[str]] = typer.Option(None, "--tag", "-t", metavar="TAG", help="A tag (repeatable)."),
    cite: Optional[str] = typer.Option(None, "--cite", metavar="TEXT", help="A paper card's citation, shown under the answer."),
    card_id: Optional[str] = typer.Option(None, "--id", metavar="ID", help="The card's id (default: <deck>-<words of the question>)."),
    course: Optional[str] = typer.Option(None, "--course", metavar="N", help="New deck: the course number."),
    week: Optional[str] = typer.Option(None, "--week", metavar="N", help="New deck: the week number."),
    title: Optional[str] = typer.Option(None, "--title", metavar="TEXT", help="New deck: its title."),
    course_title: Optional[str] = typer.Option(None, "--course-title", metavar="TEXT", help="New deck: the course's title."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the YAML it would write; write nothing."),
) -> None:
    """Add a card to a deck, keeping the file as you wrote it; prints the new card's id.

    On a terminal, asks for whatever the flags leave out, then shows the card and asks before
    writing. Without a terminal, missing flags are an error.
    """
    from dlquiz.decks import authoring, drafts
    from dlquiz.errors import UsageError

    draft = drafts.Draft(
        deck=deck, kind=kind, question=question, answer=answer or [], options=option or [], expr=expr,
        check=check, tolerance=tolerance, explain=explain, note=note, source=source, tags=tag or [], cite=cite,
        card_id=card_id, course=course, week=week, title=title, course_title=course_title,
    )
    lacking = drafts.missing(draft)
    if lacking and not sys.stdin.isatty():
        raise UsageError(f"missing {', '.join(lacking)} (stdin is not a terminal, so nothing can be asked)")
    console = _console()
    if lacking:
        from dlquiz.cli import interview
        from dlquiz.decks.collection import load_collection

        known = {d.id: d.title for d in load_collection().decks}
        draft = interview.fill(draft, console, known)
    if dry_run or lacking:  # plan without writing, to show the block or the preview
        plan = authoring.plan_add(draft)
        for warning in plan.warnings:
            _err(warning)
        if dry_run:
            typer.echo(plan.block, nl=False)
            sys.stdout.flush()  # the block before the note on stderr, on a shared terminal
            _err(f"dry run: {plan.card_id} would go to {plan.card.where}; nothing written")
            return
        if not interview.confirm(console, plan, "Add this card?"):
            raise authoring.Aborted("nothing added")
    plan = authoring.add(draft)  # planned (again) under the lock: a concurrent add is seen
    for warning in () if lacking else plan.warnings:  # the prompts showed them with the preview
        _err(warning)
    _err(f"added {plan.card_id} to {plan.card.where}" + (" (a new deck)" if plan.created else ""))
    typer.echo(plan.card_id)


@app.command()
@handle_errors
def edit(card_id: str = typer.Argument(..., metavar="ID", help="The card's id, e.g. c4w1-conv-layer-params.")) -> None:
    """Edit one card in $EDITOR and write it back in place. Its id, and so its schedule, is kept."""
    from dlquiz.decks import authoring

    def again(message: str) -> bool:  # on a terminal, a refused edit can be fixed at once
        if not sys.stdin.isatty():
            return False
        _err(message)
        return typer.confirm("Edit it again?", default=True)

    plan = authoring.edit_card(card_id, again)
    if plan is None:
        _err(f"no changes to {card_id}; nothing written")
        return
    for warning in plan.warnings:
        _err(warning)
    _err(f"updated {card_id} in {plan.card.where}")
    typer.echo(card_id)


export_app = typer.Typer(
    help="Export decks to Anki: an .apkg package, or TSV for Anki's text import.",
    no_args_is_help=True, rich_markup_mode=None, context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(export_app, name="export")
_EXPORT_DECKS = typer.Argument(None, metavar="[DECK]...", help="Deck ids or globs (c4w1, 'c4*'); default: all.")


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


@export_app.command("anki")
@handle_errors
def export_anki(
    decks: Optional[List[str]] = _EXPORT_DECKS,
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


@export_app.command("tsv")
@handle_errors
def export_tsv(
    decks: Optional[List[str]] = _EXPORT_DECKS,
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


@app.command()
@handle_errors
def stats(
    decks: Optional[List[str]] = typer.Argument(None, metavar="[DECK]...", help="Deck ids or globs (c4w1, 'c4*'); default: all."),
    as_json: bool = typer.Option(False, "--json", help="Print the same numbers as JSON."),
) -> None:
    """How you are doing and what is coming: calendar, streak, forecast, retention, cards, time."""
    from dlquiz.stats import numbers as stats_module

    collection, store, cfg, _, day = _context()
    try:
        report = stats_module.compute(store, collection, day, cfg, decks)
    finally:
        if store is not None:
            store.close()
    if as_json:
        import json

        typer.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
        return
    from dlquiz.stats import view as statsview

    _console().print(statsview.view(report))


def main() -> None:
    """Entry point for `python -m dlquiz`."""
    app(prog_name="dlquiz")


if __name__ == "__main__":  # pragma: no cover
    main()
