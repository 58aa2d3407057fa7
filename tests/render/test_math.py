"""LaTeX -> Unicode (dlquiz.render.math.text, dlquiz.render.math.parse): hand-checked cases, the golden file of
every formula in the bundled decks, and a property test that nothing crashes.

Regenerate the golden file after deck changes with
`DLQUIZ_REGEN_GOLDEN=1 pytest tests/render/test_math.py`, then review its diff.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlquiz.render.math import text as mathtext
from dlquiz.render.math.text import display, inline

GOLDEN = Path(__file__).parent / "golden" / "formulas.txt"
LEFTOVER_COMMAND = re.compile(r"\\[A-Za-z]+")


@pytest.mark.parametrize(
    "latex, expected",
    [
        # Greek, sub- and superscripts in Unicode where the characters exist
        (r"\beta_1 + \alpha^2", "β₁ + α²"),
        (r"\beta^t", "βᵗ"),
        (r"x^{(i)}", "x⁽ⁱ⁾"),
        (r"10^{-8}", "10⁻⁸"),
        (r"W^T", "Wᵀ"),
        # ... and a clear fallback where they do not
        (r"W^{[l]}", "W^[l]"),
        (r"a^{<t>}", "a^⟨t⟩"),
        (r"x^{(i)<t>}", "x^(i)⟨t⟩"),
        (r"n_H n_W", "n_H n_W"),  # a space, so the script visibly ends
        (r"v_{dW}^{corrected}", "v_dW^corrected"),  # one script falls back: both do
        (r"10000^{\frac{2i}{d}}", "10000^(2i/d)"),
        (r"\sum_{t=1}^{T_y}", "∑_(t=1)^(T_y)"),
        # \frac keeps precedence
        (r"\frac{v_t}{1-\beta^t}", "vₜ/(1 − βᵗ)"),
        (r"\frac{e^z - e^{-z}}{e^z + e^{-z}}", "(eᶻ − e⁻ᶻ)/(eᶻ + e⁻ᶻ)"),
        (r"\frac{\alpha\lambda}{m}", "αλ/m"),  # a product over m reads right
        (r"\frac{\lambda}{2m}", "λ/(2m)"),
        (r"\frac{\lambda}{m}W", "(λ/m)W"),  # not λ/m W, which reads λ/(mW)
        (r"\frac{1}{m}\sum_i z_i", "(1/m) ∑ᵢ zᵢ"),
        (r"1 + \frac{a}{b}", "1 + a/b"),
        (r"\frac{1}{\frac{a}{b}}", "1/(a/b)"),
        (r"\frac{\partial J}{\partial W}", "∂J/∂W"),
        (r"\frac{\exp(a)}{\sum_j \exp(b_j)}", "exp(a)/(∑ⱼ exp(bⱼ))"),
        (r"\frac{\text{size of A}}{\text{size of B}}", "(size of A)/(size of B)"),
        (r"\frac{a}{b}^2", "(a/b)²"),
        # roots, operators with limits, delimiters, accents, text, fonts, spacing
        (r"\sqrt{d_k}", "√dₖ"),
        (r"\sqrt{\sigma^2 + \epsilon}", "√(σ² + ϵ)"),
        (r"\sqrt[3]{x}", "∛x"),
        (r"\prod_{i=1}^{n} x_i", "∏ᵢ₌₁ⁿ xᵢ"),
        (r"\left\lfloor \frac{n+2p-f}{s} \right\rfloor + 1", "⌊(n + 2p − f)/s⌋ + 1"),
        (r"\left(1 - \frac{\alpha\lambda}{m}\right)", "(1 − αλ/m)"),
        (r"\hat{y} = \tilde{c}", "ŷ = c̃"),
        (r"\hat{xy}", "hat(xy)"),
        (r"\overline{xy}", "x̅y̅"),
        (r"\text{decay\_rate} \cdot 2", "decay_rate · 2"),
        (r"\mathbf{W}x \times \mathcal{L}", "𝐖x × ℒ"),
        (r"\mathrm{Var}(W)", "Var(W)"),
        (r"x\,(a - y) \quad b", "x (a − y)  b"),
        (r"\log X \le \max(0, z)", "log X ≤ max(0, z)"),
        (r"(-1, 1) \to \infty", "(−1, 1) → ∞"),
        (r"b'_j + t''", "b′ⱼ + t″"),
        (r"\Vert f(x) \Vert^2", "‖f(x)‖²"),
        (r"\frac{|A \cap B|}{|A| + |B|}", "|A ∩ B|/(|A| + |B|)"),  # bars pair up as |…|
        (r"P(y|x) \ne P(y \mid x)", "P(y|x) ≠ P(y | x)"),
        (r"Z: (n, m) \quad W := 0", "Z: (n, m)  W := 0"),
        (r"X^{\{t\}}", "X^{t}"),
        (r"10{,}000", "10,000"),
        (r"\binom{n}{k}", "(n choose k)"),
        (r"\begin{pmatrix} a & b \\ c & d \end{pmatrix}", "(a, b; c, d)"),
        (r"\not= \not\in", "≠ ∉"),
        # unknown commands degrade to their source
        (r"\foo{x} + \bar{y}", r"\foo{x} + ȳ"),
        (r"\frac{1}{\weird}", r"1/\weird"),
    ],
)
def test_inline(latex, expected):
    assert inline(latex) == expected


def test_display_stacks_fractions():
    assert display(r"v_t^{corrected} = \frac{v_t}{1-\beta^t}") == (
        "                 vₜ",
        "vₜᶜᵒʳʳᵉᶜᵗᵉᵈ = ────────",
        "               1 − βᵗ",
    )


def test_display_nests_fractions_and_limits():
    assert display(r"\frac{\exp(e_t)}{\sum_{j=1}^{T} \exp(e_j)}") == (
        "   exp(eₜ)",
        "─────────────",
        "  T",
        "  ∑  exp(eⱼ)",
        " j=1",
    )


def test_display_grows_brackets_and_roots():
    assert display(r"\left\lfloor \frac{a}{b} \right\rfloor") == ("⎢ a ⎥", "⎢───⎥", "⎣ b ⎦")
    assert display(r"\left(\frac{a}{b}\right)^2") == ("⎛ a ⎞²", "⎜───⎟", "⎝ b ⎠")
    assert display(r"\sqrt{\frac{a}{b}}") == ("    ___", "   ╱ a", "  ╱ ───", "╲╱   b")
    assert display(r"\begin{pmatrix} 1 & 0 \\ 0 & 1 \end{pmatrix}") == ("⎛1  0⎞", "⎝0  1⎠")


def test_display_without_anything_tall_is_the_inline_form():
    assert display(r"a^{<t>} = g(W_{aa}a^{<t-1>})") == (inline(r"a^{<t>} = g(W_{aa}a^{<t-1>})"),)


def test_width_counts_terminal_cells():
    assert mathtext.width("ŷ") == 1 and mathtext.width("y\u0302") == 1 and mathtext.width("漢") == 2


# -- the bundled decks ---------------------------------------------------------------------------


def _bundled_formulas() -> dict[str, tuple[str, bool]]:
    """Every distinct math span of the bundled decks (as written, with its `$`s): the first card
    it appears on, and whether it is shown as display math."""
    from dlquiz.decks.collection import load_collection
    from dlquiz.decks.files import discover
    from dlquiz.paths import bundled_cards_dir
    from dlquiz.render import cards as render
    from dlquiz.render import markup as richmd

    found: dict[str, tuple[str, bool]] = {}
    for card in load_collection(paths=discover([bundled_cards_dir()])).cards.values():
        answer = render.format_answer(card)
        question = richmd.cloze_side(card.question, card.cloze_number, answer=False) if card.kind == "cloze" else card.question
        texts = (question, render.options_block(card), answer, card.explain or "", card.note or "", card.source or "")
        for text in texts:
            for source, _latex, shown_display in richmd.math_spans(text):
                if text is answer and card.kind == "formula" and shown_display:
                    source = source[1:-1]  # the deck writes $...$; dlquiz shows it as display math
                first, was_display = found.get(source, (card.id, False))
                found[source] = (first, was_display or shown_display)
    return found


def golden_text() -> str:
    lines = [
        "# Every distinct formula in the bundled decks as dlquiz renders it. Regenerate with",
        "# DLQUIZ_REGEN_GOLDEN=1 pytest tests/render/test_math.py and review the diff.",
        "# Each entry: the source (and the first card using it), `=` the one-line form, and for",
        "# display math (`$$...$$`, formula answers) `|` the 2-D layout, width-independent.",
    ]
    for source, (card_id, shown_display) in _bundled_formulas().items():
        latex = source.strip("$")
        lines += ["", f"{source}    [{card_id}]", f"= {inline(latex)}"]
        if shown_display and display(latex) != (inline(latex),):
            lines += [f"| {line}".rstrip() for line in display(latex)]
    return "\n".join(lines) + "\n"


def test_golden_rendering_of_every_bundled_formula():
    text = golden_text()
    if os.environ.get("DLQUIZ_REGEN_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8")
    stored = GOLDEN.read_text(encoding="utf-8") if GOLDEN.exists() else ""
    assert stored == text, "run DLQUIZ_REGEN_GOLDEN=1 pytest tests/render/test_math.py and review the diff"


def test_no_bundled_formula_keeps_a_backslash_command():
    for source in _bundled_formulas():
        latex = source.strip("$")
        for rendered in (inline(latex), *display(latex)):
            assert not LEFTOVER_COMMAND.search(rendered), (source, rendered)


# -- nothing crashes -----------------------------------------------------------------------------

_PIECES = st.sampled_from([
    "\\frac", "\\sqrt", "\\sqrt[", "{", "}", "^", "_", "\\left(", "\\right)", "\\left", "\\right",
    "\\left.", "(", ")", "[", "]", "<", ">", "|", "\\alpha", "\\text{a b}", "\\text{", "\\begin{pmatrix}",
    "\\end{pmatrix}", "\\begin{cases}", "\\begin{foo}", "&", "\\\\", "x", "12", " ", "'", "\\foo", "$",
    "\\hat", "\\overline", "\\sum", "\\lfloor", "\\rfloor", "%", "~", "\\", "\\mathbf", "\\mathcal",
    "-", "+", "=", ",", "\\,", "\\quad", "\\operatorname*", "\\not", "\\binom", "\\lvert", "\\rvert",
    "\\{", "\\}", "é", "漢", "\\limits", ":", "\\mid", "\\max",
])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECES, max_size=25).map("".join) | st.text(max_size=40))
def test_any_input_renders_without_crashing(latex):
    one_line = inline(latex)
    assert isinstance(one_line, str) and "\n" not in one_line
    lines = display(latex)
    assert lines and all(isinstance(line, str) and "\n" not in line for line in lines)


def test_deep_nesting_falls_back_to_source():
    latex = "{" * 3000 + "x" + "}" * 3000
    assert inline(latex) in ("x", latex)
    assert display(latex) in (("x",), (latex,))
