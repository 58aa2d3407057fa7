"""A cloze deck card as an Anki note of a cloze note type: one note for all its clozes, whose text
keeps the `{{c1::...}}` markup so that Anki makes one card per cloze number and renders the
hidden part itself (inside MathJax too).

Anki reads a cloze up to the first `}}` and takes a top-level `::` as the start of the hint,
where dlquiz reads LaTeX braces balanced (dlquiz.cloze). So the text is rewritten for Anki: a
`}}` inside a hidden part or hint becomes `} }`, a hidden part ending in `}` gets a space before
the closing `}}`, and a `::` inside one becomes `: :` (in LaTeX math the spaces change nothing).
"""

from __future__ import annotations

from dlquiz import cloze


def _for_anki(part: str, last: bool) -> str:
    """A hidden part or hint as Anki reads it; `last` when the cloze's closing `}}` follows it."""
    part = part.replace("::", ": :")
    while "}}" in part:  # `}}}` needs two passes
        part = part.replace("}}", "} }")
    return part + " " if last and part.endswith("}") else part


def anki_text(text: str) -> str:
    """The card's text with its clozes written as Anki reads them."""

    def written(item: cloze.Cloze) -> str:
        hint = f"::{_for_anki(item.hint, True)}" if item.hint is not None else ""
        return f"{{{{c{item.number}::{_for_anki(item.content, item.hint is None)}{hint}}}}}"

    return cloze.replace(text, cloze.find(text), written)

