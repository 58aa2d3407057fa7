"""Reference NumPy implementations of the formulas the flashcards quiz on.

This package owns the *ground truth* for numeric answers in dlquiz: layer output
sizes, parameter counts, IoU / non-max suppression, optimiser updates,
attention positional encodings, neural-style costs and the like.  Everything
follows the conventions of the Coursera Deep Learning Specialization:

* convolutions are channels last: ``A_prev`` has shape (m, n_H, n_W, n_C_prev),
  ``W`` has shape (f, f, n_C_prev, n_C) and ``b`` has shape (1, 1, 1, n_C);
* batch norm works on ``Z`` of shape (n_features, m_examples);
* boxes are corners (x1, y1, x2, y2).

The code favours readability over speed; it is only used on tiny inputs.

The functions live in submodules by topic (layers, detection, optimization, sequences, style)
and are all importable from here, `dlquiz.reference.iou`, as other programs and the `check:`
fields of decks use them. NumPy only; no other dlquiz module is imported.
"""

from dlquiz.reference.detection import iou, non_max_suppression, yolo_output_shape
from dlquiz.reference.layers import (
    conv_forward,
    conv_output_size,
    conv_param_count,
    conv_transpose_output_size,
    dense_param_count,
    mobilenet_v2_bottleneck_param_count,
    pool_forward,
    same_padding,
    sum_shape,
)
from dlquiz.reference.optimization import adam_update, batchnorm_forward, ewa, lr_decay
from dlquiz.reference.sequences import gru_param_count, lstm_param_count, positional_encoding, rnn_param_count, softmax
from dlquiz.reference.style import content_cost, gram_matrix, style_layer_cost, triplet_loss

__all__ = [
    "adam_update",
    "batchnorm_forward",
    "content_cost",
    "conv_forward",
    "conv_output_size",
    "conv_param_count",
    "conv_transpose_output_size",
    "dense_param_count",
    "ewa",
    "gram_matrix",
    "gru_param_count",
    "iou",
    "lr_decay",
    "lstm_param_count",
    "mobilenet_v2_bottleneck_param_count",
    "non_max_suppression",
    "pool_forward",
    "positional_encoding",
    "rnn_param_count",
    "same_padding",
    "softmax",
    "style_layer_cost",
    "sum_shape",
    "triplet_loss",
    "yolo_output_shape",
]
