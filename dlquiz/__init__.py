"""dlquiz: spaced-repetition flashcards for the Deep Learning Specialization.

A house of subsystems (docs/architecture.md is the map). The base, here at the top: errors.py
(the error vocabulary), paths.py (DLQUIZ_HOME, DLQUIZ_CARDS, DLQUIZ_NOW), config.py, model.py (Card,
Deck, Collection) and two pure modules of the public API, sm2.py and the reference/ package;
answers.py keeps the public name of dlquiz.checking.answers for other programs. The base imports
nothing else of dlquiz. Above it, the core packages decks/, checking/, review/, export/, stats/ and
render/math (no Rich, no Typer), then the terminal UI (render/, review/screen.py, stats/view.py, on
Rich), then cli/ (Typer). Imports go one way: cli -> terminal UI -> core -> base.
"""

__version__ = "0.1.0"
