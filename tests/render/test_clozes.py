"""A cloze card on screen: the hidden part is a box inside the rendered math (`[…]` or the hint),
the rest of the formula laid out as usual; the answer side highlights what was hidden (bold
reverse), and the marks that carry the highlight never reach the screen or take room."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console, Group

from dlquiz.model import Card
from dlquiz.render import cards as render
from dlquiz.render import markup
from dlquiz.render.math import text as mathtext
from dlquiz.render.math.marks import MARK_OFF, MARK_ON

TEXT = r"EWA: $v_t = {{c1::\beta}} v_{t-1} + {{c2::(1-\beta)::one minus}} \theta_t$, biased {{c3::towards zero}}."
DISPLAY = r"Bias correction: $$v_t^{corrected} = \frac{v_t}{ {{c1::1-\beta^t}} }$$"


def sibling(text: str, number: int) -> Card:
    return Card(id=f"n-c{number}", deck="d", kind="cloze", question=text, answer=(), note_id="n")


def shown(renderable, width: int = 80, colour: bool = False) -> str:
    out = io.StringIO()
    console = Console(file=out, width=width, color_system="standard" if colour else None, force_terminal=colour)
    console.print(Group(renderable))
    return out.getvalue().replace("\xa0", " ")  # (a formula's spaces do not break: no-break spaces)


def test_the_hidden_part_is_a_box_in_the_formula_the_others_show():
    assert shown(render.question_view(sibling(TEXT, 1))).strip() == "EWA: vₜ = […] vₜ₋₁ + (1 − β)θₜ, biased towards zero."
    assert shown(render.question_view(sibling(TEXT, 2))).strip() == "EWA: vₜ = βvₜ₋₁ + [one minus] θₜ, biased towards zero."
    assert shown(render.question_view(sibling(TEXT, 3))).strip() == "EWA: vₜ = βvₜ₋₁ + (1 − β)θₜ, biased […]."


def test_the_box_sits_in_display_math_laid_out_in_two_dimensions():
    out = [line.rstrip() for line in shown(render.question_view(sibling(DISPLAY, 1))).splitlines()]
    assert out[2:5] == ["                 vₜ", "  vₜᶜᵒʳʳᵉᶜᵗᵉᵈ = ─────", "                 […]"]


def test_the_answer_highlights_what_was_hidden_and_nothing_else():
    out = shown(render.answer_view(sibling(TEXT, 2)), colour=True)
    assert "\x1b[1;7m(1 − β)\x1b[0m" in out
    assert out.count("\x1b[1;7m") == 1
    plain = shown(render.answer_view(sibling(DISPLAY, 1)))
    assert "1 − βᵗ" in plain and MARK_ON not in plain and MARK_OFF not in plain


@pytest.mark.parametrize("width", [80, 50, 30])
def test_the_marks_take_no_room_when_text_wraps(width):
    text = "A long sentence that must wrap " * 3 + "{{c1::the hidden words}} and more words after them."
    for view in (render.question_view(sibling(text, 1)), render.answer_view(sibling(text, 1))):
        out = shown(view, width=width)
        assert MARK_ON not in out and MARK_OFF not in out
        assert max(len(line) for line in out.splitlines()) <= width
    unmarked = shown(render.markdown(markup.cloze_side(text, 1, answer=True).replace(MARK_ON, "").replace(MARK_OFF, "")), width=width)
    assert shown(render.answer_view(sibling(text, 1)), width=width) == unmarked


def test_a_highlighted_part_keeps_the_precedence_of_what_it_holds():
    assert mathtext.inline(r"\frac{v_t}{\bbox{1-\beta^t}}") == f"vₜ/({MARK_ON}1 − βᵗ{MARK_OFF})"
    assert mathtext.inline(r"\frac{\bbox{a+b}}{c}") == f"({MARK_ON}a + b{MARK_OFF})/c"
    assert mathtext.inline(r"x \boxed{\ldots} y") == f"x {MARK_ON}[…]{MARK_OFF} y"
    assert mathtext.width(f"{MARK_ON}[…]{MARK_OFF}") == 3


def test_the_whole_note_highlights_every_cloze():
    side = markup.cloze_side(TEXT, None, answer=True)
    assert side.count(r"\bbox{") == 2 and side.count(MARK_ON) == 1
    assert re.sub(r"\\bbox\{([^{}]*(?:\{[^{}]*\})?[^{}]*)\}", r"\1", side).replace(MARK_ON, "").replace(MARK_OFF, "") == (
        r"EWA: $v_t = \beta v_{t-1} + (1-\beta) \theta_t$, biased towards zero.")
