"""LaTeX math -> a small syntax tree, on top of pylatexenc's LaTeX walker.

pylatexenc does the LaTeX part: tokenising, commands and their arguments (`\\frac{a}{b}`,
`\\sqrt[3]{x}`), braces, comments, environments, and it tolerates broken input. This module
turns its node list into the few shapes a math layout needs (dlquiz.render.math.text lays them out):
rows of symbols with their TeX spacing class, scripts, fractions, roots, fenced groups, accents,
text and grids. An unknown command becomes a `Raw` node holding its source.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from dlquiz.render.math import symbols as S
from dlquiz.render.math.nodes import Accent, Fenced, Frac, Grid, Mark, Node, Raw, Row, Script, Space, Sqrt, Sym, Text
from dlquiz.render.math.nodes import plain, restyle, word

_AMP = "&"  # the column separator; a literal ampersand is `\&`, a command, never this token
_MATRICES = {"matrix": ("", ""), "smallmatrix": ("", ""), "pmatrix": ("(", ")"),
             "bmatrix": ("[", "]"), "Bmatrix": ("{", "}"), "vmatrix": ("|", "|"),
             "Vmatrix": ("‖", "‖"), "cases": ("{", ""), "aligned": ("", ""), "align": ("", ""),
             "align*": ("", ""), "gathered": ("", ""), "split": ("", "")}
# Characters that make pylatexenc necessary; anything else tokenises to its own characters.
_LATEX_CHARS = frozenset("\\{}%$&~")


@lru_cache(maxsize=1)
def _context():
    """pylatexenc's LaTeX commands, minus the text-mode specials (`''`, `--`), plus the math
    commands whose arguments it does not know."""
    from pylatexenc import latexwalker
    from pylatexenc.macrospec import MacroSpec, SpecialsSpec

    base = latexwalker.get_default_latex_context_db().filter_context(
        keep_categories=["latex-base"], keep_which=["macros", "environments"]
    )
    extra = [MacroSpec(name, "{{") for name in ("dfrac", "tfrac", "cfrac", "binom", "overset", "underset",
                                                 "stackrel")]
    extra += [MacroSpec(name, "{") for name in ("boldsymbol", "bm", "pmb", "mathscr",
                                                 "mathfrak", "Bbb", "phantom", "widehat", "widetilde",
                                                 "mathring", "textnormal", "hbox")]
    extra.append(MacroSpec("operatorname", "*{"))
    extra += [MacroSpec("boxed", "{"), MacroSpec("bbox", "[{")]  # a cloze's box, and the part it hid
    base.add_context_category("dlquiz-math", macros=extra, specials=[SpecialsSpec("&"), SpecialsSpec("~")],
                              prepend=True)
    return base


def parse(latex: str) -> Row:
    """The syntax tree of a LaTeX math string (without its `$` delimiters). Never raises for
    bad LaTeX: pylatexenc is run tolerant, and what it cannot place stays as text."""
    if _LATEX_CHARS.isdisjoint(latex):
        return _Parser(list(latex)).row()
    from pylatexenc.latexwalker import LatexWalker

    nodes = LatexWalker(latex, latex_context=_context(), tolerant_parsing=True).get_latex_nodes()[0]
    return _Parser(_tokens(nodes)).row()


def _tokens(nodes) -> list:
    """pylatexenc nodes as a flat token list: single characters (str) and command, group,
    environment and math nodes."""
    from pylatexenc import latexwalker as lw

    out: list = []
    for node in nodes or ():
        if node is None or isinstance(node, lw.LatexCommentNode):
            continue
        if isinstance(node, lw.LatexCharsNode):
            out.extend(node.chars)
        elif isinstance(node, lw.LatexSpecialsNode):
            out.append(_AMP if node.specials_chars == "&" else " ")
        else:
            out.append(node)
    return out


def _node_kind(node) -> str:
    return type(node).__name__


class _Parser:
    """Reads one token list into a Row; `(`/`)` and `[`/`]` pairs become Fenced groups as they
    close, so a script after `)` attaches to the whole group."""

    def __init__(self, tokens: list) -> None:
        self.tokens = tokens
        self.pos = 0

    def next_token(self, skip_space: bool = True):
        while self.pos < len(self.tokens):
            tok = self.tokens[self.pos]
            self.pos += 1
            if not (skip_space and isinstance(tok, str) and tok.isspace()):
                return tok
        return None

    def row(self) -> Row:
        stack: list[list] = [[]]
        opens: list[Sym] = []
        while (tok := self.next_token()) is not None:
            items = stack[-1]
            if isinstance(tok, str):
                if tok in "^_":
                    _attach(items, tok, _script_row(self.argument()))
                    continue
                if tok == "'":
                    _prime(items)
                    continue
                if tok == _AMP:  # a column break outside a matrix: a space
                    node = Space(1)
                else:
                    node = self.number(tok) if tok.isdigit() else _char(tok, self.peek_is("="))
                    if node.text == ":=":
                        self.pos += 1
                    elif node.text == "|":
                        node = _bar(items, opens)
            else:
                node = self.command(tok)
            if node is None:
                continue
            if isinstance(node, Sym) and node.cls == S.OPEN and node.text in S.PAIRS:
                opens.append(node)
                stack.append([])
            elif isinstance(node, Sym) and node.cls == S.CLOSE and opens and S.PAIRS[opens[-1].text] == node.text:
                inner = stack.pop()
                stack[-1].append(Fenced(opens.pop().text, Row(inner), node.text))
            else:
                items.append(node)
        while opens:  # unbalanced, like the interval [0, 1): the delimiters stay plain symbols
            inner = stack.pop()
            stack[-1].append(opens.pop())
            stack[-1].extend(inner)
        return Row(stack[0])

    def peek_is(self, char: str) -> bool:
        tok = self.tokens[self.pos] if self.pos < len(self.tokens) else None
        return isinstance(tok, str) and tok == char  # (pylatexenc nodes cannot compare with str)

    def number(self, first: str) -> Sym:
        text = first
        while self.pos < len(self.tokens):
            tok = self.tokens[self.pos]
            nxt = self.tokens[self.pos + 1] if self.pos + 1 < len(self.tokens) else None
            if not (isinstance(tok, str) and (tok.isdigit() or (tok == "." and isinstance(nxt, str) and nxt.isdigit()))):
                break
            text += tok
            self.pos += 1
        return Sym(text)

    def argument(self) -> Row:
        """The argument of `^` or `_`: the next token, whatever it is."""
        tok = self.next_token()
        if tok is None or (isinstance(tok, str) and tok == _AMP):
            return Row()
        if isinstance(tok, str):
            return Row([_char(tok, False)])
        return _arg_row(tok) if _node_kind(tok) == "LatexGroupNode" else Row([n for n in [self.command(tok)] if n])

    def command(self, node) -> Node | None:
        kind = _node_kind(node)
        if kind == "LatexGroupNode":
            return _arg_row(node)
        if kind == "LatexMathNode":
            return _Parser(_tokens(node.nodelist)).row()
        if kind == "LatexEnvironmentNode":
            return _environment(node)
        if kind != "LatexMacroNode":  # anything else pylatexenc may produce: keep the source
            return Raw(node.latex_verbatim())
        name = node.macroname
        if name == "left":
            return self.fenced()
        if name == "right":  # a \right without its \left: keep the delimiter
            return _delimiter_sym(self.next_token())
        if name in S.IGNORED:
            return None
        if name in S.SPACES:
            return Space(S.SPACES[name])
        args = [a for a in (node.nodeargd.argnlist if node.nodeargd else ())]
        built = _macro(name, args)
        if built is not None:
            return built
        return Raw(node.latex_verbatim() + self.adjacent_groups(node))

    def adjacent_groups(self, node) -> str:
        """Source of the `{...}` groups right after an unknown command (its probable arguments)."""
        source, end = "", node.pos + node.len
        while self.pos < len(self.tokens):
            tok = self.tokens[self.pos]
            if isinstance(tok, str) or _node_kind(tok) != "LatexGroupNode" or tok.pos != end:
                break
            source += tok.latex_verbatim()
            end = tok.pos + tok.len
            self.pos += 1
        return source

    def fenced(self) -> Node:
        """`\\left( ... \\right)`: the tokens up to the matching \\right, as one Fenced group."""
        left = _delimiter_text(self.next_token())
        depth, start = 0, self.pos
        while self.pos < len(self.tokens):
            tok = self.tokens[self.pos]
            self.pos += 1
            name = getattr(tok, "macroname", None)
            if name == "left":
                depth += 1
            elif name == "right":
                if depth == 0:
                    inner = _Parser(self.tokens[start:self.pos - 1]).row()
                    return Fenced(left, inner, _delimiter_text(self.next_token()))
                depth -= 1
        inner = _Parser(self.tokens[start:]).row()  # no \right: the group runs to the end
        return Fenced(left, inner, "")


def _char(tok: str, before_equals: bool) -> Sym:
    if tok == ":" and before_equals:
        return Sym(":=", S.REL)
    return Sym(S.CHAR_TEXT.get(tok, tok), S.CHAR_CLASS.get(tok, S.ORD))


def _bar(items: list, opens: list[Sym]) -> Sym:
    """A plain `|` closes an open absolute value, opens one where an operand is expected
    (`|A| + |B|`), and is a plain symbol elsewhere (`P(y|x)`)."""
    if opens and opens[-1].text == "|" and items:
        return Sym("|", S.CLOSE)
    last = next((i for i in reversed(items) if not isinstance(i, Space)), None)
    if last is None or (isinstance(last, Sym) and last.cls in (S.BIN, S.REL, S.PUNCT, S.OPEN, S.OP)):
        return Sym("|", S.OPEN)
    return Sym("|")


def _attach(items: list, which: str, arg: Row) -> None:
    """Attach a sub- or superscript to the last item (or to nothing, as TeX allows)."""
    base = items.pop() if items and not isinstance(items[-1], Space) else Sym("")
    if isinstance(base, Script) and getattr(base, "sub" if which == "_" else "sup") is None:
        setattr(base, "sub" if which == "_" else "sup", arg)
        items.append(base)
        return
    script = Script(base, sub=arg if which == "_" else None, sup=arg if which == "^" else None)
    script.sup_first = which == "^"
    items.append(script)


def _prime(items: list) -> None:
    """`'` is a prime on what precedes it; two and three merge into ″ and ‴."""
    last = items[-1] if items else None
    if isinstance(last, Sym) and last.cls == S.ORD:
        last.text = (last.text + "′").replace("′′′", "‴").replace("′′", "″").replace("″′", "‴")
    else:
        items.append(Sym("′"))


def _script_row(row: Row) -> Row:
    """In a script, `<t>` is the course's angle-bracket index (a^⟨t⟩), not two relations."""
    items = row.items
    out: list = []
    i = 0
    while i < len(items):
        item = items[i]
        if isinstance(item, Sym) and item.text == "<":
            j = next((k for k in range(i + 1, len(items)) if isinstance(items[k], Sym) and items[k].text in "<>"), None)
            if j is not None and items[j].text == ">":
                out.append(Fenced("⟨", Row(items[i + 1:j]), "⟩"))
                i = j + 1
                continue
        out.append(item)
        i += 1
    return Row(out)


def _arg_row(node) -> Row:
    """A command argument or a `{...}` group as a Row."""
    if node is None:
        return Row()
    if _node_kind(node) == "LatexGroupNode":
        return _Parser(_tokens(node.nodelist)).row()
    return _Parser(_tokens([node])).row()


def _delimiter_text(tok) -> str:
    if tok is None or (isinstance(tok, str) and tok == "."):
        return ""
    sym = _delimiter_sym(tok)
    return sym.text if isinstance(sym, Sym) else ""


def _delimiter_sym(tok) -> Node | None:
    if tok is None:
        return None
    if isinstance(tok, str):
        return _char(tok, False)
    name = getattr(tok, "macroname", None)
    if name in S.SYMBOLS:
        text, cls = S.SYMBOLS[name]
        return Sym(text, cls)
    return Raw(tok.latex_verbatim())


def _macro(name: str, args: list) -> Node | None:
    """The node for a known command, or None when the command is unknown."""
    if name in S.SYMBOLS:
        text, cls = S.SYMBOLS[name]
        return Sym(text, cls, limits=cls == S.OP)
    if name in S.FUNCTIONS or name in S.LIMIT_FUNCTIONS:
        return Sym(name, S.FN, limits=name in S.LIMIT_FUNCTIONS)
    if name in S.FRACTIONS or name == "binom":
        num, den = (_arg_row(a) for a in (args + [None, None])[:2])
        frac = Frac(num, den, bar=name != "binom")
        return Fenced("(", Row([frac]), ")") if name == "binom" else frac
    if name == "sqrt":
        index = _arg_row(args[0]) if args and args[0] is not None else None
        return Sqrt(_arg_row(args[1] if len(args) > 1 else None), index)
    if name in S.TEXT_COMMANDS:
        return _text(args[-1] if args else None)
    if name == "operatorname":
        star = bool(args) and args[0] is not None
        return Sym(plain(_arg_row(args[-1] if args else None)), S.FN, limits=star)
    if name in S.PLAIN_FONTS:
        return word(_arg_row(args[-1] if args else None))
    if name in S.ALPHABETS:
        return restyle(_arg_row(args[-1] if args else None), S.ALPHABETS[name])
    if name in S.ACCENTS:
        return Accent(_arg_row(args[-1] if args else None), name)
    if name == "not":
        inner = _arg_row(args[0] if args else None)
        if len(inner.items) == 1 and isinstance(inner.items[0], Sym):
            sym = inner.items[0]
            return Sym(unicodedata.normalize("NFC", sym.text + "\u0338"), sym.cls)
        return Row([Sym("¬"), inner])
    if name in ("overset", "stackrel", "underset"):
        over, body = (_arg_row(a) for a in (args + [None, None])[:2])
        return Script(body, sup=over) if name != "underset" else Script(body, sub=over)
    if name == "phantom":
        return Space(1)
    if name in ("boxed", "bbox"):
        return Mark(_arg_row(args[-1] if args else None), boxed=name == "boxed")
    if not args and (text := S.latex2text_symbol(name)):  # pylatexenc's table, for the rarer symbols
        return Sym(text)
    return None


def _text(node) -> Node:
    """`\\text{...}`: the words as written (spaces kept); `$...$` inside is math again."""
    from pylatexenc import latexwalker as lw

    if node is None:
        return Text("")
    nodes = node.nodelist if isinstance(node, lw.LatexGroupNode) else [node]
    parts: list = []
    for child in nodes:
        if isinstance(child, lw.LatexCharsNode):
            parts.append(Text(child.chars))
        elif isinstance(child, lw.LatexMathNode):
            parts.append(_Parser(_tokens(child.nodelist)).row())
        elif isinstance(child, lw.LatexMacroNode) and child.macroname in S.SPACES:
            parts.append(Text(" "))
        elif isinstance(child, lw.LatexMacroNode) and child.macroname in S.SYMBOLS and not (
            child.nodeargd and child.nodeargd.argnlist
        ):
            parts.append(Text(S.SYMBOLS[child.macroname][0]))
        elif isinstance(child, lw.LatexGroupNode):
            parts.append(_text(child))
        elif isinstance(child, lw.LatexSpecialsNode):
            parts.append(Text(" " if child.specials_chars == "~" else child.specials_chars))
        elif not isinstance(child, lw.LatexCommentNode):
            parts.append(Raw(child.latex_verbatim()))
    if all(isinstance(p, Text) for p in parts):
        return Text("".join(p.text for p in parts))
    return Row(parts)


def _environment(node) -> Node:
    name = node.environmentname
    if name not in _MATRICES:
        return Raw(node.latex_verbatim())
    rows: list[list[Row]] = []
    cells: list[Row] = []
    cell: list = []
    for tok in _tokens(node.nodelist):
        if (isinstance(tok, str) and tok == _AMP) or getattr(tok, "macroname", None) == "\\":
            cells.append(_Parser(cell).row())
            cell = []
            if not isinstance(tok, str):
                rows.append(cells)
                cells = []
        else:
            cell.append(tok)
    if cell or cells:
        cells.append(_Parser(cell).row())
        rows.append(cells)
    rows = [r for r in rows if any(c.items for c in r)]
    left, right = _MATRICES[name]
    return Grid(rows, left, right, align_left=name == "cases")
