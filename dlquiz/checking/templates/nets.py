"""Parametric cards of courses 1, 2 and 5: dense-layer and `keepdims` shapes, bias-corrected
averages, one Adam step, learning-rate decay, RNN/GRU/LSTM parameter counts, attention weights
and a positional-encoding value. Answers come from dlquiz.reference (and NumPy itself for the
shapes); each worked solution's `closed` form computes them a second way for `dlquiz check`."""

from __future__ import annotations

from fractions import Fraction

from dlquiz.checking.templates.kit import Drawn, Param, decimal, num, numbers, shown, solved, sub, template

_DRAWN = "(new numbers at every review)"


def _ref():
    from dlquiz import (
        reference,  # NumPy: imported when a card is drawn, not when decks load
    )

    return reference


_DENSE = {
    "W": ("W^[l]", "(n^[l], n^[l−1])"), "b": ("b^[l]", "(n^[l], 1)"), "Z": ("Z^[l]", "(n^[l], m)"),
    "dW": ("dW^[l]", "the shape of W^[l]: (n^[l], n^[l−1])"), "db": ("db^[l]", "the shape of b^[l]: (n^[l], 1)"),
}


@template(
    "dense_shapes", "shape",
    summary=rf"The shape of $W^{{[l]}}$, $b^{{[l]}}$, $Z^{{[l]}}$, $dW^{{[l]}}$ or $db^{{[l]}}$ of a dense layer, vectorized over $m$ examples {_DRAWN}.",
    formula=r"$W, dW: (n^{[l]}, n^{[l-1]})$; $b, db: (n^{[l]}, 1)$; $Z: (n^{[l]}, m)$",
    why="Z = W·A_prev + b maps n^[l−1] features of each of the m examples to n^[l] units; b is "
        "broadcast over the examples, and a gradient has the shape of what it is the gradient of.",
    params=(Param("n_prev", range(2, 21), minimum=1, maximum=256), Param("n", range(2, 21), minimum=1, maximum=256),
            Param("m", (16, 32, 64, 100), minimum=1, maximum=256), Param("of", tuple(_DENSE), kind=str)),
)
def _dense_shapes(v, rng):
    import numpy as np

    n_prev, n, m, of = v["n_prev"], v["n"], v["m"], v["of"]
    W, b, A_prev = np.zeros((n, n_prev)), np.zeros((n, 1)), np.zeros((n_prev, m))
    Z = W @ A_prev + b  # NumPy itself computes the shapes the answer must match
    dW, db = Z @ A_prev.T / m, np.sum(Z, axis=1, keepdims=True) / m
    closed = {"W": W, "b": b, "Z": Z, "dW": dW, "db": db}[of].shape
    answer = {"W": (n, n_prev), "b": (n, 1), "Z": (n, m), "dW": (n, n_prev), "db": (n, 1)}[of]
    symbol, rule = _DENSE[of]
    return Drawn(
        f"Layer l has n^[l] = {n} units and n^[l−1] = {n_prev} inputs; a mini-batch has m = {m} "
        f"examples. What is the shape of {symbol}?",
        answer, (f"{of}^[l] is {rule} = {answer}",), tuple(str(d) for d in closed))


@template(
    "keepdims_shape", "shape",
    summary=rf"The shape of `np.sum(A, axis=..., keepdims=...)` for a 2-D array `A` {_DRAWN}.",
    formula="The summed axis disappears, or stays with size 1 when `keepdims=True`.",
    why="keepdims=True keeps the result 2-D, so it broadcasts back against A (as in A / B); "
        "without it a (r,) vector can silently broadcast the wrong way.",
    params=(Param("rows", range(2, 8), minimum=1, maximum=64), Param("cols", range(2, 8), minimum=1, maximum=64),
            Param("axis", (0, 1), minimum=0, maximum=1), Param("keepdims", (True, False), kind=bool)),
    valid=lambda v: v["rows"] != v["cols"],
)
def _keepdims_shape(v, rng):
    import numpy as np

    shape, axis, keep = (v["rows"], v["cols"]), v["axis"], v["keepdims"]
    answer = tuple(_ref().sum_shape(shape, axis=axis, keepdims=keep))
    closed = np.sum(np.zeros(shape), axis=axis, keepdims=keep).shape
    gone = "stays as 1" if keep else "disappears"
    return Drawn(
        f"A = np.random.randn({shape[0]}, {shape[1]}). What is the shape of "
        f"np.sum(A, axis={axis}, keepdims={keep})?",
        answer, (f"axis {axis} (size {shape[axis]}) {gone}: {answer}",), tuple(str(d) for d in closed))


@template(
    "ewa_bias_corrected", "numeric",
    summary=rf"The bias-corrected exponentially weighted average $v_t / (1 - \beta^t)$ of a few values {_DRAWN}.",
    formula=r"$v_t = \beta v_{t-1} + (1-\beta)\theta_t,\ v_0 = 0;\ \ v_t^{corrected} = \frac{v_t}{1 - \beta^t}$",
    why="Starting from v₀ = 0 biases the first averages towards 0; dividing by 1 − βᵗ removes the "
        "bias, and matters less as t grows.",
    params=(Param("beta", (0.5, 0.8, 0.9), kind=float, minimum=0, maximum=0.99), Param("t", (2, 3), minimum=1, maximum=5)),
)
def _ewa(v, rng):
    beta, t = Fraction(str(v["beta"])), v["t"]
    thetas = [rng.randint(5, 30) for _ in range(t)]
    answer = _ref().ewa(thetas, float(beta))[-1]
    steps, average = [], Fraction(0)
    for k, theta in enumerate(thetas, start=1):
        new = beta * average + (1 - beta) * theta
        steps.append(f"v{sub(k)} = {decimal(beta)}·{decimal(average)} + {decimal(1 - beta)}·{theta} = {decimal(new)}")
        average = new
    closed = f"{decimal(average)} / (1 − {decimal(beta)}^{t})"
    steps.append(f"corrected: {closed} = {decimal(average)} / {decimal(1 - beta**t)} = {shown(answer)}")
    values = ", ".join(map(str, thetas))
    return Drawn(
        f"θ₁…θ{sub(t)} = {values}, β = {v['beta']}, v₀ = 0. What is the bias-corrected average "
        f"v{sub(t)} / (1 − β^{t})?",
        answer, tuple(steps), closed)


@template(
    "adam_step", "numeric",
    summary=rf"The change of a weight in one Adam step, from the gradient and the previous moments {_DRAWN}.",
    formula=r"$\Delta w = -\alpha \frac{\hat v}{\sqrt{\hat s} + \epsilon},\ \hat v = \frac{v}{1-\beta_1^t},\ \hat s = \frac{s}{1-\beta_2^t}$",
    why="Bias correction makes the first steps full-sized: at t = 1, v̂ = dw and ŝ = dw², so the "
        "step is about α whatever the size of the gradient.",
    params=(Param("learning_rate", (0.001, 0.01, 0.1), kind=float, minimum=0, maximum=1), Param("t", (1, 2), minimum=1, maximum=2),
            Param("beta1", (0.9,), kind=float, minimum=0, maximum=0.99), Param("beta2", (0.999,), kind=float, minimum=0, maximum=0.9999)),
)
def _adam_step(v, rng):
    lr, t = v["learning_rate"], v["t"]
    b1, b2 = Fraction(str(v["beta1"])), Fraction(str(v["beta2"]))
    grads = [Fraction(rng.choice([-1, 1]) * rng.randint(1, 9), 10) for _ in range(t)]
    v_prev = s_prev = Fraction(0)
    for g in grads[:-1]:
        v_prev, s_prev = b1 * v_prev + (1 - b1) * g, b2 * s_prev + (1 - b2) * g * g
    dw = grads[-1]
    first, second = b1 * v_prev + (1 - b1) * dw, b2 * s_prev + (1 - b2) * dw * dw
    w, _, _ = _ref().adam_update(0.0, float(dw), float(v_prev), float(s_prev), t, lr, float(b1), float(b2))
    answer = float(w)
    v_hat, s_hat = f"{decimal(first)} / (1 − {decimal(b1)}^{t})", f"{decimal(second)} / (1 − {decimal(b2)}^{t})"
    closed = f"−{lr}·({v_hat}) / (√({s_hat}) + 10^−8)"
    history = "v = s = 0" if t == 1 else f"v = {decimal(v_prev)}, s = {decimal(s_prev)} after a first step with gradient {decimal(grads[0])}"
    steps = (
        f"v = {decimal(b1)}·v + {decimal(1 - b1)}·dw = {decimal(first)}; s = {decimal(b2)}·s + {decimal(1 - b2)}·dw² = {decimal(second)}",
        f"v̂ = {v_hat} = {shown(float(first / (1 - b1**t)))}; ŝ = {s_hat} = {shown(float(second / (1 - b2**t)))}",
        f"Δw = −α·v̂ / (√ŝ + ε) = {shown(answer)}",
    )
    return Drawn(
        f"Adam with α = {lr}, β₁ = {v['beta1']}, β₂ = {v['beta2']}, ε = 10⁻⁸ takes step t = {t} "
        f"({history}) with gradient dw = {decimal(dw)}. By how much does the weight change (Δw = w_new − w)?",
        answer, steps, closed)


@template(
    "lr_decay", "numeric",
    summary=rf"The decayed learning rate $\alpha_0 / (1 + \text{{decay\_rate}} \cdot \text{{epoch}})$ {_DRAWN}.",
    formula=r"$\alpha = \frac{\alpha_0}{1 + \text{decay\_rate} \cdot \text{epoch\_num}}$",
    why="The learning rate shrinks like 1/epoch: large steps early, smaller ones as training settles.",
    params=(Param("alpha0", (0.1, 0.2, 0.5, 1.0), kind=float, minimum=0, maximum=10),
            Param("decay_rate", (0.5, 1.0, 2.0), kind=float, minimum=0, maximum=100), Param("epoch", range(1, 11), minimum=0, maximum=10_000)),
)
def _lr_decay(v, rng):
    a0, rate, epoch = v["alpha0"], v["decay_rate"], v["epoch"]
    answer = _ref().lr_decay(a0, epoch, rate)
    closed = f"{a0} / (1 + {rate}·{epoch})"
    return solved(f"α₀ = {a0}, decay rate {rate}, α = α₀ / (1 + decay_rate·epoch_num). What is α at epoch {epoch}?",
                  answer, "α", closed)


def _rnn_family(name: str, gates: int | None):
    """RNN, GRU and LSTM parameter counts share their parameters and question."""

    def build(v, rng):
        n_a, n_x = v["n_a"], v["n_x"]
        if gates is None:
            n_y = v["n_y"]
            answer = _ref().rnn_param_count(n_a, n_x, n_y)
            closed = f"{n_a}·{n_a} + {n_a}·{n_x} + {n_a} + {n_y}·{n_a} + {n_y}"
            rule = "W_aa + W_ax + b_a + W_ya + b_y"
            extra = f" and an output layer of n_y = {n_y} units"
        else:
            answer = (_ref().gru_param_count if gates == 3 else _ref().lstm_param_count)(n_a, n_x)
            closed = f"{gates}·({n_a}·({n_a} + {n_x}) + {n_a})"
            rule = f"{gates} blocks of W (n_a × (n_a + n_x)) and b (n_a)"
            extra = ""
        return solved(
            f"{'An' if name[0] in 'AEIOUL' else 'A'} {name} cell has n_a = {n_a} hidden units and n_x = {n_x} inputs{extra}. "
            "How many parameters does it have, biases included?", answer, rule, closed)

    return build


_RNN_PARAMS = (Param("n_a", (8, 16, 32, 64, 100, 128), minimum=1, maximum=65536),
               Param("n_x", (3, 10, 50, 100, 300), minimum=1, maximum=1_000_000))
template(
    "rnn_param_count", "numeric",
    summary=rf"The number of parameters of a basic RNN cell with its output layer {_DRAWN}.",
    formula=r"$n_a^2 + n_a n_x + n_a + n_y n_a + n_y$",
    why="The same W_aa, W_ax, b_a (and W_ya, b_y) are shared by every time step, so the count does not depend on the sequence length.",
    params=_RNN_PARAMS + (Param("n_y", (1, 2, 5, 10), minimum=1, maximum=1_000_000),),
)(_rnn_family("basic RNN", None))
template(
    "gru_param_count", "numeric",
    summary=rf"The number of parameters of a full GRU (update gate, relevance gate, candidate) {_DRAWN}.",
    formula=r"$3 \cdot (n_a (n_a + n_x) + n_a)$",
    why="Γ_u, Γ_r and c̃ each have a weight matrix over [a⟨t−1⟩, x⟨t⟩] and a bias.",
    params=_RNN_PARAMS,
)(_rnn_family("full GRU", 3))
template(
    "lstm_param_count", "numeric",
    summary=rf"The number of parameters of an LSTM cell (forget, update, output gates and candidate) {_DRAWN}.",
    formula=r"$4 \cdot (n_a (n_a + n_x) + n_a)$",
    why="Γ_f, Γ_u, Γ_o and c̃ each have a weight matrix over [a⟨t−1⟩, x⟨t⟩] and a bias: a third more than a GRU.",
    params=_RNN_PARAMS,
)(_rnn_family("LSTM", 4))


@template(
    "attention_weight", "numeric",
    summary=rf"An attention weight $\alpha^{{<t,t'>}}$: the softmax of the energies $e^{{<t,t'>}}$ over $t'$ {_DRAWN}.",
    formula=r"$\alpha^{<t,t'>} = \frac{\exp(e^{<t,t'>})}{\sum_{t''} \exp(e^{<t,t''>})}$",
    why="A softmax over the input positions: the weights are positive and sum to 1 for each output step.",
    params=(Param("inputs", (3, 4), minimum=2, maximum=6),),
)
def _attention_weight(v, rng):
    energies = [rng.randint(-2, 3) for _ in range(v["inputs"])]
    k = rng.randrange(len(energies))
    answer = float(_ref().softmax(energies)[k])
    closed = f"e^{num(energies[k])} / ({' + '.join(f'e^{num(e)}' for e in energies)})"
    return solved(
        f"For one output step the energies e⟨t,t'⟩ over the {len(energies)} input positions are "
        f"{numbers(energies, '')}. What is the attention weight α⟨t,{k + 1}⟩?", answer, f"α⟨t,{k + 1}⟩", closed)


@template(
    "positional_encoding_value", "numeric",
    summary=rf"One value of the sinusoidal positional encoding PE(pos, k) for a model width $d$ {_DRAWN}.",
    formula=r"$PE(pos, 2i) = \sin\left(\frac{pos}{10000^{2i/d}}\right),\ PE(pos, 2i+1) = \cos\left(\frac{pos}{10000^{2i/d}}\right)$",
    why="Each pair of dimensions is a sine and a cosine of the position at its own frequency, "
        "from one turn per 2π positions down to one per 10000·2π.",
    params=(Param("d_model", (4, 8, 16), minimum=2, maximum=512), Param("pos", range(0, 21), minimum=0, maximum=1000)),
)
def _positional_encoding(v, rng):
    d, pos = v["d_model"], v["pos"]
    k = rng.randrange(d)
    answer = float(_ref().positional_encoding(pos + 1, d)[pos][k])
    two_i = k - k % 2
    closed = f"{'sin' if k % 2 == 0 else 'cos'}({pos} / 10000^({two_i}/{d}))"
    return solved(
        f"With d_model = {d}, what is the positional encoding PE(pos = {pos}, k = {k}) (dimensions k counted from 0)?",
        answer, f"k = {k} is {'even: sin' if k % 2 == 0 else 'odd: cos'}, 2i = {two_i}: PE", closed)
