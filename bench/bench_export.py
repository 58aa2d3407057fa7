"""Benchmark: exporting 10,000 cards to Anki.

dlquiz's export of a synthetic collection (bench/synth.py) -- Markdown to sanitised HTML with
MathJax, GUIDs, tags, content hashes and modification times kept in the store, the .apkg
written through genanki and compressed -- against genanki alone writing the same notes with
pre-made fields (`genanki.Package(decks).write_to_file`), as a ratio. Target <= 2.

Both start from cards already loaded (loading decks has its own benchmark, bench_load.py); the
whole command, loading included, is printed as well. Each timing runs in a fresh interpreter
with a fresh $DLQUIZ_HOME (a first export: nothing cached), the kinds taking turns, best of
--repeat (default 9), as wall time and as CPU time.

Run: python bench/bench_export.py [--cards N] [--repeat R]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report import Row, add_json_flag, format_value, report  # noqa: E402
from synth import write_collection  # noqa: E402


def worker(kind: str, root: Path, out: Path) -> tuple[float, float]:
    """One timing in this (fresh) interpreter, as (wall seconds, CPU seconds): see the module
    docstring."""
    from dlquiz.decks.collection import load_collection
    from dlquiz.export import anki
    from dlquiz.export import notes as anki_notes

    if kind == "command":
        started, cpu = time.perf_counter(), time.process_time()
        anki.export_anki(out)
        return time.perf_counter() - started, time.process_time() - cpu
    collection = load_collection()
    if kind == "dlquiz":
        started, cpu = time.perf_counter(), time.process_time()
        anki.export_anki(out, collection=collection)
        return time.perf_counter() - started, time.process_time() - cpu
    notes = anki_notes.build_notes((collection.deck(card.deck), card) for card in collection.cards.values())
    started, cpu = time.perf_counter(), time.process_time()
    import genanki  # imported inside the timing, as an export does

    from dlquiz.export.apkg import note_type

    model = note_type()
    by_deck: dict[str, genanki.Deck] = {}
    for note in notes:
        deck = by_deck.get(note.deck) or by_deck.setdefault(note.deck, genanki.Deck(anki_notes.stable_id(note.deck), note.deck))
        deck.add_note(genanki.Note(model=model, fields=list(note.fields), tags=list(note.tags), guid=note.guid))
    genanki.Package(list(by_deck.values())).write_to_file(str(out))
    return time.perf_counter() - started, time.process_time() - cpu


def run(kind: str, root: Path) -> tuple[float, float]:
    """One timing in a fresh interpreter with a fresh $DLQUIZ_HOME."""
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, DLQUIZ_CARDS=str(root), DLQUIZ_HOME=home)
        out = Path(home) / "out.apkg"
        result = subprocess.run([sys.executable, __file__, "--worker", kind, str(root), str(out)],
                                check=True, capture_output=True, text=True, env=env)
    wall, cpu = (float(x) for x in result.stdout.split())
    return wall, cpu


def best_of(repeat: int, kinds: list[str], root: Path) -> dict[str, tuple[float, float]]:
    """For each kind, the best wall time and the best CPU time of `repeat` runs. The kinds take
    turns, so a busy spell of the machine does not fall on one of them only."""
    times: dict[str, list[tuple[float, float]]] = {kind: [] for kind in kinds}
    for _ in range(repeat):
        for kind in kinds:
            times[kind].append(run(kind, root))
    return {kind: (min(t[0] for t in ts), min(t[1] for t in ts)) for kind, ts in times.items()}


def main() -> list[Row]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--decks", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--worker", nargs=3, metavar=("KIND", "DIR", "OUT"), help=argparse.SUPPRESS)
    add_json_flag(parser)
    args = parser.parse_args()
    if args.worker:
        kind, root, out = args.worker
        print(*worker(kind, Path(root), Path(out)))
        return []
    with tempfile.TemporaryDirectory() as tmp:
        write_collection(Path(tmp), args.cards, args.decks)
        best = best_of(args.repeat, ["genanki", "dlquiz", "command"], Path(tmp))
    base, ours, command = best["genanki"], best["dlquiz"], best["command"]
    rows = [
        Row(f"export {args.cards:,} cards vs genanki alone (wall)", ours[0], base[0], max_ratio=2.0),
        Row(f"export {args.cards:,} cards vs genanki alone (CPU)", ours[1], base[1], max_ratio=2.0),
        Row(f"whole export command, loading {args.cards:,} cards included (wall)", command[0], note="reported"),
    ]
    report(rows, f"fresh interpreters, first export, best of {args.repeat}; "
                 f"the whole command's CPU time: {format_value(command[1])}")
    return rows


if __name__ == "__main__":
    main()
