"""Rendering of card text (dlquiz.render.cards, dlquiz.render.markup): Markdown with math, the console
options, `show` snapshots, and that `--help` imports none of it.

Snapshots live in tests/render/golden/show-*.txt; regenerate them with
`DLQUIZ_REGEN_GOLDEN=1 pytest tests/render/test_cards.py` and review the diff.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console, Group

from dlquiz.render import cards as render
from dlquiz.render import markup as richmd
from dlquiz.render.markdown import MathMarkdown

GOLDEN = Path(__file__).parent / "golden"
SGR = re.compile(r"\x1b\[([0-9;]*)m")
LEFTOVER_COMMAND = re.compile(r"\\[A-Za-z]+")


def rendered(renderable, width: int = 60, **console) -> str:
    """What a card section shows. (In a Group, as card_view has it: printed alone, a Text is
    merged with print's other arguments and loses its justification.)"""
    out = io.StringIO()
    Console(file=out, width=width, color_system=console.pop("color_system", None), **console).print(Group(renderable))
    return out.getvalue().replace("\u00a0", " ")  # inline formulas hold together with no-break spaces


def lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines()]


# -- math inside Markdown ------------------------------------------------------------------------


def test_math_is_converted_before_markdown_so_underscores_and_stars_stay():
    out = rendered(render.markdown("Take $a_b * c_d$ and $e_f * g_b$, then *this*."))
    assert lines(out) == ["Take a_b * c_d and e_f * g_b, then this."]


def test_code_dollars_escapes_and_prices_are_not_math():
    out = rendered(render.markdown(r"Run `echo $x_1$`; costs $5 or $6; a \$7 tip; $x^2$."))
    assert lines(out) == ["Run echo $x_1$; costs $5 or $6; a $7 tip; x²."]


def test_fenced_code_keeps_dollars_and_gets_syntax_colour():
    text = "```python\nx = 1  # $not_math$\n```"
    assert "$not_math$" in rendered(render.markdown(text))
    coloured = rendered(render.markdown(text), color_system="truecolor", force_terminal=True)
    assert any(re.search(r"(^|;)(3[0-7]|9[0-7]|38)(;|$)", code) for code in SGR.findall(coloured)), coloured


def test_display_math_is_stacked_in_paragraphs_and_list_items():
    out = rendered(render.markdown("- a sum $$\\frac{a+b}{c}$$ in a list\n- second\n\nThen $$x^2$$ end."))
    assert lines(out) == [
        "",
        " • a sum",
        "      a + b",
        "     ───────",
        "        c",
        "   in a list",
        " • second",
        "",
        "Then",
        "",
        "  x²",
        "",
        "end.",
    ]


def test_display_math_wider_than_the_terminal_falls_back_to_one_wrapped_line():
    text = "$$\\frac{" + "a" * 50 + "}{b+c}$$"
    assert lines(rendered(render.markdown(text), width=40)) == ["a" * 40, "a" * 10 + "/(b + c)"]
    assert len(lines(rendered(render.markdown(text), width=60))) == 3


def test_math_in_a_table_cell_keeps_its_bars():
    out = rendered(render.markdown("| x | size |\n|---|---|\n| $|z|$ | $W^{[l]}$ |"))
    assert "|z|" in out and "W^[l]" in out


def test_links_lists_emphasis():
    out = rendered(render.markdown("1. **bold** and _it_\n2. see [the notes](https://example.com/n)"))
    assert lines(out) == ["", " 1 bold and it", " 2 see the notes (https://example.com/n)"]
    styled = rendered(render.markdown("**bold**"), color_system="standard", force_terminal=True)
    assert "\x1b[1m" in styled


def test_raw_math_shows_the_source_untouched_by_markdown():
    out = rendered(render.markdown(r"Bias: $v_t^{corrected} = \frac{v_t}{1-\beta^t}$", render.Options(raw_math=True)))
    assert lines(out) == [r"Bias: $v_t^{corrected} = \frac{v_t}{1-\beta^t}$"]


def test_text_wraps_to_the_width():
    out = rendered(render.markdown("word " * 40), width=30)
    assert max(len(line) for line in lines(out)) <= 30 and len(lines(out)) == 7


TABLE = """\
| Regularization | Penalizes | Resulting W | Feature selection |
| --- | --- | --- | --- |
| L1 | sum of the absolute values of the weights, $\\frac{\\lambda}{2m}\\sum\\lvert w\\rvert$ | sparse (many zeros) | yes |
| L2 | sum of the squares of the weights | non-sparse (small but non-zero) | no |
"""


def test_a_narrow_table_wraps_cells_without_cutting_words():
    out = rendered(render.markdown(TABLE), width=60)
    assert "…" not in out
    assert "Regularization" in out and "Penalizes" in out and "non-sparse" in out


def test_a_table_wider_than_the_terminal_becomes_records():
    assert lines(rendered(render.markdown(TABLE), width=40)) == [
        "",
        "Regularization: L1",
        "  Penalizes: sum of the absolute values",
        "  of the weights, (λ/(2m)) ∑ |w|",
        "  Resulting W: sparse (many zeros)",
        "  Feature selection: yes",
        "",
        "Regularization: L2",
        "  Penalizes: sum of the squares of the",
        "  weights",
        "  Resulting W: non-sparse (small but",
        "  non-zero)",
        "  Feature selection: no",
    ]


def test_plain_paragraphs_render_exactly_as_markdown_would(bundled):
    from dlquiz.decks.collection import load_collection

    seen = 0
    for card in load_collection().cards.values():
        for text in (card.question, card.explain, card.note):
            if text and richmd.is_plain(text):
                seen += 1
                assert rendered(render.paragraphs(text)) == rendered(MathMarkdown(text)), text
    assert seen > 100


def test_plain_text_converts_math_without_markdown():
    assert render.text_line(r"What does $\alpha^{<t,t'>}$ denote? `$x$` \$5") == "What does α^⟨t,t′⟩ denote? `$x$` $5"
    assert render.text_line("$x_1$", render.Options(raw_math=True)) == "$x_1$"


_MARKDOWN_PIECES = st.sampled_from([
    "$", "$$", "`", "```", "```python\n", "\n", "\n\n", "|", "| a | b |\n|---|---|\n", "- ", "1. ", "> ",
    "x_1", "\\frac{a}{b}", "\\sum_{i=1}^n", "**", "_", "\\$", " ", "word", "\\", "{", "}", "^", "#", "  ",
    "[l](u)", "<b>", "&amp;", "\\left(", "\\right)", "漢", "ŷ",
])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_MARKDOWN_PIECES, max_size=30).map("".join), st.sampled_from([8, 30, 80]), st.booleans())
def test_any_card_text_renders_without_crashing(text, width, raw_math):
    out = rendered(render.markdown(text, render.Options(raw_math=raw_math)), width=width)
    assert all(len(line) <= width for line in out.splitlines())
    assert isinstance(render.text_line(text), str)


# -- the console ---------------------------------------------------------------------------------


def test_console_honours_plain_no_color_and_width(monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")  # pretend stdout is a terminal
    styled = "[bold red]x[/]"

    def codes(options: render.Options) -> list[str]:
        out = io.StringIO()
        render.console(options, file=out).print(styled)
        return SGR.findall(out.getvalue())

    assert codes(render.Options()) == ["1;31", "0"]
    assert codes(render.Options(plain=True)) == []
    monkeypatch.setenv("NO_COLOR", "1")
    assert codes(render.Options()) == ["1", "0"]  # bold is not a colour
    assert render.console(render.Options(width=33)).width == 33


def test_console_without_a_terminal_has_no_escape_codes(monkeypatch):
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    out = io.StringIO()
    render.console(file=out).print("[bold red]x[/]")
    assert out.getvalue() == "x\n"


# -- `show` --------------------------------------------------------------------------------------

DECKS = {
    "formula": """\
course: 2
week: 2
title: Optimization
cards:
  - id: t-bias-correction
    kind: formula
    question: Give the bias-corrected $v_t$ in terms of $v_t$, $\\beta$ and $t$.
    answer: '$v^{corrected}_t = \\frac{v_t}{1-\\beta^t}$'
    expr: v_t / (1 - beta^t)
    explain: |-
      Early on $v_t$ is biased towards $v_0 = 0$; dividing by $1 - \\beta^t$ fixes that, and
      the correction fades as $\\beta^t \\to 0$:

      $$\\lim_{t \\to \\infty} \\frac{1}{1-\\beta^t} = 1$$
    source: What is bias correction?
""",
    "table": """\
course: 1
week: 2
title: Basics
cards:
  - id: t-shapes
    question: Give the shapes of $W^{[l]}$, $b^{[l]}$ and $Z^{[l]}$.
    answer: |-
      | Matrix | Shape |
      | --- | --- |
      | $W^{[l]}$ | $(n^{[l]}, n^{[l-1]})$ |
      | $b^{[l]}$ | $(n^{[l]}, 1)$, broadcast over the $m$ columns |
      | $Z^{[l]}$ | $(n^{[l]}, m)$ |
    tags: [shapes]
""",
    "code": """\
course: 1
week: 3
title: Shallow networks
cards:
  - id: t-keepdims
    kind: shape
    question: |-
      ```python
      A = np.random.randn(4, 3)
      B = np.sum(A, axis=1, keepdims=True)
      ```

      What is `B.shape`?
    answer: [4, 1]
    explain: '`keepdims=True` keeps the summed axis: a column vector $(4, 1)$, not $(4,)$.'
""",
}


@pytest.mark.parametrize("name, card_id", [("formula", "t-bias-correction"), ("table", "t-shapes"), ("code", "t-keepdims")])
def test_show_snapshot(name, card_id, cli, write_deck, cards_dir, monkeypatch):
    write_deck(f"{name}.yaml", DECKS[name])
    monkeypatch.chdir(cards_dir.parent)
    monkeypatch.setenv("DLQUIZ_CARDS", "cards")  # relative, so `from` reads the same everywhere
    monkeypatch.setenv("COLUMNS", "80")
    result = cli("show", card_id)
    assert result.exit_code == 0, result.output
    snapshot = GOLDEN / f"show-{name}.txt"
    if os.environ.get("DLQUIZ_REGEN_GOLDEN"):
        snapshot.write_text(result.stdout, encoding="utf-8")
    stored = snapshot.read_text(encoding="utf-8") if snapshot.exists() else ""
    assert result.stdout == stored, "run DLQUIZ_REGEN_GOLDEN=1 pytest tests/render/test_cards.py and review the diff"


def test_show_raw_math_and_plain(cli, write_deck, monkeypatch):
    write_deck("formula.yaml", DECKS["formula"])
    raw = cli("show", "t-bias-correction", "--raw-math")
    assert raw.exit_code == 0
    assert "│ $v^{corrected}_t = \\frac{v_t}{1-\\beta^t}$ " in raw.stdout  # as written, not made $$
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b[" in cli("show", "t-bias-correction").stdout
    plain = cli("show", "t-bias-correction", "--plain")
    assert plain.exit_code == 0 and "\x1b[" not in plain.stdout and "vₜ" in plain.stdout


def test_no_bundled_card_renders_a_leftover_backslash_command(bundled):
    from dlquiz.decks.collection import load_collection

    collection = load_collection()
    for card in collection.cards.values():
        out = rendered(render.card_view(card, deck_title=collection.deck(card.deck).title), width=100)
        assert not LEFTOVER_COMMAND.search(out), (card.id, LEFTOVER_COMMAND.findall(out))


def test_show_help_lists_the_rendering_options(cli):
    # (That `--help` imports no rendering module is checked with the other heavy modules in
    # tests/cli/test_cli.py.)
    result = cli("show", "--help")
    assert "--raw-math" in result.stdout and "--plain" in result.stdout
