"""A cloze card's formulas, LaTeX in the course's notation, -> the plain math of
dlquiz.checking.formula_parser, so that the part a cloze hides can be checked in its formula.

Unlike dlquiz.checking.latex (a formula card's answer read with its `expr`'s names as a guide),
there is no `expr` here: the formula with the true part and the formula with the typed part are
both read by the same rules, and the sides of its relations are kept apart.

It reads what the decks write: Greek letters, `\\frac`, `\\sqrt`, `^` and `_`, the course's indices
(`a^{[l]}`, `x^{(i)}`, `a^{<t>}`, `a^{\\langle t \\rangle}`: parts of the name, not powers), `\\hat{y}`
and `\\tilde{c}` (names `y_hat`, `c_tilde`), `\\text{...}` words, `\\cdot`, `\\times`, `*`, `\\odot`
(products, as everything here is compared as scalars), `\\left( \\right)`, `|x|`, `\\|x\\|`,
`\\lfloor x \\rfloor`, `\\tanh`, `\\exp`, `\\log`, `\\max`, the concatenation `[a, x]` and the
tuple `(n, m)` of a shape (an order-sensitive `cat(a, x)`), and `\\sum_{i}` / `\\partial` as opaque symbols. Letters follow
LaTeX: `QK` is Q·K; a `d` and one letter (`dW`, `db`) is the course's name for a gradient.
Relations (`=`, `:=`, `\\approx`, `\\le`, ...) split a formula into sides (`segments`).

Anything else (`\\int`, `\\mathbb`, matrices, `\\dots`) raises LatexError: the caller then leaves
the formula to the learner's own grade. Nothing is evaluated here; the result is text.
"""

from __future__ import annotations

import re

from dlquiz.checking.formula_parser import FUNCTIONS, GREEK, FormulaError

SLOT_MARK = "@slot@"  # what `\dlqslot` becomes: replaced by the hidden or typed part before parsing

_TOKEN = re.compile(r"\\([A-Za-z]+|.)|(\d+(?:\.\d+)?|\.\d+)|(\s+)|(.)", re.S)
_GREEK_NAMES = set(GREEK.values()) | {"varepsilon", "vartheta", "varphi", "varsigma", "varrho", "upsilon", "Upsilon", "Xi", "Pi"}
_GREEK_ALIASES = {"varepsilon": "epsilon", "vartheta": "theta", "varphi": "phi", "varsigma": "sigma", "varrho": "rho"}
_FUNCTION_COMMANDS = {"tanh": "tanh", "exp": "exp", "log": "log", "ln": "log", "sin": "sin", "cos": "cos",
                      "tan": "tan", "max": "max", "min": "min"}
_WORDS = frozenset(FUNCTIONS) | {"softmax", "sigmoid", "ReLU", "relu", "ln"}
_TIMES = frozenset({"cdot", "times", "ast", "odot", "circ", "bullet", "otimes"})
_RELATIONS = frozenset({"approx", "le", "leq", "ge", "geq", "neq", "ne", "equiv", "to", "rightarrow", "propto",
                        "sim", "gets", "leftarrow", "coloneqq", "simeq", "ll", "gg"})
_SKIPPED = frozenset({",", ";", ":", "!", " ", "quad", "qquad", "displaystyle", "textstyle", "limits", "nolimits",
                      "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr", "Biggl", "Biggr",
                      "mathstrut", "strut"})
_WORD_COMMANDS = frozenset({"text", "mathrm", "operatorname", "textrm", "mathit", "textit", "mathsf", "texttt",
                            "textnormal", "textbf"})
_STYLE_COMMANDS = frozenset({"mathbf", "boldsymbol", "bm", "mathcal", "pmb"})
_ACCENTS = {"hat": "hat", "widehat": "hat", "tilde": "tilde", "widetilde": "tilde", "bar": "bar", "overline": "bar",
            "vec": "", "dot": "dot"}
_OPAQUE = {"partial": "partial", "nabla": "nabla", "top": "T", "intercal": "T"}
_BARS = {"|": "|", "\\|": "\\|", "\\lVert": "\\rVert", "\\Vert": "\\Vert", "\\vert": "\\vert", "\\lvert": "\\rvert"}


class LatexError(FormulaError):
    """LaTeX that this reader cannot turn into plain math; the message names what."""


class _Item:
    """One piece of the plain formula: a name (scripts may attach to it), a function, an atom,
    an operator, a relation, a comma or the slot."""

    __slots__ = ("text", "kind", "power")

    def __init__(self, text: str, kind: str, power: str | None = None) -> None:
        self.text, self.kind, self.power = text, kind, power  # power: a function's, `\\tanh^2(z)`


def _tokens(latex: str) -> list[str]:
    out = []
    for match in _TOKEN.finditer(latex):
        command, number, space, char = match.groups()
        if space is not None:
            continue
        out.append("\\" + command if command is not None else number if number is not None else char)
    return out


def _join(items: list[_Item]) -> str:
    """The items as plain math; a function with no bracket after it applies to the next name or
    atom (`\\log \\hat{y}` is log(y_hat), as LaTeX readers take it)."""
    out, at = [], 0
    while at < len(items):
        item = items[at]
        following = items[at + 1] if at + 1 < len(items) else None
        if item.kind == "function" and following is not None and following.kind in ("name", "atom"):
            bracketed = following.text.startswith("(") and following.text.endswith(")")
            call = f"{item.text}{following.text}" if bracketed else f"{item.text}({following.text})"
            out.append(f"({call})^({item.power})" if item.power else call)
            at += 2
            continue
        out.append(item.text)
        at += 1
    return " ".join(out)


class _Reader:
    def __init__(self, latex: str) -> None:
        self.tokens = _tokens(latex)
        self.at = 0

    def peek(self, ahead: int = 0) -> str | None:
        index = self.at + ahead
        return self.tokens[index] if index < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise LatexError("the formula ends too early")
        self.at += 1
        return token

    def row(self, until: tuple[str, ...] = ()) -> list[_Item]:
        """Items up to (and past) one of `until` (the end of the formula when empty)."""
        items: list[_Item] = []
        while True:
            token = self.peek()
            if token is None:
                if until:
                    raise LatexError(f"missing {until[0]!r}")
                return items
            if token in until:
                self.at += 1
                return items
            self.item(items)

    def group(self) -> list[_Item]:
        """A command's argument: a `{...}` group or a single token."""
        if self.peek() == "{":
            self.at += 1
            return self.row(("}",))
        items: list[_Item] = []
        self.item(items)
        return items

    def raw_group(self) -> list[str]:
        """The tokens of a `{...}` group (or of one token), unread."""
        if self.peek() != "{":
            return [self.take()]
        start, depth = self.at + 1, 0
        while True:
            token = self.take()
            depth += token == "{"
            depth -= token == "}"
            if depth == 0:
                return self.tokens[start:self.at - 1]

    def item(self, items: list[_Item]) -> None:
        token = self.take()
        if token[0].isalpha() and token.isascii():
            self.letters(token, items)
        elif token[0].isdigit() or token[0] == ".":
            items.append(_Item(token, "atom"))
        elif token in GREEK:
            items.append(_Item(GREEK[token], "name"))
        elif token in ("+", "-", "/", "*"):
            items.append(_Item(token, "op"))
        elif token in ("=", "<", ">"):
            items.append(_Item("=", "rel"))
        elif token == ":" and self.peek() == "=":
            self.at += 1
            items.append(_Item("=", "rel"))
        elif token == ",":
            items.append(_Item(",", "comma"))
        elif token in ("(", "["):
            self.bracket(token, {"(": ")", "[": "]"}[token], items)
        elif token == "{":
            inner = self.row(("}",))
            items.append(inner[0] if len(inner) == 1 else _Item(f"({_join(inner)})", "atom"))
        elif token in ("^", "_"):
            self.script(token, items)
        elif token == "'":
            self.attach(items, "prime", "a prime")
        elif token == "|":
            inner = self.row(("|",))
            items.append(_Item(f"abs({_join(inner)})", "atom"))
        elif token == "~":
            pass
        elif token.startswith("\\"):
            self.command(token[1:], items)
        else:
            raise LatexError(f"cannot check a formula holding {token!r}")

    def letters(self, first: str, items: list[_Item]) -> None:
        """A run of letters: a known word stays one name, `dW` is a gradient's name, anything
        else is one variable per letter (LaTeX's own reading of `QK`)."""
        run = first
        while (token := self.peek()) is not None and len(token) == 1 and token.isascii() and token.isalpha():
            run += token
            self.at += 1
        if run in _WORDS or run in _GREEK_NAMES:
            items.append(_Item(_GREEK_ALIASES.get(run, run), "function" if run in FUNCTIONS else "name"))
        elif len(run) == 2 and run[0] == "d":
            items.append(_Item(run, "name"))
        else:
            items.extend(_Item(letter, "name") for letter in run)

    def bracket(self, opener: str, closer: str, items: list[_Item], left: bool = False) -> None:
        inner = self.row(("\\right",) if left else (closer,))
        if left:
            self.take()  # the closing delimiter
        call = opener == "(" and items and items[-1].kind == "function"
        if not call and opener in "([" and any(item.kind == "comma" for item in inner):
            # a concatenation [a, x] or a tuple (n, m) (a shape): order matters
            items.append(_Item(f"cat({_join(inner)})", "atom"))
        else:
            items.append(_Item(f"({_join(inner)})", "atom"))

    def script(self, mark: str, items: list[_Item]) -> None:
        raw = self.raw_group()
        index = _index(raw)
        if index is not None and items and items[-1].kind == "function":
            return None  # the layer of an activation, g^{[l]}: still the function g
        if index is not None:
            return self.attach(items, index, "an index like ^{(i)}")
        if mark == "_":
            if items and items[-1].text.startswith("abs("):  # a norm's kind, \|W\|_F: the norm itself
                return None
            text = _compact(_Reader.read(raw))
            return self.attach(items, text, "a subscript")
        if raw in (["T"], ["\\top"], ["\\intercal"]):
            return self.power(items, "T")
        if raw[0][1:] in _WORD_COMMANDS or (len(raw) > 1 and all(len(t) == 1 and t.isascii() and t.isalpha() for t in raw)):
            return self.attach(items, _compact(_Reader.read(raw)), "a superscript word")
        self.power(items, _join(_Reader.read(raw)))

    @staticmethod
    def read(tokens: list[str]) -> list[_Item]:
        reader = _Reader("")
        reader.tokens = list(tokens)
        return reader.row()

    def attach(self, items: list[_Item], part: str, what: str) -> None:
        if not items or items[-1].kind != "name":
            raise LatexError(f"cannot check {what} that follows no name")
        items[-1].text += "_{" + part + "}"

    def power(self, items: list[_Item], exponent: str) -> None:
        if not items or items[-1].kind in ("op", "rel", "comma"):
            raise LatexError("cannot check a power of nothing")
        if items[-1].kind == "function":  # \tanh^2(z) is tanh(z)^2
            items[-1].power = exponent
            return
        items[-1] = _Item(f"{items[-1].text}^({exponent})", "atom")

    def command(self, name: str, items: list[_Item]) -> None:
        if name in _GREEK_NAMES:
            items.append(_Item(_GREEK_ALIASES.get(name, name), "name"))
        elif name in ("frac", "dfrac", "tfrac"):
            top, bottom = _join(self.group()), _join(self.group())
            items.append(_Item(f"(({top})/({bottom}))", "atom"))
        elif name == "sqrt":
            root = None
            if self.peek() == "[":
                self.at += 1
                root = _join(self.row(("]",)))
            body = _join(self.group())
            items.append(_Item(f"sqrt({body})" if root is None else f"(({body})^(1/({root})))", "atom"))
        elif name in _FUNCTION_COMMANDS:
            items.append(_Item(_FUNCTION_COMMANDS[name], "function"))
        elif name in _WORD_COMMANDS:
            word = _word(self.raw_group())
            if word:
                items.append(_Item(word, "function" if word in FUNCTIONS else "name"))
        elif name in _STYLE_COMMANDS:
            items.extend(self.group())
        elif name in _ACCENTS:
            inner = self.group()
            if len(inner) != 1 or inner[0].kind != "name":
                raise LatexError(f"cannot check \\{name} over more than one name")
            suffix = _ACCENTS[name]
            items.append(_Item(f"{inner[0].text}_{suffix}" if suffix else inner[0].text, "name"))
        elif name in _TIMES:
            items.append(_Item("*", "op"))
        elif name == "div":
            items.append(_Item("/", "op"))
        elif name in _RELATIONS:
            items.append(_Item("=", "rel"))
        elif name in _SKIPPED:
            pass
        elif name == "left":
            opener = self.take()
            if opener in _BARS or opener in ("\\|", "\\lfloor", "\\lceil"):
                inner = self.row(("\\right",))
                self.take()
                function = {"\\lfloor": "floor", "\\lceil": "ceil"}.get(opener, "abs")
                items.append(_Item(f"{function}({_join(inner)})", "atom"))
            else:
                self.bracket(opener, "", items, left=True)
        elif name in ("{", "lbrace"):
            inner = self.row(("\\}", "\\rbrace"))
            items.append(_Item(f"({_join(inner)})", "atom"))
        elif name in ("lfloor", "lceil"):
            inner = self.row(("\\r" + name[1:],))
            items.append(_Item(f"{name[1:]}({_join(inner)})", "atom"))
        elif "\\" + name in _BARS:
            inner = self.row((_BARS["\\" + name],))
            items.append(_Item(f"abs({_join(inner)})", "atom"))
        elif name in ("sum", "prod"):  # an opaque factor: what it sums is compared, not the limits
            while self.peek() in ("_", "^"):
                self.at += 1
                self.raw_group()
            items.append(_Item(name, "name"))
        elif name == "mid":  # P(y | x): the condition, read as one more argument
            items.append(_Item(",", "comma"))
        elif name in ("dots", "ldots", "cdots"):
            items.append(_Item("dots", "name"))
        elif name in _OPAQUE:
            items.append(_Item(_OPAQUE[name], "name"))
        elif name == "dlqslot":
            items.append(_Item(SLOT_MARK, "slot"))
        else:
            raise LatexError(f"cannot check a formula holding \\{name}")


def _word(tokens: list[str]) -> str:
    """`\\text{decay\\_rate}` -> `decay_rate`: the letters and digits of a word, `_` elsewhere."""
    text = "".join(t[1:] if t in ("\\_", "\\ ") else t for t in tokens if not t.startswith("\\") or t in ("\\_", "\\ "))
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")


def _compact(items: list[_Item]) -> str:
    """Items as one name part: no spaces, no braces (`t-1`, `dW_[l]`, `aa`)."""
    return "".join(item.text for item in items).replace("{", "").replace("}", "")


_INDEX_PAIRS = (("<", ">"), ("\\langle", "\\rangle"), ("[", "]"), ("(", ")"), ("\\{", "\\}"))


def _index(tokens: list[str]) -> str | None:
    """A superscript that is the course's index: `<t>`, `⟨t⟩`, `[l]`, `(i)`, `\\{t\\}`, or several
    (`[l](i)`); as a name part (`<t>`, `[l]`, `(i)`), else None."""
    out, at = "", 0
    while at < len(tokens):
        for opener, closer in _INDEX_PAIRS:
            if tokens[at] == opener and closer in tokens[at + 1:]:
                end = tokens.index(closer, at + 1)
                inner = tokens[at + 1:end]
                if opener == "(" and not all(re.fullmatch(r"[A-Za-z0-9+\-]", t) for t in inner):
                    return None
                shown = {"\\langle": "<", "\\{": "«"}.get(opener, opener) + "".join(inner) + {"\\rangle": ">", "\\}": "»"}.get(closer, closer)
                out += shown
                at = end + 1
                break
        else:
            return None
    return out or None


def to_plain(latex: str) -> str:
    """The formula as plain math (relations kept as `=`). Raises LatexError."""
    return _join(_Reader(latex).row())


def segments(latex: str) -> list[str]:
    """The plain math of each side of a formula's relations (`a = b \\approx c` gives three)."""
    sides: list[list[_Item]] = [[]]
    for item in _Reader(latex).row():
        if item.kind == "rel":
            sides.append([])
        else:
            sides[-1].append(item)
    return [_join(side) for side in sides]


_OPENERS, _CLOSERS = frozenset({"{", "(", "[", "\\left"}), frozenset({"}", ")", "]", "\\right"})


def slot_side(latex: str) -> str:
    """The plain math of the one side of the formula's relations that holds `\\dlqslot`; the
    other sides are not read, so notation there (`\\tanh'(z) =`) cannot spoil the check."""
    tokens = _tokens(latex)
    sides: list[list[str]] = [[]]
    depth = 0
    for at, token in enumerate(tokens):
        depth += token in _OPENERS
        depth -= token in _CLOSERS
        after_colon = token == "=" and at > 0 and tokens[at - 1] == ":"  # the = of :=, already split at
        relation = (token in ("=", "<", ">") and not after_colon) or token[1:] in _RELATIONS or (
            token == ":" and at + 1 < len(tokens) and tokens[at + 1] == "=")
        if depth == 0 and relation:
            sides.append([])
        elif not after_colon:
            sides[-1].append(token)
    holding = [side for side in sides if "\\dlqslot" in side]
    if len(holding) != 1 or holding[0].count("\\dlqslot") != 1:
        raise LatexError("the hidden part is not within one side of the formula")
    return _join(_Reader.read(holding[0]))
