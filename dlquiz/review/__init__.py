"""Reviewing: the store, the schedule, today's queue and the review screen.

store.py is the SQLite store (append-only logs of grades and suspensions, and card states;
migrations.py holds its schema as numbered migrations, queues.py its reads for queues and counts);
schedule.py is a card's state and how a grade moves it (with dlquiz.sm2); today.py is the review
day and per-deck counts; session.py is a session's queue, grading, burying, suspending and undo;
empty.py finds why a queue is empty; info.py is a card's schedule and history. The terminal UI:
screen.py draws the session, keys.py reads the keys (and handles Ctrl-Z / fg), actions.py does
the side keys (undo, bury, suspend, edit, info).

Core modules import the base and dlquiz.decks; screen.py, keys.py and actions.py (terminal UI) may
also import Rich, dlquiz.render and dlquiz.checking. Nothing here imports Typer or dlquiz.cli.
"""
