"""dlquiz.render.layout and dlquiz.render.cardmd lay card text out themselves, for speed, and promise to show
exactly what Rich's Markdown (richmd_markdown.MathMarkdown) shows: the same characters in the
same cells with the same styles. These tests hold them to it, on every bundled card and on
generated Markdown, in plain and colour consoles, at widths from cramped to wide."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from rich.console import Console, Group
from rich.style import Style
from rich.text import Text

from dlquiz.render import cardmd
from dlquiz.decks import load as decks
from dlquiz.render import layout
from dlquiz.render import cards as render
from dlquiz.paths import bundled_cards_dir
from dlquiz.render.markdown import MathMarkdown

WIDTHS = (13, 41, 96)


def console(color: bool) -> Console:
    return Console(file=io.StringIO(), width=100, color_system="truecolor" if color else None, force_terminal=color)


def cells(con: Console, renderable, width: int) -> list[list[tuple[str, Style]]]:
    """What each cell shows, and its style (no style and the null style look the same)."""
    lines = con.render_lines(Group(renderable), con.options.update(width=width), pad=True)
    return [[(char, seg.style or Style.null()) for seg in line for char in seg.text] for line in lines]


def plain(shown: list[list[tuple[str, Style]]]) -> str:
    return "\n".join("".join(char for char, _ in line).rstrip() for line in shown)


def assert_same(con: Console, ours, text: str, width: int, raw_math: bool = False) -> None:
    expected = cells(con, MathMarkdown(text, raw_math=raw_math), width)
    got = cells(con, ours, width)
    assert plain(got) == plain(expected), text
    assert got == expected, text  # and the styles


@pytest.fixture(scope="module")
def bundled_cards():
    """The bundled decks' cards (read by path: a module fixture runs before the autouse one that
    points DLQUIZ_CARDS away from the user's directory)."""
    return list(decks.load_collection(paths=decks.discover([bundled_cards_dir()]), cache=False).cards.values())


@pytest.mark.parametrize("color", [False, True], ids=["plain", "colour"])
def test_every_bundled_card_text_is_laid_out_as_rich_would(bundled_cards, color):
    con = console(color)
    seen = fast = 0
    for card in bundled_cards:
        for text in (card.question, card.explain, card.note, card.answer if isinstance(card.answer, str) else None):
            if not text:
                continue
            ours = render.markdown(text)
            if isinstance(ours, Text):  # plain paragraphs: tested in test_render
                continue
            seen += 1
            fast += ours._rich is None
            for width in WIDTHS:
                assert_same(con, ours, text, width)
    assert seen > 150
    assert fast == seen  # nothing in the bundled decks needs Rich's Markdown


@pytest.mark.parametrize("raw_math", [False, True], ids=["unicode", "raw"])
def test_options_and_answers_built_without_parsing_show_what_their_markdown_shows(bundled_cards, raw_math):
    con = console(True)
    options = render.Options(raw_math=raw_math)
    built = 0
    for card in bundled_cards:
        pairs = [(render.answer_view(card, options), render.format_answer(card, options))]
        if card.options:
            pairs.append((render.options_view(card, options), render.options_block(card)))
        for ours, text in pairs:
            built += isinstance(ours, cardmd.CardMarkdown) and not hasattr(ours, "markup")
            for width in WIDTHS:
                assert_same(con, ours, text, width, raw_math)
    assert built > 200


def test_card_view_frame_matches_richs_group_of_the_same_parts(bundled_cards):
    """The frame's body is what Rich would make of a Group of its parts (the old Frame)."""
    con = console(True)
    for card in bundled_cards[::7]:
        view = render.card_view(card, "Deck")
        reference = [MathMarkdown(part.text) if isinstance(part, cardmd.CardMarkdown) and hasattr(part, "markup")
                     else part for part in view.parts]
        for width in (30, 76):
            expected = con.render_lines(Group(*reference), con.options.update(width=width), pad=True)
            got = view.body_lines(con, con.options, width)
            norm = [[(ch, seg.style or Style.null()) for seg in line for ch in seg.text] for line in got]
            assert norm == [[(ch, seg.style or Style.null()) for seg in line for ch in seg.text] for line in expected]


_PIECES = st.sampled_from([
    "word", "other", "x", " ", "  ", "\n", "\n\n", "- ", "* ", "1. ", "3) ", "  - ", "    ", "**", "*", "_", "~~",
    "`code`", "``", "```\n", "```python\nx = 1\n```\n", "~~~\nplain\n~~~\n", "$x^2$", "$$\\frac{a+b}{c}$$",
    "$\\alpha_t$", "| a | b |\n|---|---|\n| 1 | 2 |\n", "| l | c | r |\n|:--|:-:|--:|\n| $x$ | **b** | `c` |\n",
    "|x|\n|-|\n", "longwordwithoutanyspacesatallthatmustfold", "漢字", "ŷ", "\t", "\r", "\a", "# ", "> ",
    "[l](u)", "<b>", "&amp;", "\\", "\\*", "---\n",
])


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECES, max_size=25).map("".join), st.integers(min_value=8, max_value=70), st.booleans())
def test_any_markdown_is_shown_exactly_as_rich_shows_it(text, width, color):
    ours = cardmd.CardMarkdown(text)
    depth = deepest = 0
    for token in ours.tokens:
        depth += {"list_item_open": 1, "list_item_close": -1}.get(token.type, 0)
        deepest = max(deepest, depth)
    # (lists nested until no width is left: Rich then shows nothing at all, dlquiz a column)
    assume(deepest * 4 < width)
    assert_same(console(color), ours, text, width)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab  \n\t漢ŷ-\x07"), max_size=60), st.integers(min_value=1, max_value=30),
       st.sampled_from([None, "left", "default"]), st.sampled_from(["", "bold", "red on blue"]))
def test_text_is_wrapped_exactly_as_rich_wraps_it(plain_text, width, justify, style):
    con = console(True)
    text = Text(plain_text, style=style, justify=justify)
    text.stylize("italic", 2, 9)
    expected = con.render_lines(Group(text), con.options.update(width=width), pad=True)
    got = layout.text_lines(con, text, width)
    norm = [[(ch, seg.style or Style.null()) for seg in line for ch in seg.text] for line in got]
    assert norm == [[(ch, seg.style or Style.null()) for seg in line for ch in seg.text] for line in expected]


@pytest.mark.parametrize("width", [12, 24, 40, 80])
def test_frame_borders_fit_the_width_and_cut_a_long_title_with_an_ellipsis(bundled_cards, width):
    card = next(c for c in bundled_cards if len(c.id) > 20)
    out = io.StringIO()
    con = Console(file=out, width=width, color_system=None)
    render.print_card(con, render.card_view(card, "A deck title ŷ 漢字"))
    shown = out.getvalue().splitlines()
    assert all(layout.cells(line) == width for line in shown)
    top, bottom = shown[0], shown[-1]
    assert top.startswith("╭") and top.endswith("╮") and bottom.startswith("╰") and bottom.endswith("╯")
    if len(card.id) + 6 > width:
        assert "…" in top and card.id[:width - 7] in top
    else:
        assert f" {card.id} " in top
