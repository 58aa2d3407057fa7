"""Math notation agrees with itself, over every bundled card and template draw: an inline formula is
never broken across lines; a card that shows a minus sign (−) never shows a hyphen as one (-1);
a verdict names a symbol as the card's math shows it (θₜ, not θ_t; nₓ where the question has
$n_x$); a formula card's shown answer is its `expr`."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console
from rich.text import Text

from dlquiz.checking import answers, formula, latex
from dlquiz.checking.templates import catalog as templates
from dlquiz.decks.collection import load_collection
from dlquiz.paths import bundled_cards_dir
from dlquiz.render import cards as render
from dlquiz.render import markup

DRAWS = 20
HYPHEN_AS_MINUS = re.compile(r"(?<![\w\-−.\])}])-(?=\d)")


@pytest.fixture(scope="module")
def bundled_cards():
    collection = load_collection(dirs=[bundled_cards_dir()], cache=False)
    return list(collection.cards.values())


def shown(renderable, width: int) -> str:
    out = io.StringIO()
    Console(file=out, width=width, color_system=None).print(renderable)
    return out.getvalue()


def every_draw(cards):
    for card in cards:
        if card.template:
            yield from (templates.instantiate(card, n) for n in range(1, DRAWS + 1))
        else:
            yield card


def test_rich_breaks_no_line_at_a_no_break_space():
    """dlquiz.render.cards makes Rich honour U+00A0 (Textualize/rich#4196); this fails if a Rich
    release changes how it wraps, so that the fix can be revisited."""
    text = "aaaaaaa bbbbbbbbb cccc ddd β\u00a0=\u00a00.9 and more"
    assert shown(Text(text), 30).splitlines()[1].startswith("β\u00a0=\u00a00.9")


@pytest.mark.parametrize("width", [50, 80])
def test_no_line_breaks_inside_an_inline_formula(bundled_cards, width):
    checked = 0
    for card in bundled_cards:
        for field in ("question", "explain", "note"):
            text = getattr(card, field)
            if not isinstance(text, str) or "$" not in text:
                continue
            lines = shown(render.markdown(text), width - 4).splitlines()  # inside the review's panels
            for _, source, display in markup.math_spans(text):
                whole = markup.inline(source)
                if display or markup.NO_BREAK not in whole:
                    continue
                for part in whole.split(" "):  # the breaks a long formula keeps, after its commas
                    assert any(part in line for line in lines), (card.id, field, part, lines)
                    checked += 1
    assert checked > 200


def test_a_card_with_minus_signs_shows_no_hyphen_as_one(bundled_cards):
    for card in every_draw(bundled_cards):
        text = shown(render.card_view(card), 200)
        text = "\n".join(line for line in text.splitlines() if "source " not in line)  # source: the notes' own words
        if "−" in text:
            assert not HYPHEN_AS_MINUS.search(text), (card.id, HYPHEN_AS_MINUS.search(text).string.strip()[:200])


def as_a_card_writes_it(name: str) -> str:
    """A formula's name in the LaTeX a card uses for it: `theta_t` -> `\\theta_{t}`, `n_x` -> `n_{x}`."""
    head, _, rest = name.partition("_")
    head = "\\" + head if head in GREEK_NAMES else head
    return f"{head}_{{{rest}}}" if rest else head


GREEK_NAMES = {"alpha", "beta", "gamma", "delta", "epsilon", "theta", "lambda", "mu", "sigma", "Gamma"}


def test_a_verdict_names_symbols_as_the_cards_show_them(bundled_cards):
    """θₜ, β₁, α₀ in a verdict, as `$\\theta_t$` shows in a question (not θ_t or beta_1)."""
    from dlquiz.render.math.text import inline

    named = 0
    for card in bundled_cards:
        if card.kind != "formula":
            continue
        for name in sorted(formula.names(formula.parse_tree(card.expr))):
            head, _, rest = name.partition("_")
            if len(head) > 1 and head not in GREEK_NAMES or len(rest) > 2:
                continue  # a word (decay_rate, dW_backprop): a card writes it as \text{...}
            typed = re.sub(rf"\b{re.escape(name)}\b", "qq", card.expr)  # one name for another: said without sympy
            shown = inline(as_a_card_writes_it(name))
            assert answers.check_card(card, typed).feedback == f"your formula differs: it has qq where the answer has {shown}", \
                (card.id, name, shown)
            named += shown != name
    assert named > 20


def test_a_shape_shows_its_symbols_as_its_question_does(bundled_cards):
    for card in bundled_cards:
        if card.kind != "shape" or all(isinstance(d, int) for d in card.answer):
            continue
        symbols = markup.math_symbols(card.question)
        answer = shown(render.answer_view(card), 100)
        wrong = answers.check_card(card, "(" + ", ".join("q" for _ in card.answer) + ")").feedback
        for dim in (d for d in card.answer if isinstance(d, str)):
            assert symbols.get(dim, dim) in answer and symbols.get(dim, dim) in wrong, (card.id, dim, answer, wrong)
    card = next(c for c in bundled_cards if c.id == "c1w2-shape-x")
    assert "(nₓ, m)" in shown(render.answer_view(card), 100)
    assert answers.check_card(card, "(m, n_x)").feedback == "dimensions 1 and 2 are swapped: the answer is (nₓ, m)"


def test_every_formula_cards_shown_answer_is_its_expr(bundled_cards):
    formulas = [card for card in bundled_cards if card.kind == "formula"]
    assert len(formulas) >= 28
    for card in formulas:
        assert latex.only_formula(card.answer) is not None, card.id
        assert latex.disagreement(card.answer, card.expr) is None, card.id
