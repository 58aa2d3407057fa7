"""The commands about single cards and tags: `show`, `suspend`, `unsuspend`, `tags`. Plain
functions with Typer's parameter declarations; dlquiz.cli.app registers them on the app, wrapped
in its error handling, so they raise dlquiz's errors and never exit themselves.
"""

from __future__ import annotations

from typing import List

import typer

from dlquiz.cli import commands, complete

# Rendering options, shared by every command that shows cards (pass both to render.Options).
RAW_MATH_OPTION = typer.Option(False, "--raw-math", help="Show math as its LaTeX source instead of Unicode.")
PLAIN_OPTION = typer.Option(
    False, "--plain", help="No colours or styles (also when NO_COLOR is set or output is not a terminal)."
)
_ID = typer.Argument(..., metavar="ID", help="The card's id, e.g. c4w1-conv-layer-params.",
                     autocompletion=complete.card_ids)
_IDS = typer.Argument(..., metavar="ID...", help="Card ids, e.g. c4w1-conv-layer-params.",
                      autocompletion=complete.card_ids)


def show(
    card_id: str = _ID,
    history: bool = typer.Option(False, "--history", help="Also list every answer: day, kind, grade, interval, E-Factor."),
    raw_math: bool = RAW_MATH_OPTION,
    plain: bool = PLAIN_OPTION,
) -> None:
    """Show one card (or a cloze card's clozes) and its schedule."""
    from dlquiz.render import cards as render
    from dlquiz.review.info import card_info

    collection, store, _, _, day = commands.context()
    options = render.Options(raw_math=raw_math, plain=plain)
    console = render.console(options)
    if card_id not in collection.cards and f"{card_id}-c1" in collection.cards:  # a cloze deck card: all its clozes
        if store is not None:
            store.close()
        cards = collection.note(card_id)
        render.print_card(console, render.note_view(cards, deck_title=collection.deck(cards[0].deck).title, options=options))
        return
    try:
        card = collection.card(card_id)
        info = card_info(store, card.id, day)
    finally:
        if store is not None:
            store.close()
    deck = collection.deck(card.deck)
    render.print_card(console, render.card_view(card, deck_title=deck.title, schedule=render.schedule_line(info),
                                                options=options))
    if history:
        console.print(render.history_view(info))


def _set_suspended(card_ids: List[str], suspended: bool) -> None:
    from dlquiz import paths

    collection, store, _, _, day = commands.context(create_store=True)
    with store:
        for card_id in card_ids:
            collection.card(card_id)  # NotFound (exit 1) for an unknown id, before anything is written
        for card_id in card_ids:
            changed = store.set_suspended(card_id, suspended, day, paths.now())
            what = "suspended" if suspended else "unsuspended"
            print(f"{what} {card_id}" if changed else f"{card_id} was not suspended" if not suspended
                  else f"{card_id} was already suspended")


def suspend(card_ids: List[str] = _IDS) -> None:
    """Take cards out of every queue until you unsuspend them.

    As Anki's suspend: the schedule is kept, and `dlquiz unsuspend` brings them back.
    """
    _set_suspended(card_ids, True)


def unsuspend(card_ids: List[str] = _IDS) -> None:
    """Put suspended cards back in the queues, schedules kept."""
    _set_suspended(card_ids, False)


def tags(as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table.")) -> None:
    """List every tag with the number of cards that carry it."""
    from dlquiz.decks.collection import tag_counts

    counts = tag_counts(commands.load())
    if as_json:
        import json

        print(json.dumps([{"tag": tag, "cards": n} for tag, n in counts.items()], indent=2, ensure_ascii=False))
        return
    from dlquiz.render import columns
    from dlquiz.render.words import plural

    columns.echo(["tag", "cards"], [[tag, str(n)] for tag, n in counts.items()], right={1},
                 footer=[plural(len(counts), "tag"), ""])
