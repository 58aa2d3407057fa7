"""Sizes, forward passes and parameter counts of conv, pooling and dense layers (channels last)."""

import numpy as np

from dlquiz.reference.checks import MAX_VALUES, _at_most, _check_int, _positive


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
    _at_most("the padded input", m * (n_H_prev + 2 * pad) * (n_W_prev + 2 * pad) * n_C_prev)
    _at_most("the output", m * n_H * n_W * n_C)
    _at_most("the convolution", m * n_H * n_W * f * f * n_C_prev * n_C, 100 * MAX_VALUES)

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
    _at_most("the output", m * n_H * n_W * n_C)
    _at_most("the pooling", m * n_H * n_W * f * f * n_C, 100 * MAX_VALUES)
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
