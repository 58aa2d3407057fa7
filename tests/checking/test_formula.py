"""The plain-math parser: what it reads, and what it refuses quickly."""

from __future__ import annotations

import time

import pytest
import sympy

from dlquiz.checking.formula import FormulaError, TooComplex, parse

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


# --- the tree behind parse(): exact numbers, values at points, guards before sympy (issue 4) --

from fractions import Fraction  # noqa: E402

from dlquiz.checking import formula  # noqa: E402


@pytest.mark.parametrize(
    "text, value",
    [
        ("⌊(32 + 2·1 − 5) / 2⌋ + 1", 15),
        ("(5*5*3 + 1)*100", 7600),
        ("0.1 + 0.2", Fraction(3, 10)),  # exact, not 0.30000000000000004
        ("1/7", Fraction(1, 7)),
        ("sqrt(16/9)", Fraction(4, 3)),
        ("2^-1", Fraction(1, 2)),
        ("-2^2", -4),
        ("⌈2.1⌉ + max(1, 2, 3)", 6),
        ("7.6e3", 7600),
    ],
)
def test_evaluate_is_exact_while_the_arithmetic_is_rational(text, value):
    result = formula.evaluate(text)
    assert isinstance(result, Fraction) and result == value


def test_evaluate_turns_to_floats_for_irrational_values():
    assert formula.evaluate("e^2 / (e^1 + e^2 + e^0)") == pytest.approx(0.66524095)
    assert formula.evaluate("sin(3 / 10000^(2/8))") == pytest.approx(0.29552020666)
    started = time.perf_counter()
    assert formula.evaluate("0.999^10000") == pytest.approx(4.5173345977e-05)
    assert formula.evaluate("1.0000001^(10^9)") == pytest.approx(2.6881038e43, rel=1e-6)
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize(
    "text, message",
    [
        ("x + 1", "'x' is not a number"),
        ("1/0", "division by zero"),
        ("1/(2 - 2)", "division by zero"),
        ("(-8)^(1/3)", "a negative number to a fractional power is not a real number"),
        ("log(0)", "the logarithm of a number <= 0 is undefined"),
        ("sqrt(-4)", "the square root of a negative number is not a real number"),
        ("g(2)", "g() is an unspecified activation, not a number"),
        ("2 3", "missing operator between 2 and 3 at position 3"),
        ("max(1)", "max() takes at least 2 arguments, not 1"),
        ("exp(1000)", "too complex: the number is far too large"),
        ("10^300 * 10^300", "too complex: the number is far too large"),
    ],
)
def test_evaluate_refuses_with_a_reason(text, message):
    with pytest.raises(FormulaError) as info:
        formula.evaluate(text)
    assert str(info.value) == message


def test_greek_letter_and_digit_is_a_subscript():
    assert formula.names(formula.parse_tree("β1 + β₂ + beta_3 + β")) == {"beta_1", "beta_2", "beta_3", "beta"}


@pytest.mark.parametrize("text", ["floor(exp(exp(100)))", "sigma(exp(exp(100)))", "floor(pi*10^1000)", "1.0000001^(10^9)"])
def test_sympy_never_sees_a_huge_numeric_part(text):
    # sympy would evaluate floor(exp(exp(100))) for ever; the tree refuses it first
    started = time.perf_counter()
    with pytest.raises(TooComplex):
        parse(text)
    assert time.perf_counter() - started < 1


def test_probe_values_and_undefined_points():
    tree = formula.parse_tree("v_t / (1 - beta^t)")
    assert formula.probe(tree, {"v_t": 1, "beta": 0.5, "t": 2}) == pytest.approx(4 / 3)
    with pytest.raises(formula.Undefined):
        formula.probe(tree, {"v_t": 1, "beta": 1, "t": 2})
    assert formula.probe(formula.parse_tree("sqrt(x)"), {"x": -4}) == pytest.approx(2j)
    with pytest.raises(formula.Undefined):
        formula.probe(formula.parse_tree("relu(sqrt(x))"), {"x": -4})


def test_pretty_shows_formulas_as_the_cards_show_math():
    """Verdicts print formulas through the cards' own LaTeX rendering: θₜ as in a question, not θ_t."""
    from dlquiz.render.math.text import inline

    assert formula.pretty(parse("v_t / (1 - beta^t)")) == "vₜ/(1 − βᵗ)" == inline(r"\frac{v_t}{1 - \beta^t}")
    assert formula.pretty(parse("beta_2*s_dW + e^x")) == "β₂ · s_dW + eˣ"
    assert formula.pretty(parse("Gamma_o*tanh(c_t)")) == "Γₒ · tanh(cₜ)"
    assert formula.pretty(parse("decay_rate*epoch_num")) == "decay_rate · epoch_num"
    for name, latex in [("alpha_0", r"\alpha_0"), ("Gamma_u", r"\Gamma_u"), ("n_x", "n_x"), ("theta_t", r"\theta_t"), ("v_dW", "v_{dW}")]:
        assert formula.pretty_name(name) == inline(latex)


@pytest.mark.parametrize("text", ["9e348691", "1e-400", "1" * 61])
def test_a_number_written_with_a_huge_exponent_is_too_complex(text):
    with pytest.raises(TooComplex) as info:
        formula.parse_tree(text)
    assert str(info.value) == "too complex: a number with too many digits"


def test_the_time_limit_never_raises_inside_a_gc_callback():
    """An exception cannot leave a gc callback (Python prints and drops it): the alarm lets the
    callback finish and fires again 50 ms later, in the work it limits."""
    import gc
    import sys

    from dlquiz.errors import unraisable

    seen = []

    def callback(phase, info):
        seen.append(unraisable(sys._getframe()))

    gc.callbacks.append(callback)
    try:
        gc.collect()
    finally:
        gc.callbacks.remove(callback)
    assert seen and all(seen)
    assert not unraisable(sys._getframe())


class _SlowToFree:
    """Freed by the garbage collector (a cycle), slowly: the alarm falls in its finalizer."""

    spin_in_del = False

    def __init__(self, finalizer: str):
        self.cycle = self
        if finalizer == "weakref.finalize":
            import weakref

            weakref.finalize(self, _spin)

    def __del__(self):
        if type(self).spin_in_del:
            _spin()


def _spin(seconds: float = 0.15) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


@pytest.mark.parametrize("finalizer", ["__del__", "weakref.finalize"])
def test_the_time_limit_never_raises_inside_a_finalizer_and_still_ends_the_work(finalizer, monkeypatch):
    """An object freed by the collector in the middle of the limited work (a deck cache's file,
    closed by its `__del__`) runs its finalizer there: OutOfTime raised in it would be printed
    ("Exception ignored in ...") and dropped. It is raised after it, in the work."""
    import gc
    import sys

    from dlquiz.checking import equivalence

    dropped = []
    monkeypatch.setattr(sys, "unraisablehook", dropped.append)
    monkeypatch.setattr(_SlowToFree, "spin_in_del", finalizer == "__del__")
    with pytest.raises(equivalence.OutOfTime):
        with equivalence.time_limit(0.05) as enforced:
            assert enforced
            _SlowToFree(finalizer)
            gc.collect()  # the finalizer runs here, past the limit
            _spin(1.0)  # the work: ended by the alarm
    assert dropped == []