"""The review history shared with other places: other machines through a folder that git,
Syncthing or Dropbox keeps in sync (`dlquiz sync`: `folder`, the event format in `jsonl`), and
reviews made in Anki brought back from its collections (`dlquiz import anki`: `ankifile` opens
the files, `anki` reads the review log). Part of the core: it may import the base, `review`
(the store and its events) and `export` (the GUIDs of the notes), never Rich or Typer.
"""
