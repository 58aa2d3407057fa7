"""Reference NumPy implementations of the formulas the flashcards quiz on.

This module owns the *ground truth* for numeric answers in dlquiz: layer output
sizes, parameter counts, IoU / non-max suppression, optimiser updates,
attention positional encodings, neural-style costs and the like.  Everything
follows the conventions of the Coursera Deep Learning Specialization:

* convolutions are channels last: ``A_prev`` has shape (m, n_H, n_W, n_C_prev),
  ``W`` has shape (f, f, n_C_prev, n_C) and ``b`` has shape (1, 1, 1, n_C);
* batch norm works on ``Z`` of shape (n_features, m_examples);
* boxes are corners (x1, y1, x2, y2).

The code favours readability over speed; it is only used on tiny inputs.
"""

import numpy as np

def _check_int(name, value, minimum):
    """Raise ValueError unless ``value`` is an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def _positive(**values):
    """Check that every keyword value is an integer >= 1; return them in order."""
    return tuple(_check_int(name, value, 1) for name, value in values.items())


def conv_output_size(n, f, pad=0, stride=1):
    """Output size of a convolution or pooling along one dimension.

    n_out = floor((n + 2p - f) / s) + 1
    """
    n, f, stride = _positive(n=n, f=f, stride=stride)
    pad = _check_int("pad", pad, 0)
    if f > n + 2 * pad:
        raise ValueError(f"filter size f={f} exceeds padded input n + 2p = {n + 2 * pad}")
    return (n + 2 * pad - f) // stride + 1


def conv_transpose_output_size(n, f, pad=0, stride=1):
    """Output size of a transposed convolution along one dimension.

    n_out = (n - 1) * s - 2p + f
    """
    n, f, stride = _positive(n=n, f=f, stride=stride)
    pad = _check_int("pad", pad, 0)
    out = (n - 1) * stride - 2 * pad + f
    if out < 1:
        raise ValueError(f"padding p={pad} is too large: output size would be {out}")
    return out


def same_padding(f):
    """Padding that keeps the size unchanged with stride 1 ("same" convolution).

    p = (f - 1) / 2, which is an integer only for odd f.
    """
    f = _check_int("f", f, 1)
    if f % 2 == 0:
        raise ValueError(f"'same' padding needs an odd filter size, got f={f}")
    return (f - 1) // 2


def conv_forward(A_prev, W, b, stride=1, pad=0):
    """Forward pass of a convolutional layer (zero padding, channels last).

    Z[i, h, w, c] = sum_{u, v, k} A_pad[i, h*s + u, w*s + v, k] * W[u, v, k, c] + b[c]

    with n_H = floor((n_H_prev + 2p - f) / s) + 1 and likewise n_W.
    Returns Z of shape (m, n_H, n_W, n_C).
    """
    A_prev = np.asarray(A_prev, dtype=float)
    W = np.asarray(W, dtype=float)
    b = np.asarray(b, dtype=float)
    if A_prev.ndim != 4 or W.ndim != 4:
        raise ValueError("A_prev must be (m, n_H, n_W, n_C_prev) and W (f, f, n_C_prev, n_C)")
    f, f2, n_C_prev, n_C = W.shape
    if f != f2:
        raise ValueError(f"W must hold square filters, got {f}x{f2}")
    if A_prev.shape[3] != n_C_prev:
        raise ValueError(f"A_prev has {A_prev.shape[3]} channels but W expects {n_C_prev}")
    if b.size != n_C:
        raise ValueError(f"b must have n_C={n_C} entries, got shape {b.shape}")
    m, n_H_prev, n_W_prev, _ = A_prev.shape
    n_H = conv_output_size(n_H_prev, f, pad, stride)
    n_W = conv_output_size(n_W_prev, f, pad, stride)

    A_pad = np.pad(A_prev, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    Z = np.empty((m, n_H, n_W, n_C))
    for h in range(n_H):
        for w in range(n_W):
            vs, hs = h * stride, w * stride
            window = A_pad[:, vs:vs + f, hs:hs + f, :]          # (m, f, f, n_C_prev)
            Z[:, h, w, :] = np.tensordot(window, W, axes=([1, 2, 3], [0, 1, 2]))
    return Z + b.reshape(n_C)


def pool_forward(A_prev, f, stride=1, mode="max"):
    """Forward pass of a pooling layer (no padding), applied per channel.

    A[i, h, w, c] = max (or mean) of A_prev[i, h*s : h*s + f, w*s : w*s + f, c]

    mode is "max" or "average".  Output shape (m, n_H, n_W, n_C) with
    n_H = floor((n_H_prev - f) / s) + 1.
    """
    if mode not in ("max", "average"):
        raise ValueError(f"mode must be 'max' or 'average', got {mode!r}")
    A_prev = np.asarray(A_prev, dtype=float)
    if A_prev.ndim != 4:
        raise ValueError("A_prev must have shape (m, n_H, n_W, n_C)")
    m, n_H_prev, n_W_prev, n_C = A_prev.shape
    n_H = conv_output_size(n_H_prev, f, 0, stride)
    n_W = conv_output_size(n_W_prev, f, 0, stride)
    reduce = np.max if mode == "max" else np.mean
    A = np.empty((m, n_H, n_W, n_C))
    for h in range(n_H):
        for w in range(n_W):
            vs, hs = h * stride, w * stride
            A[:, h, w, :] = reduce(A_prev[:, vs:vs + f, hs:hs + f, :], axis=(1, 2))
    return A


def conv_param_count(f, n_c_prev, n_c, bias=True):
    """Parameters of a conv layer: (f * f * n_C_prev + 1) * n_C (drop the +1 without bias)."""
    f, n_c_prev, n_c = _positive(f=f, n_c_prev=n_c_prev, n_c=n_c)
    return (f * f * n_c_prev + int(bool(bias))) * n_c


def dense_param_count(n_prev, n, bias=True):
    """Parameters of a dense layer: W is (n, n_prev), b is (n, 1): n * n_prev + n."""
    n_prev, n = _positive(n_prev=n_prev, n=n)
    return n * n_prev + (n if bias else 0)


def mobilenet_v2_bottleneck_param_count(n_c_in, n_expand, f, n_project, bias=False):
    """Parameters of a MobileNet v2 bottleneck block (batch norm not counted).

    expansion 1x1:  n_c_in * n_expand
    depthwise f x f: f * f * n_expand
    projection 1x1: n_expand * n_project
    plus n_expand + n_expand + n_project biases when bias=True.
    """
    n_c_in, n_expand, f, n_project = _positive(
        n_c_in=n_c_in, n_expand=n_expand, f=f, n_project=n_project)
    count = n_c_in * n_expand + f * f * n_expand + n_expand * n_project
    if bias:
        count += 2 * n_expand + n_project
    return count


def rnn_param_count(n_a, n_x, n_y):
    """Parameters of a basic RNN cell with output layer.

    W_aa (n_a, n_a) + W_ax (n_a, n_x) + b_a (n_a) + W_ya (n_y, n_a) + b_y (n_y)
    = n_a^2 + n_a n_x + n_a + n_y n_a + n_y
    """
    n_a, n_x, n_y = _positive(n_a=n_a, n_x=n_x, n_y=n_y)
    return n_a * n_a + n_a * n_x + n_a + n_y * n_a + n_y


def gru_param_count(n_a, n_x):
    """Parameters of a full GRU: 3 gates (update, relevance, candidate).

    3 * (n_a * (n_a + n_x) + n_a)
    """
    n_a, n_x = _positive(n_a=n_a, n_x=n_x)
    return 3 * (n_a * (n_a + n_x) + n_a)


def lstm_param_count(n_a, n_x):
    """Parameters of an LSTM: 4 blocks (forget, update, candidate, output).

    4 * (n_a * (n_a + n_x) + n_a)
    """
    n_a, n_x = _positive(n_a=n_a, n_x=n_x)
    return 4 * (n_a * (n_a + n_x) + n_a)


def iou(box1, box2):
    """Intersection over union of two corner boxes (x1, y1, x2, y2).

    IoU = area(box1 ∩ box2) / (area(box1) + area(box2) - area(box1 ∩ box2)),
    0.0 when they do not overlap or the union has zero area.
    """
    x1a, y1a, x2a, y2a = (float(v) for v in box1)
    x1b, y1b, x2b, y2b = (float(v) for v in box2)
    for name, (x1, y1, x2, y2) in (("box1", (x1a, y1a, x2a, y2a)),
                                   ("box2", (x1b, y1b, x2b, y2b))):
        if x2 < x1 or y2 < y1:
            raise ValueError(f"{name} must satisfy x1 <= x2 and y1 <= y2, got {(x1, y1, x2, y2)}")
    inter_w = max(0.0, min(x2a, x2b) - max(x1a, x1b))
    inter_h = max(0.0, min(y2a, y2b) - max(y1a, y1b))
    inter = inter_w * inter_h
    union = (x2a - x1a) * (y2a - y1a) + (x2b - x1b) * (y2b - y1b) - inter
    if union <= 0.0:
        return 0.0
    return inter / union


def non_max_suppression(boxes, scores, iou_threshold=0.5, max_boxes=None):
    """Greedy non-max suppression; returns kept indices, best score first.

    Repeat: pick the remaining box with the highest score, keep it, and discard
    every remaining box with IoU >= iou_threshold against it; stop when none
    remain (or max_boxes have been kept).  Ties keep the lower index first.
    """
    boxes = np.asarray(boxes, dtype=float).reshape(-1, 4)
    scores = np.asarray(scores, dtype=float).reshape(-1)
    if len(boxes) != len(scores):
        raise ValueError(f"got {len(boxes)} boxes but {len(scores)} scores")
    if max_boxes is not None:
        max_boxes = _check_int("max_boxes", max_boxes, 0)
    remaining = list(np.argsort(-scores, kind="stable"))
    kept = []
    while remaining and (max_boxes is None or len(kept) < max_boxes):
        best = remaining.pop(0)
        kept.append(int(best))
        remaining = [i for i in remaining if iou(boxes[best], boxes[i]) < iou_threshold]
    return kept


def yolo_output_shape(grid, n_anchors, n_classes):
    """Shape of the YOLO output volume: (grid_h, grid_w, n_anchors * (5 + n_classes)).

    Each anchor predicts p_c, b_x, b_y, b_h, b_w and n_classes class scores.
    grid is an int (square grid) or a (grid_h, grid_w) pair.
    """
    if isinstance(grid, (tuple, list)):
        if len(grid) != 2:
            raise ValueError(f"grid must be an int or a (h, w) pair, got {grid!r}")
        grid_h, grid_w = grid
    else:
        grid_h = grid_w = grid
    grid_h, grid_w, n_anchors = _positive(grid_h=grid_h, grid_w=grid_w, n_anchors=n_anchors)
    n_classes = _check_int("n_classes", n_classes, 0)
    return (grid_h, grid_w, n_anchors * (5 + n_classes))


def ewa(thetas, beta, bias_correction=True):
    """Exponentially weighted averages v_1..v_T of a sequence theta_1..theta_T.

    v_0 = 0,  v_t = beta * v_{t-1} + (1 - beta) * theta_t,
    reported as v_t / (1 - beta^t) when bias_correction is True.
    """
    if not 0.0 <= beta < 1.0:
        raise ValueError(f"beta must be in [0, 1), got {beta}")
    v, out = 0.0, []
    for t, theta in enumerate(thetas, start=1):
        v = beta * v + (1.0 - beta) * float(theta)
        out.append(v / (1.0 - beta ** t) if bias_correction else v)
    return out


def adam_update(w, dw, v, s, t, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8):
    """One Adam step (t counts from 1); returns (w, v, s).

    v = b1 v + (1 - b1) dw           s = b2 s + (1 - b2) dw^2
    v_hat = v / (1 - b1^t)           s_hat = s / (1 - b2^t)
    w = w - lr * v_hat / (sqrt(s_hat) + eps)
    """
    t = _check_int("t", t, 1)
    for name, beta in (("beta1", beta1), ("beta2", beta2)):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"{name} must be in [0, 1), got {beta}")
    v = beta1 * v + (1 - beta1) * dw
    s = beta2 * s + (1 - beta2) * np.square(dw)
    v_hat = v / (1 - beta1 ** t)
    s_hat = s / (1 - beta2 ** t)
    w = w - learning_rate * v_hat / (np.sqrt(s_hat) + epsilon)
    return w, v, s


def lr_decay(alpha0, epoch, decay_rate):
    """Learning-rate decay: alpha = alpha0 / (1 + decay_rate * epoch_num)."""
    if epoch < 0:
        raise ValueError(f"epoch must be >= 0, got {epoch}")
    if decay_rate < 0:
        raise ValueError(f"decay_rate must be >= 0, got {decay_rate}")
    return float(alpha0) / (1.0 + decay_rate * epoch)


def softmax(x, axis=-1):
    """Softmax along ``axis``: exp(x_i - max x) / sum_j exp(x_j - max x)."""
    x = np.asarray(x, dtype=float)
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def positional_encoding(n_positions, d_model):
    """Sinusoidal positional encoding, array of shape (n_positions, d_model).

    PE[pos, 2i]   = sin(pos / 10000^(2i / d_model))
    PE[pos, 2i+1] = cos(pos / 10000^(2i / d_model))
    """
    n_positions, d_model = _positive(n_positions=n_positions, d_model=d_model)
    pos = np.arange(n_positions)[:, None]
    two_i = 2 * (np.arange(d_model)[None, :] // 2)
    angles = pos / np.power(10000.0, two_i / d_model)
    pe = np.empty((n_positions, d_model))
    pe[:, 0::2] = np.sin(angles[:, 0::2])
    pe[:, 1::2] = np.cos(angles[:, 1::2])
    return pe


def gram_matrix(A):
    """Gram (style) matrix G = A A^T for A of shape (n_C, n_H * n_W)."""
    A = np.asarray(A, dtype=float)
    if A.ndim != 2:
        raise ValueError(f"A must be 2-D (n_C, n_H*n_W), got shape {A.shape}")
    return A @ A.T


def _activation(a, name):
    """Return activation ``a`` as (n_H, n_W, n_C), accepting a leading batch of 1."""
    a = np.asarray(a, dtype=float)
    if a.ndim == 4 and a.shape[0] == 1:
        a = a[0]
    if a.ndim != 3:
        raise ValueError(f"{name} must have shape (1, n_H, n_W, n_C) or (n_H, n_W, n_C), got {a.shape}")
    return a


def content_cost(a_C, a_G):
    """Content cost J = 1 / (4 n_H n_W n_C) * sum (a_C - a_G)^2."""
    a_C, a_G = _activation(a_C, "a_C"), _activation(a_G, "a_G")
    if a_C.shape != a_G.shape:
        raise ValueError(f"shape mismatch: {a_C.shape} vs {a_G.shape}")
    n_H, n_W, n_C = a_C.shape
    return float(np.sum((a_C - a_G) ** 2) / (4 * n_H * n_W * n_C))


def style_layer_cost(a_S, a_G):
    """Style cost of one layer.

    Unroll each activation to (n_C, n_H n_W), take Gram matrices G_S and G_G, then
    J = 1 / (2 n_H n_W n_C)^2 * sum (G_S - G_G)^2 = sum (G_S - G_G)^2 / (4 n_C^2 (n_H n_W)^2).
    """
    a_S, a_G = _activation(a_S, "a_S"), _activation(a_G, "a_G")
    if a_S.shape != a_G.shape:
        raise ValueError(f"shape mismatch: {a_S.shape} vs {a_G.shape}")
    n_H, n_W, n_C = a_S.shape
    G_S = gram_matrix(a_S.reshape(n_H * n_W, n_C).T)
    G_G = gram_matrix(a_G.reshape(n_H * n_W, n_C).T)
    return float(np.sum((G_S - G_G) ** 2) / (2 * n_H * n_W * n_C) ** 2)


def triplet_loss(anchor, positive, negative, alpha=0.2):
    """Triplet loss summed over examples.

    J = sum_i max(||a_i - p_i||^2 - ||a_i - n_i||^2 + alpha, 0)
    Inputs are (m, d) encodings or a single (d,) encoding.
    """
    a, p, n = (np.atleast_2d(np.asarray(x, dtype=float)) for x in (anchor, positive, negative))
    if not a.shape == p.shape == n.shape:
        raise ValueError(f"shape mismatch: {a.shape}, {p.shape}, {n.shape}")
    pos_dist = np.sum((a - p) ** 2, axis=-1)
    neg_dist = np.sum((a - n) ** 2, axis=-1)
    return float(np.sum(np.maximum(pos_dist - neg_dist + alpha, 0.0)))


def batchnorm_forward(Z, gamma, beta, epsilon=1e-8):
    """Batch norm of Z with shape (n_features, m_examples).

    mu = mean_i z^(i),  sigma^2 = mean_i (z^(i) - mu)^2   (over axis 1, examples)
    z_norm = (z - mu) / sqrt(sigma^2 + eps),  z_tilde = gamma * z_norm + beta
    gamma and beta broadcast against (n, 1) (scalars are fine).
    """
    Z = np.asarray(Z, dtype=float)
    if Z.ndim != 2:
        raise ValueError(f"Z must be 2-D (n_features, m_examples), got shape {Z.shape}")
    if epsilon < 0:
        raise ValueError(f"epsilon must be >= 0, got {epsilon}")
    mu = np.mean(Z, axis=1, keepdims=True)
    var = np.var(Z, axis=1, keepdims=True)
    z_norm = (Z - mu) / np.sqrt(var + epsilon)
    return gamma * z_norm + beta


def sum_shape(shape, axis=None, keepdims=False):
    """Shape of np.sum(np.empty(shape), axis=axis, keepdims=keepdims), without allocating.

    Summed axes are dropped (or kept as size 1 with keepdims); axis=None sums all.
    """
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    shape = tuple(_check_int("dimension", d, 0) for d in shape)
    ndim = len(shape)
    if axis is None:
        axes = set(range(ndim))
    else:
        raw = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
        axes = set()
        for ax in raw:
            ax = _check_int("axis", ax, -ndim) if ndim else _check_int("axis", ax, 0)
            if ax >= ndim:
                raise ValueError(f"axis {ax} is out of bounds for a shape with {ndim} dimensions")
            ax %= ndim
            if ax in axes:
                raise ValueError(f"repeated axis {ax} in {axis!r}")
            axes.add(ax)
    if keepdims:
        return tuple(1 if i in axes else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in axes)
