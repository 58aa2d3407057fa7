"""Tests for dlquiz.reference: closed forms checked against array computations,
hand-worked examples, and the facts the flashcards quote."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dlquiz import reference as ref

FAST = settings(max_examples=60, deadline=None)


def rng(seed=0):
    return np.random.default_rng(seed)


# --------------------------------------------------------------------------
# convolution / pooling shapes
# --------------------------------------------------------------------------

def test_conv_output_size_matches_conv_forward_shape_on_a_grid():
    r = rng(1)
    checked = 0
    for n, f, p, s in itertools.product(range(1, 7), range(1, 5), range(3), range(1, 4)):
        if f > n + 2 * p:
            with pytest.raises(ValueError):
                ref.conv_output_size(n, f, p, s)
            continue
        A = r.standard_normal((1, n, n + 1, 2))        # non-square, so H and W both count
        W = r.standard_normal((f, f, 2, 3))
        b = r.standard_normal((1, 1, 1, 3))
        Z = ref.conv_forward(A, W, b, stride=s, pad=p)
        assert Z.shape == (1, ref.conv_output_size(n, f, p, s),
                           ref.conv_output_size(n + 1, f, p, s), 3)
        checked += 1
    assert checked > 150


def test_pool_output_shape_matches_pool_forward_on_a_grid():
    r = rng(2)
    for n, f, s in itertools.product(range(1, 8), range(1, 5), range(1, 4)):
        if f > n:
            continue
        A = r.standard_normal((2, n, n, 3))
        for mode in ("max", "average"):
            out = ref.pool_forward(A, f, stride=s, mode=mode)
            k = ref.conv_output_size(n, f, 0, s)
            assert out.shape == (2, k, k, 3)


@pytest.mark.parametrize("f", [1, 3, 5, 7])
@pytest.mark.parametrize("n", [1, 4, 6])
def test_same_padding_keeps_size_with_stride_1(n, f):
    r = rng(3)
    p = ref.same_padding(f)
    Z = ref.conv_forward(r.standard_normal((1, n, n, 2)), r.standard_normal((f, f, 2, 1)),
                         np.zeros((1, 1, 1, 1)), stride=1, pad=p)
    assert Z.shape == (1, n, n, 1)


@pytest.mark.parametrize("f", [2, 4, 0, -1])
def test_same_padding_rejects_even_or_nonpositive_f(f):
    with pytest.raises(ValueError):
        ref.same_padding(f)


@pytest.mark.parametrize("args", [(5, 3, 0, 0), (5, 3, -1, 1), (0, 1, 0, 1), (5, 0, 0, 1),
                                  (3, 6, 1, 1), (5, 3, 0, -2), (5.5, 3, 0, 1)])
def test_conv_output_size_rejects_bad_arguments(args):
    with pytest.raises(ValueError):
        ref.conv_output_size(*args)


def test_conv_output_size_known_values():
    assert ref.conv_output_size(6, 3) == 4
    assert ref.conv_output_size(7, 3, pad=0, stride=2) == 3
    assert ref.conv_output_size(63, 7, pad=0, stride=2) == 29   # floor
    assert ref.conv_output_size(32, 5, pad=2, stride=1) == 32


@given(n=st.integers(1, 40), f=st.integers(1, 9), p=st.integers(0, 4), s=st.integers(1, 5))
@FAST
def test_conv_transpose_inverts_conv_when_division_is_exact(n, f, p, s):
    assume(f <= n + 2 * p and (n + 2 * p - f) % s == 0)
    out = ref.conv_output_size(n, f, p, s)
    assert ref.conv_transpose_output_size(out, f, p, s) == n


def test_conv_transpose_output_size_known_values_and_errors():
    assert ref.conv_transpose_output_size(2, 3, pad=1, stride=2) == 3
    assert ref.conv_transpose_output_size(4, 4, pad=1, stride=2) == 8   # classic upsample x2
    with pytest.raises(ValueError):
        ref.conv_transpose_output_size(1, 1, pad=1, stride=1)           # size would be -1
    with pytest.raises(ValueError):
        ref.conv_transpose_output_size(3, 3, pad=0, stride=0)


# --------------------------------------------------------------------------
# convolution / pooling values
# --------------------------------------------------------------------------

def naive_conv(A, W, b, stride, pad):
    m, nh, nw, _ = A.shape
    f, _, c_prev, c_out = W.shape
    P = np.zeros((m, nh + 2 * pad, nw + 2 * pad, c_prev))
    P[:, pad:pad + nh, pad:pad + nw, :] = A
    oh = (nh + 2 * pad - f) // stride + 1
    ow = (nw + 2 * pad - f) // stride + 1
    Z = np.zeros((m, oh, ow, c_out))
    for i in range(m):
        for h in range(oh):
            for w in range(ow):
                for c in range(c_out):
                    total = 0.0
                    for u in range(f):
                        for v in range(f):
                            for k in range(c_prev):
                                total += P[i, h * stride + u, w * stride + v, k] * W[u, v, k, c]
                    Z[i, h, w, c] = total + b[0, 0, 0, c]
    return Z


@pytest.mark.parametrize("stride,pad,f", [(1, 0, 3), (2, 1, 3), (1, 2, 2), (3, 1, 2), (2, 0, 1)])
def test_conv_forward_matches_naive_loop(stride, pad, f):
    r = rng(4)
    A = r.standard_normal((2, 5, 4, 3))
    W = r.standard_normal((f, f, 3, 2))
    b = r.standard_normal((1, 1, 1, 2))
    np.testing.assert_allclose(ref.conv_forward(A, W, b, stride, pad),
                               naive_conv(A, W, b, stride, pad), rtol=1e-12, atol=1e-12)


def test_conv_forward_hand_example():
    A = np.arange(1.0, 10.0).reshape(1, 3, 3, 1)          # [[1,2,3],[4,5,6],[7,8,9]]
    W = np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(2, 2, 1, 1)
    b = np.ones((1, 1, 1, 1))
    # 1*1 + 2*2 + 3*4 + 4*5 = 37, etc., plus bias 1
    np.testing.assert_allclose(ref.conv_forward(A, W, b)[0, :, :, 0], [[38, 48], [68, 78]])
    # pad 1, stride 2: windows of the padded 5x5 at rows/cols 0 and 2
    np.testing.assert_allclose(ref.conv_forward(A, W, b * 0, stride=2, pad=1)[0, :, :, 0],
                               [[4, 18], [36, 77]])


def test_conv_forward_rejects_mismatched_channels():
    with pytest.raises(ValueError):
        ref.conv_forward(np.zeros((1, 4, 4, 3)), np.zeros((3, 3, 2, 1)), np.zeros((1, 1, 1, 1)))


def test_pool_forward_hand_example_and_naive_loop():
    A = np.array([[1.0, 3, 2, 0], [4, 6, 1, 1], [0, 2, 9, 8], [1, 1, 7, 5]]).reshape(1, 4, 4, 1)
    np.testing.assert_allclose(ref.pool_forward(A, 2, 2, "max")[0, :, :, 0], [[6, 2], [2, 9]])
    np.testing.assert_allclose(ref.pool_forward(A, 2, 2, "average")[0, :, :, 0],
                               [[3.5, 1.0], [1.0, 7.25]])
    r = rng(5)
    B = r.standard_normal((2, 5, 6, 3))
    out = ref.pool_forward(B, 3, 2, "max")
    for i, h, w, c in itertools.product(range(2), range(2), range(2), range(3)):
        assert out[i, h, w, c] == max(B[i, h * 2 + u, w * 2 + v, c]
                                      for u in range(3) for v in range(3))


def test_pool_forward_rejects_unknown_mode():
    with pytest.raises(ValueError):
        ref.pool_forward(np.zeros((1, 4, 4, 1)), 2, 2, mode="min")


# --------------------------------------------------------------------------
# parameter counts against the weight arrays a layer would create
# --------------------------------------------------------------------------

def total_size(params):
    return sum(a.size for a in params.values())


@given(f=st.integers(1, 7), c_prev=st.integers(1, 16), c=st.integers(1, 16), bias=st.booleans())
@FAST
def test_conv_param_count_matches_arrays(f, c_prev, c, bias):
    params = {"W": np.zeros((f, f, c_prev, c))}
    if bias:
        params["b"] = np.zeros((1, 1, 1, c))
    assert ref.conv_param_count(f, c_prev, c, bias) == total_size(params)


@given(n_prev=st.integers(1, 50), n=st.integers(1, 50), bias=st.booleans())
@FAST
def test_dense_param_count_matches_arrays(n_prev, n, bias):
    params = {"W": np.zeros((n, n_prev))}
    if bias:
        params["b"] = np.zeros((n, 1))
    assert ref.dense_param_count(n_prev, n, bias) == total_size(params)


@given(n_a=st.integers(1, 20), n_x=st.integers(1, 20), n_y=st.integers(1, 20))
@FAST
def test_recurrent_param_counts_match_arrays(n_a, n_x, n_y):
    rnn = {"Waa": np.zeros((n_a, n_a)), "Wax": np.zeros((n_a, n_x)), "ba": np.zeros((n_a, 1)),
           "Wya": np.zeros((n_y, n_a)), "by": np.zeros((n_y, 1))}
    assert ref.rnn_param_count(n_a, n_x, n_y) == total_size(rnn)
    gru = {}
    for gate in ("u", "r", "c"):
        gru["W" + gate] = np.zeros((n_a, n_a + n_x))
        gru["b" + gate] = np.zeros((n_a, 1))
    assert ref.gru_param_count(n_a, n_x) == total_size(gru)
    lstm = {}
    for gate in ("f", "i", "c", "o"):
        lstm["W" + gate] = np.zeros((n_a, n_a + n_x))
        lstm["b" + gate] = np.zeros((n_a, 1))
    assert ref.lstm_param_count(n_a, n_x) == total_size(lstm)


@given(c_in=st.integers(1, 32), expand=st.integers(1, 64), f=st.sampled_from([1, 3, 5]),
       project=st.integers(1, 32), bias=st.booleans())
@FAST
def test_mobilenet_v2_param_count_matches_arrays(c_in, expand, f, project, bias):
    params = {"expand": np.zeros((1, 1, c_in, expand)),
              "depthwise": np.zeros((f, f, expand, 1)),     # one f x f filter per channel
              "project": np.zeros((1, 1, expand, project))}
    if bias:
        params.update(b_expand=np.zeros(expand), b_depthwise=np.zeros(expand),
                      b_project=np.zeros(project))
    assert ref.mobilenet_v2_bottleneck_param_count(c_in, expand, f, project, bias) \
        == total_size(params)


def test_param_count_facts_from_the_notes():
    assert ref.conv_param_count(5, 3, 100) == 7600
    assert ref.conv_param_count(3, 3, 10) == 280          # 10 filters of 3x3x3, with biases
    assert ref.mobilenet_v2_bottleneck_param_count(5, 30, 3, 20) == 1020
    assert ref.dense_param_count(3, 4) == 16
    assert ref.dense_param_count(3, 4, bias=False) == 12


def test_conv_param_count_agrees_with_conv_forward_weights():
    W, b = np.zeros((5, 5, 3, 100)), np.zeros((1, 1, 1, 100))
    Z = ref.conv_forward(np.zeros((1, 6, 6, 3)), W, b)
    assert Z.shape[-1] == 100 and W.size + b.size == ref.conv_param_count(5, 3, 100)


@pytest.mark.parametrize("call", [
    lambda: ref.conv_param_count(0, 3, 1), lambda: ref.dense_param_count(-1, 3),
    lambda: ref.rnn_param_count(2, 0, 1), lambda: ref.lstm_param_count(3.5, 2),
    lambda: ref.gru_param_count(True, 2),
    lambda: ref.mobilenet_v2_bottleneck_param_count(5, -30, 3, 20)])
def test_param_counts_reject_bad_sizes(call):
    with pytest.raises(ValueError):
        call()


# --------------------------------------------------------------------------
# detection: IoU, NMS, YOLO
# --------------------------------------------------------------------------

def test_iou_known_values():
    assert ref.iou((0, 0, 2, 2), (0, 0, 2, 2)) == 1.0
    assert ref.iou((0, 0, 1, 1), (2, 2, 3, 3)) == 0.0
    assert ref.iou((0, 0, 1, 1), (1, 0, 2, 1)) == 0.0         # touching edge only
    assert ref.iou((0, 0, 2, 2), (1, 1, 3, 3)) == pytest.approx(1 / 7)
    assert ref.iou((0, 0, 4, 4), (1, 1, 3, 3)) == pytest.approx(4 / 16)
    assert ref.iou((1, 1, 1, 1), (1, 1, 1, 1)) == 0.0         # zero-area union


def test_iou_rejects_inverted_box():
    with pytest.raises(ValueError):
        ref.iou((2, 0, 1, 1), (0, 0, 1, 1))


corner = st.integers(0, 7)


@st.composite
def int_boxes(draw):
    x1, x2 = sorted((draw(corner), draw(corner)))
    y1, y2 = sorted((draw(corner), draw(corner)))
    return (x1, y1, x2, y2)


@given(int_boxes(), int_boxes())
@FAST
def test_iou_symmetric_and_matches_pixel_count(b1, b2):
    assert ref.iou(b1, b2) == ref.iou(b2, b1)
    m1, m2 = np.zeros((8, 8), bool), np.zeros((8, 8), bool)
    m1[b1[1]:b1[3], b1[0]:b1[2]] = True
    m2[b2[1]:b2[3], b2[0]:b2[2]] = True
    union = (m1 | m2).sum()
    expected = (m1 & m2).sum() / union if union else 0.0
    assert ref.iou(b1, b2) == pytest.approx(expected)


NMS_BOXES = [(0, 0, 10, 10), (1, 1, 11, 11), (20, 20, 30, 30), (21, 21, 31, 31), (0, 0, 10, 4)]
NMS_SCORES = [0.9, 0.8, 0.7, 0.6, 0.5]


def test_nms_hand_example():
    # box 1 overlaps box 0 with IoU 81/119 ~ 0.68; box 3 overlaps box 2 likewise;
    # box 4 overlaps box 0 with IoU 40/100 = 0.4.
    assert ref.non_max_suppression(NMS_BOXES, NMS_SCORES, 0.5) == [0, 2, 4]
    assert ref.non_max_suppression(NMS_BOXES, NMS_SCORES, 0.4) == [0, 2]   # IoU >= threshold drops
    assert ref.non_max_suppression(NMS_BOXES, NMS_SCORES, 0.7) == [0, 1, 2, 3, 4]
    assert ref.non_max_suppression(NMS_BOXES, NMS_SCORES, 0.5, max_boxes=2) == [0, 2]
    # order follows the scores, not the input order
    assert ref.non_max_suppression(NMS_BOXES, [0.1, 0.8, 0.7, 0.9, 0.5], 0.5) == [3, 1, 4]
    assert ref.non_max_suppression([], [], 0.5) == []


@given(st.lists(st.tuples(int_boxes(), st.floats(0, 1)), max_size=8), st.floats(0.05, 0.95))
@FAST
def test_nms_invariants(items, threshold):
    boxes = [b for b, _ in items]
    scores = [s for _, s in items]
    kept = ref.non_max_suppression(boxes, scores, threshold)
    assert len(set(kept)) == len(kept)
    assert [scores[i] for i in kept] == sorted((scores[i] for i in kept), reverse=True)
    for i, j in itertools.combinations(kept, 2):
        assert ref.iou(boxes[i], boxes[j]) < threshold
    for d in set(range(len(boxes))) - set(kept):      # every drop is explained by a kept box
        assert any(ref.iou(boxes[k], boxes[d]) >= threshold and scores[k] >= scores[d]
                   for k in kept)


def test_yolo_output_shape():
    assert ref.yolo_output_shape(19, 5, 80) == (19, 19, 425)
    assert ref.yolo_output_shape(3, 2, 3) == (3, 3, 16)
    assert ref.yolo_output_shape((3, 4), 2, 3) == (3, 4, 16)
    y = np.zeros((13, 7, 5, 5 + 20))          # per anchor: p_c, b_x, b_y, b_h, b_w, classes
    assert ref.yolo_output_shape((13, 7), 5, 20) == y.reshape(13, 7, -1).shape
    with pytest.raises(ValueError):
        ref.yolo_output_shape(0, 5, 80)
    with pytest.raises(ValueError):
        ref.yolo_output_shape((3, 4, 5), 5, 80)


# --------------------------------------------------------------------------
# optimisation
# --------------------------------------------------------------------------

@given(st.lists(st.floats(-100, 100), max_size=30), st.floats(0, 0.99))
@FAST
def test_ewa_matches_closed_form_sum(thetas, beta):
    # v_t = (1 - beta) * sum_k beta^(t-k) theta_k, i.e. the unrolled recursion
    expected = [(1 - beta) * sum(beta ** (t - k) * thetas[k - 1] for k in range(1, t + 1))
                for t in range(1, len(thetas) + 1)]
    got = ref.ewa(thetas, beta, bias_correction=False)
    assert got == pytest.approx(expected, rel=1e-9, abs=1e-9)
    corrected = ref.ewa(thetas, beta)
    assert corrected == pytest.approx([v / (1 - beta ** t) for t, v in enumerate(expected, 1)],
                                      rel=1e-9, abs=1e-9)


def test_ewa_bias_correction_exact_for_constant_sequence():
    seq = [5.0] * 10
    assert ref.ewa(seq, 0.9) == pytest.approx(seq)
    raw = ref.ewa(seq, 0.9, bias_correction=False)
    assert raw[0] == pytest.approx(0.5) and raw[1] == pytest.approx(0.95)
    with pytest.raises(ValueError):
        ref.ewa(seq, 1.0)


def test_adam_two_steps_by_hand():
    w, v, s = 1.0, 0.0, 0.0
    w, v, s = ref.adam_update(w, 0.5, v, s, t=1)
    # v = 0.1*0.5 = 0.05, s = 0.001*0.25 = 0.00025, v_hat = 0.5, s_hat = 0.25
    assert (v, s) == (pytest.approx(0.05), pytest.approx(0.00025))
    assert w == pytest.approx(1 - 0.001 * 0.5 / (0.5 + 1e-8), rel=1e-12)
    w1 = w
    w, v, s = ref.adam_update(w, -1.0, v, s, t=2)
    # v = 0.045 - 0.1 = -0.055, s = 0.00024975 + 0.001 = 0.00124975
    assert v == pytest.approx(-0.055) and s == pytest.approx(0.00124975)
    v_hat, s_hat = -0.055 / 0.19, 0.00124975 / 0.001999
    assert w == pytest.approx(w1 - 0.001 * v_hat / (math.sqrt(s_hat) + 1e-8), rel=1e-12)
    assert w == pytest.approx(0.999366103, abs=1e-8)


def test_adam_on_arrays_matches_elementwise_scalars():
    r = rng(6)
    w, dw, v = r.standard_normal(4), r.standard_normal(4), r.standard_normal(4)
    s = r.random(4)
    W, V, S = ref.adam_update(w, dw, v, s, t=3, learning_rate=0.01)
    for i in range(4):
        wi, vi, si = ref.adam_update(float(w[i]), float(dw[i]), float(v[i]), float(s[i]), 3,
                                     learning_rate=0.01)
        assert (W[i], V[i], S[i]) == pytest.approx((wi, vi, si))
    assert w[0] != W[0]                      # the input array was not the one returned
    with pytest.raises(ValueError):
        ref.adam_update(w, dw, v, s, t=0)


def test_lr_decay_values():
    # the lecture's table: alpha0 = 0.2, decay_rate = 1
    got = [ref.lr_decay(0.2, epoch, 1) for epoch in (1, 2, 3, 4)]
    assert got == pytest.approx([0.1, 0.2 / 3, 0.05, 0.04])
    assert ref.lr_decay(0.5, 0, 3) == 0.5
    with pytest.raises(ValueError):
        ref.lr_decay(0.1, -1, 1)


# --------------------------------------------------------------------------
# softmax, positional encoding
# --------------------------------------------------------------------------

def test_softmax_values_and_stability():
    assert ref.softmax([0.0, math.log(3)]) == pytest.approx([0.25, 0.75])
    big = ref.softmax([1000.0, 1001.0, 1002.0])
    assert np.all(np.isfinite(big))
    np.testing.assert_allclose(big, ref.softmax([0.0, 1.0, 2.0]))
    np.testing.assert_allclose(ref.softmax([-1e4, 0.0]), [0.0, 1.0])


@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=10))
@FAST
def test_softmax_sums_to_one(xs):
    p = ref.softmax(xs)
    assert np.all(p >= 0) and math.isclose(p.sum(), 1.0, rel_tol=1e-9)


def test_softmax_axis():
    x = rng(7).standard_normal((3, 4))
    np.testing.assert_allclose(ref.softmax(x, axis=0).sum(axis=0), np.ones(4))
    np.testing.assert_allclose(ref.softmax(x, axis=0), ref.softmax(x.T).T)


def test_positional_encoding_entries_and_shape():
    pe = ref.positional_encoding(10, 8)
    assert pe.shape == (10, 8)
    np.testing.assert_allclose(pe[0, 0::2], 0.0)
    np.testing.assert_allclose(pe[0, 1::2], 1.0)
    assert pe[1, 0] == pytest.approx(math.sin(1)) and pe[1, 1] == pytest.approx(math.cos(1))
    assert pe[3, 2] == pytest.approx(math.sin(3 / 10000 ** (2 / 8)))
    assert pe[3, 5] == pytest.approx(math.cos(3 / 10000 ** (4 / 8)))
    assert ref.positional_encoding(4, 5).shape == (4, 5)
    np.testing.assert_allclose(pe[:, 0::2] ** 2 + pe[:, 1::2] ** 2, 1.0)


# --------------------------------------------------------------------------
# neural style, face recognition
# --------------------------------------------------------------------------

def test_gram_matrix_symmetric_with_squared_norm_diagonal():
    A = rng(8).standard_normal((4, 6))
    G = ref.gram_matrix(A)
    assert G.shape == (4, 4)
    np.testing.assert_allclose(G, G.T)
    np.testing.assert_allclose(np.diag(G), (A ** 2).sum(axis=1))
    assert ref.gram_matrix([[1, 2], [3, 4]]).tolist() == [[5, 11], [11, 25]]


def test_content_cost():
    a = rng(9).standard_normal((1, 2, 3, 4))
    assert ref.content_cost(a, a) == 0.0
    a_C = np.zeros((1, 2, 1, 2))
    assert ref.content_cost(a_C, a_C + 1) == pytest.approx(4 / (4 * 2 * 1 * 2))
    assert ref.content_cost(a_C[0], a_C[0] + 2) == pytest.approx(16 / 16)   # 3-D input
    with pytest.raises(ValueError):
        ref.content_cost(a_C, np.zeros((1, 2, 2, 2)))


def test_style_layer_cost():
    a = rng(10).standard_normal((1, 3, 2, 4))
    assert ref.style_layer_cost(a, a) == 0.0
    # one channel, two pixels: G_S = 1 + 4 = 5, G_G = 1, (5-1)^2 / (2*1*2*1)^2 = 1
    assert ref.style_layer_cost(np.array([1.0, 2.0]).reshape(1, 1, 2, 1),
                                np.array([0.0, 1.0]).reshape(1, 1, 2, 1)) == pytest.approx(1.0)
    # two channels: unrolled (n_C, n_H*n_W) = [[1, 3], [2, 4]] -> G_S = [[10, 14], [14, 20]],
    # G_G = [[1, 0], [0, 0]]; (81 + 196 + 196 + 400) / (2*1*2*2)^2 = 873 / 64
    a_S = np.array([[[1.0, 2.0], [3.0, 4.0]]]).reshape(1, 1, 2, 2)
    a_G = np.array([[[1.0, 0.0], [0.0, 0.0]]]).reshape(1, 1, 2, 2)
    assert ref.style_layer_cost(a_S, a_G) == pytest.approx(873 / 64)


def test_style_cost_ignores_where_features_occur():
    r = rng(11)
    a_S, a_G = r.standard_normal((1, 3, 3, 2)), r.standard_normal((1, 3, 3, 2))
    shuffled = a_G.reshape(9, 2)[r.permutation(9)].reshape(1, 3, 3, 2)
    assert ref.style_layer_cost(a_S, shuffled) == pytest.approx(ref.style_layer_cost(a_S, a_G))
    assert ref.content_cost(a_S, shuffled) != pytest.approx(ref.content_cost(a_S, a_G))


def test_triplet_loss():
    a = np.zeros((2, 2))
    p = np.array([[1.0, 0.0], [2.0, 0.0]])
    n = np.array([[2.0, 0.0], [1.0, 0.0]])
    # example 0: 1 - 4 + 0.2 < 0 -> 0; example 1: 4 - 1 + 0.2 = 3.2
    assert ref.triplet_loss(a, p, n) == pytest.approx(3.2)
    assert ref.triplet_loss(a[0], p[0], n[0]) == 0.0          # margin satisfied
    assert ref.triplet_loss(a[0], p[0], n[0], alpha=3.5) == pytest.approx(0.5)
    assert ref.triplet_loss(a[1], p[1], n[1], alpha=0.0) == pytest.approx(3.0)


def test_batchnorm_forward_sets_mean_and_std():
    r = rng(12)
    Z = r.standard_normal((3, 200)) * np.array([[0.5], [10.0], [3.0]]) + np.array([[1], [-7], [40]])
    gamma = np.array([[1.0], [2.0], [0.5]])
    beta = np.array([[0.0], [-1.0], [3.0]])
    out = ref.batchnorm_forward(Z, gamma, beta)
    assert out.shape == Z.shape
    np.testing.assert_allclose(out.mean(axis=1, keepdims=True), beta, atol=1e-9)
    np.testing.assert_allclose(out.std(axis=1, keepdims=True), gamma, rtol=1e-6)
    with pytest.raises(ValueError):
        ref.batchnorm_forward(np.zeros(5), 1.0, 0.0)


# --------------------------------------------------------------------------
# sum_shape
# --------------------------------------------------------------------------

def test_sum_shape_fact_from_the_notes():
    expected = np.sum(np.random.randn(4, 3), axis=1, keepdims=True).shape
    assert ref.sum_shape((4, 3), axis=1, keepdims=True) == (4, 1) == expected
    assert ref.sum_shape((4, 3), axis=1) == (4,)
    assert ref.sum_shape((4, 3)) == ()
    assert ref.sum_shape(5, axis=0, keepdims=True) == (1,)


@st.composite
def shape_and_axis(draw):
    shape = tuple(draw(st.lists(st.integers(0, 3), max_size=4)))
    ndim = len(shape)
    kind = draw(st.sampled_from(["none", "int", "tuple"]))
    if kind == "none" or (kind == "int" and ndim == 0):
        return shape, None
    if kind == "int":
        return shape, draw(st.integers(-ndim, ndim - 1))
    axes = draw(st.lists(st.integers(0, ndim - 1), unique=True, max_size=ndim)) if ndim else []
    return shape, tuple(ax - ndim if draw(st.booleans()) else ax for ax in axes)


@given(shape_and_axis(), st.booleans())
@FAST
def test_sum_shape_matches_numpy(shape_axis, keepdims):
    shape, axis = shape_axis
    expected = np.sum(np.empty(shape), axis=axis, keepdims=keepdims).shape
    assert ref.sum_shape(shape, axis=axis, keepdims=keepdims) == expected


@pytest.mark.parametrize("shape,axis", [((4, 3), 2), ((4, 3), -3), ((4, 3), (0, -2)),
                                        ((), 0), ((4, -1), None)])
def test_sum_shape_rejects_bad_axes_like_numpy(shape, axis):
    with pytest.raises(ValueError):
        ref.sum_shape(shape, axis=axis)
