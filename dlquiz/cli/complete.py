"""Shell completion of deck ids and card ids: `dlquiz review c4<Tab>`, `dlquiz show c4w1-con<Tab>`.

Typer calls these while the shell completes a word (`dlquiz --install-completion` sets that up;
the shell runs `dlquiz` with `_DLQUIZ_COMPLETE` set, which never takes the quick path of
dlquiz.cli.launch). They read the decks as every command does, through the parsed-deck cache,
and never fail: with an unreadable deck or store they complete nothing. Each completion comes
with a short description (the deck's title, the start of the card's question), which zsh, fish
and PowerShell show next to it.
"""

from __future__ import annotations

import typer

from dlquiz.errors import DlquizError

DESCRIBED = 100  # more matching cards than this: ids only (describing them would build every card)
_QUESTION = 50  # characters of a card's question shown beside its id


def _collection():
    from dlquiz.decks.collection import load_collection

    try:
        return load_collection()
    except (DlquizError, OSError):
        return None


def deck_ids(incomplete: str) -> list[tuple[str, str]]:
    """Deck ids starting with what was typed, with their titles."""
    collection = _collection()
    if collection is None:
        return []
    return [(deck.id, deck.title) for deck in collection.decks if deck.id.startswith(incomplete)]


def card_ids(incomplete: str) -> list[tuple[str, str]] | list[str]:
    """Card ids starting with what was typed, with the start of their questions."""
    collection = _collection()
    if collection is None:
        return []
    matches = [card_id for card_id in collection.cards if card_id.startswith(incomplete)]
    if len(matches) > DESCRIBED:
        return matches
    return [(card_id, _short(collection.cards[card_id].question or "")) for card_id in matches]


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _QUESTION else text[: _QUESTION - 1] + "…"


# Arguments shared by several commands; the shell completes their values.
DECKS_ARGUMENT = typer.Argument(None, metavar="[DECK]...", help="Deck ids or globs (c4w1, 'c4*'); default: all.",
                                autocompletion=deck_ids)
CARD_ID_ARGUMENT = typer.Argument(..., metavar="ID", help="The card's id, e.g. c4w1-conv-layer-params.",
                                  autocompletion=card_ids)
