"""Benchmark: rendering every bundled card (question, options, answer, explanation, note, in
its frame) to a 100-column console, as `dlquiz show` does.

- baseline: the same sections through stock `rich.markdown.Markdown` in a `rich.panel.Panel`,
  math left as LaTeX source (what dlquiz did before math rendering);
- dlquiz: `render.card_view` with math converted to Unicode and display math laid out in 2-D.

Each measurement runs in a fresh interpreter with the modules already imported, so "cold"
includes every first-use cost (the LaTeX parser's tables, Pygments lexers, empty caches) and
"warm" is a second pass in the same process. "build" makes the renderables (Markdown parsed,
math converted), "print" is Rich laying them out. Times are CPU time of that process (the
machine may be shared) and the best of --repeat runs, baseline and dlquiz runs interleaved.
Target: dlquiz cold <= 0.5 s in total; the ratios show what dlquiz costs over stock Rich.
The machine may be shared: CPU time still varies by about ±10% between runs, hence best-of.

Run: python bench/bench_render.py [--repeat R]
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report import Row, add_json_flag, report  # noqa: E402


def _stock_view(card, deck_title: str):
    from rich.console import Group
    from rich.markdown import Markdown
    from rich.panel import Panel
    from rich.text import Text

    from dlquiz.render import cards as render

    parts = []
    sections = (("Question", card.question), ("Options", render.options_block(card)),
                ("Answer", render.format_answer(card)), ("Why", card.explain), ("Note on the notes", card.note))
    for title, body in sections:
        if body:
            parts += [Text(title, style="bold cyan"), Markdown(body, code_theme="ansi_dark", hyperlinks=False), Text("")]
    parts.append(Text(f"kind {card.kind}  tags {', '.join(card.tags)}\nfrom {card.where}\nsource {card.source}"))
    return Panel(Group(*parts), title=Text(card.id, style="bold"), subtitle=f"{card.deck} · {deck_title}", expand=True)


def worker(kind: str) -> dict:
    """Render every bundled card twice; CPU seconds of building the renderables (Markdown and
    math parsed) and of printing them (Rich's layout), per pass."""
    import dlquiz.render.cardmd  # noqa: F401,E401
    import pylatexenc.latexwalker  # noqa: F401  (imports are not what is measured)
    import rich.markdown  # noqa: F401
    from rich.console import Console

    from dlquiz.decks.collection import load_collection
    from dlquiz.decks.files import discover
    from dlquiz.paths import bundled_cards_dir
    from dlquiz.render import cards as render

    collection = load_collection(paths=discover([bundled_cards_dir()]), cache=False)
    titles = {deck.id: deck.title for deck in collection.decks}
    view = render.card_view if kind == "dlquiz" else _stock_view
    console = Console(file=io.StringIO(), width=100, color_system=None)
    out = {"cards": len(collection.cards)}
    for phase in ("cold", "warm"):
        started = time.process_time()
        views = [view(card, titles[card.deck]) for card in collection.cards.values()]
        built = time.process_time()
        for one in views:
            if kind == "dlquiz":
                render.print_card(console, one)  # as `dlquiz show` prints a card
            else:
                console.print(one)
        out[phase + " build"] = built - started
        out[phase + " print"] = time.process_time() - built
        out[phase] = time.process_time() - started
    return out


def run(kind: str) -> dict:
    result = subprocess.run([sys.executable, __file__, "--worker", kind], check=True, capture_output=True, text=True)
    return json.loads(result.stdout)


def main() -> list[Row]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--worker", choices=("baseline", "dlquiz"), help=argparse.SUPPRESS)
    add_json_flag(parser)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker)))
        return []
    best: dict[str, dict] = {}
    for _ in range(args.repeat):
        for kind in ("baseline", "dlquiz"):
            got = run(kind)
            seen = best.setdefault(kind, got)
            for key, value in got.items():
                seen[key] = min(seen[key], value)
    cards = best["dlquiz"]["cards"]
    phases = [("cold build", None), ("cold print", None), ("cold", 0.5), ("warm", None)]
    rows = [Row(f"render {cards} bundled cards, {key}, CPU vs stock Rich Markdown", best["dlquiz"][key],
                best["baseline"][key], max_value=limit, note="" if limit else "reported")
            for key, limit in phases]
    report(rows, f"{cards} cards, CPU seconds, best of {args.repeat}")
    return rows


if __name__ == "__main__":
    main()
