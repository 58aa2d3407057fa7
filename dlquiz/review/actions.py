"""The review screen's side keys, besides showing and grading: `u` undo, `s` bury, `!` suspend,
`e` edit the card in $EDITOR, `i` the card's info; the offer to suspend a leech; and the page on
screen, kept so that it can be drawn again (after Ctrl-Z and `fg`, or an editor).

Each key's function takes the `screen.Reviewer` and returns True when the card on screen changed
(the screen then draws the current card afresh), False when the learner stays where they were.
Terminal UI: imports Rich, the core (dlquiz.review, dlquiz.decks.authoring) and dlquiz.render.
"""

from __future__ import annotations

from typing import Any, Callable

from rich.console import Console, RenderHook
from rich.text import Text

from dlquiz.errors import DlquizError
from dlquiz.review.keys import Resumed

Reviewer = Any  # dlquiz.review.screen.Reviewer (which imports this module)


class Page(RenderHook):
    """Everything printed for the card on screen, to draw it all again."""

    def __init__(self, console: Console):
        self.console = console
        self.printed: list = []
        self._drawing = False

    def process_renderables(self, renderables):
        if not self._drawing:
            self.printed.append(list(renderables))  # one print call
        return renderables

    def new(self) -> None:
        """A new card: what was printed before is no longer the page."""
        self.printed = []

    def redraw(self, keep: int | None = None) -> None:
        """Clear the terminal and print the page again (its first `keep` prints only, if given)."""
        if keep is not None:
            del self.printed[keep:]
        self._drawing = True
        try:
            self.console.clear()
            for renderables in self.printed:
                self.console.print(*renderables)
        finally:
            self._drawing = False


def _note(reviewer: Reviewer, text: str, style: str = "dim") -> None:
    reviewer.console.print(Text(text, style=style))


def undo(reviewer: Reviewer) -> bool:
    action = reviewer.session.undo()
    if action is None:
        _note(reviewer, "Nothing to undo.")  # the card stays as it is: nothing to draw again
        return False
    what = {"grade": "grade", "bury": "burial", "suspend": "suspension"}[action.what]
    _note(reviewer, f"Undid the {what} of {action.item.card_id}.")
    return True


def bury(reviewer: Reviewer) -> bool:
    card_id = reviewer.session.current.card_id
    reviewer.session.bury()
    _note(reviewer, f"Buried {card_id} until tomorrow.")
    return True


def suspend(reviewer: Reviewer) -> bool:
    item = reviewer.session.suspend()
    _note(reviewer, f"Suspended {item.card_id}: out of every queue until dlquiz unsuspend {item.card_id} (u undoes).")
    return True


def info(reviewer: Reviewer) -> bool:
    from dlquiz.render import cards as render
    from dlquiz.review.info import card_info

    session = reviewer.session
    reviewer.console.print(render.info_view(card_info(session.store, session.current.card_id, session.day)))
    return False


def edit(reviewer: Reviewer) -> bool:
    """Edit the card on screen as `dlquiz edit` does (validated, written in place, the schedule
    kept), then show it; a card that cannot be written is refused before any editor opens."""
    from dlquiz.decks import authoring

    session, keys = reviewer.session, reviewer.keys
    card_id = session.current.card_id
    try:
        started = authoring.start_edit(card_id)
    except DlquizError as error:
        _note(reviewer, f"Cannot edit {card_id}: {error}", "bold yellow")
        return False

    def again(message: str) -> bool:
        reviewer.console.print(Text(message, style="bold yellow"))
        answer = keys.line("Edit it again? [Y/n] ")
        return answer is not None and answer.strip().lower() in ("", "y", "yes")

    before = len(reviewer.page.printed)  # the card as it was, without the editor's questions
    try:
        with keys.paused():
            plan = authoring.edit_card(card_id, again, started)
    except DlquizError as error:
        reviewer.page.redraw(keep=before)
        _note(reviewer, str(error), "bold yellow")
        return False
    if plan is None:
        reviewer.page.redraw(keep=before)
        _note(reviewer, f"No changes to {card_id}.")
        return False
    session.replace_card(plan.card)
    for warning in plan.warnings:
        _note(reviewer, warning, "yellow")
    _note(reviewer, f"Updated {card_id} in {plan.card.where}.")
    return True


def offer_suspension(reviewer: Reviewer, card_id: str, lapses: int) -> None:
    """A grade made the card a leech: say so, and suspend it if the next key is `!`."""
    reviewer.console.print(Text(f"Leech: {card_id} has lapsed {lapses} times. Rewrite it (e edits it) or split it.\n"
                                "! suspends it (until dlquiz unsuspend), any other key goes on.", style="bold yellow"))
    while True:
        try:
            key = reviewer.keys.key()
            break
        except Resumed:
            reviewer.page.redraw()
    if key == "!":
        reviewer.session.suspend(graded=True)
        _note(reviewer, f"Suspended {card_id} until dlquiz unsuspend {card_id} (u undoes).")


SIDE_KEYS: dict[str, Callable[[Reviewer], bool]] = {"u": undo, "s": bury, "!": suspend, "e": edit, "i": info}
