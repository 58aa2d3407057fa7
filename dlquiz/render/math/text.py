"""LaTeX math -> readable Unicode for a terminal: `inline()` gives one line (fractions as
`a/(b + c)`, scripts as `x²`, `β₁`, or `W^[l]` where Unicode has no such character), `display()`
gives several lines laid out like a 2-D pretty printer (stacked fractions, limits above and
below ∑, tall brackets, a radical over its radicand). Never raises on bad input: what cannot be
read stays as its source. No Rich here, so exporters and prompts can use it too.

The parsing is dlquiz.render.math.parse (on pylatexenc), the layouts dlquiz.render.math.line and dlquiz.render.math.box.
"""

from __future__ import annotations

from functools import lru_cache

from dlquiz.render.math.box import box
from dlquiz.render.math.line import one_line, width
from dlquiz.render.math.nodes import Row
from dlquiz.render.math.parse import parse

__all__ = ["display", "inline", "width"]


def _fallback_errors() -> tuple[type[BaseException], ...]:
    from pylatexenc.latexwalker import LatexWalkerError

    return (LatexWalkerError, RecursionError)


@lru_cache(maxsize=4096)
def inline(latex: str) -> str:
    """`latex` (math, without `$`) as one line of Unicode text."""
    try:
        return one_line(_tree(latex), False).strip()
    except _fallback_errors():
        return latex.strip()


@lru_cache(maxsize=1024)
def display(latex: str) -> tuple[str, ...]:
    """`latex` (math, without `$$`) laid out on as many lines as it needs, trailing blanks cut."""
    try:
        laid_out = box(_tree(latex))
    except _fallback_errors():
        return (latex.strip(),)
    return tuple(line.rstrip() for line in laid_out.lines)


@lru_cache(maxsize=256)
def _tree(latex: str) -> Row:
    """Parsed once for both layouts (a display formula too wide for the terminal goes inline);
    the layouts only read the tree."""
    return parse(latex)
