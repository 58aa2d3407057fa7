"""Plain-text math for dlquiz: formula_parser.py reads it into a light tree, which three things
consume here:

- `evaluate(text)`: an exact number (a Fraction, or a float once sqrt/exp/... are involved), for
  typed numeric answers and the worked solutions of parametric cards; no sympy;
- `evaluator(tree)` / `probe(tree, values)`: complex values at given values of the names, for
  comparing formulas at random points in bounded time; no sympy;
- `parse(text)` / `to_sympy(tree)`: a sympy expression, for `dlquiz check` and for explaining
  how two formulas differ; `pretty` prints one back as readable text.
"""

from __future__ import annotations

import cmath
import math
import re
from fractions import Fraction
from typing import Any, Callable

from dlquiz.checking.formula_parser import (  # noqa: F401 - the parser's names are part of this module's API
    _REAL,
    CONSTANTS,
    FUNCTIONS,
    GREEK,
    MAX_CHARS,
    MAX_DEPTH,
    MAX_DIGITS,
    MAX_POWER_BITS,
    FormulaError,
    Node,
    TooComplex,
    functions,
    names,
    parse_tree,
)

MAX_EXACT_BITS = 200_000
# A numeric part handed to sympy stays below this: sympy's automatic evaluation of something like
# floor(exp(exp(100))) never returns.
MAX_MAGNITUDE = 1e30


class Undefined(ArithmeticError):
    """A formula has no value at a point (a pole, an overflow, a complex max, ...)."""


# ---------------------------------------------------------------------------------------------
# exact numbers


def _exact_bits(base: Fraction, exponent: Fraction) -> float:
    """Roughly how many bits an exact rational power would take (1.0000001^(10^9): too many)."""
    return abs(exponent) * (base.numerator.bit_length() + base.denominator.bit_length())


def _exact_power(base: Fraction | float, exponent: Fraction | float) -> Fraction | float:
    if isinstance(exponent, Fraction) and exponent.denominator == 1 and isinstance(base, Fraction):
        if _exact_bits(base, exponent) <= MAX_EXACT_BITS:
            return base ** int(exponent)
    if base < 0 and exponent != int(exponent):
        raise FormulaError("a negative number to a fractional power is not a real number")
    return float(base) ** float(exponent)


def _exact_sqrt(x: Fraction | float) -> Fraction | float:
    if x < 0:
        raise FormulaError("the square root of a negative number is not a real number")
    if isinstance(x, Fraction):
        top, bottom = math.isqrt(x.numerator), math.isqrt(x.denominator)
        if top * top == x.numerator and bottom * bottom == x.denominator:
            return Fraction(top, bottom)
    return math.sqrt(x)


def _exact(node: Node) -> Fraction | float:
    op = node.op
    if op == "num":
        return node.args[0]
    if op == "const":
        return CONSTANTS[node.args[0]]
    if op == "name":
        raise FormulaError(f"{node.args[0]!r} is not a number")
    values = [_exact(child) for child in node.args]
    if op == "+":
        return sum(values[1:], values[0])
    if op == "*":
        return math.prod(values[1:], start=values[0])
    if op == "neg":
        return -values[0]
    if op == "inv":
        return 1 / values[0]
    if op == "^":
        return _exact_power(*values)
    if op == "sqrt":
        return _exact_sqrt(values[0])
    if op in ("floor", "ceil"):
        return Fraction(math.floor(values[0]) if op == "floor" else math.ceil(values[0]))
    if op in ("abs", "max", "min"):
        return {"abs": abs, "max": max, "min": min}[op](*values)
    if op == "relu":
        return max(Fraction(0), values[0])
    if op == "log" and values[0] <= 0:
        raise FormulaError("the logarithm of a number <= 0 is undefined")
    if op == "g":
        raise FormulaError("g() is an unspecified activation, not a number")
    if op == "cat":
        raise FormulaError("a concatenation [a, b] is not a number")
    return float(_REAL[op](float(values[0])))


def evaluate(text: str) -> Fraction | float:
    """The value of a numeric expression (`(5*5*3 + 1)*100`, `⌊(32 + 2·1 − 5)/2⌋ + 1`, `e^2/3`):
    a Fraction while the arithmetic is rational, a float once sqrt/exp/... make it irrational.
    Raises FormulaError (names, division by zero, no real value) or TooComplex (too large)."""
    tree = parse_tree(text)
    try:
        value = _exact(tree)
        if isinstance(value, float) and not math.isfinite(value):
            raise OverflowError
        float(value)  # a Fraction too large for a float is too large for an answer
    except FormulaError:
        raise
    except ZeroDivisionError:
        raise FormulaError("division by zero") from None
    except OverflowError:
        raise TooComplex("too complex: the number is far too large") from None
    except ValueError:  # a math domain error
        raise FormulaError("the expression has no real value") from None
    return value


# ---------------------------------------------------------------------------------------------
# complex values at a point


def _g(z: complex) -> complex:
    """A fixed, arbitrary non-linear stand-in for the unspecified activation g."""
    return z * z * z / 7 + cmath.sin(2 * z) + z / 3


def _real(z: complex) -> float:
    if abs(z.imag) > 1e-12 * (1 + abs(z.real)):
        raise Undefined("not a real number")
    return z.real


_COMPLEX = {
    "sqrt": cmath.sqrt, "exp": cmath.exp, "log": cmath.log, "sin": cmath.sin, "cos": cmath.cos,
    "tan": cmath.tan, "tanh": cmath.tanh, "g": _g, "abs": lambda z: complex(abs(z)),
    "sigma": lambda z: 1 / (1 + cmath.exp(-z)),
    "floor": lambda z: complex(math.floor(_real(z))), "ceil": lambda z: complex(math.ceil(_real(z))),
    "relu": lambda z: complex(max(0.0, _real(z))),
    "max": lambda *zs: complex(max(_real(z) for z in zs)), "min": lambda *zs: complex(min(_real(z) for z in zs)),
    "cat": lambda *zs: sum(z * math.sqrt(k + 1) for k, z in enumerate(zs)),  # order-sensitive stand-in
}


def _compile(node: Node) -> Callable[[dict], complex]:
    """The tree as nested closures: evaluating it at many points skips re-reading the tree."""
    op = node.op
    if op == "num" or op == "const":
        constant = complex(node.value)
        return lambda values: constant
    if op == "name":
        name = node.args[0]
        return lambda values: values[name]
    parts = [_compile(child) for child in node.args]
    if op == "+":
        return lambda values: sum([part(values) for part in parts])
    if op == "*":
        return lambda values: math.prod([part(values) for part in parts])
    first = parts[0]
    if op == "neg":
        return lambda values: -first(values)
    if op == "inv":
        return lambda values: 1 / first(values)
    if op == "^":
        second = parts[1]
        return lambda values: first(values) ** second(values)
    function = _COMPLEX[op]
    if len(parts) == 1:
        return lambda values: function(first(values))
    return lambda values: function(*[part(values) for part in parts])


def evaluator(tree: Node) -> Callable[[dict[str, complex]], complex]:
    """A function giving the tree's complex value with its names set to `values`; it raises
    Undefined where the formula has no finite value (a pole, an overflow, a domain error)."""
    compiled = _compile(tree)

    def value_at(values: dict[str, complex]) -> complex:
        try:
            result = compiled(values)
        except (ZeroDivisionError, OverflowError, ValueError) as exc:
            raise Undefined(str(exc)) from None
        if not (math.isfinite(result.real) and math.isfinite(result.imag)):
            raise Undefined("not finite")
        return result

    return value_at


def probe(tree: Node, values: dict[str, complex]) -> complex:
    """The complex value of a tree at one point (see `evaluator`)."""
    return evaluator(tree)(values)


# ---------------------------------------------------------------------------------------------
# sympy


def to_sympy(tree: Node) -> Any:
    """The tree as a sympy expression. Raises TooComplex for a numeric part that is undefined
    or beyond MAX_MAGNITUDE, which sympy might otherwise try to evaluate for ever."""
    import sympy

    return _to_sympy(tree, sympy)


def _to_sympy(node: Node, sp: Any) -> Any:
    op = node.op
    if op not in ("num", "const", "name") and node.value is not None:
        if not abs(node.value) <= MAX_MAGNITUDE:  # also catches NaN
            raise TooComplex("too complex: a numeric part is undefined or far too large")
    if op == "num":
        value = node.args[0]
        return sp.Integer(value.numerator) if value.denominator == 1 else sp.Rational(value.numerator, value.denominator)
    if op == "name":
        return sp.Symbol(node.args[0])
    if op == "const":
        return sp.pi if node.args[0] == "pi" else sp.E
    args = [_to_sympy(child, sp) for child in node.args]
    if op == "+":
        return sp.Add(*args)
    if op == "*":
        return sp.Mul(*args)
    if op == "neg":
        return -args[0]
    if op == "inv":
        return 1 / args[0]
    if op == "^":
        base, exponent = node.args
        if base.op == "num" and exponent.op == "num" and _exact_bits(base.args[0], exponent.args[0]) > MAX_EXACT_BITS:
            raise TooComplex("too complex: that power is far too large")
        return args[0] ** args[1]
    if op == "sigma":
        return 1 / (1 + sp.exp(-args[0]))
    if op == "relu":
        return sp.Max(0, args[0])
    table = {
        "sqrt": sp.sqrt, "exp": sp.exp, "log": sp.log, "sin": sp.sin, "cos": sp.cos, "tan": sp.tan,
        "tanh": sp.tanh, "floor": sp.floor, "ceil": sp.ceiling, "abs": sp.Abs, "max": sp.Max,
        "min": sp.Min, "g": sp.Function("g"), "cat": sp.Function("cat"),
    }
    return table[op](*args)


def parse(text: str) -> Any:
    """Parse plain-text math into a sympy expression; raises FormulaError / TooComplex."""
    tree = parse_tree(text)
    try:
        return to_sympy(tree)
    except RecursionError:
        raise TooComplex("too complex: nested too deeply") from None


# ---------------------------------------------------------------------------------------------
# showing formulas

_GREEK_NAMES = {name for name in GREEK.values()}


def latex_name(name: str) -> str:
    """A name of a formula as a card writes it in LaTeX: `beta_1` -> `\\beta_{1}`, `theta_t` ->
    `\\theta_{t}`, `v_dW` -> `v_{dW}`, `decay_rate` -> `\\text{decay\\_rate}` (a word)."""
    head, _, rest = name.partition("_")
    if head in _GREEK_NAMES:
        head = "\\" + head
    elif len(head) > 1 and len(rest) > 1:
        return "\\text{" + name.replace("_", "\\_") + "}"
    return f"{head}_{{{rest.replace('_', chr(92) + '_')}}}" if rest else head


def _inline(latex: str) -> str:
    from dlquiz.render.math.text import inline  # the cards' own LaTeX -> Unicode

    return inline(latex)


def pretty_name(name: str) -> str:
    """A name as the cards show it: `beta_1` -> `β₁`, `theta_t` -> `θₜ`, `n_x` -> `nₓ`."""
    return _inline(latex_name(name))


def pretty(expr: Any) -> str:
    """A sympy expression as the cards show math (its LaTeX through dlquiz.render.math):
    `1/(1 − βᵗ)`, `2 · x`, `(1 − β₂) · dW²`."""
    import sympy

    shown = {symbol: latex_name(symbol.name) for symbol in expr.free_symbols}
    return _inline(_unbraced_calls(sympy.latex(expr, symbol_names=shown, mul_symbol="dot")))


_CALL = re.compile(r"(?:\\(?!frac|dfrac|tfrac|sqrt|binom|text)[A-Za-z]+|(?<![\\A-Za-z])[A-Za-z]|\})\{\\left\(")


def _unbraced_calls(latex: str) -> str:
    """sympy writes a call as `\\tanh{\\left(x \\right)}`; the braces make a group that reads as
    `tanh (x)`. Without them it reads `tanh(x)`, as a card writes it."""
    out, start = [], 0
    for match in _CALL.finditer(latex):
        opening = match.end() - len("{\\left(")
        depth, index = 0, opening
        while index < len(latex):
            depth += {"{": 1, "}": -1}.get(latex[index], 0)
            if depth == 0:
                break
            index += 1
        if index < len(latex) and latex[:index].endswith("\\right)") and opening >= start:
            out += [latex[start:opening], latex[opening + 1:index]]
            start = index + 1
    return "".join(out) + latex[start:]
