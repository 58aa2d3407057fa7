"""Argument checks shared by the reference implementations."""

import numpy as np


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
