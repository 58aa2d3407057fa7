"""Words for people: a count with its noun in the right number (`1 deck`, `2 decks`), and a short
list of names (`c4w1 (25), c4w2 (15) and 2 other decks`). Plain strings, no Rich: any layer above
the base may use them, so every message counts the same way.
"""

from __future__ import annotations


def plural(count: int, word: str, many: str | None = None) -> str:
    """`1 card`, `2 cards`, `0 cards`; `many` for an irregular plural."""
    return f"{count} {word if count == 1 else many or word + 's'}"


def names(items: list[tuple[str, int]], most: int = 3, what: str = "deck") -> str:
    """`c4w1` for one item; `c4w1 (25), c4w2 (15)` for several, with their counts; past `most`,
    `and 2 other decks`."""
    if len(items) == 1:
        return items[0][0]
    shown = ", ".join(f"{name} ({count})" for name, count in items[:most])
    rest = len(items) - most
    return shown + (f" and {plural(rest, 'other ' + what)}" if rest > 0 else "")
