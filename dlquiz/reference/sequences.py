"""Sequence models: RNN, GRU and LSTM parameter counts, softmax, positional encoding."""

import numpy as np

from dlquiz.reference.checks import _at_most, _positive


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
    _at_most("the encoding", n_positions * d_model)
    pos = np.arange(n_positions)[:, None]
    two_i = 2 * (np.arange(d_model)[None, :] // 2)
    angles = pos / np.power(10000.0, two_i / d_model)
    pe = np.empty((n_positions, d_model))
    pe[:, 0::2] = np.sin(angles[:, 0::2])
    pe[:, 1::2] = np.cos(angles[:, 1::2])
    return pe
