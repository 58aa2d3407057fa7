"""The check evaluator runs reference calls and arithmetic, and nothing else."""

from __future__ import annotations

import pytest

from dlquiz.checking.checks import CheckError, evaluate, mismatch
from dlquiz.model import Card


@pytest.mark.parametrize(
    "source, value",
    [
        ("conv_param_count(f=5, n_c_prev=3, n_c=100)", 7600),
        ("(5*5*3 + 1) * 100", 7600),
        ("mobilenet_v2_bottleneck_param_count(5, 30, 3, 20)", 1020),
        ("sum_shape((4, 3), axis=1, keepdims=True)", (4, 1)),
        ("ewa([1, 1, 1], 0.9)[-1]", 1.0),
        ("round(iou((0, 0, 2, 2), (1, 1, 3, 3)), 4)", 0.1429),
        ("-2 ** 3 // 3", -3),
    ],
)
def test_evaluates_reference_calls_and_arithmetic(source, value):
    assert evaluate(source) == pytest.approx(value) if isinstance(value, float) else evaluate(source) == value


@pytest.mark.parametrize(
    "source, message",
    [
        ("__import__('os').system('true')", "a check may only call reference functions by name"),
        ("__import__('os')", "unknown function '__import__'"),
        ("open('/etc/passwd')", "unknown function 'open'"),
        ("conv_param_count.__globals__", "attribute is not allowed in a check"),
        ("(lambda: 1)()", "a check may only call reference functions by name"),
        ("[x for x in (1, 2)]", "listcomp is not allowed in a check"),
        ("conv_param_count(**{'f': 5})", "* and ** arguments are not allowed in a check"),
        ("10 ** 10 ** 10", "exponents above 64 are not allowed in a check"),
        ("1 +", "invalid check syntax: invalid syntax"),
        ("conv_output_size(3, 5)", "ValueError"),
        ("x", "name is not allowed in a check"),
    ],
)
def test_refuses_everything_else(source, message):
    with pytest.raises(CheckError) as info:
        evaluate(source)
    assert message in str(info.value)


def card(kind, answer, options=None):
    return Card(id="x", deck="d", kind=kind, question="q", answer=answer, options=options)


def test_mismatch_rules():
    assert mismatch(card("numeric", 7600), 7600) is None
    assert mismatch(card("numeric", 7600), 7601) == "check gives 7601, but the answer is 7600"
    assert mismatch(card("numeric", 0.1), 0.1 + 1e-12) is None
    assert mismatch(card("numeric", 0.1), 0.1001) is not None
    assert mismatch(card("numeric", 1), True) == "check gives True, not a number"
    assert mismatch(card("shape", (4, 1)), (4, 1)) is None
    assert mismatch(card("shape", (4, 1)), (1, 4)) == "check gives (1, 4), but the answer is [4, 1]"
    assert mismatch(card("truefalse", False), False) is None
    assert mismatch(card("truefalse", False), 0) == "check gives 0, not true or false"
    assert mismatch(card("choice", "b", ("a", "b")), "b") is None
    assert mismatch(card("choice", "b", ("a", "b")), "a") is not None


def test_numpy_results_compare_as_plain_values():
    np = pytest.importorskip("numpy")
    assert mismatch(card("numeric", 3), np.int64(3)) is None
    assert mismatch(card("truefalse", True), np.bool_(True)) is None
