"""The frame of the review screen (dlquiz.review.bars) at 50, 80 and 120 columns, on a real
pseudo-terminal: the grade bar never splits a grade from its word, interval or E-Factor; grades
that set different E-Factors look different; the re-drill bar says which grades end it; the
header keeps the progress and shortens the deck's title; the `?` help wraps and uses the bar's
words; the stale "show answer" hint is erased when the answer shows. Waits are on the screen."""

from __future__ import annotations

import re
import sys

import pexpect
import pytest
from rich.console import Console

from dlquiz.review import bars
from dlquiz.sm2 import GRADE_WORDS, SM2State
from dlquiz.sm2 import review as sm2_review
from tests.review.test_screen import env_at, finish

LONG_TITLE = "A Deck Whose Title Is Much Too Long To Fit On Any Narrow Terminal Line"
ERASE = "\x1b[1A\x1b[2K"  # cursor up one line, erase that line


def deck(n=3, title="Test deck"):
    cards = "".join(f"  - id: t-{i}\n    question: Question number {i}?\n    answer: Answer number {i}.\n" for i in range(n))
    return f"course: 1\nweek: 1\ntitle: {title}\ncards:\n{cards}"


def spawn(width: int, *args: str, days: int = 0) -> pexpect.spawn:
    return pexpect.spawn(sys.executable, ["-m", "dlquiz", "review", "--plain", *args], env=env_at(days, COLUMNS=str(width)),
                         encoding="utf-8", timeout=60, dimensions=(60, width))


def lines_of(text: str) -> list[str]:
    return [line for line in text.replace("\r", "").split("\n") if line.strip()]


def grade_items(width: int, after: dict[int, SM2State] | None) -> list[str]:
    """The six grades as the bar must show each, whole."""
    word = (lambda q: GRADE_WORDS[q].short) if width < bars.NARROW else (lambda q: GRADE_WORDS[q].label)
    items = []
    for q in range(6):
        effect = f" {after[q].interval}d ×{bars.easiness(after[q].easiness)}" if after else ""
        items.append(f"{q} {word(q)}{effect}" + (" ↻" if q < 4 else ""))
    return items


def reveal(child: pexpect.spawn) -> str:
    """Show the answer; returns what the screen printed under the answer, up to the keys line."""
    child.expect("show answer")
    child.expect("q quit")
    child.send(" ")
    child.expect("Answer number")
    child.expect("╯")
    child.expect(r"q quit\r\n")
    return child.before


@pytest.mark.parametrize("width", [50, 80, 120])
def test_the_grade_bar_wraps_between_grades_never_inside_one(write_deck, isolated, width):
    write_deck("t.yaml", deck())
    child = spawn(width)
    shown = lines_of(reveal(child))
    new = {q: sm2_review(SM2State(), q) for q in range(6)}
    for item in grade_items(width, new):
        assert any(item in line for line in shown), (item, shown)
    assert all(Console(width=1000).measure(line).maximum <= width for line in shown)
    if width == 120:
        assert "  ".join(grade_items(width, new)) in shown[0]  # room for all six on one line
    child.send("q")
    assert finish(child) == 0


def test_grades_that_set_different_e_factors_look_different(write_deck, isolated):
    """On a second review 3, 4 and 5 all give 6 days; the E-Factor each sets tells them apart."""
    write_deck("t.yaml", deck(1))
    child = spawn(80)
    reveal(child)
    child.send("5")
    child.expect("Nothing left for today")
    finish(child)
    child = spawn(80, days=1)
    shown = " ".join(lines_of(reveal(child)))
    for item in ("3 hard 6d ×2.46 ↻", "4 good 6d ×2.6", "5 perfect 6d ×2.7", "0 blackout 1d ×1.8 ↻", "↻ back today"):
        assert item in shown
    child.send("q")
    finish(child)


@pytest.mark.parametrize("width", [50, 80])
def test_the_redrill_bar_says_which_grades_end_it(write_deck, isolated, width):
    write_deck("t.yaml", deck(1))
    child = spawn(width)
    reveal(child)
    child.send("3")
    child.expect(r"\[again\]")
    shown = " ".join(lines_of(reveal(child)))
    for item in grade_items(width, None):
        assert item in shown
    assert "(re-drill: 4 or 5 ends it · no schedule change)" in shown
    assert "again" not in shown and "×" not in shown  # no interval: nothing is scheduled
    child.send("4")
    child.expect("Nothing left for today")
    assert finish(child) == 0


@pytest.mark.parametrize("width, title", [
    (40, "t · A Deck …  [new]  0 done · 3 left"),
    (50, "t · A Deck Whose Titl…  [new]  0 done · 3 left"),
    (80, "t · A Deck Whose Title Is Much Too Long To Fit On A…  [new]  0 done · 3 left"),
    (120, f"t · {LONG_TITLE}   [new]   0 done · 3 left"),
])
def test_the_header_keeps_the_progress_and_shortens_the_title(write_deck, isolated, width, title):
    write_deck("t.yaml", deck(3, LONG_TITLE))
    child = spawn(width)
    child.expect(r"(─+) (.*) (─+)\r\n")
    left, shown, right = child.match.groups()
    assert shown == title
    assert len(left) + len(shown) + len(right) + 2 == width
    child.send("q")
    finish(child)


@pytest.mark.parametrize("width", [50, 80])
def test_the_help_wraps_to_the_terminal_and_uses_the_bars_words(write_deck, isolated, width):
    write_deck("t.yaml", deck(1))
    child = spawn(width)
    bar = " ".join(lines_of(reveal(child)))
    child.send("?")
    child.expect("Keys")
    child.expect("q quit")  # the bar is drawn again under the help
    shown = lines_of(child.before)
    assert all(Console(width=1000).measure(line).maximum <= width for line in shown), shown
    for q in range(6):
        word = bars.grade_word(q, width)
        assert any(re.match(rf"  {q} {word}\s+{GRADE_WORDS[q].meaning[:20]}", line) for line in shown), (q, shown)
        assert f"{q} {word} " in bar
    child.send("q")
    finish(child)


@pytest.mark.parametrize("width, hint_lines", [(50, 2), (80, 1)])
def test_the_show_answer_hint_is_erased_when_the_answer_shows(write_deck, isolated, width, hint_lines):
    write_deck("t.yaml", deck(1))
    child = spawn(width)
    child.expect("show answer")
    child.expect(r"q quit\r\n")
    child.send("?")  # the help pushes the hint up; it is drawn again under the help
    child.expect("Keys")
    child.expect(r"show answer.*q quit\r\n")
    child.send(" ")
    child.expect(re.escape("\r" + ERASE * hint_lines) + "╭─ Answer")
    child.send("q")
    assert finish(child) == 0


def test_only_the_show_answer_hint_is_erased(write_deck, isolated):
    """A typed card's exchange (prompt, answer, verdict) stays, even after a self-graded card was
    buried with its hint on screen."""
    write_deck("t.yaml", deck(1) + "  - id: t-n\n    kind: numeric\n    question: How many?\n    answer: 3\n")
    child = spawn(80)
    child.expect(r"show answer.*q quit\r\n")
    child.send("s")
    child.expect("answer › ")
    child.sendline("3")
    child.expect("✓ correct")
    child.expect("╭─ Answer")
    assert ERASE not in child.before
    child.send("q")
    assert finish(child) == 0


def test_piped_output_keeps_the_hint_and_has_no_cursor_codes(write_deck, cli):
    write_deck("t.yaml", deck(1))
    result = cli("review", input="\n4\n")
    assert "Space/Enter show answer" in result.stdout and "\x1b" not in result.stdout


def test_items_never_split_and_every_line_fits():
    items = [f"{q} {'word' * q} {q}d ×2.{q}" for q in range(1, 9)]
    for width in range(max(map(len, items)), 120):
        console = Console(width=width, record=True, color_system=None)
        console.print(bars.Items(items, separator="  "))
        printed = console.export_text().splitlines()
        assert all(len(line) <= width for line in printed)
        assert "  ".join(printed).split("  ") == items


def test_intervals_and_e_factors_read_short():
    assert [bars.interval(d) for d in (1, 6, 29, 30, 45, 364, 365, 548)] == ["1d", "6d", "29d", "1mo", "1.5mo", "12.1mo", "1y", "1.5y"]
    assert [bars.easiness(e) for e in (2.5, 2.36, 1.3, 2.0)] == ["2.5", "2.36", "1.3", "2"]


def test_the_readme_shows_what_the_program_prints_at_80_columns():
    """The review section's screenshots, key table and the `?` help agree with the program."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent.parent / "README.md").read_text(encoding="utf-8")
    new = {q: sm2_review(SM2State(), q) for q in range(6)}
    second = {q: sm2_review(sm2_review(SM2State(), 5), q) for q in range(6)}
    for preview, kind in ((new, "new"), (second, "review"), (dict.fromkeys(range(6)), "redrill")):
        console = Console(width=80, record=True, color_system=None)
        console.print(bars.grade_bar(preview, kind, 80))
        assert console.export_text() in readme, console.export_text()
    console = Console(width=80, record=True, color_system=None)
    console.print(bars.hint(typed=False))
    assert f"(`{console.export_text().strip()}`)" in " ".join(readme.split())  # the hint, as the prose quotes it
    for q, words in GRADE_WORDS.items():
        assert f"| **{q}** {words.label} | {words.meaning} |" in readme
