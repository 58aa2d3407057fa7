"""Neural style transfer and face verification: Gram matrix, content and style costs, triplet loss."""

import numpy as np

from dlquiz.reference.checks import _at_most


def gram_matrix(A):
    """Gram (style) matrix G = A A^T for A of shape (n_C, n_H * n_W)."""
    A = np.asarray(A, dtype=float)
    if A.ndim != 2:
        raise ValueError(f"A must be 2-D (n_C, n_H*n_W), got shape {A.shape}")
    _at_most("the Gram matrix", A.shape[0] * A.shape[0])
    _at_most("its products", A.shape[0] * A.shape[0] * A.shape[1], 100 * 10**6)
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
