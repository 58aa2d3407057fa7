"""Leaving dlquiz: Anki packages and TSV, with stable ids and safe HTML.

notes.py turns cards into Anki notes (GUIDs, fields, tags); html.py turns card Markdown into
sanitised HTML with MathJax; apkg.py writes the .apkg with genanki (and the schedule with
`--with-progress`); tsv.py writes Anki's text-import format; runs.py is what every export does
around its notes (stamping change times, atomic writes, reporting deleted cards); anki.py is
`dlquiz export anki`.

Core: imports the base, dlquiz.decks, dlquiz.review (the store and today) and dlquiz.checking
(to draw parametric cards); never Rich or Typer.
"""
