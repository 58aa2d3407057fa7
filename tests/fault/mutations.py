"""Damage made to order: the edits the fault campaign made to real files (bit flips, cuts,
splices, overwritten size fields), as plain data, applied by `apply`. Hypothesis draws them with
`edits()`; a plain loop draws them with `random_edits(rng)`. Positions are taken modulo the
length of the data they land in, so any edit applies to any file."""

from __future__ import annotations

import random
import struct

from hypothesis import strategies as st

# (size fields: values a damaged length or offset takes, from nothing to absurd)
SIZES = (0, 1, 7, 8, 255, 256, 65535, 2**31 - 1, 2**31, 2**32 - 1, 2**32, 2**62, 2**63 - 1, 2**63, 2**64 - 1)


def apply(data: bytes, edits: list[tuple]) -> bytes:
    """`data` with the edits made one after the other."""
    out = bytearray(data)
    for edit in edits:
        kind, *args = edit
        n = len(out)
        if kind == "flip" and n:
            at, bit = args
            out[at % n] ^= 1 << (bit % 8)
        elif kind == "cut":
            (at,) = args
            del out[at % (n + 1):]
        elif kind == "delete" and n:
            at, length = args
            del out[at % n: at % n + length]
        elif kind == "insert":
            at, chunk = args
            out[at % (n + 1): at % (n + 1)] = chunk
        elif kind == "copy" and n:  # a splice: a piece of the file written over another place
            source, length, to = args
            piece = bytes(out[source % n: source % n + length])
            out[to % n: to % n + len(piece)] = piece
        elif kind == "u64" and n >= 8:  # a size or offset field set to another number
            at, value = args
            at %= n - 7
            out[at:at + 8] = struct.pack("<Q", value)
        elif kind == "byte" and n:
            at, value = args
            out[at % n] = value
    return bytes(out)


_position = st.integers(0, 2**32)
_edit = st.one_of(
    st.tuples(st.just("flip"), _position, st.integers(0, 7)),
    st.tuples(st.just("cut"), _position),
    st.tuples(st.just("delete"), _position, st.integers(1, 64)),
    st.tuples(st.just("insert"), _position, st.binary(min_size=1, max_size=32)),
    st.tuples(st.just("copy"), _position, st.integers(1, 256), _position),
    st.tuples(st.just("u64"), _position, st.sampled_from(SIZES) | st.integers(0, 2**64 - 1)),
    st.tuples(st.just("byte"), _position, st.integers(0, 255)),
)


def edits(max_size: int = 4) -> st.SearchStrategy[list[tuple]]:
    """Hypothesis: one to `max_size` edits."""
    return st.lists(_edit, min_size=1, max_size=max_size)


def random_edits(rng: random.Random, max_size: int = 4) -> list[tuple]:
    """The same kinds of edits from a plain random generator."""
    result = []
    for _ in range(rng.randint(1, max_size)):
        kind = rng.choice(("flip", "flip", "cut", "delete", "insert", "copy", "u64", "byte"))
        at = rng.randrange(2**32)
        if kind == "flip":
            result.append((kind, at, rng.randrange(8)))
        elif kind == "cut":
            result.append((kind, at))
        elif kind == "delete":
            result.append((kind, at, rng.randint(1, 64)))
        elif kind == "insert":
            result.append((kind, at, rng.randbytes(rng.randint(1, 32))))
        elif kind == "copy":
            result.append((kind, at, rng.randint(1, 256), rng.randrange(2**32)))
        elif kind == "u64":
            result.append((kind, at, rng.choice(SIZES) if rng.random() < 0.7 else rng.randrange(2**64)))
        else:
            result.append((kind, at, rng.randrange(256)))
    return result
