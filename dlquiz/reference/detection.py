"""Object detection: intersection over union, non-max suppression, the YOLO output volume."""

import numpy as np

from dlquiz.reference.checks import _at_most, _check_int, _positive


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
    _at_most("comparing the boxes", len(boxes) * len(boxes), 10**5)
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
