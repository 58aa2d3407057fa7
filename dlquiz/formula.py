"""Plain-text math -> sympy, through a small parser of our own (never `eval`, `sympify`,
or `parse_expr`, which run Python code).

Accepted: numbers (`7600`, `0.9`, `1e-8`), names with subscripts (`v_t`, `beta_1`, `v_{dW}`,
`β₁`), Greek letters by name or symbol, `+ - * / ^ **` (also `·`, `×`, `÷`, `−`), parentheses,
brackets and braces, `|x|`, implicit multiplication (`2x`, `beta v_prev`, `(1-beta)theta_t`),
and the functions sqrt, exp, log/ln, sin, cos, tan, tanh, sigma/sigmoid, relu, floor, ceil, abs,
max, min and g (an unspecified activation). A function name directly followed by `(` is a call;
`sigma^2` is a variable squared. `lhs = rhs` is read as `rhs`. Inputs that are too long, too
deep or would build enormous numbers (`9^9^9^9`) raise TooComplex at once.
"""

from __future__ import annotations

import math
import re
from typing import Any

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
_OPEN = {"(": ")", "[": "]", "{": "}"}

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>(?:[A-Za-z][A-Za-z0-9]*|[\u0370-\u03ff])
        (?:_(?:\{[^{}]*\}|[A-Za-z0-9\u0370-\u03ff]+))*
        [₀₁₂₃₄₅₆₇₈₉ₜ]*)
  | (?P<sup>[²³ᵗ])
  | (?P<op>\*\*|[-+*/^()\[\]{},|=·×÷−–√])
    """,
    re.VERBOSE,
)


class FormulaError(ValueError):
    """Text that is not a formula we can read; the message says where."""


class TooComplex(FormulaError):
    """Text that would take too long or too much memory to handle."""


def _tokens(text: str) -> list[tuple[str, str, int]]:
    tokens = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise FormulaError(f"unexpected {text[position]!r} at position {position + 1}")
        kind = match.lastgroup
        value = match.group()
        if kind == "num" and len(value) > MAX_DIGITS:
            raise TooComplex("too complex: a number with too many digits")
        if kind == "sup":
            tokens.append(("op", "^", position))
            kind, value = ("num", _SUPERSCRIPTS[value]) if value != "ᵗ" else ("name", "t")
        if kind != "ws":
            tokens.append((kind, _OPS.get(value, value), position))
        position = match.end()
    return tokens


def _symbol_name(raw: str) -> str:
    """Normalise a name: Greek symbols spelled out, `x_{t}` -> `x_t`, `β₁` -> `beta_1`."""
    head, _, rest = raw.partition("_")
    tail = ""
    plain = raw.rstrip("₀₁₂₃₄₅₆₇₈₉ₜ")
    if plain != raw:
        tail = "_" + raw[len(plain):].translate(_SUBSCRIPTS)
        head, _, rest = plain.partition("_")
    head = "".join(GREEK.get(ch, ch) for ch in head) if any(ch in GREEK for ch in head) else head
    head = _NAME_ALIASES.get(head, head)
    parts = [head]
    for part in re.findall(r"\{[^{}]*\}|[^_{}]+", rest):
        part = part[1:-1] if part.startswith("{") else part
        parts.append("".join(GREEK.get(ch, ch) for ch in part.replace(" ", "")))
    return "_".join(p for p in parts if p) + tail


class _Parser:
    def __init__(self, text: str):
        import sympy

        self.sp = sympy
        self.tokens = _tokens(text)
        self.index = 0
        self.depth = 0
        self.functions = {
            "sqrt": sympy.sqrt, "exp": sympy.exp, "log": sympy.log, "ln": sympy.log,
            "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan, "tanh": sympy.tanh,
            "floor": sympy.floor, "ceil": sympy.ceiling, "abs": sympy.Abs,
            "max": sympy.Max, "min": sympy.Min,
            "sigma": lambda x: 1 / (1 + sympy.exp(-x)), "sigmoid": lambda x: 1 / (1 + sympy.exp(-x)),
            "relu": lambda x: sympy.Max(0, x), "g": sympy.Function("g"),
        }
        self.constants = {"pi": sympy.pi, "e": sympy.E, "inf": sympy.oo, "infty": sympy.oo}

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

    # -- grammar
    def parse(self) -> Any:
        result = self.sum()
        token = self.peek()
        if token is not None:
            raise FormulaError(f"unexpected {token[1]!r} at position {token[2] + 1}")
        return result

    def sum(self) -> Any:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise TooComplex("too complex: nested too deeply")
        result = self.product()
        while self.at("+", "-"):
            op = self.take()[1]
            right = self.product()
            result = result + right if op == "+" else result - right
        self.depth -= 1
        return result

    def product(self) -> Any:
        result = self.unary()
        while True:
            if self.at("*", "/"):
                op = self.take()[1]
                right = self.unary()
                result = result * right if op == "*" else result / right
            elif self.starts_primary():
                result = result * self.power()
            else:
                return result

    def starts_primary(self) -> bool:
        token = self.peek()
        return token is not None and (token[0] in ("num", "name") or token[1] in ("(", "[", "{", "√"))

    def unary(self) -> Any:
        if self.at("-"):
            self.take()
            return -self.unary()
        if self.at("+"):
            self.take()
            return self.unary()
        return self.power()

    def power(self) -> Any:
        base = self.primary()
        if self.at("^"):
            self.take()
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise TooComplex("too complex: nested too deeply")
            exponent = self.unary()
            self.depth -= 1
            self.guard_power(base, exponent)
            return base**exponent
        return base

    def guard_power(self, base: Any, exponent: Any) -> None:
        if not (getattr(base, "is_Number", False) and getattr(exponent, "is_Number", False)):
            return
        try:
            size = abs(float(exponent)) * math.log2(abs(float(base)) + 1)
        except (OverflowError, ValueError):
            size = math.inf
        if size > MAX_POWER_BITS:
            raise TooComplex("too complex: that power is far too large")

    def primary(self) -> Any:
        kind, value, position = self.take()
        sp = self.sp
        if kind == "num":
            return sp.Integer(value) if re.fullmatch(r"\d+", value) else sp.Rational(value)
        if kind == "name":
            name = _symbol_name(value)
            if self.at("(") and name in self.functions:
                return self.call(name)
            if name in self.constants:
                return self.constants[name]
            return sp.Symbol(name)
        if value in _OPEN:
            inner = self.sum()
            self.expect(_OPEN[value])
            return inner
        if value == "|":
            inner = self.sum()
            self.expect("|")
            return sp.Abs(inner)
        if value == "√":
            return sp.sqrt(self.power())
        raise FormulaError(f"unexpected {value!r} at position {position + 1}")

    def call(self, name: str) -> Any:
        self.expect("(")
        args = [self.sum()]
        while self.at(","):
            self.take()
            args.append(self.sum())
        self.expect(")")
        function = self.functions[name]
        try:
            return function(*args)
        except TypeError:
            raise FormulaError(f"{name}() does not take {len(args)} argument(s)") from None


def parse(text: str) -> Any:
    """Parse plain-text math into a sympy expression; raises FormulaError / TooComplex."""
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
