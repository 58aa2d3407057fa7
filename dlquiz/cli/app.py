"""The command-line interface: parse, call the core, render. The only module importing typer.

Every command turns dlquiz's errors into one readable line per problem on stderr and the exit
code of DESIGN.md (0 fine, 1 problems found, 2 bad usage or input). Heavy modules (sympy, numpy,
the deck loader, Rich rendering) are imported inside the commands, so `--help` stays fast.
"""

from __future__ import annotations

import functools
import inspect
import sys
from enum import Enum
from pathlib import Path
from typing import Callable, List, Optional

import typer
from typer.core import TyperGroup

from dlquiz import __version__
from dlquiz.cli import cards, commands, complete, export, sharing

class Commands(TyperGroup):
    """A command group whose `--help` lists each command with the first line of its docstring,
    whole: Click would cut it at the terminal's width with `...`; a long one wraps instead."""

    def get_command(self, ctx, name):
        command = super().get_command(ctx, name)
        if command is not None and not command.short_help and command.help:
            command.short_help = inspect.cleandoc(command.help).splitlines()[0]
        return command


app = typer.Typer(
    name="dlquiz",
    cls=Commands,
    help="Spaced-repetition flashcards for the Deep Learning Specialization, answers checked by code.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion, --show-completion (dlquiz.cli.complete)
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
        except BaseException as exc:
            if isinstance(exc, typer.Exit) or not commands.reported(exc):
                raise
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

DECKS_ARGUMENT, CARD_ID_ARGUMENT = complete.DECKS_ARGUMENT, complete.CARD_ID_ARGUMENT


@app.command()
@handle_errors
def decks(as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table.")) -> None:
    """List every deck: cards, new, due, suspended, leeches, next due."""
    commands.decks(as_json)


class SchedulerName(str, Enum):
    sm2 = "sm2"
    fsrs = "fsrs"


RAW_MATH_OPTION, PLAIN_OPTION = cards.RAW_MATH_OPTION, cards.PLAIN_OPTION
for _command in (cards.show, cards.tags, cards.suspend, cards.unsuspend, sharing.sync):
    app.command()(handle_errors(_command))


@app.command()
@handle_errors
def check(
    paths: Optional[List[Path]] = typer.Argument(None, help="Deck files or directories (default: every deck)."),
    functions: bool = typer.Option(False, "--functions", help="List the functions a card's check: may call, and exit."),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON (problems still go to stderr)."),
) -> None:
    """Validate decks and run every card's reference check.

    Then reports the share of deck cards checked by code and the word counts of self-graded answers.

    Exit 0 when everything holds, 1 when a card fails its check, 2 when a deck cannot be read.
    """
    from dlquiz.checking import checks, coverage

    if functions:
        for call, summary in checks.functions_help():
            typer.echo(f"{call}\n    {summary}")
        return

    collection = _load(paths)
    report = checks.run(collection)
    for problem in report.problems:
        _err(str(problem))
    n_cards = len(collection.cards)
    from dlquiz.render.words import plural

    summary = (
        f"{plural(len(collection.decks), 'deck')}, {plural(n_cards, 'card')}: {plural(report.checks, 'reference check')}, "
        f"{plural(report.formulas, 'formula')}, {plural(report.templates, 'template')} × {checks.TEMPLATE_DRAWS} draws"
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
        typer.echo(f"{plural(len(orphans), 'orphaned card')} with review history but in no deck (kept): {shown}")
    if report.problems:
        typer.echo(f"{summary}; {plural(len(report.problems), 'problem')}")
        typer.echo(figures.line())
        raise typer.Exit(1)
    typer.echo(f"{summary}; all good")
    typer.echo(figures.line())


@app.command()
@handle_errors
def review(
    decks: Optional[List[str]] = DECKS_ARGUMENT,
    tag: Optional[List[str]] = typer.Option(None, "--tag", "-t", help="Only cards with this tag (repeatable)."),
    new: Optional[int] = typer.Option(None, "--new", min=0, metavar="N", help="Up to N new cards more than today's limit (config new_per_day, 20) still allows, in this session."),
    reviews: Optional[int] = typer.Option(None, "--reviews", min=0, metavar="N", help="Up to N reviews more than today's limit (config reviews_per_day, 200) still allows, in this session."),
    limit: Optional[int] = typer.Option(None, "--limit", "-n", min=1, help="At most this many cards in this session."),
    cram: bool = typer.Option(False, "--cram", help="Review the chosen cards whatever their due date; no schedule changes."),
    raw_math: bool = RAW_MATH_OPTION,
    plain: bool = PLAIN_OPTION,
    scheduler: Optional[SchedulerName] = typer.Option(
        None, "--scheduler", metavar="sm2|fsrs", case_sensitive=False,
        help="Schedule with SM-2 or FSRS for this session (default: config.toml's scheduler, else sm2)."),
) -> None:
    """Review today's cards: due reviews first, then new cards.

    Scheduled by SM-2, or by FSRS when chosen (config.toml's `scheduler`, or --scheduler).
    """
    commands.review(decks, tag, new, reviews, limit, cram, raw_math, plain, scheduler and scheduler.value)


@app.command()
@handle_errors
def add(
    deck: Optional[str] = typer.Option(None, "--deck", "-d", metavar="DECK", help="Deck id, e.g. c4w1. A new id creates the deck (give --course, --week, --title).",
                                       autocompletion=complete.deck_ids),
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
    """Add a card to a deck; prints the new card's id.

    The deck file keeps everything as you wrote it: the card's lines are added. On a terminal,
    asks for whatever the flags leave out, then shows the card and asks before writing; a card
    refused then is offered in $EDITOR, or kept in a file. Without a terminal, missing flags are
    an error.
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
    if lacking:
        from dlquiz.cli import interview

        console = _console()
        draft = interview.fill(draft, console, *authoring.decks_for_adding())
    if dry_run:  # plan without writing, to show the block
        plan = authoring.plan_add(draft)
        for warning in plan.warnings:
            _err(warning)
        typer.echo(plan.block, nl=False)
        sys.stdout.flush()  # the block before the note on stderr, on a shared terminal
        _err(f"dry run: {plan.card_id} would go to {plan.card.where}; nothing written")
        return
    # planned (again) under the lock: a concurrent add is seen; on a terminal, shown and confirmed first
    plan = interview.write(draft, console) if lacking else authoring.add(draft)
    for warning in () if lacking else plan.warnings:  # the prompts showed them with the preview
        _err(warning)
    _err(f"added {plan.card_id} to {plan.card.where}" + (" (a new deck)" if plan.created else ""))
    typer.echo(plan.card_id)


@app.command()
@handle_errors
def edit(card_id: str = CARD_ID_ARGUMENT) -> None:
    """Edit one card in $EDITOR and write it back in place.

    Its id, and so its schedule, is kept.
    """
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
    cls=Commands,
    help="Export decks to Anki, as an .apkg package or TSV.",
    no_args_is_help=True, rich_markup_mode=None, context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(export_app, name="export")


for _name, _command in (("anki", export.export_anki), ("tsv", export.export_tsv)):
    export_app.command(_name)(handle_errors(_command))


import_app = typer.Typer(
    help="Bring back the reviews you made elsewhere: in Anki.",
    no_args_is_help=True, rich_markup_mode=None, context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(import_app, name="import")
import_app.command("anki")(handle_errors(sharing.import_anki))


@app.command()
@handle_errors
def stats(
    decks: Optional[List[str]] = DECKS_ARGUMENT,
    as_json: bool = typer.Option(False, "--json", help="Print the same numbers as JSON."),
    schedulers: bool = typer.Option(False, "--schedulers", help="SM-2 and FSRS on your log: which predicts your memory better."),
) -> None:
    """How you are doing: calendar, retention, forecast, time.

    Also the streak, cards by state, time per day, and E-Factor and interval histograms;
    with --schedulers, SM-2 and FSRS judged on your own log.
    """
    if schedulers:
        from dlquiz.cli import scheduling

        return scheduling.compare(decks, as_json, typer.echo, _console)
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


@app.command()
@handle_errors
def optimize(yes: bool = typer.Option(False, "--yes", "-y", help="Write the fitted parameters without asking.")) -> None:
    """Fit FSRS to your review log and save its parameters.

    Shows the fitted parameters and their log loss on your log, then asks. Needs at least 400
    scheduled reviews and the optimizer: pip install 'dlquiz[optimizer]'.
    """
    from dlquiz.cli import scheduling

    def confirm(question: str) -> bool:
        try:
            return typer.confirm(question, default=False)
        except typer.Abort:  # end of input: no answer is no
            return False

    scheduling.optimize(yes, confirm, typer.echo, _err)


def main() -> None:
    """Entry point for `python -m dlquiz`."""
    app(prog_name="dlquiz")


if __name__ == "__main__":  # pragma: no cover
    main()
