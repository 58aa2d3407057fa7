"""The plain-math parser: what it reads, and what it refuses quickly."""

from __future__ import annotations

import time

import pytest
import sympy

from dlquiz.formula import FormulaError, TooComplex, parse

S = sympy.Symbol


@pytest.mark.parametrize(
    "text, expected",
    [
        ("v_t / (1 - beta^t)", S("v_t") / (1 - S("beta") ** S("t"))),
        ("v_t/(1-β^t)", S("v_t") / (1 - S("beta") ** S("t"))),
        ("v_t / (1 - beta**t)", S("v_t") / (1 - S("beta") ** S("t"))),
        ("beta v_prev + (1-beta) theta_t", S("beta") * S("v_prev") + (1 - S("beta")) * S("theta_t")),
        ("β₁", S("beta_1")),
        ("beta_{1}", S("beta_1")),
        ("2x^2", 2 * S("x") ** 2),
        ("-x^2", -(S("x") ** 2)),
        ("(z - mu)/sqrt(sigma^2 + epsilon)", (S("z") - S("mu")) / sympy.sqrt(S("sigma") ** 2 + S("epsilon"))),
        ("floor((n + 2p - f)/s) + 1", sympy.floor((S("n") + 2 * S("p") - S("f")) / S("s")) + 1),
        ("z_norm = (z - mu)", S("z") - S("mu")),
        ("e^t alpha_0", sympy.E ** S("t") * S("alpha_0")),
        ("|x|", sympy.Abs(S("x"))),
        ("A × (C + 5)", S("A") * (S("C") + 5)),
        ("sigma(x)", 1 / (1 + sympy.exp(-S("x")))),
        ("1/7", sympy.Rational(1, 7)),
        ("7.6e3", sympy.Rational(7600)),
    ],
)
def test_reads(text, expected):
    assert sympy.simplify(parse(text) - expected) == 0


@pytest.mark.parametrize(
    "text, message",
    [
        ("(x + ", "the formula ends too early"),
        ("x + )", "unexpected ')' at position 5"),
        ("x @ y", "unexpected '@' at position 3"),
        ("__import__('os')", "unexpected '_' at position 1"),
        ("", "empty formula"),
        ("a = b = c", "unexpected '=' at position 3"),
    ],
)
def test_refuses_with_a_reason(text, message):
    with pytest.raises(FormulaError) as info:
        parse(text)
    assert str(info.value) == message


@pytest.mark.parametrize("text", ["9**9**9**9", "9^9^9^9", "x" * 10_000, "(" * 300 + "x" + ")" * 300, "2^(10^5)"])
def test_too_complex_answers_within_a_second(text):
    started = time.perf_counter()
    with pytest.raises(TooComplex):
        parse(text)
    assert time.perf_counter() - started < 1
