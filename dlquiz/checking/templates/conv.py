"""Parametric cards of course 4 (convolutional networks): sizes and parameter counts of conv,
pooling, transposed-conv and MobileNet layers, the YOLO output volume, IoU, non-max suppression,
a Gram-matrix entry and the triplet loss. Answers come from dlquiz.reference; each worked
solution's `closed` form computes them a second way for `dlquiz check`."""

from __future__ import annotations

from fractions import Fraction

from dlquiz.checking.templates.kit import Drawn, Param, article, num, numbers, shown, solved, template, until

_DRAWN = "(new numbers at every review)"


def _ref():
    from dlquiz import (
        reference,  # NumPy: imported when a card is drawn, not when decks load
    )

    return reference


@template(
    "conv_output_size", "numeric",
    summary=rf"The output size of a convolution of an $n \times n$ input with an $f \times f$ filter, padding $p$ and stride $s$ {_DRAWN}.",
    formula=r"$\left\lfloor \frac{n + 2p - f}{s} \right\rfloor + 1$",
    why="The filter's first position gives one output; each further stride of s that still fits "
        "inside the padded input (n + 2p wide) gives one more. A last partial step is dropped: the floor.",
    params=(Param("n", range(6, 65), minimum=1, maximum=4096), Param("f", (1, 3, 5, 7), minimum=1, maximum=64),
            Param("pad", range(0, 4), minimum=0, maximum=64), Param("stride", (1, 2, 3), minimum=1, maximum=64)),
    valid=lambda v: v["f"] <= v["n"] + 2 * v["pad"],
)
def _conv_output_size(v, rng):
    n, f, p, s = v["n"], v["f"], v["pad"], v["stride"]
    answer = _ref().conv_output_size(n, f, pad=p, stride=s)
    closed = f"⌊({n} + 2·{p} − {f}) / {s}⌋ + 1"
    return solved(
        f"{article(n)} {n}×{n} input is convolved with a {f}×{f} filter, padding p = {p} and stride s = {s}. "
        "What is the height (and width) of the output?", answer, "⌊(n + 2p − f) / s⌋ + 1", closed)


@template(
    "conv_param_count", "numeric",
    summary=rf"The number of parameters of a conv layer with $n_C$ filters of $f \times f$ over an input with $n_C^{{[l-1]}}$ channels {_DRAWN}.",
    formula=r"$(f \cdot f \cdot n_C^{[l-1]} + 1) \cdot n_C$",
    why="Each filter spans all input channels and has one bias; the size of the image does not matter.",
    params=(Param("f", (1, 3, 5, 7), minimum=1, maximum=64), Param("n_c_prev", (1, 3, 16, 32, 64), minimum=1, maximum=65536),
            Param("n_c", (8, 10, 16, 32, 64, 100, 128), minimum=1, maximum=65536),
            Param("n", (32, 64, 224, 300), minimum=1, maximum=4096)),
)
def _conv_param_count(v, rng):
    f, c_prev, c = v["f"], v["n_c_prev"], v["n_c"]
    answer = _ref().conv_param_count(f, c_prev, c)
    closed = f"({f}·{f}·{c_prev} + 1)·{c}"
    return solved(
        f"The input is {v['n']}×{v['n']}×{c_prev} and a conv layer has {c} filters of {f}×{f}. "
        "How many parameters does the layer have, biases included?", answer, "(f·f·n_C_prev + 1)·n_C", closed)


@template(
    "pool_output_shape", "shape",
    summary=rf"The output shape of max or average pooling with window $f$ and stride $s$ on an $n \times n \times n_C$ input {_DRAWN}.",
    formula=r"$\left(\left\lfloor \frac{n - f}{s} \right\rfloor + 1,\ \left\lfloor \frac{n - f}{s} \right\rfloor + 1,\ n_C\right)$",
    why="Pooling uses the output-size formula with p = 0 and works on each channel separately, "
        "so the number of channels does not change.",
    params=(Param("n", range(4, 65), minimum=1, maximum=4096), Param("n_c", (3, 8, 16, 32, 64), minimum=1, maximum=65536),
            Param("f", (2, 3), minimum=1, maximum=64), Param("stride", (1, 2, 3), minimum=1, maximum=64),
            Param("mode", ("max", "average"), kind=str)),
    valid=lambda v: v["f"] <= v["n"],
)
def _pool_output_shape(v, rng):
    n, c, f, s = v["n"], v["n_c"], v["f"], v["stride"]
    side = _ref().conv_output_size(n, f, pad=0, stride=s)
    answer = (side, side, c)
    closed = f"⌊({n} − {f}) / {s}⌋ + 1"
    return Drawn(
        f"{v['mode'].capitalize()} pooling with f = {f} and s = {s} is applied to an input of shape "
        f"({n}, {n}, {c}). What is the output shape (n_H, n_W, n_C)?",
        answer, (f"n_H = n_W = ⌊(n − f) / s⌋ + 1 = {closed} = {side}; n_C stays {c}",), (closed, closed, str(c)))


@template(
    "same_padding", "numeric",
    summary=rf"The padding $p$ of a 'same' convolution (stride 1) with an $f \times f$ filter {_DRAWN}.",
    formula=r"$p = \frac{f - 1}{2}$",
    why="With stride 1 the output size is n + 2p − f + 1; it equals n when 2p = f − 1. "
        "That is why filters are odd-sized.",
    params=(Param("f", (1, 3, 5, 7, 9, 11), minimum=1, maximum=63), Param("n", range(8, 257), minimum=1, maximum=4096)),
    valid=lambda v: v["f"] % 2 == 1 and v["f"] <= v["n"],
)
def _same_padding(v, rng):
    f, n = v["f"], v["n"]
    answer = _ref().same_padding(f)
    closed = f"({f} − 1) / 2"
    return solved(
        f"{article(n)} {n}×{n} input goes through a {f}×{f} convolution with stride 1. What padding p keeps "
        f"the output {n}×{n} (a 'same' convolution)?", answer, "p = (f − 1) / 2", closed)


@template(
    "conv_transpose_output_size", "numeric",
    summary=rf"The output size of a transposed convolution of an $n \times n$ input with an $f \times f$ filter, padding $p$ and stride $s$ {_DRAWN}.",
    formula=r"$(n - 1) \cdot s - 2p + f$",
    why="Each input pixel places a copy of the filter s pixels further along: (n − 1)·s + f "
        "covers all of them, and the padding p is cropped from both sides.",
    params=(Param("n", range(2, 33), minimum=1, maximum=4096), Param("f", (2, 3, 4), minimum=1, maximum=64),
            Param("pad", (0, 1), minimum=0, maximum=64), Param("stride", (1, 2), minimum=1, maximum=64)),
    valid=lambda v: (v["n"] - 1) * v["stride"] - 2 * v["pad"] + v["f"] >= 1,
)
def _conv_transpose_output_size(v, rng):
    n, f, p, s = v["n"], v["f"], v["pad"], v["stride"]
    answer = _ref().conv_transpose_output_size(n, f, pad=p, stride=s)
    closed = f"({n} − 1)·{s} − 2·{p} + {f}"
    return solved(
        f"A transposed convolution with a {f}×{f} filter, padding p = {p} and stride s = {s} is "
        f"applied to a {n}×{n} input. What is the height (and width) of the output?", answer, "(n − 1)·s − 2p + f", closed)


@template(
    "mobilenet_v2_bottleneck_params", "numeric",
    summary=rf"The number of weights of a MobileNet v2 bottleneck block (expansion, depthwise, projection; no biases) {_DRAWN}.",
    formula=r"$n_{in} \cdot n_{exp} + f \cdot f \cdot n_{exp} + n_{exp} \cdot n_{out}$",
    why="The 1×1 expansion has one weight per (input, expanded) channel pair, the depthwise f×f "
        "convolution one filter per expanded channel, and the 1×1 projection one weight per "
        "(expanded, output) pair.",
    params=(Param("n_c_in", (3, 5, 8, 16, 24), minimum=1, maximum=4096), Param("expansion", (2, 3, 4, 6), minimum=1, maximum=16),
            Param("f", (3, 5), minimum=1, maximum=11), Param("n_project", (8, 16, 20, 24, 32), minimum=1, maximum=4096)),
)
def _mobilenet(v, rng):
    n_in, f, n_out = v["n_c_in"], v["f"], v["n_project"]
    n_exp = n_in * v["expansion"]
    answer = _ref().mobilenet_v2_bottleneck_param_count(n_in, n_exp, f, n_out)
    closed = f"{n_in}·{n_exp} + {f}·{f}·{n_exp} + {n_exp}·{n_out}"
    return solved(
        f"A MobileNet v2 bottleneck block takes {n_in} channels, expands them to {n_exp} with a 1×1 "
        f"convolution, applies a {f}×{f} depthwise convolution and projects to {n_out} channels "
        "with a 1×1 convolution. How many weights does it have (no biases, batch norm not counted)?",
        answer, "expansion + depthwise + projection", closed)


@template(
    "yolo_output_shape", "shape",
    summary=rf"The shape of the YOLO output volume for a $g \times g$ grid, $a$ anchor boxes and $c$ classes {_DRAWN}.",
    formula=r"$(g, g, a \cdot (5 + c))$",
    why="Each anchor box of each grid cell predicts p_c, b_x, b_y, b_h, b_w and one score per class.",
    params=(Param("grid", (7, 13, 19), minimum=1, maximum=512), Param("anchors", (2, 3, 5, 9), minimum=1, maximum=64),
            Param("classes", (1, 3, 20, 80), minimum=0, maximum=100_000)),
)
def _yolo_output_shape(v, rng):
    g, a, c = v["grid"], v["anchors"], v["classes"]
    answer = tuple(_ref().yolo_output_shape(g, a, c))
    depth = f"{a}·(5 + {c})"
    return Drawn(
        f"YOLO runs on a {g}×{g} grid with {a} anchor boxes per cell and {c} class{'es' if c != 1 else ''}. "
        "What is the shape of the output volume?",
        answer, (f"depth = anchors·(5 + classes) = {depth} = {answer[2]}; shape ({g}, {g}, {answer[2]})",),
        (str(g), str(g), depth))


def _box(rng, size: int) -> tuple[int, int, int, int]:
    x1, y1 = rng.randint(0, size - 2), rng.randint(0, size - 2)
    return x1, y1, rng.randint(x1 + 1, min(size, x1 + 5)), rng.randint(y1 + 1, min(size, y1 + 5))


def _overlap(a, b) -> tuple[int, int]:
    return max(0, min(a[2], b[2]) - max(a[0], b[0])), max(0, min(a[3], b[3]) - max(a[1], b[1]))


def _area(box) -> int:
    return (box[2] - box[0]) * (box[3] - box[1])


@template(
    "iou", "numeric",
    summary=rf"The intersection over union of two boxes given by their corners (x1, y1, x2, y2) {_DRAWN}.",
    formula=r"$\mathrm{IoU} = \frac{|A \cap B|}{|A| + |B| - |A \cap B|}$",
    why="The union counts the overlap once, so it is the sum of the two areas minus the intersection.",
    params=(Param("size", (6, 8, 10), minimum=3, maximum=12),),  # larger: two small boxes seldom overlap
)
def _iou(v, rng):
    a, b = until(lambda: (_box(rng, v["size"]), _box(rng, v["size"])),
                 lambda pair: pair[0] != pair[1] and _overlap(*pair)[0] * _overlap(*pair)[1] > 0, "overlapping boxes")
    w, h = _overlap(a, b)
    answer = _ref().iou(a, b)
    inter = f"{w}·{h}"
    closed = f"{inter} / ({_area(a)} + {_area(b)} − {inter})"
    steps = (
        f"intersection: {w}·{h} = {w * h}; areas: {a[2] - a[0]}·{a[3] - a[1]} = {_area(a)} and "
        f"{b[2] - b[0]}·{b[3] - b[1]} = {_area(b)}",
        f"IoU = {closed} = {w * h}/{_area(a) + _area(b) - w * h} = {shown(answer)}",
    )
    return Drawn(f"Box A has corners (x1, y1, x2, y2) = {a} and box B = {b}. What is their IoU?", answer, steps, closed)


def _nms_by_hand(boxes, scores, threshold) -> tuple[list[int], list[str]]:
    """Greedy NMS in exact fractions, narrating each decision (a second implementation)."""
    left = sorted(range(len(boxes)), key=lambda i: -scores[i])
    kept, steps = [], []
    while left:
        best = left.pop(0)
        kept.append(best)
        dropped = []
        for i in list(left):
            w, h = _overlap(boxes[best], boxes[i])
            overlap = Fraction(w * h, _area(boxes[best]) + _area(boxes[i]) - w * h)
            if overlap >= threshold:
                left.remove(i)
                dropped.append(f"box {i + 1} (IoU {float(overlap):.2f})")
        steps.append(f"keep box {best + 1} ({scores[best]})" + (f", drop {', '.join(dropped)}" if dropped else ""))
    return kept, steps


@template(
    "nms_kept", "choice",
    summary=rf"Which boxes greedy non-max suppression keeps, given boxes, scores and an IoU threshold {_DRAWN}.",
    formula="Repeatedly keep the highest-scoring box left and discard every box whose IoU with it is at least the threshold.",
    why="Non-max suppression keeps one box per object: the most confident one, and discards the "
        "boxes that overlap it too much.",
    params=(Param("boxes", (3, 4, 5), minimum=3, maximum=8), Param("threshold", (0.3, 0.4, 0.5, 0.6), kind=float, minimum=0.2, maximum=0.8)),
)
def _nms_kept(v, rng):
    count, threshold = v["boxes"], Fraction(str(v["threshold"]))

    def scene():  # most boxes around one object, some elsewhere
        centre = _box(rng, 8)
        boxes = [tuple(c + rng.randint(-1, 1) for c in centre) if rng.random() < 0.6 else _box(rng, 10) for _ in range(count)]
        boxes = [(x1, y1, max(x2, x1 + 1), max(y2, y1 + 1)) for x1, y1, x2, y2 in ((max(a, 0), max(b, 0), c, d) for a, b, c, d in boxes)]
        scores = [s / 100 for s in rng.sample(range(50, 100), count)]
        return (boxes, scores, *_nms_by_hand(boxes, scores, threshold))

    boxes, scores, kept, steps = until(scene, lambda drawn: 1 < len(drawn[2]) < count, "scene where some boxes are dropped")
    options = tuple(f"box {i + 1}" for i in range(count))
    reference = _ref().non_max_suppression(boxes, scores, iou_threshold=float(threshold))
    listing = "; ".join(f"box {i + 1} {b} score {s}" for i, (b, s) in enumerate(zip(boxes, scores)))
    return Drawn(
        f"Non-max suppression with an IoU threshold of {v['threshold']} runs on these boxes "
        f"(corners x1, y1, x2, y2): {listing}. Which boxes does it keep? Type their numbers, e.g. 1, 3.",
        tuple(options[i] for i in reference), tuple(steps), tuple(options[i] for i in kept), options)


@template(
    "gram_entry", "numeric",
    summary=rf"An entry $G_{{kk'}}$ of the Gram (style) matrix of a small unrolled activation {_DRAWN}.",
    formula=r"$G_{kk'} = \sum_{i} a_{k,i}\, a_{k',i}$",
    why="Entry (k, k') of G = A·Aᵀ is the dot product of channels k and k' over all positions: "
        "how strongly the two features occur together.",
    params=(Param("channels", (2, 3), minimum=2, maximum=4), Param("positions", (3, 4), minimum=2, maximum=6)),
)
def _gram_entry(v, rng):
    rows = [[rng.randint(-2, 3) for _ in range(v["positions"])] for _ in range(v["channels"])]
    k, l = rng.sample(range(v["channels"]), 2) if rng.random() < 0.7 else [rng.randrange(v["channels"])] * 2
    answer = int(round(_ref().gram_matrix(rows)[k][l]))
    closed = " + ".join(f"{num(x)}·{num(y)}" for x, y in zip(rows[k], rows[l]))
    matrix = numbers([numbers(r, "[]") for r in rows], "[]")
    return solved(
        f"A layer's activation, unrolled to (n_C, n_H·n_W), is A = {matrix}: one row per channel. "
        f"What is the Gram-matrix entry G[{k + 1}][{l + 1}] (rows and columns counted from 1)?",
        answer, f"G[{k + 1}][{l + 1}] = row {k + 1} · row {l + 1}", closed)


@template(
    "triplet_loss", "numeric",
    summary=rf"The triplet loss of one anchor, positive and negative encoding with margin $\alpha$ {_DRAWN}.",
    formula=r"$\max(\lVert a - p \rVert^2 - \lVert a - n \rVert^2 + \alpha,\ 0)$",
    why="The loss is zero once the negative is farther from the anchor than the positive by at "
        "least the margin α; otherwise it pushes them apart.",
    params=(Param("alpha", (0.2, 0.5, 1.0), kind=float, minimum=0, maximum=10), Param("dims", (2, 3), minimum=1, maximum=4)),
)
def _triplet_loss(v, rng):
    a, p, n = ([rng.randint(-2, 2) for _ in range(v["dims"])] for _ in range(3))
    alpha = v["alpha"]
    answer = _ref().triplet_loss(a, p, n, alpha)
    d_ap = " + ".join(f"({num(x)} − {num(y)})²" for x, y in zip(a, p))
    d_an = " + ".join(f"({num(x)} − {num(y)})²" for x, y in zip(a, n))
    pos, neg = sum((x - y) ** 2 for x, y in zip(a, p)), sum((x - y) ** 2 for x, y in zip(a, n))
    closed = f"max({d_ap} − ({d_an}) + {alpha}, 0)"
    steps = (f"‖a − p‖² = {d_ap} = {pos}", f"‖a − n‖² = {d_an} = {neg}",
             f"J = max({pos} − {neg} + {alpha}, 0) = {shown(answer)}")
    return Drawn(
        f"The anchor encoding is a = {numbers(a)}, the positive p = {numbers(p)} and the negative "
        f"n = {numbers(n)}; the margin is α = {alpha}. What is the triplet loss?",
        answer, steps, closed)

