"""Parametric cards: templates that draw fresh numbers at every review.

kit.py is what a template is made of (Param, Drawn, the `template` decorator, helpers for
worked solutions); conv.py (course 4) and nets.py (courses 1, 2 and 5) are the templates;
catalog.py validates a deck card's `template:` and `params:` and draws it. A new template is a
decorated function in conv.py or nets.py (or a new module that catalog.registry imports).

Core: imports dlquiz.checking.shown and, when a card is drawn, dlquiz.reference (NumPy).
"""
