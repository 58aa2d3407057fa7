"""Typed answers: what each kind accepts, the exact feedback it gives, that nothing typed (or
written in a deck) runs as code, and that a formula check answers within a second."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlquiz.checking import answers, equivalence
from dlquiz.checking.answers import Verdict, check
from dlquiz.decks.collection import load_collection
from dlquiz.decks.files import discover
from dlquiz.errors import clip
from dlquiz.paths import bundled_cards_dir

OPTIONS = (
    "Padding the input with a border of zeros",
    "Using a larger stride",
    "Max pooling after each convolution",
    "Using more filters",
)
CARDS = list(load_collection(paths=discover([bundled_cards_dir()]), cache=False).cards.values())
FORMULA_CARDS = [card for card in CARDS if card.kind == "formula"]


@pytest.fixture(scope="module", autouse=True)
def warm():
    """What the review UI does in a background thread: later timings exclude sympy's import."""
    answers.warm_up()


def ok(verdict: Verdict) -> bool:
    return verdict == Verdict(True, "correct")


# --- numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["7600", "7,600", "7 600", "7.6e3", "7600.0", "(5*5*3+1)*100", "(5·5·3 + 1)×100",
                                   "(5x5x3 + 1) x 100", "= 7600", "76 * 10^2", "76e2", " 7600 "])
def test_numeric_accepts_the_ways_people_write_a_number(typed):
    assert ok(check("numeric", 7600, typed))


@pytest.mark.parametrize("typed, feedback", [
    ("7500", "7,500 is not 7,600"),
    ("7,601", "7,601 is not 7,600"),
    ("(5*5*3+1)*99", "(5*5*3+1)*99 = 7,524 is not 7,600"),
    ("7599.5", "7,599.5 is not 7,600"),
    ("abc", "cannot read 'abc' as a number: 'abc' is not a number"),
    ("7600 parameters", "cannot read '7600 parameters' as a number: 'parameters' is not a number"),
    ("76 00", "cannot read '76 00' as a number: missing operator between 76 and 00 at position 4"),
    ("1/0", "cannot read '1/0' as a number: division by zero"),
    ("0,5", "cannot read '0,5': write decimals with a point (0.5, not 0,5)"),
    ("9**9**9**9", "too complex: that power is far too large"),
    ("exp(1000)", "too complex: the number is far too large"),
    ("", "no answer typed"),
    (" \t\n ", "no answer typed"),
])
def test_numeric_feedback(typed, feedback):
    assert check("numeric", 7600, typed) == Verdict(False, feedback, readable=not feedback.startswith("cannot read"))


@pytest.mark.parametrize("typed, verdict", [
    ("1/7", Verdict(True, "correct")),
    ("0.142857142857", Verdict(True, "correct (the exact value is 0.1428571)")),
    ("0.1429", Verdict(True, "correct (the exact value is 0.1428571)")),
    ("0.14", Verdict(True, "correct (the exact value is 0.1428571)")),  # rounded as typed
    ("0.1", Verdict(False, "0.1 is not 0.1429")),  # one significant digit is not enough
    ("0.15", Verdict(False, "0.15 is not 0.1429")),
    ("14.29%", Verdict(True, "correct (the exact value is 0.1428571)")),
    ("2/14", Verdict(True, "correct")),
])
def test_real_answers_within_a_tolerance(typed, verdict):
    assert check("numeric", 1 / 7, typed) == verdict


def test_a_card_tolerance_replaces_the_default():
    assert check("numeric", 1 / 7, "0.15", tolerance=0.1).correct
    assert check("numeric", 1 / 7, "0.14", tolerance=1e-6) == Verdict(False, "0.14 is not 0.1429")
    assert check("numeric", 1 / 7, "0.142857", tolerance=1e-9) == Verdict(False, "0.142857 is not 0.1428571")


def test_whole_number_answers_are_exact():
    assert check("numeric", 15, "15.0").correct
    assert check("numeric", 15, "sqrt(225)").correct
    assert check("numeric", 15, "15.0001") == Verdict(False, "15.0001 is not 15")
    assert check("numeric", 10**12, "1e12").correct
    assert check("numeric", 10**12, "1e12 + 1") == Verdict(False, "1e12 + 1 = 1,000,000,000,001 is not 1,000,000,000,000")


def test_numpy_answers_compare_like_python_numbers():
    np = pytest.importorskip("numpy")
    assert check("numeric", np.int64(7600), "7600").correct
    assert check("numeric", np.int64(7600), "7601") == Verdict(False, "7,601 is not 7,600")


@settings(max_examples=200)
@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_any_integer_round_trips(n):
    assert ok(check("numeric", n, str(n)))
    assert ok(check("numeric", n, f"{n:,}"))
    assert check("numeric", n, str(n + 1)) == Verdict(False, f"{n + 1:,} is not {n:,}".replace("-", "−"))  # minus signs


@settings(max_examples=200)
@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False).filter(lambda x: abs(x) > 1e-9))
def test_any_real_round_trips(x):
    assert ok(check("numeric", x, repr(x)))
    assert not check("numeric", x, repr(x * 1.01)).correct


# --- shapes -------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["(4, 1)", "(4,1)", "4x1", "4 x 1", "4 × 1", "[4,1]", "4, 1", "4*1"])
def test_shape_accepts_the_usual_spellings(typed):
    assert ok(check("shape", (4, 1), typed))


@pytest.mark.parametrize("expected, typed, feedback", [
    ((4, 3), "(4, 1)", "dimension 2: 1 is not 3"),
    ((2, 3, 5), "(1, 3, 4)", "dimension 1: 1 is not 2; dimension 3: 4 is not 5"),
    ((4, 1), "(1, 4)", "dimensions 1 and 2 are swapped: the answer is (4, 1)"),
    ((4, 1), "(4,)", "(4,) has 1 dimension, the answer has 2"),
    ((4,), "(4, 1)", "(4, 1) has 2 dimensions, the answer has 1"),
    (("n_x", "m"), "(m, n_x)", "dimensions 1 and 2 are swapped: the answer is (n_x, m)"),
    (("n_l", "n_l_prev"), "(n_l, n_l)", "dimension 2: n_l is not n_l_prev"),
    ((4, 1), "(4, 1.5)", "cannot read '(4, 1.5)' as a shape: write it like (4, 1)"),
    ((4, 1), "  ", "no answer typed"),
])
def test_shape_feedback_per_dimension(expected, typed, feedback):
    assert check("shape", expected, typed) == Verdict(False, feedback, readable=not feedback.startswith("cannot read"))


def test_shape_names_ignore_braces_and_underscores():
    assert ok(check("shape", ("n_x", "m"), "(n_{x}, m)"))
    assert ok(check("shape", ("n_x", "m"), "n_x x m"))
    assert ok(check("shape", ("n_l", "n_l_prev"), "(nl, nlprev)"))


# --- true/false, choice, text -------------------------------------------------------------


@pytest.mark.parametrize("typed", ["t", "T", "true", "True.", "yes", "Y"])
def test_truefalse_reads_yes_and_true(typed):
    assert ok(check("truefalse", True, typed))
    assert check("truefalse", False, typed) == Verdict(False, "no: the statement is false")


def test_truefalse_refuses_anything_else():
    assert check("truefalse", True, "maybe") == Verdict(False, "cannot read 'maybe': answer true or false (t/f, yes/no)", readable=False)
    assert check("truefalse", True, "no") == Verdict(False, "no: the statement is true")


@pytest.mark.parametrize("typed", ["A", "a", "a.", "(a)", "1", "padding", "Padding the input with a border of zeros",
                                   "border of zeros", "pading the input with a border of zeros"])
def test_choice_by_letter_number_or_text(typed):
    assert ok(check("choice", OPTIONS[0], typed, options=OPTIONS))


@pytest.mark.parametrize("typed, feedback", [
    ("B", "B is not it: the answer is A. Padding the input with a border of zeros"),
    ("3", "C is not it: the answer is A. Padding the input with a border of zeros"),
    ("E", "there is no option E (choose A–D)"),
    ("7", "there is no option 7 (choose A–D)"),
    ("using", "“using” matches options B and D: type a letter"),
    ("dropout", "“dropout” is not one of the options: type a letter (A–D)"),
    ("A, B", "only one option is right: A. Padding the input with a border of zeros"),
])
def test_choice_feedback(typed, feedback):
    unreadable = "option" in feedback and "is not it" not in feedback and "only one" not in feedback
    assert check("choice", OPTIONS[0], typed, options=OPTIONS) == Verdict(False, feedback, readable=not unreadable)


@pytest.mark.parametrize("typed, verdict", [
    ("A, C", Verdict(True, "correct")),
    ("c a", Verdict(True, "correct")),
    ("AC", Verdict(True, "correct")),
    ("1 and 3", Verdict(True, "correct")),
    ("A", Verdict(False, "you missed C: the answer is A and C")),
    ("A, B", Verdict(False, "B is not right and you missed C: the answer is A and C")),
    ("A, B, C, D", Verdict(False, "B and D are not right: the answer is A and C")),
])
def test_choice_with_several_answers(typed, verdict):
    assert check("choice", (OPTIONS[0], OPTIONS[2]), typed, options=OPTIONS) == verdict


@pytest.mark.parametrize("expected, typed, verdict", [
    ("mini-batch", "Mini batch", Verdict(True, "correct")),
    ("mini-batch", "minibatch.", Verdict(True, "correct")),
    ("the vanishing gradient", "Vanishing gradient", Verdict(True, "correct")),
    ("exploding gradients", "exploding gradinets", Verdict(True, "correct (spelled “exploding gradients”)")),
    (("ReLU", "rectified linear unit"), "rectified linear unit", Verdict(True, "correct")),
    ("softmax", "sofmax", Verdict(True, "correct (spelled “softmax”)")),
    ("relu", "elu", Verdict(False, "“elu” is not “relu”")),  # short words get no typo allowance
    ("softmax", "sigmoid", Verdict(False, "“sigmoid” is not “softmax”")),
])
def test_text_answers_are_normalised(expected, typed, verdict):
    assert check("text", expected, typed) == verdict


# --- formulas ----------------------------------------------------------------------------

BIAS = "v_t / (1 - beta^t)"


@pytest.mark.parametrize("typed", [
    "v_t / (1 - beta^t)", "v_t/(1-β^t)", "v_t / (1 - beta**t)", "vt/(1-beta^t)", "-v_t/(beta^t - 1)",
    "v_corrected = v_t (1 - β^t)^-1", "v_t·(1 − βᵗ)^(−1)", "v_{t} / (1 - \u03b2^{t})",
])
def test_formula_accepts_equivalent_forms(typed):
    assert ok(check("formula", BIAS, typed))


@pytest.mark.parametrize("expected, typed, feedback", [
    (BIAS, "v_t", "it is missing the factor 1/(1 − βᵗ)"),
    (BIAS, "v_t/(1-beta)", "it has 1/(1 − β) where the answer has 1/(1 − βᵗ)"),
    (BIAS, "-v_t/(1-beta^t)", "it has the wrong sign"),
    (BIAS, "2 v_t/(1-beta^t)", "it is 2 times the answer"),
    (BIAS, "v_t/(1-beta^t) + 1", "it is the answer + 1"),
    ("(f - 1)/2", "(f + 1)/2", "it is the answer + 1"),
    ("beta_2*s_dW + (1 - beta_2)*dW^2", "beta_2*s_dW + (1 - beta_2)*dW", "its term dW · (1 − β₂) has dW where the answer has dW²"),
    ("beta_2*s_dW + (1 - beta_2)*dW^2", "beta_2*v_dW + (1 - beta_2)*dW^2", "it has v_dW where the answer has s_dW"),
    ("(1 - alpha*lambda/m)*W - alpha*dW_backprop", "W - alpha*dW_backprop", "its term W is missing the factor −(α · λ)/m + 1"),
    ("Gamma_o*tanh(c_t)", "Gamma_o*c_t", "it has cₜ where the answer has tanh(cₜ)"),
    ("g(z_l2 + a_l)", "relu(z_l2 + a_l)", "it has relu( ) where the answer has g( )"),
    ("x", "max(0, x)", "it uses max( ), which the answer does not"),
    ("alpha_0 / (1 + decay_rate*epoch_num)", "alpha_0 / (1 + decay_rate*epoch)", "it has epoch where the answer has epoch_num"),
    (BIAS, "1/(x - x)", "it has no finite value where the answer has one"),
])
def test_formula_says_how_it_differs(expected, typed, feedback):
    assert check("formula", expected, typed) == Verdict(False, "your formula differs: " + feedback)


@pytest.mark.parametrize("typed, feedback", [
    ("v_t @ 2", "cannot read your formula: unexpected '@' at position 5"),
    ("(v_t", "cannot read your formula: expected ')' at the end"),
    ("sqrt(1, 2)", "cannot read your formula: sqrt() takes 1 argument, not 2"),
    ("9**9**9**9", "too complex: that power is far too large"),
    ("x" * 700, "too complex: longer than 500 characters"),
    ("x" * 10_000, "too complex: longer than 1000 characters"),
    ("(" * 100 + "x" + ")" * 100, "too complex: nested too deeply"),
])
def test_formula_refuses_unreadable_input(typed, feedback):
    assert check("formula", BIAS, typed) == Verdict(False, feedback, readable=not feedback.startswith("cannot read"))


@pytest.mark.parametrize("typed", [
    "9**9**9**9", "x" * 10_000, "floor(exp(exp(100)))*v_t", "sigma(exp(exp(100)))", "ceil(e^(e^(e^5)))",
    "(v_t+1)^100000 - v_t", "x^x^x^x^x^x^x^x^x", "1.0000001^(10^9)", "+".join(["sin(x)^2"] * 40),
    "*".join(f"(a{i} + b{i})" for i in range(30)),
])
def test_a_formula_check_answers_within_a_second(typed):
    started = time.perf_counter()
    verdict = check("formula", BIAS, typed)
    assert time.perf_counter() - started < 1.0
    assert not verdict.correct


def test_the_time_limit_stops_a_runaway_explanation(monkeypatch):
    def forever(target, typed):
        while True:
            pass

    monkeypatch.setattr(equivalence, "_sympy_parts", forever)
    monkeypatch.setattr(equivalence, "_sympy_difference", forever)
    started = time.perf_counter()
    verdict = check("formula", "a*b + c", "a*b + c*d")
    assert time.perf_counter() - started < 1.2
    assert verdict == Verdict(False, "your formula differs: it uses d, which the answer does not")


def test_the_time_limit_restores_the_previous_alarm_handler():
    import signal

    before = signal.getsignal(signal.SIGALRM)
    with pytest.raises(equivalence.OutOfTime):
        with equivalence.time_limit(0.05) as enforced:
            assert enforced
            while True:
                pass
    assert signal.getsignal(signal.SIGALRM) is before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


@pytest.mark.parametrize("card", FORMULA_CARDS, ids=lambda c: c.id)
def test_every_formula_card_accepts_its_own_expr_and_refuses_a_changed_one(card):
    assert ok(check("formula", card.expr, card.expr))
    assert ok(check("formula", card.expr, f"2*({card.expr})/2"))
    wrong = check("formula", card.expr, f"({card.expr}) + 1")
    assert wrong == Verdict(False, "your formula differs: it is the answer + 1")


@settings(max_examples=60, deadline=1500, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([c.expr for c in FORMULA_CARDS]), st.integers(min_value=2, max_value=50))
def test_scaling_a_formula_is_noticed(expr, k):
    assert ok(check("formula", expr, f"({expr})*{k}/{k}"))
    assert check("formula", expr, f"{k}*({expr})") == Verdict(False, f"your formula differs: it is {k} times the answer")


ANYTHING = st.lists(st.sampled_from(list("0123456789+-*/^().,x =β_e|√⌊⌋ab") + ["sqrt(", "exp(", "**", "9^9", "floor("]),
                    max_size=40).map("".join)


@settings(max_examples=300, deadline=1500, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["numeric", "shape", "formula", "truefalse", "choice", "text"]), ANYTHING)
def test_check_never_raises_and_never_takes_long(kind, typed):
    expected = {"numeric": 7600, "shape": (4, 1), "formula": BIAS, "truefalse": True,
                "choice": OPTIONS[0], "text": "softmax"}[kind]
    started = time.perf_counter()
    verdict = check(kind, expected, typed, options=OPTIONS)
    assert isinstance(verdict, Verdict) and verdict.feedback
    assert time.perf_counter() - started < 1.0


def test_an_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown answer kind 'basic'"):
        check("basic", "x", "x")


# --- nothing runs --------------------------------------------------------------------------

CODE = ["__import__('os').system('touch {marker}')", "open('{marker}', 'w')", "(lambda: open('{marker}', 'w'))()",
        "().__class__.__bases__[0]"]


@pytest.mark.parametrize("code", CODE)
@pytest.mark.parametrize("kind", ["numeric", "formula", "shape"])
def test_typed_code_is_refused_and_never_runs(kind, code, tmp_path):
    marker = tmp_path / "ran"
    typed = code.format(marker=marker)
    expected = {"numeric": 7600, "formula": BIAS, "shape": (4, 1)}[kind]
    verdict = check(kind, expected, typed)
    assert not verdict.correct
    assert not marker.exists()


@pytest.mark.parametrize("code", CODE)
def test_code_in_a_cards_expr_is_refused_at_review_and_never_runs(code, tmp_path):
    marker = tmp_path / "ran"
    verdict = check("formula", code.format(marker=marker), "x")
    assert not verdict.correct and verdict.feedback.startswith("this card's formula cannot be checked (")
    assert verdict.feedback.endswith("): grade yourself")
    assert not marker.exists()


def test_code_in_a_deck_is_rejected_and_never_runs(write_deck, cli, tmp_path):
    """An `expr` that is not plain math makes the deck invalid (exit 2, for every command); a
    `check` that is not a reference call fails `dlquiz check` (exit 1). Neither runs."""
    marker = tmp_path / "ran"
    head = "course: 1\nweek: 1\ntitle: T\ncards:\n"
    code = f"__import__('os').system('touch {marker}')"
    formula = write_deck("f.yaml", head + f"  - id: t-evil\n    kind: formula\n    question: q\n    answer: a\n    expr: \"{code}\"\n")
    for command in (["check"], ["decks"], ["show", "t-evil"]):
        result = cli(*command)
        assert (result.exit_code, result.stderr) == (2, f"{formula}:9: expr {clip(code)} does not parse: unexpected '_' at position 1\n")
    formula.unlink()
    checked = write_deck("c.yaml", head + f"  - id: t-evil-check\n    kind: numeric\n    question: q\n    answer: 1\n    check: \"{code}\"\n")
    result = cli("check")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{checked}:5: card 't-evil-check': check {clip(code)} failed: a check may only call reference functions by name",
    ]
    assert not marker.exists()


# --- the API the review session calls ------------------------------------------------------


def test_suggested_grade():
    assert answers.suggested_grade(Verdict(True, "correct")) == 4
    assert answers.suggested_grade(Verdict(False, "7,500 is not 7,600")) == 1


def test_checkable_expected_for_and_check_card():
    by_id = {card.id: card for card in CARDS}
    kinds = {card.kind: card for card in CARDS if not card.template}
    assert {kind for kind, card in kinds.items() if answers.checkable(card)} == {
        "truefalse", "choice", "numeric", "shape", "formula", "cloze", "order"}
    assert not answers.checkable(kinds["basic"])
    formula_card = kinds["formula"]
    assert answers.expected_for(formula_card) == formula_card.expr
    assert answers.expected_for(by_id["c4w1-conv-layer-params"]) == 7600
    assert answers.check_card(by_id["c4w1-conv-layer-params"], "7,500") == Verdict(False, "7,500 is not 7,600")
    assert ok(answers.check_card(formula_card, formula_card.expr))


def test_a_template_card_is_checkable_once_drawn():
    from dlquiz.checking.templates import catalog as templates

    card = next(card for card in CARDS if card.template == "conv_output_size")
    assert card.kind == "basic" and answers.checkable(card)
    with pytest.raises(ValueError, match="is a template: draw it with templates.instantiate"):
        answers.expected_for(card)
    drawn = templates.instantiate(card, 3)
    assert answers.expected_for(drawn) == drawn.answer
    assert ok(answers.check_card(drawn, str(drawn.answer)))


def test_sympy_is_imported_only_to_explain_a_wrong_formula():
    code = (
        "import sys; from dlquiz.checking import answers; from dlquiz.checking.templates import catalog as templates\n"
        "assert 'sympy' not in sys.modules and 'numpy' not in sys.modules\n"
        "assert answers.check('formula', 'v_t/(1-beta^t)', 'v_t/(1-β^t)').correct\n"
        "assert answers.check('numeric', 7600, '7,600').correct\n"
        "assert 'sympy' not in sys.modules\n"
        "wrong = answers.check('formula', 'v_t/(1-beta^t)', 'v_t')  # imports sympy, outside the time budget\n"
        "assert wrong.feedback == 'your formula differs: it is missing the factor 1/(1 − βᵗ)', wrong\n"
        "assert 'sympy' in sys.modules\n"
        "answers.warm_up()\n"
        "print('fine')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout == "fine\n", result.stderr


def test_warm_up_runs_in_a_background_thread():
    import threading

    thread = threading.Thread(target=answers.warm_up)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert check("formula", BIAS, "v_t") == Verdict(False, "your formula differs: it is missing the factor 1/(1 − βᵗ)")
