"""Plain aligned columns for list output (`dlquiz decks`), without Rich's Table.

The deck list is a grid of short cells; Rich's Table lays out every cell through its renderable
machinery, which on a 100-deck collection took longer than loading the decks. This prints the
same layout directly: columns two spaces apart, numbers right-aligned, the one wrappable column
wrapped at word boundaries when the terminal is too narrow, the header in bold on a terminal
(unless NO_COLOR is set).
"""

from __future__ import annotations

import os
import shutil
import sys
from typing import TextIO

from rich.cells import cell_len


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in text.split():
        while cell_len(word) > width:  # a word longer than the column: cut
            if line:
                lines.append(line)
                line = ""
            cut = width
            while cell_len(word[:cut]) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        if not line:
            line = word
        elif cell_len(line) + 1 + cell_len(word) <= width:
            line += " " + word
        else:
            lines.append(line)
            line = word
    return [*lines, line] if line or not lines else lines


def _pad(text: str, width: int, right: bool) -> str:
    space = " " * max(width - cell_len(text), 0)
    return space + text if right else text + space


def render(header: list[str], rows: list[list[str]], right: set[int], wrap: int | None = None,
           width: int | None = None, footer: list[str] | None = None) -> tuple[list[str], int]:
    """The table as lines (no styles), and how many of them are the header. Column `wrap` gives
    up width when the lines would be wider than `width`, and wraps its text; `footer` is a last
    row (totals)."""
    body = rows + ([footer] if footer else [])
    widths = [max(cell_len(row[i]) for row in [header, *body]) for i in range(len(header))]
    total = sum(widths) + 2 * (len(widths) - 1)
    if wrap is not None and width is not None and total > width:
        longest_word = max((cell_len(word) for row in [header, *body] for word in row[wrap].split()), default=1)
        widths[wrap] = max(widths[wrap] - (total - width), min(longest_word, widths[wrap]))
    lines: list[str] = []
    header_lines = 0
    for row in [header, *body]:
        cells = [(_wrap(cell, widths[i]) if i == wrap else [cell]) for i, cell in enumerate(row)]
        for k in range(max(len(c) for c in cells)):
            parts = [_pad(c[k] if k < len(c) else "", widths[i], i in right) for i, c in enumerate(cells)]
            lines.append("  ".join(parts).rstrip())  # no trailing spaces, even after an empty last cell
        header_lines = header_lines or len(lines)
    return lines, header_lines


def echo(header: list[str], rows: list[list[str]], right: set[int], wrap: int | None = None,
         footer: list[str] | None = None, out: TextIO | None = None) -> None:
    """Print the table to `out` (stdout), sized to the terminal, header bold on a terminal."""
    out = out or sys.stdout
    terminal = out.isatty() and os.environ.get("TERM") != "dumb"
    width = shutil.get_terminal_size().columns  # $COLUMNS, the terminal's, or 80 (as Rich)
    lines, header_lines = render(header, rows, right, wrap, width, footer)
    bold = terminal and not os.environ.get("NO_COLOR")
    for index, line in enumerate(lines):
        out.write(f"\x1b[1m{line}\x1b[0m\n" if bold and index < header_lines else line + "\n")
