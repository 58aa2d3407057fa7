"""Plain-text math -> a light tree of Nodes, through a small parser of our own (never `eval`,
`sympify` or `parse_expr`, which run Python code). dlquiz.checking.formula evaluates the tree and turns
it into sympy.

Accepted: numbers (`7600`, `0.9`, `1e-8`), names with subscripts (`v_t`, `beta_1`, `v_{dW}`,
`β₁`, `β1`), Greek letters by name or symbol, `+ - * / ^ **` (also `·`, `×`, `÷`, `−`), parentheses,
brackets and braces, `|x|`, `⌊x⌋`, `⌈x⌉`, `√x`, implicit multiplication (`2x`, `beta v_prev`,
`(1-beta)theta_t`; but not `2 3`), and the functions sqrt, exp, log/ln, sin, cos, tan, tanh,
sigma/sigmoid, relu, floor, ceil, abs, max, min and g (an unspecified activation). A function
name directly followed by `(` is a call; `sigma^2` is a variable squared. `lhs = rhs` is read as
`rhs`. Inputs that are too long, too deep or would build enormous numbers (`9^9^9^9`) raise
TooComplex at once.
"""

from __future__ import annotations

import functools
import math
import re
from fractions import Fraction
from typing import Any, NamedTuple

MAX_CHARS = 500
MAX_DEPTH = 60
MAX_DIGITS = 60
MAX_POWER_BITS = 4096

GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ϵ": "epsilon",
    "ζ": "zeta", "η": "eta", "θ": "theta", "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu",
    "ν": "nu", "ξ": "xi", "π": "pi", "ρ": "rho", "σ": "sigma", "τ": "tau", "φ": "phi", "ϕ": "phi",
    "χ": "chi", "ψ": "psi", "ω": "omega", "Γ": "Gamma", "Δ": "Delta", "Θ": "Theta", "Λ": "Lambda",
    "Σ": "Sigma", "Φ": "Phi", "Ψ": "Psi", "Ω": "Omega",
}
_NAME_ALIASES = {"varepsilon": "epsilon", "eps": "epsilon", "vartheta": "theta", "varphi": "phi"}
_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉ₜ", "0123456789t")
_SUPERSCRIPTS = {"²": "2", "³": "3", "ᵗ": "t"}
_OPS = {"·": "*", "×": "*", "÷": "/", "−": "-", "–": "-", "**": "^"}
_OPEN = {"(": ")", "[": "]", "{": "}", "⌊": "⌋", "⌈": "⌉"}
# name -> number of arguments (None: two or more)
FUNCTIONS = {
    "sqrt": 1, "exp": 1, "log": 1, "sin": 1, "cos": 1, "tan": 1, "tanh": 1, "sigma": 1,
    "relu": 1, "floor": 1, "ceil": 1, "abs": 1, "max": None, "min": None, "g": 1,
    "cat": None,  # a concatenation [a, x] (dlquiz.checking.latex): order-sensitive, not a number
}
_FUNCTION_ALIASES = {"ln": "log", "sigmoid": "sigma"}
CONSTANTS = {"pi": math.pi, "e": math.e}

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>(?:[A-Za-z][A-Za-z0-9]*|[\u0370-\u03ff][0-9]*)
        (?:_(?:\{[^{}]*\}|[A-Za-z0-9\u0370-\u03ff]+))*
        [₀₁₂₃₄₅₆₇₈₉ₜ]*)
  | (?P<sup>[²³ᵗ])
  | (?P<op>\*\*|[-+*/^()\[\]{},|=·×÷−–√⌊⌋⌈⌉])
    """,
    re.VERBOSE,
)


class FormulaError(ValueError):
    """Text that is not a formula we can read; the message says where."""


class TooComplex(FormulaError):
    """Text that would take too long or too much memory to handle."""


class Node(NamedTuple):
    """One node of a parsed formula. `op` is "num" (args: a Fraction), "name", "const", "+" and
    "*" (n-ary), "neg", "inv", "^" or a function name. `value` approximates a subtree that holds
    no names (None otherwise); it is what keeps huge numbers away from sympy."""

    op: str
    args: tuple
    value: float | None = None


def _tokens(text: str) -> list[tuple[str, str, int]]:
    tokens = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise FormulaError(f"unexpected {text[position]!r} at position {position + 1}")
        kind = match.lastgroup
        value = match.group()
        if kind == "num" and (len(value) > MAX_DIGITS or abs(int(value.lower().partition("e")[2] or 0)) > 300):
            raise TooComplex("too complex: a number with too many digits")
        if kind == "sup":
            tokens.append(("op", "^", position))
            kind, value = ("num", _SUPERSCRIPTS[value]) if value != "ᵗ" else ("name", "t")
        if kind != "ws":
            tokens.append((kind, _OPS.get(value, value), position))
        position = match.end()
    return tokens


@functools.lru_cache(maxsize=4096)
def _symbol_name(raw: str) -> str:
    """Normalise a name: Greek spelled out, `x_{t}` -> `x_t`, `β₁` and `β1` -> `beta_1`."""
    plain = raw.rstrip("₀₁₂₃₄₅₆₇₈₉ₜ")
    tail = "_" + raw[len(plain):].translate(_SUBSCRIPTS) if plain != raw else ""
    head, _, rest = plain.partition("_")
    if head[:1] in GREEK and head[1:].isdigit():  # β1 reads as beta_1, as β₁ does
        head, rest = head[0], head[1:] + ("_" + rest if rest else "")
    head = "".join(GREEK.get(ch, ch) for ch in head)
    head = _NAME_ALIASES.get(head, head)
    parts = [head]
    for part in re.findall(r"\{[^{}]*\}|[^_{}]+", rest):
        part = part[1:-1] if part.startswith("{") else part
        parts.append("".join(GREEK.get(ch, ch) for ch in part.replace(" ", "")))
    return "_".join(p for p in parts if p) + tail


# ---------------------------------------------------------------------------------------------
# real approximations of name-free subtrees (computed while parsing)

_REAL = {
    "sqrt": math.sqrt, "exp": math.exp, "log": math.log, "sin": math.sin, "cos": math.cos,
    "tan": math.tan, "tanh": math.tanh, "floor": math.floor, "ceil": math.ceil, "abs": abs,
    "relu": lambda x: max(0.0, x), "max": max, "min": min,
    "sigma": lambda x: 1 / (1 + math.exp(-x)) if x > -700 else 0.0,
    "g": lambda x: x**3 / 7 + math.sin(2 * x) + x / 3,  # as _g below, on reals
    "cat": lambda *xs: math.fsum(x * math.sqrt(k + 1) for k, x in enumerate(xs)),  # as formula._cat
}


def _approx(op: str, values: list[float]) -> float:
    try:
        if op == "+":
            return math.fsum(values)
        if op == "*":
            return math.prod(values)
        if op == "neg":
            return -values[0]
        if op == "inv":
            return 1 / values[0]
        if op == "^":
            return float(values[0] ** values[1]) if not (values[0] < 0 and values[1] != int(values[1])) else math.nan
        return float(_REAL[op](*values))
    except ZeroDivisionError:
        raise FormulaError("division by zero") from None
    except OverflowError:
        return math.inf
    except ValueError:  # log(-1), sqrt(-1): no real value
        return math.nan


class _Parser:
    def __init__(self, text: str):
        self.tokens = _tokens(text)
        self.index = 0
        self.depth = 0

    # -- token helpers
    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> tuple[str, str, int]:
        token = self.peek()
        if token is None:
            raise FormulaError("the formula ends too early")
        self.index += 1
        return token

    def expect(self, value: str) -> None:
        token = self.peek()
        if token is None or token[1] != value:
            where = f"at position {token[2] + 1}" if token else "at the end"
            raise FormulaError(f"expected {value!r} {where}")
        self.index += 1

    def at(self, *values: str) -> bool:
        token = self.peek()
        return token is not None and token[0] == "op" and token[1] in values

    def nest(self, step: int) -> None:
        self.depth += step
        if self.depth > MAX_DEPTH:
            raise TooComplex("too complex: nested too deeply")

    @staticmethod
    def node(op: str, *args: Any) -> Node:
        if op == "num":
            return Node(op, args, float(args[0]))
        if op == "const":
            return Node(op, args, CONSTANTS[args[0]])
        if op == "name" or any(child.value is None for child in args):
            return Node(op, args, None)
        return Node(op, args, _approx(op, [child.value for child in args]))

    # -- grammar
    def parse(self) -> Node:
        result = self.sum()
        token = self.peek()
        if token is not None:
            raise FormulaError(f"unexpected {token[1]!r} at position {token[2] + 1}")
        return result

    def sum(self) -> Node:
        self.nest(1)
        terms = [self.product()]
        while self.at("+", "-"):
            op = self.take()[1]
            right = self.product()
            terms.append(right if op == "+" else self.node("neg", right))
        self.nest(-1)
        return terms[0] if len(terms) == 1 else self.node("+", *terms)

    def product(self) -> Node:
        factors = [self.unary()]
        while True:
            if self.at("*", "/"):
                op = self.take()[1]
                right = self.unary()
                factors.append(right if op == "*" else self.node("inv", right))
            elif self.starts_primary():
                previous, token = self.tokens[self.index - 1], self.peek()
                if previous[0] == "num" and token[0] == "num":
                    raise FormulaError(f"missing operator between {previous[1]} and {token[1]} at position {token[2] + 1}")
                factors.append(self.power())
            else:
                return factors[0] if len(factors) == 1 else self.node("*", *factors)

    def starts_primary(self) -> bool:
        token = self.peek()
        return token is not None and (token[0] in ("num", "name") or token[1] in ("(", "[", "{", "√", "⌊", "⌈"))

    def unary(self) -> Node:
        if self.at("-"):
            self.take()
            return self.node("neg", self.unary())
        if self.at("+"):
            self.take()
            return self.unary()
        return self.power()

    def power(self) -> Node:
        base = self.primary()
        if not self.at("^"):
            return base
        self.take()
        self.nest(1)
        exponent = self.unary()
        self.nest(-1)
        if base.value is not None and exponent.value is not None:
            # |log2 of the result| stays within MAX_POWER_BITS: 0.999^10000 is fine, 9^9^9 is not
            try:
                size = abs(exponent.value * math.log2(abs(base.value))) if base.value else 0.0
            except (OverflowError, ValueError):
                size = math.inf
            if not size <= MAX_POWER_BITS:
                raise TooComplex("too complex: that power is far too large")
        return self.node("^", base, exponent)

    def primary(self) -> Node:
        kind, value, position = self.take()
        if kind == "num":
            return self.node("num", Fraction(value))
        if kind == "name":
            name = _symbol_name(value)
            function = _FUNCTION_ALIASES.get(name, name)
            if self.at("(") and function in FUNCTIONS:
                return self.call(function)
            return self.node("const" if name in CONSTANTS else "name", name)
        if value in _OPEN:
            inner = self.sum()
            self.expect(_OPEN[value])
            return self.node({"⌊": "floor", "⌈": "ceil"}[value], inner) if value in "⌊⌈" else inner
        if value == "|":
            inner = self.sum()
            self.expect("|")
            return self.node("abs", inner)
        if value == "√":
            return self.node("sqrt", self.power())
        raise FormulaError(f"unexpected {value!r} at position {position + 1}")

    def call(self, name: str) -> Node:
        self.expect("(")
        args = [self.sum()]
        while self.at(","):
            self.take()
            args.append(self.sum())
        self.expect(")")
        arity = FUNCTIONS[name]
        if (arity or 2) > len(args) or (arity and len(args) != arity):
            wanted = f"{arity} argument" if arity == 1 else "at least 2 arguments"
            raise FormulaError(f"{name}() takes {wanted}, not {len(args)}")
        return self.node(name, *args)


def parse_tree(text: str) -> Node:
    """Parse plain-text math into a Node tree; raises FormulaError / TooComplex."""
    if len(text) > MAX_CHARS:
        raise TooComplex(f"too complex: longer than {MAX_CHARS} characters")
    if text.count("=") == 1:
        text = text.split("=", 1)[1]
    if not text.strip():
        raise FormulaError("empty formula")
    try:
        return _Parser(text).parse()
    except RecursionError:
        raise TooComplex("too complex: nested too deeply") from None


def names(tree: Node) -> set[str]:
    """Every variable name in a tree."""
    if tree.op == "name":
        return {tree.args[0]}
    return set().union(*(names(a) for a in tree.args if isinstance(a, Node)))


def functions(tree: Node) -> set[str]:
    """Every function called in a tree."""
    own = {tree.op} if tree.op in FUNCTIONS else set()
    return own.union(*(functions(a) for a in tree.args if isinstance(a, Node)))
