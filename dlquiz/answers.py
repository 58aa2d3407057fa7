"""Public API: checking a typed answer, `check(kind, expected, response) -> Verdict`.

Other programs import this name; the code lives in dlquiz.checking.answers, which is what
dlquiz's own modules import (tests/test_architecture.py makes sure none imports this one).
"""

from dlquiz.checking.answers import (  # noqa: F401 - re-exported
    CHECKABLE, KINDS, Verdict, check, check_card, checkable, expected_for, suggested_grade, warm_up,
)
from dlquiz.checking.shown import show_number, show_shape  # noqa: F401 - re-exported

__all__ = ["CHECKABLE", "KINDS", "Verdict", "check", "check_card", "checkable", "expected_for", "show_number",
           "show_shape", "suggested_grade", "warm_up"]
