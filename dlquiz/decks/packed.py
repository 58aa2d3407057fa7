"""A deck as the parsed-deck cache (dlquiz.decks.cache) keeps it: its card ids as one text, one
id a line, and its cards packed one by one, each read back from bytes already verified.

Packed cards are a table of where each card starts (little-endian u32, one more than there are
cards), then each card's marshal: a plain tuple in Card's field order, its path left empty (the
path shown depends on the working directory). One card is read without the others, so a review
session builds the cards it shows, not the decks they are in.
"""

from __future__ import annotations

import marshal
import struct

from dlquiz.model import Card

CARD_FIELDS = tuple(Card.__dataclass_fields__)


def pack(cards: list[Card]) -> bytes:
    """A deck's cards packed (ValueError for a value marshal cannot hold)."""
    blobs = [marshal.dumps(tuple("" if name == "path" else getattr(card, name) for name in CARD_FIELDS)) for card in cards]
    offsets, at = [], 4 * (len(blobs) + 1)
    for blob in blobs:
        offsets.append(at)
        at += len(blob)
    offsets.append(at)
    return struct.pack(f"<{len(offsets)}I", *offsets) + b"".join(blobs)


def unpack(packed: bytes, count: int, start: int = 0, stop: int | None = None) -> list[Card] | None:
    """Cards start..stop-1 (all by default) of a deck of `count` cards from its packed bytes
    (verified by their checksum: this is for a cache written by a broken dlquiz); None when the
    table or a card does not hold."""
    stop = count if stop is None else stop
    head = 4 * (count + 1)
    if not 0 <= start <= stop <= count or len(packed) < head:
        return None
    offsets = struct.unpack_from(f"<{stop - start + 1}I", packed, 4 * start)
    if offsets[0] < head or offsets[-1] > len(packed) or any(a > b for a, b in zip(offsets, offsets[1:])) \
            or (start == 0 and offsets[0] != head) or (stop == count and offsets[-1] != len(packed)):
        return None
    view = memoryview(packed)
    try:
        rows = [marshal.loads(view[a:b]) for a, b in zip(offsets, offsets[1:])]
        cards = [Card(*row) for row in rows if type(row) is tuple and len(row) == len(CARD_FIELDS)]
    except Exception:
        return None
    return cards if len(cards) == len(rows) else None


def ids_text(data: bytes, count: int) -> str | None:
    """The text of `count` ids, one a line, from their bytes; None when it is not that."""
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        return None
    lines = text.count("\n") + 1 if text else 0
    return text if lines == count and "\n\n" not in text and not text.endswith("\n") and not text.startswith("\n") else None
