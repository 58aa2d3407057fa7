"""LaTeX math -> readable Unicode for a terminal, without Rich.

text.py is the entry point (`inline(latex)`: one line; `display(latex)`: several lines laid out
in 2-D); parse.py reads LaTeX through pylatexenc into nodes.py's tree; symbols.py holds the
symbol tables; line.py and box.py lay a tree out on one line and in two dimensions.

Core: imports pylatexenc and nothing of dlquiz outside this package.
"""
