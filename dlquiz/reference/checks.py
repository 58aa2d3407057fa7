"""Argument checks shared by the reference implementations.

The implementations are for small inputs (a card's numbers), and a card's `check:` may call them
with any numbers: `_at_most` refuses, before anything is allocated or looped over, an array or a
loop larger than MAX_VALUES, so `positional_encoding(10**9, 512)` is a ValueError, not 7 GB."""

import numpy as np

MAX_VALUES = 10**6  # values in one array, or steps of one loop; work (multiply-adds) up to 100x that


def _check_int(name, value, minimum):
    """Raise ValueError unless ``value`` is an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def _positive(**values):
    """Check that every keyword value is an integer >= 1; return them in order."""
    return tuple(_check_int(name, value, 1) for name, value in values.items())


def _at_most(what, count, limit=MAX_VALUES):
    """Raise ValueError when ``count`` (values, steps or multiply-adds) exceeds ``limit``."""
    if count > limit:
        raise ValueError(f"too large: {what} would take {count:,} (at most {limit:,}); these implementations are for small inputs")


def _broadcast_size(*shapes):
    """How many values NumPy's broadcast of arrays of these shapes holds (ValueError if none)."""
    size = 1
    for dim in np.broadcast_shapes(*shapes):
        size *= dim
    return size
