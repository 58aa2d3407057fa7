"""The `check:` field of a card: a small expression (`conv_param_count(f=5, n_c_prev=3, n_c=100)`)
evaluated by walking its syntax tree through a whitelist: calls of dlquiz.reference functions and
a few builtins, literals, arithmetic and literal indexing. Nothing else runs; there is no `eval`.

Nothing in it can exhaust the machine either. The tree's depth is bounded before anything is
evaluated (`1+1+…+1` would otherwise recurse a thousand levels), and every value is bounded as it
is made, before the operation that would make a larger one runs: whole numbers to MAX_INT_BITS
(`((10**64)**64)**64` is refused, not computed), strings, lists and tuples to MAX_ITEMS in all
(`'x' * 10**9`, `[0] * 10**9`), `round`'s digits to MAX_ROUND (`round(1, -10**9)`). The reference
functions bound what they allocate themselves (dlquiz.reference.checks). What goes beyond is a
CheckError saying "too large", within milliseconds.
"""

from __future__ import annotations

import ast
import difflib
import operator
import warnings
from typing import Any, Callable

from dlquiz.errors import clip, cut

MAX_SOURCE = 2000  # characters
MAX_DEPTH = 32  # levels of the expression tree
MAX_INT_BITS = 1024  # about 308 digits, as far as a float goes
MAX_ITEMS = 10_000  # characters of a string, items of a list or tuple (nested ones counted in)
MAX_ROUND = 400  # digits `round` may keep or drop
MAX_VALUES = 10**6  # values of an array (what dlquiz.reference allocates at most)

_BINARY = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: operator.pow,
}


class CheckError(ValueError):
    """A check that cannot be evaluated: bad syntax, a forbidden construct, a value too large, or
    a failing call."""


def _round(number: Any, ndigits: Any = None) -> Any:
    if ndigits is not None and _whole(ndigits) is not None and abs(_whole(ndigits)) > MAX_ROUND:
        raise CheckError(f"too large: round() keeps at most {MAX_ROUND} digits")
    return round(number) if ndigits is None else round(number, ndigits)


BUILTINS: dict[str, Callable] = {"abs": abs, "round": _round, "min": min, "max": max, "len": len}


def functions() -> dict[str, Callable]:
    """What a check may call: the builtins above and every dlquiz.reference function."""
    from dlquiz import reference

    return {**BUILTINS, **{name: getattr(reference, name) for name in reference.__all__}}


def _whole(value: Any) -> int | None:
    """A whole number (an int, a bool, a NumPy integer) as an int; None for anything else."""
    if isinstance(value, (str, bytes, list, tuple)):
        return None
    try:
        return operator.index(value)
    except TypeError:
        return None


def _items(value: Any) -> int:
    """How many characters or items a value holds, nested ones counted in (stops past MAX_ITEMS)."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, (list, tuple)):
        total = len(value)
        for item in value:
            if total > MAX_ITEMS:
                break
            if isinstance(item, (str, list, tuple)):
                total += _items(item)
        return total
    return 0


def _too_large(what: str) -> CheckError:
    return CheckError(f"too large: {what}")


def _bounded(value: Any) -> Any:
    """The value, if it is within the bounds (module doc); else CheckError."""
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise _too_large(f"a whole number over {MAX_INT_BITS} bits")
    if isinstance(value, complex):
        raise CheckError("the check gives a complex number")
    if isinstance(value, (str, list, tuple)) and _items(value) > MAX_ITEMS:
        raise _too_large(f"more than {MAX_ITEMS:,} characters or items")
    if getattr(value, "size", 0) > MAX_VALUES:  # (an array)
        raise _too_large(f"an array of more than {MAX_VALUES:,} values")
    return value


def _before(op: type, left: Any, right: Any) -> None:
    """Refuse an operation whose result would break the bounds, before it runs."""
    if hasattr(left, "shape") or hasattr(right, "shape"):  # NumPy arrays (from reference calls) broadcast
        from dlquiz.reference.checks import _broadcast_size

        import numpy as np

        if _broadcast_size(np.shape(left), np.shape(right)) > MAX_VALUES:
            raise _too_large(f"an array of more than {MAX_VALUES:,} values")
        return
    a, b = _whole(left), _whole(right)
    if op is ast.Mult:
        for count, sequence in ((a, right), (b, left)):
            if count is not None and isinstance(sequence, (str, list, tuple)) and count * _items(sequence) > MAX_ITEMS:
                raise _too_large(f"more than {MAX_ITEMS:,} characters or items")
        if a is not None and b is not None and a.bit_length() + b.bit_length() > MAX_INT_BITS + 1:
            raise _too_large(f"a whole number over {MAX_INT_BITS} bits")
    elif op is ast.Add and isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
        if _items(left) + _items(right) > MAX_ITEMS:
            raise _too_large(f"more than {MAX_ITEMS:,} characters or items")
    elif op is ast.Pow:
        if isinstance(right, (int, float)) and abs(right) > 64:
            raise CheckError("exponents above 64 are not allowed in a check")
        if a is not None and b is not None and b > 0 and abs(a) > 1 and a.bit_length() * b > MAX_INT_BITS:
            raise _too_large(f"a whole number over {MAX_INT_BITS} bits")
    elif op is ast.Mod and isinstance(left, (str, bytes)):
        raise CheckError("% on text (formatting) is not allowed in a check")


def _depth(tree: ast.AST) -> int:
    """The depth of a syntax tree, without recursion."""
    deepest, level = 0, [tree]
    while level:
        deepest += 1
        if deepest > MAX_DEPTH:
            return deepest
        level = [child for node in level for child in ast.iter_child_nodes(node)]
    return deepest


class _Evaluator:
    def __init__(self, functions: dict[str, Callable]):
        self.functions = functions

    def run(self, node: ast.AST) -> Any:
        method = getattr(self, "node_" + type(node).__name__, None)
        if method is None:
            raise CheckError(f"{type(node).__name__.lower()} is not allowed in a check")
        return _bounded(method(node))

    def node_Constant(self, node: ast.Constant) -> Any:
        if isinstance(node.value, (int, float, str, bool, type(None))):
            return node.value
        raise CheckError(f"the constant {clip(node.value)} is not allowed in a check")

    def node_Tuple(self, node: ast.Tuple) -> tuple:
        return tuple(self.run(item) for item in node.elts)

    def node_List(self, node: ast.List) -> list:
        return [self.run(item) for item in node.elts]

    def node_UnaryOp(self, node: ast.UnaryOp) -> Any:
        value = self.run(node.operand)
        if isinstance(node.op, ast.USub):
            return -value
        if isinstance(node.op, ast.UAdd):
            return +value
        raise CheckError("only + and - may stand before a value in a check")

    def node_BinOp(self, node: ast.BinOp) -> Any:
        function = _BINARY.get(type(node.op))
        if function is None:
            raise CheckError("only + - * / // % ** are allowed in a check")
        left, right = self.run(node.left), self.run(node.right)
        _before(type(node.op), left, right)
        return function(left, right)

    def node_Subscript(self, node: ast.Subscript) -> Any:
        index = self.run(node.slice)
        if not isinstance(index, int):
            raise CheckError("indexes in a check must be whole numbers")
        return self.run(node.value)[index]

    def node_Call(self, node: ast.Call) -> Any:
        if not isinstance(node.func, ast.Name):
            raise CheckError("a check may only call reference functions by name")
        function = self.functions.get(node.func.id)
        if function is None:
            close = _closest(node.func.id[:100], self.functions)
            hint = f" (did you mean {', '.join(close)}?)" if close else " (dlquiz check --functions lists them)"
            raise CheckError(f"unknown function {clip(node.func.id)}{hint}")
        if any(kw.arg is None for kw in node.keywords) or any(isinstance(a, ast.Starred) for a in node.args):
            raise CheckError("* and ** arguments are not allowed in a check")
        args = [self.run(arg) for arg in node.args]
        kwargs = {kw.arg: self.run(kw.value) for kw in node.keywords}
        return function(*args, **kwargs)


def _closest(name: str, names) -> list[str]:
    """The names most like `name`: the best match and any almost as good (at most three)."""
    scored = sorted(((difflib.SequenceMatcher(None, name, other).ratio(), other) for other in names), reverse=True)
    best = scored[0][0] if scored else 0
    return [other for ratio, other in scored[:3] if ratio >= max(0.5, best - 0.1)]


def functions_help() -> list[tuple[str, str]]:
    """What a check may call: (the call with its parameters, what it gives), for each reference
    function: `("conv_param_count(f, n_c_prev, n_c, bias=True)", "Parameters of a conv layer: ...")`."""
    import inspect

    from dlquiz import reference

    listed = []
    for name in reference.__all__:
        function = getattr(reference, name)
        summary = " ".join((inspect.getdoc(function) or "").split("\n\n")[0].split())
        listed.append((f"{name}{inspect.signature(function)}", summary))
    return listed + [(", ".join(f"{name}()" for name in BUILTINS), "Python's own, on numbers and lists")]


def evaluate(source: str, functions: dict[str, Callable] | None = None) -> Any:
    """Evaluate a check expression safely; raises CheckError on anything not allowed, too large
    or failing."""
    if len(source) > MAX_SOURCE:
        raise CheckError(f"the check is too long (over {MAX_SOURCE} characters)")
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        raise CheckError(f"invalid check syntax: {exc.msg}") from None
    except (RecursionError, MemoryError):  # (CPython's parser has its own limits; this is for others)
        raise _too_large("nested too deeply") from None
    if _depth(tree.body) > MAX_DEPTH:
        raise _too_large(f"nested more than {MAX_DEPTH} levels deep")
    evaluator = _Evaluator(functions if functions is not None else globals()["functions"]())
    try:
        with warnings.catch_warnings():  # (NumPy's overflow warnings: the value says it)
            warnings.simplefilter("ignore")
            return evaluator.run(tree.body)
    except CheckError:
        raise
    except (ValueError, TypeError, ArithmeticError, IndexError, KeyError, RecursionError, MemoryError) as exc:
        said = str(exc)
        raise CheckError(cut(said if said.startswith("too large") else f"{type(exc).__name__}: {said}", 120)) from None
