"""A synthetic collection for benchmarks: N cards in D decks of realistic, valid YAML, and a
store with a review log over them; and the same cards in Anki's own collection.

The sizes the benchmarks use (SIZES) have 500 cards a deck and 10 log rows a card: 10,000 cards
in 20 decks, 50,000 in 100, 200,000 in 400 with 2,000,000 log rows. bench_check.py uses one deck
file of 150,000 cards (`--cards 150000 --decks 1`).

Run: python bench/synth.py DIR [--size 200k | --cards 50000 --decks 100 --reviews 500000]
writes DIR/cards (the decks) and DIR/home/dlquiz.db (the store), then prints how to use them:
DLQUIZ_CARDS=DIR/cards DLQUIZ_HOME=DIR/home DLQUIZ_NOW=2026-11-27T09:00:00+00:00 dlquiz review
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import date
from pathlib import Path

TODAY = date(2026, 11, 26)  # the log's last day (its limits for the day are used up)...
NOW = "2026-11-26T20:00:00+00:00"
REVIEW_NOW = "2026-11-27T09:00:00+00:00"  # ...so review the morning after: DLQUIZ_NOW=REVIEW_NOW

KINDS = ["basic", "basic", "basic", "truefalse", "choice", "numeric", "shape", "formula"]
SIZES = {"10k": (10_000, 20, 100_000), "50k": (50_000, 100, 500_000), "200k": (200_000, 400, 2_000_000)}  # cards, decks, log rows


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


def card_ids(n_cards: int, n_decks: int) -> list[str]:
    """The card ids write_collection gives, in collection order (without parsing its decks)."""
    per_deck = n_cards // n_decks
    return [f"s{d:03d}-card-{d * per_deck + i:05d}" for d in range(n_decks) for i in range(per_deck)]


def anki_collection(path: Path, cards: int, new_per_day: int, reviews_per_day: int, decks: int = 1,
                    reviewed: float = 0.0):
    """Anki's own collection (None without the `anki` library) of `cards` Basic notes with these
    daily limits, in one deck "bench" or in `decks` decks under it (as write_collection spreads
    them), "bench" selected; the first `reviewed` part of the cards made review cards due from
    10 days ago to 60 days ahead, as write_store's schedules are. Returns (collection, deck id)."""
    try:
        from anki.collection import AddNoteRequest, Collection
    except ImportError:
        return None
    col = Collection(str(path))
    model = col.models.by_name("Basic")
    deck_id = col.decks.id("bench")
    config = col.decks.config_dict_for_deck_id(deck_id)
    config["new"]["perDay"] = new_per_day
    config["rev"]["perDay"] = reviews_per_day
    col.decks.save(config)
    homes = [deck_id] if decks == 1 else [col.decks.id(f"bench::s{d:03d}") for d in range(decks)]
    per_deck = -(-cards // len(homes))
    requests = []
    for i in range(cards):
        note = col.new_note(model)
        note["Front"], note["Back"] = f"Question {i}", f"Answer {i}"
        requests.append(AddNoteRequest(note, homes[i // per_deck]))
    col.add_notes(requests)
    if reviewed:
        rng = random.Random(11)
        today = col.sched.today
        due = [(today + rng.randrange(-10, 60), rng.choice((1, 2, 6, 10, 15, 25, 40, 90)), cid)
               for cid in sorted(col.find_cards(""))[: int(cards * reviewed)]]
        col.db.executemany("UPDATE cards SET type = 2, queue = 2, due = ?, ivl = ?, factor = 2500 WHERE id = ?", due)
    col.decks.select(deck_id)
    return col, deck_id


def write_store(home: Path, card_ids: list[str], n_reviews: int = 500_000) -> None:
    """A store in `home` whose log holds `n_reviews` rows over two years (1% undone) on the
    first 90% of `card_ids`, with their schedules (see bench_stats.build_store)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_stats import build_store

    home.mkdir(parents=True, exist_ok=True)
    build_store(home, card_ids, n_reviews)


def write(root: Path, n_cards: int, n_decks: int, n_reviews: int) -> list[Path]:
    """The decks in root/cards and the store in root/home; the deck files."""
    paths = write_collection(root / "cards", n_cards, n_decks)
    write_store(root / "home", card_ids(n_cards, n_decks), n_reviews)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--size", choices=SIZES, help="one of the benchmarks' sizes (cards, decks and log rows)")
    parser.add_argument("--cards", type=int, default=50_000)
    parser.add_argument("--decks", type=int, default=100)
    parser.add_argument("--reviews", type=int, default=500_000)
    args = parser.parse_args()
    if args.size:
        args.cards, args.decks, args.reviews = SIZES[args.size]
    write(args.dir, args.cards, args.decks, args.reviews)
    print(f"DLQUIZ_CARDS={args.dir / 'cards'} DLQUIZ_HOME={args.dir / 'home'} DLQUIZ_NOW={REVIEW_NOW} dlquiz review")


if __name__ == "__main__":
    main()
