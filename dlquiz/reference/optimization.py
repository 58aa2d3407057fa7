"""Optimisation: exponentially weighted averages, Adam, learning-rate decay, batch norm."""

import numpy as np

from dlquiz.reference.checks import _at_most, _broadcast_size, _check_int


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
    _at_most("the result", _broadcast_size(np.shape(gamma), Z.shape, np.shape(beta)))
    mu = np.mean(Z, axis=1, keepdims=True)
    var = np.var(Z, axis=1, keepdims=True)
    z_norm = (Z - mu) / np.sqrt(var + epsilon)
    return gamma * z_norm + beta
