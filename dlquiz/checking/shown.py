"""How expected answers are written and shown: shapes (`[4, 1]`, `(4, 1)`, `4×1`) and numbers
(`7,600`, `0.1429`). Deck validation reads shape answers with `parse_shape`; typed-answer
checking, worked solutions of parametric cards and feedback show values with `show_number` and
`show_shape`. No other dlquiz module is needed here.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

_DIM_SPLIT = re.compile(r",|×|\*|(?<=\d)\s*x\s*(?=\d)|\s+x\s+")
_DIM_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_{}\[\]^'-]*\Z")


def parse_shape(value: Any) -> tuple | None:
    """A shape answer as a tuple of dims (ints or symbol names), or None if it is not one."""
    if isinstance(value, str):
        text = value.strip()
        if text[:1] in "([" and text[-1:] in ")]":
            text = text[1:-1]
        parts = [p.strip() for p in _DIM_SPLIT.split(text) if p.strip()]
        value = [int(p) if re.fullmatch(r"\d{1,16}", p) else p for p in parts]  # (longer: no dimension, and over 4,300 digits int() raises)
    if not isinstance(value, list) or not value:
        return None
    dims = []
    for dim in value:
        if isinstance(dim, int) and not isinstance(dim, bool) and dim >= 0:
            dims.append(dim)
        elif isinstance(dim, str) and _DIM_RE.match(dim.strip()):
            dims.append(dim.strip())
        else:
            return None
    return tuple(dims)


def show_shape(dims: tuple) -> str:
    """A shape as Python prints it: `(4, 1)`, `(4,)`."""
    return "(" + ", ".join(str(d) for d in dims) + ("," if len(dims) == 1 else "") + ")"


def show_number(value: Any, digits: int = 4) -> str:
    """A number as feedback shows it: `7,600`, `0.1429`, `2.5e-05`, `−3` (a minus sign, as the
    cards' math shows it, not a hyphen)."""
    return minus(_number(value, digits))


def minus(text: str) -> str:
    """A number's text with its leading hyphen as a minus sign: `-3` -> `−3`."""
    return "−" + text[1:] if text.startswith("-") else text


def _number(value: Any, digits: int) -> str:
    if isinstance(value, Fraction) and value.denominator == 1:
        value = value.numerator
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    value = float(value)
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    return format(value, f",.{digits}g")
