"""Decks: the YAML files the cards live in.

format.py validates YAML values into Cards (`path:line` for every problem), yamlread.py reads
YAML with line numbers, files.py finds and reads deck files, collection.py joins them (ids unique
across decks) and chooses decks and cards by pattern and tag, cache.py keeps parsed decks between
runs. Authoring: drafts.py (a card as typed), deckfile.py (text surgery that keeps every other
byte), authoring.py (`dlquiz add` / `dlquiz edit`, validated like `dlquiz check`).

Core: imports the base and dlquiz.checking (the template registry to validate template cards,
the reference checks to validate authored cards); never Rich, Typer, review/, export/ or stats/.
"""
