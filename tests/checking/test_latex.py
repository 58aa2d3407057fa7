"""A formula card's answer, as shown, read as plain math (dlquiz.checking.latex) and compared with
its `expr`: `dlquiz check` and `dlquiz add` refuse a card whose shown formula says something else."""

from __future__ import annotations

import pytest

from dlquiz.checking import equivalence, latex


@pytest.mark.parametrize("shown, expr, plain", [
    (r"v_t = \beta v_{t-1} + (1-\beta)\theta_t", "beta*v_prev + (1 - beta)*theta_t", "beta*v_prev+(1-beta)*theta_t"),
    (r"W^{[l]} := W^{[l]} - \alpha\, dW_{backprop}", "W - alpha*dW_backprop", "W-alpha*dW_backprop"),
    (r"\frac{v_{dW}^{corrected}}{\sqrt{s_{dW}^{corrected}} + \varepsilon}", "v_corr/(sqrt(s_corr) + epsilon)",
     "(v_corr)/(sqrt(s_corr)+epsilon)"),
    (r"\Gamma_u * \tilde{c}^{<t>} + (1-\Gamma_u) * c^{<t-1>}", "Gamma_u*c_tilde + (1 - Gamma_u)*c_prev",
     "Gamma_u*c_tilde+(1-Gamma_u)*c_prev"),
    (r"J(G) = \alpha J_{content}(C, G) + \beta J_{style}(S, G)", "alpha*J_content + beta*J_style", "alpha*J_content+beta*J_style"),
    (r"\sigma(z)(1 - \sigma(z))", "sigma*(1 - sigma)", "sigma*(1-sigma)"),
    (r"\sigma(z)(1 - \sigma(z))", "sigma(z)*(1 - sigma(z))", "sigma(z)*(1-sigma(z))"),
    (r"\beta(1 - \beta)", "beta*(1 - beta)", "beta*(1-beta)"),
    (r"g(z^{[l+2]} + a^{[l]})", "g(z_l2 + a_l)", "g(z_l2+a_l)"),
    (r"\left\lfloor \frac{n+2p-f}{s} \right\rfloor + 1", "floor((n + 2*p - f)/s) + 1", "floor((n+2*p-f)/(s))+1"),
    (r"m x + b", "m*x + b", "m*x+b"),
    (r"a = \max(0, z)", "max(0, z)", "max(0,z)"),
    (r"\sin\left(\frac{pos}{10000^{2i/d}}\right)", "sin(pos/10000^(2*i/d))", "sin((pos)/(10000^(2*i/d)))"),
])
def test_shown_latex_reads_as_exprs_math(shown, expr, plain):
    assert latex.read(shown, equivalence.expected_tree(expr)) == plain
    assert latex.disagreement(f"${shown}$", expr) is None


@pytest.mark.parametrize("shown, expr, message", [
    (r"s_{dW} = \beta_2 s_{dW} + (1-\beta_2)\,(dW)^2", "beta_2*v_dW + (1 - beta_2)*dW^2",
     "expr 'beta_2*v_dW + (1 - beta_2)*dW^2' is not the answer as shown, s_dW = β₂s_dW + (1 − β₂) (dW)²: "
     "it has v_dW where the answer has s_dW"),
    (r"\frac{v_t}{1-\beta^t}", "-v_t/(1 - beta^t)", "expr '-v_t/(1 - beta^t)' is not the answer as shown, vₜ/(1 − βᵗ): it has the wrong sign"),
    # how these differ is sympy's to say, under a time limit: only the start of the line is certain
    (r"\sigma(z)(1 - \sigma(z))", "sigma*(1+sigma)", "expr 'sigma*(1+sigma)' is not the answer as shown, σ(z)(1 − σ(z)): "),
    (r"\frac{v_t}{1-\beta^t}", "v_t", "expr 'v_t' is not the answer as shown, vₜ/(1 − βᵗ): "),
])
def test_a_shown_formula_that_is_not_its_expr_is_named(shown, expr, message):
    found = latex.disagreement(f"${shown}$", expr)
    assert found == message if not message.endswith(": ") else found.startswith(message) and len(found) > len(message)


@pytest.mark.parametrize("answer", [r"$\sum_i x_i$", "see $x$ and $y$", r"$\begin{pmatrix} a \\ b \end{pmatrix}$"])
def test_what_cannot_be_read_as_one_formula_is_not_compared(answer):
    assert latex.disagreement(answer, "x + y") is None


FORMULA = """\
course: 1
week: 1
title: Formulas
cards:
  - id: f-sigmoid
    kind: formula
    question: The derivative of the sigmoid?
    answer: $\\sigma(z)(1 - \\sigma(z))$
    expr: sigma*(1+sigma)
"""


def test_check_refuses_a_formula_card_whose_answer_is_not_its_expr(write_deck, cli):
    path = write_deck("f.yaml", FORMULA)
    result = cli("check")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{path}:5: card 'f-sigmoid': expr 'sigma*(1+sigma)' is not the answer as shown, "
                                    "σ(z)(1 − σ(z)): it ")  # how they differ: sympy's to say, in time
    assert len(result.stderr.splitlines()) == 1
    write_deck("f.yaml", FORMULA.replace("sigma*(1+sigma)", "sigma*(1-sigma)"))
    assert cli("check").exit_code == 0


def test_add_shows_a_formula_answer_as_math_and_checks_it_against_expr(write_deck, cli):
    path = write_deck("f.yaml", FORMULA.replace("sigma*(1+sigma)", "sigma*(1-sigma)"))
    before = path.read_text(encoding="utf-8")
    args = ["add", "--deck", "f", "--kind", "formula", "-q", "What is the bias-corrected average?", "-a", r"\frac{v_t}{1-\beta^t}"]
    refused = cli(*args, "--expr", "-v_t/(1-beta^t)")
    assert refused.exit_code == 2
    assert refused.stderr == ("card 'f-bias-corrected-average': expr '-v_t/(1-beta^t)' is not the answer as shown, "
                              "vₜ/(1 − βᵗ): it has the wrong sign\n")
    assert path.read_text(encoding="utf-8") == before
    added = cli(*args, "--expr", "v_t/(1-beta^t)")
    assert added.exit_code == 0, added.stderr
    assert "    answer: $\\frac{v_t}{1-\\beta^t}$\n" in path.read_text(encoding="utf-8")  # wrapped in $...$
