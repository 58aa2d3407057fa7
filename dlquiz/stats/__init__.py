"""`dlquiz stats`: the numbers and the pictures.

numbers.py aggregates the review log and card states in SQL into a `Stats` (the `--json`
output); day.py is the one-line summary of today for the end of a session. view.py (terminal UI)
draws them with Rich.

numbers.py and day.py are core: they import the base, dlquiz.decks and dlquiz.review's store,
never Rich or Typer. view.py may import Rich and the core.
"""
