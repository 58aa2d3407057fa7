"""Reviewing: the store, the schedule, today's queue and the review screen.

store.py is the SQLite store (append-only log and card states; migrations.py holds its schema as
numbered migrations, queues.py its reads for queues and counts); schedule.py is a card's state and
how a grade moves it (with dlquiz.sm2); today.py is the review day and per-deck counts;
session.py is a session's queue, grading, burying and undo. The terminal UI: screen.py draws the
session and keys.py reads the keys.

Core modules import the base and dlquiz.decks; screen.py and keys.py (terminal UI) may also import
Rich, dlquiz.render and dlquiz.checking. Nothing here imports Typer or dlquiz.cli.
"""
