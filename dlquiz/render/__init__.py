"""Showing cards in a terminal: LaTeX math as Unicode, and card views on Rich.

math/ turns LaTeX into one line or a 2-D layout of Unicode (no Rich: core); markup.py prepares
card Markdown for a renderer (math converted, display math as fences; no Rich: core); words.py
counts in words (`1 deck`, `2 decks`; core). The terminal UI, on Rich: markdown.py (Rich's
Markdown with dlquiz's math fences and tables), cards.py (question, answer, options and
whole-card views, a card's schedule and history, the console), columns.py (the plain aligned
columns of `dlquiz decks` and `dlquiz tags`).

The terminal UI modules import Rich and the core; none imports Typer or dlquiz.cli.
"""
