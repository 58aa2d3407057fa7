"""Checking answers with code: typed answers, formulas, reference checks and parametric cards.

answers.py checks what a learner types (true/false, choice, number, shape, formula, text) and
suggests a grade; formula_parser.py and formula.py read plain-text math without eval;
equivalence.py compares two formulas at sample points (sympy only to explain a difference);
shown.py reads and shows shapes and numbers; checks.py runs every card's `check:` against
dlquiz.reference for `dlquiz check`; templates/ draws parametric cards.

Core: imports only the base (errors, model, reference); never Rich, Typer or another subsystem.
"""
