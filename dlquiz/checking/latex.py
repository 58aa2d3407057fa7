"""A formula card's answer, shown in LaTeX, read as plain math, so that `dlquiz check` and
`dlquiz add` can compare it with the card's `expr` by the equivalence a typed answer gets
(dlquiz.checking.equivalence): a card whose shown formula says something else than `expr` is
refused, as `σ(z)(1 − σ(z))` shown with `expr: sigma*(1+sigma)` would be.

The LaTeX is parsed by dlquiz.render.math, the parser that renders it, so what is compared is
what the learner reads. Notation is read as math with a few conventions, guided by the names
`expr` uses:

- the formula is what follows the last `=` or `:=` (`v_t = β v_{t-1} + ...` is its right side);
- a sub- or superscript that is an index is part of the name: `v_{dW}`, `W^{[l]}`, `a^{<t-1>}`,
  `z^{(i)}`, `v^{corrected}`; any other superscript is a power (`β^t`, `(dW)^2`);
- letters written together are one name (`dW`, `pos`), unless `expr` has each of them alone;
- a name followed by an argument list is a call when `expr` calls it (`g(z)`); when `expr` has it
  as a variable the list is notation (`σ(z)` is `sigma`, `J_{content}(C, G)` is `J_content`);
- names are then matched to `expr`'s: the same name or spelling (`beta_1`, `β₁`), else the most
  alike name with the same first letter (`v_{t-1}` is `v_prev`, `\\tilde c^{<t>}` is `c_tilde`).
"""

from __future__ import annotations

import difflib
import itertools
import re

from dlquiz.checking import formula
from dlquiz.checking.formula import FormulaError, Node
from dlquiz.checking.formula_parser import FUNCTIONS, GREEK
from dlquiz.render.markup import math_spans
from dlquiz.render.math.nodes import Accent, Fenced, Frac, Row, Script, Space, Sqrt, Sym, Text
from dlquiz.render.math.parse import parse
from dlquiz.render.math.symbols import BIN, FN, ORD, REL

_OPERATORS = {"+": "+", "−": "-", "-": "-", "·": "*", "×": "*", "∗": "*", "*": "*", "/": "/", "÷": "/"}
_EQUALS = ("=", ":=", "≔")
_FENCES = {"(": ("(", ")"), "[": ("(", ")"), "{": ("(", ")"), "⌊": ("floor(", ")"), "⌈": ("ceil(", ")"),
           "|": ("abs(", ")")}
_INDEX_FENCES = ("[", "(", "⟨", "<")
_PREVIOUS = re.compile(r"([a-z])−1")  # t−1, l−1: the previous step, `prev` in expr's names
_SLOT = "\x00{}\x00"


def only_formula(text: str) -> str | None:
    """The LaTeX of a text that is one formula, `$...$` or `$$...$$`, and nothing else; else None."""
    spans = list(math_spans(text))
    if len(spans) == 1 and spans[0][0] == text.strip():
        return spans[0][1]
    return None


def disagreement(answer: str, expr: str) -> str | None:
    """Why a formula card's answer, as shown, is not its `expr`; None when they agree, or when the
    answer is not one formula or uses notation that cannot be read as math (a sum, a matrix):
    the typed answers are checked against `expr` alone then."""
    from dlquiz.checking import equivalence
    from dlquiz.render.math.text import inline

    latex = only_formula(answer)
    if latex is None:
        return None
    try:
        shown = read(latex, equivalence.expected_tree(expr))
        same, feedback = equivalence.compare(shown, expr)  # the answer as shown is the reference
    except FormulaError:
        return None
    if same:
        return None
    return f"expr {expr!r} is not the answer as shown, {inline(latex)}: {feedback.removeprefix('your formula differs: ')}"


def read(latex: str, expected: Node) -> str:
    """The formula `latex` shows, as plain math with `expected`'s names (see the module doc).
    Raises FormulaError when it cannot be read as math."""
    reader = _Reader(formula.names(expected), formula.functions(expected))
    row = parse(latex)
    items = [item for item in row.items if not isinstance(item, Space)]
    equals = [i for i, item in enumerate(items) if isinstance(item, Sym) and item.cls == REL and item.text in _EQUALS]
    if equals:
        items = items[equals[-1] + 1:]
    text = reader.items(items)
    for slot, name in reader.resolve().items():
        text = text.replace(_SLOT.format(slot), name)
    return text


class _Reader:
    def __init__(self, names: set[str], functions: set[str]) -> None:
        self.names = names
        self.functions = functions
        self.candidates: list[str] = []  # names as written, by slot

    # -- names
    def slot(self, name: str) -> str:
        self.candidates.append(name)
        return _SLOT.format(len(self.candidates) - 1)

    def resolve(self) -> dict[int, str]:
        """Each name as written -> `expr`'s name for it (module doc), by slot."""
        written = set(self.candidates)
        mapping = {name: name for name in written if name in self.names}
        free = self.names - set(mapping.values())
        for name in sorted(written - set(mapping)):
            same = [e for e in free if _key(e) == _key(name)]
            if len(same) == 1:
                mapping[name] = same[0]
                free.discard(same[0])
        for head in {_head(n) for n in written - set(mapping)}:
            mine = sorted(n for n in written - set(mapping) if _head(n) == head)
            theirs = sorted(e for e in free if _head(e) == head)
            best = max(_pairings(mine, theirs), key=lambda pairs: sum(_alike(a, b) for a, b in pairs), default=())
            for name, other in best:
                mapping[name] = other
                free.discard(other)
        return {slot: mapping.get(name, name) for slot, name in enumerate(self.candidates)}

    def word(self, letters: str) -> str:
        """Letters written together: one name, or a product when `expr` has each letter alone."""
        if len(letters) > 1 and letters not in self.names and all(ch in self.names for ch in letters):
            return "*".join(self.slot(ch) for ch in letters)
        return self.slot(letters)

    # -- rows
    def items(self, items: list) -> str:
        out: list[tuple[str, bool]] = []  # (text, is an operand)
        i = 0
        while i < len(items):
            item = items[i]
            if isinstance(item, Sym) and item.text == ",":  # between a function's arguments
                out.append((",", False))
                i += 1
                continue
            if isinstance(item, Sym) and (item.cls == BIN or item.text in _OPERATORS):
                if item.text not in _OPERATORS:
                    raise FormulaError(f"cannot read {item.text!r} as arithmetic")
                out.append((_OPERATORS[item.text], False))
                i += 1
                continue
            if isinstance(item, Sym) and item.cls == FN:
                name = {"ln": "log"}.get(item.text, item.text)
                if name not in FUNCTIONS or i + 1 >= len(items):
                    raise FormulaError(f"cannot read the function {item.text!r}")
                argument = items[i + 1]
                if isinstance(argument, Fenced) and argument.left == "(":
                    argument = argument.body  # tanh(x): the parentheses are the call's
                out.append((f"{name}({self.operand(argument, inner=True)})", True))
                i += 2
                continue
            run, i = self.name_run(items, i)
            if run is None:
                out.append((self.operand(item), True))
                i += 1
                continue
            following = items[i] if i < len(items) else None
            if isinstance(following, Fenced) and following.left == "(":
                call = self.applied(run, following)
                if call is not None:
                    out.append((call, True))
                    i += 1
                    continue
            out.append((run[1], True))
        text = ""
        for index, (piece, operand) in enumerate(out):
            if index and operand and out[index - 1][1]:
                text += "*"
            text += piece
        if not text:
            raise FormulaError("an empty formula")
        return text

    def name_run(self, items: list, i: int) -> tuple[tuple[str, str] | None, int]:
        """A name starting at item i: letters written together, perhaps ending in a scripted
        letter (`dW_{backprop}`), or one Greek, scripted or accented symbol. Returns ((its
        symbol as written, e.g. `σ` or `dW`, its text), the index after it), or (None, i)."""
        letters = ""
        while i < len(items) and isinstance(items[i], Sym) and items[i].cls == ORD and _latin(items[i].text):
            letters += items[i].text
            i += 1
        item = items[i] if i < len(items) else None
        if isinstance(item, Script) and isinstance(item.base, Sym) and _latin(item.base.text):
            name, power = self.scripted(Script(Sym(letters + item.base.text), item.sub, item.sup))
            return (letters + item.base.text, name + power), i + 1
        if letters:
            return (letters, self.word(letters)), i
        if isinstance(item, Sym) and item.cls == ORD and item.text in GREEK:
            return (item.text, self.slot(GREEK[item.text])), i + 1
        if isinstance(item, Script) and isinstance(item.base, (Sym, Accent)) and not _number(item.base):
            name, power = self.scripted(item)
            return (getattr(item.base, "text", ""), name + power), i + 1
        if isinstance(item, Accent):
            return ("", self.slot(self.base_name(item))), i + 1
        return None, i

    def applied(self, run: tuple[str, str], group: Fenced) -> str | None:
        """A name and a parenthesised group after it: a call, a name with its argument list
        dropped, or None for a product (module doc)."""
        name = GREEK.get(run[0], run[0])
        if name in self.functions or (name in FUNCTIONS and name not in self.names):
            return f"{name}({self.operand(group.body, inner=True)})"
        inside = _names_in(group.body)
        if _has_comma(group.body) or (inside and not inside & self.names):
            return run[1]  # notation: J(C, G) is J, σ(z) is sigma
        return None

    # -- operands
    def operand(self, item, inner: bool = False) -> str:
        if isinstance(item, Row):
            text = self.items([i for i in item.items if not isinstance(i, Space)])
            return text if inner else f"({text})"
        if isinstance(item, Sym):
            if _number(item):
                return item.text
            if item.text in GREEK:
                return self.slot(GREEK[item.text])
            if item.text == "∞":
                raise FormulaError("cannot read ∞")
            return self.word(item.text) if _latin(item.text) else _fail(item.text)
        if isinstance(item, Text):
            return self.slot("_".join(item.text.split()))
        if isinstance(item, Frac) and item.bar:
            return f"({self.operand(item.num, True)})/({self.operand(item.den, True)})"
        if isinstance(item, Sqrt):
            body = self.operand(item.body, True)
            return f"sqrt({body})" if item.index is None else f"({body})^(1/({self.operand(item.index, True)}))"
        if isinstance(item, Fenced) and item.left in _FENCES:
            opening, closing = _FENCES[item.left]
            return f"{opening}{self.operand(item.body, True)}{closing}"
        if isinstance(item, Accent):
            return self.slot(f"{self.base_name(item)}")
        if isinstance(item, Script):
            name, power = self.scripted(item)
            return name + power
        return _fail(type(item).__name__)

    def base_name(self, base) -> str:
        if isinstance(base, Sym) and (base.text in GREEK or _latin(base.text)):
            return GREEK.get(base.text, base.text)
        if isinstance(base, Accent):
            return f"{self.base_name(_single(base.body))}_{base.name}"
        raise FormulaError(f"cannot read a name from {base!r}")

    def scripted(self, script: Script) -> tuple[str, str]:
        """(the name or operand, `^(power)` or ""): indices go into the name, powers outside."""
        power = ""
        decoration = None
        if script.sup is not None:
            if _is_index(script.sup, self.names):
                decoration = _index_text(script.sup)
            else:
                power = f"^({self.operand(script.sup, True)})"
        base = script.base
        if _number(base) or isinstance(base, (Fenced, Row, Frac)):
            if script.sub is not None or decoration is not None:
                raise FormulaError("cannot read an index on a number or a bracket")
            return self.operand(base), power
        name = self.base_name(base)
        parts = [name] + [p for p in (_index_text(script.sub) if script.sub else None, decoration) if p]
        return self.slot("_".join(parts)), power


# ---------------------------------------------------------------------------------------------
# helpers


def _latin(text: str) -> bool:
    return text.isascii() and text.isalpha()


def _number(item) -> bool:
    return isinstance(item, Sym) and item.text.replace(".", "", 1).isdigit()


def _fail(what: str):
    raise FormulaError(f"cannot read {what!r} as math")


def _single(row):
    if isinstance(row, Row) and len(row.items) == 1:
        return row.items[0]
    return row


def _flat(row) -> str:
    """The characters of an index: `t−1`, `l+2`, `corrected`."""
    out = []
    for item in row.items if isinstance(row, Row) else [row]:
        if isinstance(item, (Sym, Text)):
            out.append(GREEK.get(item.text, item.text))
        elif isinstance(item, Fenced):
            out.append(_flat(item.body))
        elif isinstance(item, Row):
            out.append(_flat(item))
        elif isinstance(item, Script):
            out.append(_flat(Row([item.base])) + (_flat(item.sub) if item.sub else ""))
    return "".join(out)


def _index_text(row) -> str:
    """An index as part of a name: `[l]` -> `l`, `<t-1>` -> `prev`, `(pos, 2i)` -> `pos2i`."""
    text = _PREVIOUS.sub("prev", _flat(row))
    return re.sub(r"[^A-Za-z0-9]", "", text) or "i"


def _is_index(sup: Row, names: set[str]) -> bool:
    """A superscript that is an index, not a power: bracketed (`[l]`, `(i)`, `<t>`), or a word
    that is no name of `expr` (`corrected`)."""
    inner = _single(sup)
    if isinstance(inner, Fenced) and inner.left in _INDEX_FENCES:
        return True
    text = _flat(sup)
    return len(text) > 1 and text.isalpha() and text not in names


def _names_in(row) -> set[str]:
    found = set()
    for item in row.items if isinstance(row, Row) else [row]:
        if isinstance(item, Sym) and item.cls == ORD and (item.text in GREEK or _latin(item.text)):
            found.add(GREEK.get(item.text, item.text))
        elif isinstance(item, (Row, Fenced)):
            found |= _names_in(item.body if isinstance(item, Fenced) else item)
        elif isinstance(item, Script):
            found |= _names_in(Row([item.base]))
    return found


def _has_comma(row) -> bool:
    return any(isinstance(item, Sym) and item.text == "," for item in row.items)


def _key(name: str) -> str:
    return re.sub(r"[_{}]", "", name).casefold()


def _head(name: str) -> str:
    return name.split("_", 1)[0]


def _alike(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, _key(a), _key(b)).ratio()


def _pairings(mine: list[str], theirs: list[str]):
    """Every way of pairing names written with `expr`'s names (as many pairs as possible)."""
    if len(mine) <= len(theirs):
        for chosen in itertools.permutations(theirs, len(mine)):
            yield tuple(zip(mine, chosen))
    else:
        for chosen in itertools.permutations(mine, len(theirs)):
            yield tuple(zip(chosen, theirs))
