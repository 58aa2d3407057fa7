"""A synthetic collection for benchmarks: N cards in D decks of realistic, valid YAML."""

from __future__ import annotations

import random
from pathlib import Path

KINDS = ["basic", "basic", "basic", "truefalse", "choice", "numeric", "shape", "formula"]


def _card(deck: str, index: int, rng: random.Random) -> str:
    kind = KINDS[index % len(KINDS)]
    card_id = f"{deck}-card-{index:05d}"
    lines = [
        f"  - id: {card_id}",
        f"    kind: {kind}",
        f"    source: Synthetic section {index % 17}",
        "    question: >-",
        f"      Question {index} about $W^{{[l]}}$ and the shape of $Z^{{[{index % 9}]}}$ in a",
        f"      network with {rng.randint(2, 9)} layers: what happens at step {index}?",
    ]
    if kind == "basic":
        lines += ["    answer: |-", f"      The answer to {index}, with **emphasis** and a list:", "", "      - one", "      - two"]
    elif kind == "truefalse":
        lines += [f"    answer: {'true' if index % 2 else 'false'}"]
    elif kind == "choice":
        lines += ["    options:", "      - first option", "      - second option", "      - third option", "    answer: second option"]
    elif kind == "numeric":
        f, c, n = rng.randint(1, 7), rng.randint(1, 64), rng.randint(1, 256)
        lines += [f"    answer: {(f * f * c + 1) * n}", f"    check: conv_param_count(f={f}, n_c_prev={c}, n_c={n})"]
    elif kind == "shape":
        lines += [f"    answer: [{rng.randint(1, 9)}, 1]"]
    else:
        lines += [r"    answer: '$v_t^{corrected} = \frac{v_t}{1-\beta^t}$'", "    expr: v_t / (1 - beta^t)"]
    lines += [f"    explain: Because of reason {index}.", f"    tags: [synthetic, kind-{kind}]"]
    return "\n".join(lines) + "\n"


def write_collection(root: Path, n_cards: int = 50_000, n_decks: int = 100, seed: int = 7) -> list[Path]:
    """Write `n_decks` deck files holding `n_cards` cards under `root`; returns their paths."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    per_deck = n_cards // n_decks
    paths = []
    for d in range(n_decks):
        deck = f"s{d:03d}"
        head = f"course: {d // 10 + 1}\ncourse_title: Synthetic course\nweek: {d % 10 + 1}\ntitle: Synthetic deck {d}\ncards:\n"
        body = "".join(_card(deck, d * per_deck + i, rng) for i in range(per_deck))
        path = root / f"{deck}.yaml"
        path.write_text(head + body, encoding="utf-8")
        paths.append(path)
    return paths
